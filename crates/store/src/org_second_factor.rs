//! A second factor required per organisation (GB/T 22239-2019 8.1.4.1 d): the administrator
//! roles and the bureau always sign in with one (`Role::needs_second_factor`); the security
//! administrator may require it of every account of a county, a department or the city too.

use crate::audit::AuditEntry;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_domain::Role;
use sqlx::Row;

/// An organisation that requires a second factor of all its accounts, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRequirement {
    pub org_code: String,
    pub required_by: String,
    pub required_at: String,
}

impl Store {
    /// The organisations that require a second factor, in code order.
    pub async fn org_second_factor_requirements(&self) -> Result<Vec<OrgRequirement>> {
        let rows =
            sqlx::query("SELECT org_code, required_by, required_at FROM org_second_factor ORDER BY org_code")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| {
                Ok(OrgRequirement {
                    org_code: r.try_get("org_code")?,
                    required_by: r.try_get("required_by")?,
                    required_at: r.try_get("required_at")?,
                })
            })
            .collect()
    }

    /// Whether an account of `role` acting for `org` must sign in with a second factor.
    pub async fn second_factor_required(&self, role: Role, org: &str) -> Result<bool> {
        if role.needs_second_factor() {
            return Ok(true);
        }
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_second_factor WHERE org_code = $1")
            .bind(org)
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }

    /// Require a second factor of every account of `org` (a county, a department or the
    /// city), or stop requiring it. Requiring it ends the sessions of the organisation's
    /// accounts that have none: they signed in with one factor. Returns the sessions ended.
    pub async fn set_org_second_factor(&self, by: &Actor, org: &str, required: bool) -> Result<u64> {
        self.check_account_manager(by, "")?;
        let org = org.trim();
        if !self.account_org_units().any(|o| o.code == org) {
            return Err(StoreError::Invalid(format!(
                "单位代码“{org}”不是本市、县(市)或市直部门"
            )));
        }
        let mut tx = self.begin_account_write().await?;
        // The write itself says whether anything changed, so two at once change it once
        // (on PostgreSQL the second waits for the first's row and then finds it).
        let changed = if required {
            sqlx::query(
                "INSERT INTO org_second_factor (org_code, required_by, required_at) VALUES ($1, $2, $3)
                 ON CONFLICT (org_code) DO NOTHING",
            )
            .bind(org)
            .bind(&by.username)
            .bind(self.now())
            .execute(&mut *tx)
            .await?
        } else {
            sqlx::query("DELETE FROM org_second_factor WHERE org_code = $1")
                .bind(org)
                .execute(&mut *tx)
                .await?
        };
        if changed.rows_affected() == 0 {
            return Ok(0);
        }
        let mut ended = 0;
        if required {
            let without: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM users WHERE org_code = $1 AND totp_secret = ''")
                    .bind(org)
                    .fetch_all(&mut *tx)
                    .await?;
            for id in without {
                ended += self.revoke_sessions(&mut tx, id, None).await?;
            }
        }
        let e = if required {
            AuditEntry::new(&by.username, "org_second_factor_on", org)
        } else {
            AuditEntry::new(&by.username, "org_second_factor_off", org)
        };
        let detail = serde_json::json!({"sessions_ended": ended});
        self.audit_in(&mut tx, e.with(detail)).await?;
        tx.commit().await?;
        Ok(ended)
    }
}
