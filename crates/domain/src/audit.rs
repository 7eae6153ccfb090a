//! The audit trail's chain (GB/T 22239-2019 8.1.4.3 安全审计): each record carries the hash of
//! the one before it, so that editing, deleting or reordering a record by hand breaks the
//! chain at that record. The hash is SHA-256 over a canonical form: a JSON array of the
//! record's fields in a fixed order, which no field's content can shift.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One record as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// The user name, or `cli:<OS user>`, or `-` for an unknown caller.
    pub actor: String,
    /// A stable code, e.g. `login`, `login_failed`, `user_unlock`.
    pub action: String,
    /// What it concerns: a user name, a table, a file.
    pub target: String,
    /// The client's address, where there is one.
    pub address: String,
    /// A few facts as JSON text (counts, a digest of a bulk load's values).
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash a record must carry: over every field but the hash itself.
pub fn hash_of(r: &Record) -> String {
    let canonical = serde_json::json!([
        r.seq,
        r.at,
        r.actor,
        r.action,
        r.target,
        r.address,
        r.detail,
        r.prev_hash
    ])
    .to_string();
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where the chain breaks, and why, in Chinese for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first record that does not fit (for a gap, the record after it).
    pub seq: i64,
    pub reason: String,
}

/// The chain's end: how many records, and the last one's number and hash (to keep outside
/// the database, so that a deletion of the newest records shows too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub records: u64,
    pub seq: i64,
    pub hash: String,
}

/// Check records in storage order (ascending `seq`).
pub fn verify(records: impl IntoIterator<Item = Record>) -> Result<Head, Break> {
    verify_from(None, records)
}

/// Check records that continue from `start`, the last archived record (`seq`, `hash`): the
/// first one must follow it; with `None`, the chain starts at the first record ever.
pub fn verify_from(
    start: Option<(i64, &str)>,
    records: impl IntoIterator<Item = Record>,
) -> Result<Head, Break> {
    let (mut expect_seq, mut prev) = match start {
        Some((seq, hash)) => (seq + 1, hash.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let mut n = 0;
    for r in records {
        if r.seq != expect_seq {
            return Err(Break {
                seq: r.seq,
                reason: if r.seq > expect_seq {
                    format!("缺少第 {expect_seq} 至 {} 条记录(已被删除)", r.seq - 1)
                } else {
                    format!("序号 {} 重复或顺序被改动(应为 {expect_seq})", r.seq)
                },
            });
        }
        if r.prev_hash != prev {
            return Err(Break {
                seq: r.seq,
                reason: "与上一条记录的链接不符(记录被删除或调换)".into(),
            });
        }
        if hash_of(&r) != r.hash {
            return Err(Break {
                seq: r.seq,
                reason: "记录内容与其散列不符(记录被修改)".into(),
            });
        }
        prev = r.hash;
        expect_seq += 1;
        n += 1;
    }
    Ok(Head {
        records: n,
        seq: expect_seq - 1,
        hash: prev,
    })
}
