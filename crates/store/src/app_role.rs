//! The application's own PostgreSQL role (GB/T 22239-2019 8.1.4.3 d, the audit records are
//! protected): the server and the command line connect as a role that reads and writes the
//! business tables but may only add to the audit trail, never change or delete it. The
//! tables' owner runs the migrations (`clusterdesk migrate --app-role NAME`) and grants the
//! role what it needs; whoever holds only the application's password cannot rewrite history.

use crate::{Engine, Result, Store, StoreError};
use sqlx::Executor;

/// The tables the application may read and add to but never change.
const APPEND_ONLY: &[&str] = &["audit_log"];

/// A PostgreSQL role name as the grants take it unquoted: lower-case letters, digits and `_`.
pub fn check_role_name(name: &str) -> Result<&str> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(name)
    } else {
        Err(StoreError::Invalid(format!(
            "数据库角色名“{name}”无效:只能用小写字母、数字和下划线,以字母或下划线开头,最长63位"
        )))
    }
}

impl Store {
    /// Grant `role` the application's rights on this database: every table read and written,
    /// the append-only ones only read and added to, the migration table only read. Run as the
    /// tables' owner after the migrations; running it again is harmless.
    pub async fn grant_app_role(&self, role: &str) -> Result<()> {
        if self.engine != Engine::Postgres {
            return Err(StoreError::Invalid(
                "应用角色只用于 PostgreSQL;SQLite 数据库由文件权限保护".into(),
            ));
        }
        let role = check_role_name(role)?;
        let mut tx = self.pool().begin().await?;
        let mut statements = vec![
            format!("GRANT USAGE ON SCHEMA public TO {role}"),
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
            format!("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON _sqlx_migrations FROM {role}"),
        ];
        for t in APPEND_ONLY {
            statements.push(format!("REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {role}"));
        }
        for s in statements {
            tx.execute(s.as_str()).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::check_role_name;

    #[test]
    fn role_names_are_plain_identifiers() {
        for ok in ["clusterdesk_app", "_app", "app2"] {
            assert!(check_role_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "App", "2app", "app;drop table x", "app-role", &"a".repeat(64)] {
            assert!(check_role_name(bad).is_err(), "{bad}");
        }
    }
}
