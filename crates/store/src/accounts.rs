//! Users, password hashes (argon2) and sessions.

use crate::audit::AuditEntry;
use crate::{Actor, Result, Store, StoreError};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use clusterdesk_domain::{Role, Uscc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub org_code: String,
    pub temporary: bool,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct UserInfo {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = String)]
    pub role: Role,
    pub org_code: String,
    pub must_change_password: bool,
}

pub struct Session {
    /// The secret that goes in the cookie; only its hash is stored.
    pub token: String,
    pub csrf_token: String,
}

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub(crate) fn token_hash(token: &str) -> String {
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params")
        .to_string()
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// The password rules of 等保 for the account `username` (see `domain::password`).
pub fn check_password_strength(username: &str, p: &str) -> std::result::Result<(), String> {
    clusterdesk_domain::password::check(username, p).map_err(|r| r.message().to_string())
}

impl Store {
    /// Check that `org_code` fits `role`: a region code for city and county roles, a
    /// department code for departments, an existing enterprise's USCC for enterprises.
    pub(crate) async fn check_user_org(&self, role: Role, org: &str) -> Result<()> {
        let plan = self.plan();
        let unit = plan.org_unit(org);
        let kind = unit.map(|u| u.kind.code());
        let ok = match role {
            Role::CountyOperator | Role::CountyLeader => kind == Some("county"),
            Role::CityDepartment => kind == Some("department"),
            Role::CityAdmin | Role::Leader | Role::SystemAdmin | Role::SecurityAdmin | Role::Auditor => {
                kind == Some("city")
            }
            Role::Enterprise => {
                let uscc = Uscc::parse(org).map_err(|e| StoreError::Invalid(e.message))?;
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises WHERE uscc = $1")
                    .bind(uscc.as_str())
                    .fetch_one(self.pool())
                    .await?;
                if n == 0 {
                    return Err(StoreError::Invalid(format!(
                        "企业“{org}”尚未登记,请先建立企业档案"
                    )));
                }
                true
            }
        };
        if !ok {
            return Err(StoreError::Invalid(format!(
                "角色 {} 不能绑定到“{org}”:{}",
                role.code(),
                match role {
                    Role::CountyOperator | Role::CountyLeader => "应为县(市)行政区划代码,如 130981",
                    Role::CityDepartment => "应为市直部门代码,如 KJJ",
                    _ => "应为市级行政区划代码 130900",
                }
            )));
        }
        Ok(())
    }

    pub async fn create_user(&self, by: &Actor, u: NewUser) -> Result<i64> {
        let name = u.username.trim();
        self.check_account_manager(by, name)?;
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return Err(StoreError::Invalid(
                "用户名只能由字母、数字、下划线、点和连字符组成,最长64位".into(),
            ));
        }
        check_password_strength(name, &u.password).map_err(StoreError::Invalid)?;
        self.check_user_org(u.role, &u.org_code).await?;
        let org = if u.role == Role::Enterprise {
            u.org_code.trim().to_ascii_uppercase()
        } else {
            u.org_code.clone()
        };
        let hash = hash_password(&u.password);
        let mut tx = self.begin_account_write().await?;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
            .bind(name)
            .fetch_one(&mut *tx)
            .await?;
        if exists > 0 {
            return Err(StoreError::Conflict(format!("用户名“{name}”已存在")));
        }
        let display =
            clusterdesk_domain::text::clean(clusterdesk_domain::text::DISPLAY_NAME, &u.display_name)?;
        let display = if display.is_empty() {
            name.to_string()
        } else {
            display
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, password_hash, role, org_code, must_change_password, created_at, password_changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(name)
        .bind(&display)
        .bind(hash)
        .bind(u.role.code())
        .bind(&org)
        .bind(u.temporary as i64)
        .bind(self.now())
        .fetch_one(&mut *tx)
        .await?;
        let new = serde_json::json!({"username": name, "role": u.role.code(), "org": org}).to_string();
        self.log_change(&mut tx, by, "user", name, "create", None, Some(new.clone()))
            .await?;
        let detail: serde_json::Value = serde_json::from_str(&new).unwrap_or_default();
        self.audit_in(
            &mut tx,
            AuditEntry::new(&by.username, "user_create", name).with(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn user_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?)
    }

    pub(crate) fn row_to_user(row: &sqlx::any::AnyRow) -> Result<UserInfo> {
        let role: String = row.try_get("role")?;
        Ok(UserInfo {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            role: Role::parse(&role).map_err(|e| StoreError::Invalid(e.message))?,
            org_code: row.try_get("org_code")?,
            must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        })
    }

    /// Change one's own password: the current one must be right, the new one strong and
    /// none of the last few. Every other session of the account ends; `keep` is the caller's.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep: Option<&str>,
    ) -> Result<()> {
        let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(actor.user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::NotFound("用户".into()))?;
        if !verify_password(current, &hash) {
            return Err(StoreError::Invalid("当前密码不正确".into()));
        }
        if current == new {
            return Err(StoreError::Invalid("新密码不能与当前密码相同".into()));
        }
        check_password_strength(&actor.username, new).map_err(StoreError::Invalid)?;
        let history = self.session_rules().password_history;
        let earlier: Vec<String> = sqlx::query_scalar(
            "SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY changed_at DESC",
        )
        .bind(actor.user_id)
        .fetch_all(self.pool())
        .await?;
        // The current password counts as one of the last `history`.
        if earlier
            .iter()
            .take(history.saturating_sub(1))
            .any(|h| verify_password(new, h))
        {
            return Err(StoreError::Invalid(format!(
                "新密码不能与最近{history}次使用过的密码相同"
            )));
        }
        let now = self.now();
        let mut tx = self.begin_account_write().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $2, must_change_password = 0, password_changed_at = $3 WHERE id = $1",
        )
        .bind(actor.user_id)
        .bind(hash_password(new))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO password_history (user_id, password_hash, changed_at) VALUES ($1, $2, $3)")
            .bind(actor.user_id)
            .bind(&hash)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        // Only the last few are needed; older hashes are not kept.
        let keep_from: Vec<String> = sqlx::query_scalar(
            "SELECT changed_at FROM password_history WHERE user_id = $1 ORDER BY changed_at DESC",
        )
        .bind(actor.user_id)
        .fetch_all(&mut *tx)
        .await?;
        if let Some(oldest_kept) = keep_from.get(history.saturating_sub(1).max(1) - 1) {
            sqlx::query("DELETE FROM password_history WHERE user_id = $1 AND changed_at < $2")
                .bind(actor.user_id)
                .bind(oldest_kept)
                .execute(&mut *tx)
                .await?;
        }
        let ended = self.revoke_sessions(&mut tx, actor.user_id, keep).await?;
        let note = serde_json::json!({"sessions_ended": ended}).to_string();
        self.log_change(
            &mut tx,
            actor,
            "user",
            &actor.username,
            "password",
            None,
            Some(note.clone()),
        )
        .await?;
        let detail: serde_json::Value = serde_json::from_str(&note).unwrap_or_default();
        self.audit_in(
            &mut tx,
            AuditEntry::new(&actor.username, "password_change", &actor.username).with(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disable or enable an account. Disabling ends every session of it at once.
    pub async fn set_user_disabled(&self, by: &Actor, username: &str, disabled: bool) -> Result<()> {
        self.check_account_manager(by, username)?;
        let mut tx = self.begin_account_write().await?;
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(username.trim())
            .fetch_optional(&mut *tx)
            .await?;
        let id = id.ok_or_else(|| StoreError::NotFound(format!("用户“{username}”")))?;
        sqlx::query("UPDATE users SET disabled = $2 WHERE id = $1")
            .bind(id)
            .bind(disabled as i64)
            .execute(&mut *tx)
            .await?;
        if disabled {
            self.revoke_sessions(&mut tx, id, None).await?;
        }
        let action = if disabled { "disable" } else { "enable" };
        self.log_change(&mut tx, by, "user", username.trim(), action, None, None)
            .await?;
        self.audit_in(
            &mut tx,
            AuditEntry::new(&by.username, &format!("user_{action}"), username.trim()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>> {
        let rows = sqlx::query(
            "SELECT id, username, display_name, role, org_code, must_change_password FROM users ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Self::row_to_user).collect()
    }
}
