//! Failed sign-ins, in the database so that a lock outlives a restart. The rules that read
//! these counts are `clusterdesk_domain::lockout`; this file only counts and forgets.

use crate::audit::AuditEntry;
use crate::sessions::{instant, stamp};
use crate::{Actor, Result, Store};
use chrono::Duration;
use clusterdesk_domain::lockout::{Failures, Limits};
use sqlx::Row;

/// Rows untouched this long are deleted: far past any lock, and it bounds the table.
const KEEP: Duration = Duration::days(1);

impl Store {
    /// The failures the lockout rules weigh for a sign-in of `username` from `address` now.
    pub async fn login_failures(&self, username: &str, address: &str, limits: &Limits) -> Result<Failures> {
        let now = self.clock().now();
        let since = stamp(now - limits.lock);
        let pair = sqlx::query(
            "SELECT failures, last_at FROM login_failures
             WHERE username = $1 AND address = $2 AND last_at >= $3",
        )
        .bind(username)
        .bind(address)
        .bind(&since)
        .fetch_optional(self.pool())
        .await?;
        let (pair, pair_last) = match pair {
            Some(r) => (
                r.try_get::<i64, _>("failures")?,
                instant(&r.try_get::<String, _>("last_at")?),
            ),
            None => (0, None),
        };
        let user: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) FROM login_failures
             WHERE username = $1 AND last_at >= $2",
        )
        .bind(username)
        .bind(&since)
        .fetch_one(self.pool())
        .await?;
        let addr = sqlx::query(
            "SELECT CAST(COALESCE(SUM(failures), 0) AS BIGINT) AS n, MAX(last_at) AS last
             FROM login_failures WHERE address = $1 AND last_at >= $2",
        )
        .bind(address)
        .bind(&since)
        .fetch_one(self.pool())
        .await?;
        let last: Option<String> = addr.try_get("last")?;
        // Pairs that failed in the last minute: a floor of the failures in it, cheap to count.
        let global: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE last_at >= $1")
            .bind(stamp(now - Duration::minutes(1)))
            .fetch_one(self.pool())
            .await?;
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Failures {
            pair: n(pair),
            pair_last,
            user: n(user),
            address: n(addr.try_get("n")?),
            address_last: last.as_deref().and_then(instant),
            global_last_minute: n(global),
        })
    }

    /// Count one failure of the pair. A count whose last failure is older than the lock
    /// window starts again at one.
    pub async fn record_login_failure(&self, username: &str, address: &str, limits: &Limits) -> Result<()> {
        let now = self.clock().now();
        let mut tx = self.begin_account_write().await?;
        sqlx::query(
            "INSERT INTO login_failures (username, address, failures, last_at) VALUES ($1, $2, 1, $3)
             ON CONFLICT (username, address) DO UPDATE SET
               failures = CASE WHEN login_failures.last_at < $4 THEN 1 ELSE login_failures.failures + 1 END,
               last_at = $3",
        )
        .bind(username)
        .bind(address)
        .bind(stamp(now))
        .bind(stamp(now - limits.lock))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE last_at < $1")
            .bind(stamp(now - KEEP))
            .execute(&mut *tx)
            .await?;
        let e = AuditEntry::new("-", "login_failed", username).from_address(address);
        self.audit_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A successful sign-in clears its own pair only: failures elsewhere still count.
    pub async fn clear_login_failures(&self, username: &str, address: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1 AND address = $2")
            .bind(username)
            .bind(address)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Lift every lock on a user name (the security administrator's unlock), recorded in the
    /// change log. Returns the number of addresses that had failures.
    pub async fn unlock_user(&self, by: &Actor, username: &str) -> Result<u64> {
        self.check_account_manager(by, username)?;
        let mut tx = self.begin_account_write().await?;
        let done = sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        self.log_change(&mut tx, by, "user", username, "unlock", None, None)
            .await?;
        let detail = serde_json::json!({"addresses": done.rows_affected()});
        self.audit_in(
            &mut tx,
            AuditEntry::new(&by.username, "user_unlock", username).with(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }
}
