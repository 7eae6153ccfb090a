//! The write path's transactions: the write lock taken first, one period's workflow state
//! read and held inside the transaction that depends on it, and busy engines answered as a
//! conflict the user can retry rather than as a database error.

use crate::reporting::Status;
use crate::{Engine, Result, Store, StoreError};

/// How often a write is retried when the engine is busy before it is answered as a conflict;
/// SQLite's busy_timeout already waits up to 10 s inside each try.
const BUSY_RETRIES: u32 = 3;

pub(crate) const BUSY_MESSAGE: &str = "数据库正忙,请稍后重试";
pub(crate) const CHANGED_MESSAGE: &str = "该期数据状态已被他人更改,请刷新后重试";

/// A (data set, county, period): the unit of the reporting workflow.
pub(crate) type PeriodKey<'a> = (&'a str, &'a str, &'a str);

/// Whether the engine refused for a lock held by another writer (SQLite busy or locked,
/// PostgreSQL serialization failure, deadlock or lock not available).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            matches!(
                d.code().as_deref(),
                Some("5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "55P03")
            ) || d.message().contains("database is locked")
        }
        _ => false,
    }
}

/// A busy engine becomes a conflict with a Chinese message; every other error is kept.
pub(crate) fn busy_to_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Db(ref d) if is_busy(d) => StoreError::Conflict(BUSY_MESSAGE.into()),
        e => e,
    }
}

/// 64-bit FNV-1a: a stable number for a period key, for PostgreSQL's advisory locks.
fn lock_id((dataset, county, period): PeriodKey<'_>) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{dataset}\u{1f}{county}\u{1f}{period}").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

impl Store {
    /// A write of business data: [`Store::begin_account_write`] whose first statement moves
    /// the data version, so that results computed from the old data are not reused
    /// (`cache.rs`). Every write takes this one unless it changes only accounts, sessions or
    /// the audit trail, which no computed result reads.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.begin_account_write().await?;
        crate::cache::bump_data_version(&mut tx)
            .await
            .map_err(busy_to_conflict)?;
        Ok(tx)
    }

    /// A transaction holding the write lock from its first statement: on SQLite `BEGIN
    /// IMMEDIATE`, so that two writers queue in busy_timeout instead of one failing when its
    /// read lock cannot be upgraded. Retried a few times, then a conflict.
    pub(crate) async fn begin_account_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        crate::race_hook::reached(crate::race_hook::Point::Begin).await;
        let mut tries = 0;
        loop {
            let tx = match self.engine() {
                Engine::Sqlite => self.pool().begin_with("BEGIN IMMEDIATE").await,
                Engine::Postgres => self.pool().begin().await,
            };
            match tx {
                Ok(tx) => return Ok(tx),
                Err(e) if is_busy(&e) && tries < BUSY_RETRIES => {
                    tries += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(tries))).await;
                }
                Err(e) => return Err(busy_to_conflict(e.into())),
            }
        }
    }

    /// Hold `key` until the transaction ends, then read its workflow state (`None`: no row
    /// yet, a draft). SQLite's immediate transaction already excludes every other writer;
    /// PostgreSQL takes an advisory lock on the key, so a workflow step and a value write of
    /// one period run one after the other and the later one sees the earlier one's result.
    pub(crate) async fn lock_period(
        &self,
        conn: &mut sqlx::AnyConnection,
        key: PeriodKey<'_>,
    ) -> Result<Option<Status>> {
        if self.engine() == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(lock_id(key))
                .execute(&mut *conn)
                .await?;
        }
        let (dataset, county, period) = key;
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM submissions WHERE dataset = $1 AND county_code = $2 AND period = $3",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_optional(&mut *conn)
        .await?;
        crate::race_hook::reached(crate::race_hook::Point::Checked).await;
        Ok(status.map(|s| Status::parse(&s).unwrap_or(Status::Draft)))
    }
}

/// End a write: kept, or, for a trial run (`dry_run`), undone whole.
pub(crate) async fn finish<DB: sqlx::Database>(tx: sqlx::Transaction<'_, DB>, dry_run: bool) -> Result<()> {
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_ids_differ_by_key_and_are_stable() {
        assert_eq!(lock_id(("a", "b", "c")), lock_id(("a", "b", "c")));
        assert_ne!(lock_id(("ab", "c", "d")), lock_id(("a", "bc", "d")));
    }
}
