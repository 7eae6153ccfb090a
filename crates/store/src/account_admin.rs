//! The security administrator's work on accounts (三员分立, GB/T 22239-2019 8.1.4.2 c): who may
//! manage an account, an account's state as the administrator sees it, resetting a password
//! to a temporary one and assigning a role and organisation. Creating, disabling, unlocking
//! and the second factor are in `accounts`, `lockout` and `second_factor`; each of them asks
//! `check_account_manager` first.

use crate::accounts::hash_password;
use crate::audit::AuditEntry;
use crate::second_factor::Enrolment;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_domain::{Role, password};
use rand::RngCore;
use sqlx::Row;

/// What the security administrator hands to an account's holder, shown once.
#[derive(Debug, Clone)]
pub struct Handover {
    pub username: String,
    pub password: Option<String>,
    pub second_factor: Option<Enrolment>,
}

/// One account as the security administrator sees it: never its password or secrets.
#[derive(Debug, Clone)]
pub struct AccountState {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_code: String,
    pub disabled: bool,
    pub must_change_password: bool,
    pub second_factor: bool,
    /// Its organisation requires a second factor of all its accounts.
    pub org_requires_second_factor: bool,
    pub recovery_codes_left: i64,
    pub sessions: i64,
    pub failures: i64,
    pub last_failure: Option<String>,
    pub created_at: String,
    pub password_changed_at: String,
}

impl Store {
    /// Only the security administrator (or the command line, run by the OS operator) manages
    /// accounts, and never its own: its own password it changes like anyone else.
    pub(crate) fn check_account_manager(&self, by: &Actor, username: &str) -> Result<()> {
        if by.user_id == 0 {
            return Ok(());
        }
        if !by.role.manages_accounts() {
            return Err(StoreError::Forbidden(
                "只有安全管理员可以管理用户账户(三员分立)".into(),
            ));
        }
        if by.username == username.trim() {
            return Err(StoreError::Forbidden(
                "安全管理员不能更改自己的账户:请由另一位安全管理员操作".into(),
            ));
        }
        Ok(())
    }

    /// The organisations an account other than an enterprise's acts for: the city, the
    /// counties and the city departments, in the plan's order.
    pub fn account_org_units(&self) -> impl Iterator<Item = &clusterdesk_plan::OrgUnit> {
        self.plan()
            .org_units
            .iter()
            .filter(|o| matches!(o.kind.code(), "city" | "county" | "department"))
    }

    /// The accounts with their state, in creation order.
    pub async fn account_states(&self, by: &Actor) -> Result<Vec<AccountState>> {
        self.check_account_manager(by, "")?;
        let rows = sqlx::query(
            "SELECT u.username, u.display_name, u.role, u.org_code, u.disabled, u.must_change_password,
                    u.totp_secret, u.created_at, u.password_changed_at,
                    (SELECT COUNT(*) FROM recovery_codes r WHERE r.user_id = u.id) AS codes,
                    (SELECT COUNT(*) FROM org_second_factor o WHERE o.org_code = u.org_code) AS org_2fa,
                    (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id) AS sessions,
                    (SELECT CAST(COALESCE(SUM(f.failures), 0) AS BIGINT) FROM login_failures f
                      WHERE f.username = u.username) AS failures,
                    (SELECT MAX(f.last_at) FROM login_failures f WHERE f.username = u.username) AS last_failure
             FROM users u ORDER BY u.id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(AccountState {
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                    role: Role::parse(&role).map_err(|e| StoreError::Invalid(e.message))?,
                    org_code: r.try_get("org_code")?,
                    disabled: r.try_get::<i64, _>("disabled")? != 0,
                    must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
                    second_factor: !r.try_get::<String, _>("totp_secret")?.is_empty(),
                    org_requires_second_factor: r.try_get::<i64, _>("org_2fa")? > 0,
                    recovery_codes_left: r.try_get("codes")?,
                    sessions: r.try_get("sessions")?,
                    failures: r.try_get("failures")?,
                    last_failure: r.try_get("last_failure")?,
                    created_at: r.try_get("created_at")?,
                    password_changed_at: r.try_get("password_changed_at")?,
                })
            })
            .collect()
    }

    /// The names of the enterprises that accounts act for: the security administrator sees
    /// whom an account belongs to, never what the enterprise reported.
    pub async fn account_enterprise_names(&self, by: &Actor) -> Result<Vec<(String, String)>> {
        self.check_account_manager(by, "")?;
        let rows = sqlx::query(
            "SELECT DISTINCT e.uscc, e.name FROM enterprises e JOIN users u ON u.org_code = e.uscc
             ORDER BY e.uscc",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("uscc")?, r.try_get("name")?)))
            .collect()
    }

    /// One account's state; an unknown name is `NotFound`.
    pub async fn account_state(&self, by: &Actor, username: &str) -> Result<AccountState> {
        self.account_states(by)
            .await?
            .into_iter()
            .find(|a| a.username == username)
            .ok_or_else(|| StoreError::NotFound(format!("用户“{username}”")))
    }

    /// Give an account a new temporary password, returned once for the administrator to hand
    /// over: the holder must choose their own at the next sign-in, every session of the
    /// account ends, and its failed sign-ins are forgotten.
    pub async fn reset_password(&self, by: &Actor, username: &str) -> Result<String> {
        self.check_account_manager(by, username)?;
        let temp = temporary_for(username);
        let mut tx = self.begin_account_write().await?;
        let id = user_id(&mut tx, username).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $2, must_change_password = 1, password_changed_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(hash_password(&temp))
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        let ended = self.revoke_sessions(&mut tx, id, None).await?;
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        self.log_change(&mut tx, by, "user", username, "reset_password", None, None)
            .await?;
        let detail = serde_json::json!({"sessions_ended": ended});
        self.audit_in(
            &mut tx,
            AuditEntry::new(&by.username, "user_reset_password", username).with(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(temp)
    }

    /// Create an account with a temporary password (changed at its first sign-in) and, for a
    /// role or organisation that signs in with two factors, its TOTP secret: both returned
    /// once, to hand over.
    pub async fn create_account(
        &self,
        by: &Actor,
        username: &str,
        display_name: &str,
        role: Role,
        org_code: &str,
    ) -> Result<Handover> {
        self.check_account_manager(by, username)?;
        let temp = temporary_for(username);
        let new = crate::accounts::NewUser {
            username: username.trim().to_string(),
            display_name: display_name.trim().to_string(),
            password: temp.clone(),
            role,
            org_code: org_code.trim().to_string(),
            temporary: true,
        };
        self.create_user(by, new).await?;
        let second_factor = if self.second_factor_required(role, org_code.trim()).await? {
            Some(self.enrol_totp(by, username.trim(), None).await?)
        } else {
            None
        };
        Ok(Handover {
            username: username.trim().to_string(),
            password: Some(temp),
            second_factor,
        })
    }

    /// Assign an account a role and the organisation it acts for (checked as at creation).
    /// Its sessions end, so the new rights apply from the next sign-in. A role or organisation
    /// that needs a second factor, given to an account without one, enrols it: returned to
    /// hand over.
    pub async fn assign_role(
        &self,
        by: &Actor,
        username: &str,
        role: Role,
        org_code: &str,
    ) -> Result<Option<Enrolment>> {
        self.assign_role_only(by, username, role, org_code).await?;
        let enrolled: String = sqlx::query_scalar("SELECT totp_secret FROM users WHERE username = $1")
            .bind(username)
            .fetch_one(self.pool())
            .await?;
        if enrolled.is_empty() && self.second_factor_required(role, org_code.trim()).await? {
            return Ok(Some(self.enrol_totp(by, username, None).await?));
        }
        Ok(None)
    }

    async fn assign_role_only(&self, by: &Actor, username: &str, role: Role, org_code: &str) -> Result<()> {
        self.check_account_manager(by, username)?;
        let org = org_code.trim();
        self.check_user_org(role, org).await?;
        let org = if role == Role::Enterprise {
            org.to_ascii_uppercase()
        } else {
            org.to_string()
        };
        let mut tx = self.begin_account_write().await?;
        let id = user_id(&mut tx, username).await?;
        let old = sqlx::query("SELECT role, org_code FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let old_role: String = old.try_get("role")?;
        let old_org: String = old.try_get("org_code")?;
        if old_role == role.code() && old_org == org {
            return Ok(());
        }
        sqlx::query("UPDATE users SET role = $2, org_code = $3 WHERE id = $1")
            .bind(id)
            .bind(role.code())
            .bind(&org)
            .execute(&mut *tx)
            .await?;
        let ended = self.revoke_sessions(&mut tx, id, None).await?;
        let before = serde_json::json!({"role": old_role, "org": old_org});
        let after = serde_json::json!({"role": role.code(), "org": org});
        self.log_change(
            &mut tx,
            by,
            "user",
            username,
            "assign",
            Some(before.to_string()),
            Some(after.to_string()),
        )
        .await?;
        let detail = serde_json::json!({"from": before, "to": after, "sessions_ended": ended});
        self.audit_in(
            &mut tx,
            AuditEntry::new(&by.username, "user_assign", username).with(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A random temporary password that passes the rules for `username`.
fn temporary_for(username: &str) -> String {
    loop {
        let mut b = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let p = password::temporary(b);
        if password::check(username.trim(), &p).is_ok() {
            return p;
        }
    }
}

async fn user_id(conn: &mut sqlx::AnyConnection, username: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("用户“{username}”")))
}
