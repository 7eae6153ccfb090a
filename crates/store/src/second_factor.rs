//! The second factor of a sign-in (TOTP, RFC 6238; GB/T 22239-2019 8.1.4.1 d): enrolling an
//! account, and checking the code or a recovery code typed at sign-in, each good once. Who
//! must have one is `Role::needs_second_factor` and `org_second_factor`; the arithmetic is `clusterdesk_domain::totp`.

use crate::audit::AuditEntry;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_domain::Role;
use clusterdesk_domain::totp;
use rand::RngCore;
use sqlx::Row;

/// What an authenticator app needs, shown once to the account's holder.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub username: String,
    /// Base32, as typed into an app.
    pub secret: String,
    /// The `otpauth://` address (what a QR code carries).
    pub uri: String,
    /// One-time codes for a lost phone, `xxxx-xxxx`.
    pub recovery_codes: Vec<String>,
}

/// Why a sign-in with the right password still did not open a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// The account has a second factor and none was given.
    Missing,
    /// The code was wrong, or already used.
    Wrong,
    /// The role or the organisation requires one and the account has none yet.
    NotEnrolled,
}

impl Needed {
    /// A stable code for programs.
    pub fn code(self) -> &'static str {
        match self {
            Needed::Missing => "second_factor_required",
            Needed::Wrong => "second_factor_wrong",
            Needed::NotEnrolled => "second_factor_not_enrolled",
        }
    }

    /// What the person is told.
    pub fn message(self) -> &'static str {
        match self {
            Needed::Missing => {
                "该账户须输入动态口令:请打开手机上的动态口令应用,输入当前显示的6位数字(或一个恢复码)"
            }
            Needed::Wrong => "动态口令不正确或已使用过:请输入应用中当前显示的6位数字,或一个未用过的恢复码",
            Needed::NotEnrolled => {
                "该账户须使用动态口令登录,但尚未设置:请安全管理员在“用户账户”页面为您设置动态口令(或在服务器上运行 clusterdesk user totp 用户名),把密钥交给您后再登录"
            }
        }
    }
}

/// The second factor's verdict on one sign-in.
pub(crate) enum Verdict {
    Passed,
    Refused(Needed),
}

impl Store {
    /// Give an account a new TOTP secret (random, or `secret` for the demo) and new recovery
    /// codes; the old ones stop working. The holder is shown the result once.
    pub async fn enrol_totp(&self, by: &Actor, username: &str, secret: Option<&[u8]>) -> Result<Enrolment> {
        self.check_account_manager(by, username)?;
        let bytes = match secret {
            Some(s) if s.len() >= 10 => s.to_vec(),
            Some(_) => {
                return Err(StoreError::Invalid(
                    "动态口令密钥至少应为16个base32字符(80位)".into(),
                ));
            }
            None => {
                let mut b = vec![0u8; totp::SECRET_BYTES];
                rand::rngs::OsRng.fill_bytes(&mut b);
                b
            }
        };
        let secret = totp::base32_encode(&bytes);
        let codes: Vec<String> = (0..totp::RECOVERY_CODES)
            .map(|_| {
                let mut r = [0u8; 5];
                rand::rngs::OsRng.fill_bytes(&mut r);
                totp::recovery_code(r)
            })
            .collect();
        let mut tx = self.begin_account_write().await?;
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else {
            return Err(StoreError::NotFound(format!("用户“{username}”")));
        };
        sqlx::query("UPDATE users SET totp_secret = $2, totp_last_step = 0 WHERE id = $1")
            .bind(id)
            .bind(&secret)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for c in &codes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(id)
                .bind(totp::recovery_hash(c))
                .execute(&mut *tx)
                .await?;
        }
        self.audit_in(&mut tx, AuditEntry::new(&by.username, "totp_enrol", username))
            .await?;
        tx.commit().await?;
        let plan = self.plan();
        let city = plan
            .org_unit(&plan.meta.city.to_string())
            .map(|u| u.name.as_str());
        let issuer = format!("{}产业集群平台", city.unwrap_or(""));
        Ok(Enrolment {
            username: username.to_string(),
            uri: totp::otpauth_uri(&issuer, username, &secret),
            secret,
            recovery_codes: codes,
        })
    }

    /// Check the second factor of an account whose password was right. A code is spent by a
    /// compare-and-set on the last step, so two sign-ins racing with one code get one session.
    pub(crate) async fn second_factor(
        &self,
        user_id: i64,
        role: Role,
        typed: Option<&str>,
    ) -> Result<Verdict> {
        let row = sqlx::query("SELECT totp_secret, totp_last_step, org_code FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        let secret: String = row.try_get(0)?;
        let last: i64 = row.try_get(1)?;
        let org: String = row.try_get(2)?;
        if secret.is_empty() {
            return Ok(if self.second_factor_required(role, &org).await? {
                Verdict::Refused(Needed::NotEnrolled)
            } else {
                Verdict::Passed
            });
        }
        let typed = typed.map(str::trim).unwrap_or("");
        if typed.is_empty() {
            return Ok(Verdict::Refused(Needed::Missing));
        }
        if totp::is_recovery_form(typed) {
            let used = sqlx::query(
                "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at = ''",
            )
            .bind(user_id)
            .bind(totp::recovery_hash(typed))
            .bind(self.now())
            .execute(self.pool())
            .await?
            .rows_affected();
            return Ok(if used == 1 {
                Verdict::Passed
            } else {
                Verdict::Refused(Needed::Wrong)
            });
        }
        let Some(key) = totp::base32_decode(&secret) else {
            return Err(StoreError::Engine(format!("用户 {user_id} 的动态口令密钥已损坏")));
        };
        let now = totp::step_of(self.clock().now().timestamp());
        let Some(step) = totp::accept(&key, typed, now, last) else {
            return Ok(Verdict::Refused(Needed::Wrong));
        };
        let spent = sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2")
            .bind(user_id)
            .bind(step)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(if spent == 1 {
            Verdict::Passed
        } else {
            Verdict::Refused(Needed::Wrong)
        })
    }

    /// Recovery codes of an account not yet used.
    pub async fn recovery_codes_left(&self, username: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes r JOIN users u ON u.id = r.user_id
             WHERE u.username = $1 AND r.used_at = ''",
        )
        .bind(username)
        .fetch_one(self.pool())
        .await?)
    }
}
