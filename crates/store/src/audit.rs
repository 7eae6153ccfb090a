//! The audit trail's rows: appending a record chained to the last one, and reading the chain
//! back for `audit verify` and the auditor. The chain itself is `clusterdesk_domain::audit`.

use crate::{Engine, Result, Store};
use clusterdesk_domain::audit::{GENESIS, Record, hash_of};
use sqlx::Row;

/// What happened, as the caller knows it; the store adds the number, time and hashes.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub address: String,
    pub detail: serde_json::Value,
}

impl AuditEntry {
    pub fn new(actor: impl Into<String>, action: &str, target: impl Into<String>) -> Self {
        AuditEntry {
            actor: actor.into(),
            action: action.to_string(),
            target: target.into(),
            ..Default::default()
        }
    }

    pub fn from_address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    pub fn with(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A constant for PostgreSQL's advisory lock of the chain's end ("audit" in ASCII).
const CHAIN_LOCK: i64 = 0x0061_7564_6974;

fn record(r: &sqlx::any::AnyRow) -> Result<Record> {
    Ok(Record {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        target: r.try_get("target")?,
        address: r.try_get("address")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// SHA-256 of a text, in hex: what an audit record carries of the data a change wrote, so
/// that an edit of `change_log` or of the values afterwards no longer matches the trail.
pub(crate) fn digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const COLUMNS: &str = "seq, at, actor, action, target, address, detail, prev_hash, hash";

impl Store {
    /// Append a record inside `conn`'s transaction, after the chain's last one. The caller's
    /// transaction holds the write lock (SQLite) or takes the chain's advisory lock here
    /// (PostgreSQL), so two appends never read the same end.
    pub(crate) async fn audit_in(&self, conn: &mut sqlx::AnyConnection, e: AuditEntry) -> Result<()> {
        if self.engine() == Engine::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(CHAIN_LOCK)
                .execute(&mut *conn)
                .await?;
        }
        let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
        let (seq, prev_hash) = match last {
            Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get::<String, _>("hash")?),
            // An empty table after an archive continues from the last archived record.
            None => match crate::audit_archive::start_in(conn).await? {
                Some((seq, hash)) => (seq + 1, hash),
                None => (1, GENESIS.to_string()),
            },
        };
        let mut r = Record {
            seq,
            at: self.now(),
            actor: e.actor,
            action: e.action,
            target: e.target,
            address: e.address,
            detail: if e.detail.is_null() {
                String::new()
            } else {
                e.detail.to_string()
            },
            prev_hash,
            hash: String::new(),
        };
        r.hash = hash_of(&r);
        sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(r.seq)
        .bind(&r.at)
        .bind(&r.actor)
        .bind(&r.action)
        .bind(&r.target)
        .bind(&r.address)
        .bind(&r.detail)
        .bind(&r.prev_hash)
        .bind(&r.hash)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// Append a record in a transaction of its own.
    pub async fn audit(&self, e: AuditEntry) -> Result<()> {
        let mut tx = self.begin_account_write().await?;
        self.audit_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The whole chain in order, for verification.
    pub async fn audit_chain(&self) -> Result<Vec<Record>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record).collect()
    }

    /// The newest records first, at most `limit`, optionally of one actor or action.
    pub async fn audit_recent(
        &self,
        actor: Option<&str>,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Record>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_log
             WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2)
             ORDER BY seq DESC LIMIT $3"
        ))
        .bind(actor.unwrap_or(""))
        .bind(action.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(record).collect()
    }
}
