//! Archiving the audit trail (网络安全法 第二十一条: logs kept at least six months): records
//! older than a date at least 180 days back are written to a file (JSON lines, as stored,
//! hashes included) and leave the table, never silently. The last archived record's number
//! and hash become the chain's start (`meta`), and an `audit_archive` record in the chain
//! names them, so the rest still verifies and a cut nobody made does not.

use crate::audit::AuditEntry;
use crate::{Actor, Result, Store, StoreError};
use chrono::NaiveDate;
use clusterdesk_domain::audit::{Break, Head, Record, verify_from};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// The shortest time a record is kept before it may be archived.
pub const RETENTION_DAYS: i64 = 180;

const START_KEY: &str = "audit_archived_through";

/// What an archive took out of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    pub records: u64,
    pub first_seq: i64,
    pub through_seq: i64,
    pub through_hash: String,
    pub file_sha256: String,
}

fn parse_start(v: &str) -> Option<(i64, String)> {
    let (seq, hash) = v.split_once(':')?;
    Some((seq.parse().ok()?, hash.to_string()))
}

/// The chain's start inside a transaction: the last archived record, if any.
pub(crate) async fn start_in(conn: &mut sqlx::AnyConnection) -> Result<Option<(i64, String)>> {
    let v: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
        .bind(START_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(v.as_deref().and_then(parse_start))
}

/// The chain from its start; after an archive, the start must also be the one the newest
/// `audit_archive` record names (a start written by hand has no such record).
fn verify_chain(start: Option<(i64, String)>, chain: Vec<Record>) -> std::result::Result<Head, Break> {
    let named = chain
        .iter()
        .rev()
        .find(|r| r.action == "audit_archive")
        .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.detail).ok())
        .and_then(|d| {
            Some((
                d["through_seq"].as_i64()?,
                d["through_hash"].as_str()?.to_string(),
            ))
        });
    if let Some(s) = &start
        && named.as_ref() != Some(s)
    {
        return Err(Break {
            seq: chain.first().map_or(0, |r| r.seq),
            reason: format!(
                "链的起点(第 {} 条)没有对应的归档记录(记录被删除或起点被改写)",
                s.0
            ),
        });
    }
    verify_from(start.as_ref().map(|(s, h)| (*s, h.as_str())), chain)
}

impl Store {
    /// Where the chain starts: the last archived record's number and hash, if any.
    pub async fn audit_start(&self) -> Result<Option<(i64, String)>> {
        Ok(self.meta_get(START_KEY).await?.as_deref().and_then(parse_start))
    }

    /// Verify the trail from its start (see `verify_chain`).
    pub async fn audit_verify(&self) -> Result<std::result::Result<Head, Break>> {
        let start = self.audit_start().await?;
        Ok(verify_chain(start, self.audit_chain().await?))
    }

    /// Archive the records written before `before` (Beijing midnight) to `file`, which must
    /// not exist. Refused when `before` is less than 180 days before `today`, when the chain
    /// is broken, or when nothing is that old. On PostgreSQL only the table's owner may.
    pub async fn archive_audit(
        &self,
        by: &Actor,
        before: NaiveDate,
        today: NaiveDate,
        file: &Path,
    ) -> Result<Archived> {
        let latest = today - chrono::Duration::days(RETENTION_DAYS);
        if before > latest {
            return Err(StoreError::Invalid(format!(
                "审计记录须保留不少于{RETENTION_DAYS}天:归档日期最晚为 {latest}"
            )));
        }
        if file.exists() {
            return Err(StoreError::Invalid(format!(
                "文件 {} 已存在,不覆盖",
                file.display()
            )));
        }
        // One read of the chain: verified whole, then its old part taken.
        let chain = self.audit_chain().await?;
        if let Err(b) = verify_chain(self.audit_start().await?, chain.clone()) {
            return Err(StoreError::Invalid(format!(
                "审计记录链在第 {} 条断开:{};请先查明原因,再归档",
                b.seq, b.reason
            )));
        }
        // Beijing midnight of `before`, in the stored form (UTC): older records sort below it.
        let cut = (before.and_hms_opt(0, 0, 0).expect("midnight") - chrono::Duration::hours(8))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string();
        let old: Vec<Record> = chain.into_iter().take_while(|r| r.at < cut).collect();
        let (Some(first), Some(last)) = (old.first(), old.last()) else {
            return Err(StoreError::Invalid(format!("没有早于 {before} 的审计记录可归档")));
        };
        let mut text = String::new();
        for r in &old {
            text.push_str(&serde_json::to_string(r).expect("a record serializes"));
            text.push('\n');
        }
        let io = |e: std::io::Error| StoreError::Invalid(format!("不能写入 {}:{e}", file.display()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(file)
            .map_err(io)?;
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(io)?;
        let done = Archived {
            records: old.len() as u64,
            first_seq: first.seq,
            through_seq: last.seq,
            through_hash: last.hash.clone(),
            file_sha256: Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        };
        let result = self.cut_audit(by, &done, file, first, last).await;
        if result.is_err() {
            // Nothing left the table: the file is not an archive.
            let _ = std::fs::remove_file(file);
        }
        result.map(|_| done)
    }

    async fn cut_audit(
        &self,
        by: &Actor,
        a: &Archived,
        file: &Path,
        first: &Record,
        last: &Record,
    ) -> Result<()> {
        let mut tx = self.begin_account_write().await?;
        let deleted = sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(a.through_seq)
            .execute(&mut *tx)
            .await;
        if let Err(e) = deleted {
            let text = e.to_string();
            return Err(if text.contains("permission denied") || text.contains("42501") {
                StoreError::Forbidden(
                    "只有审计表的所有者能归档:请以所有者的数据库地址运行(应用角色不能删除审计记录)".into(),
                )
            } else {
                e.into()
            });
        }
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(START_KEY)
        .bind(format!("{}:{}", a.through_seq, a.through_hash))
        .execute(&mut *tx)
        .await?;
        let file_name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let e = AuditEntry::new(&by.username, "audit_archive", file_name).with(serde_json::json!({
            "records": a.records,
            "first_seq": a.first_seq,
            "through_seq": a.through_seq,
            "through_hash": a.through_hash,
            "first_at": first.at,
            "last_at": last.at,
            "file_sha256": a.file_sha256,
        }));
        self.audit_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// An archive file read back: its records as stored and the SHA-256 of its bytes.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    pub name: String,
    pub records: Vec<Record>,
    pub sha256: String,
}

/// Read an archive file (JSON lines, one record each); a line that is no record is named.
pub fn read_archive(name: &str, bytes: &[u8]) -> std::result::Result<ArchiveFile, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| format!("归档文件 {name} 不是 UTF-8 文字"))?;
    let mut records = Vec::new();
    for (k, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r: Record = serde_json::from_str(line)
            .map_err(|e| format!("归档文件 {name} 第 {} 行不是审计记录:{e}", k + 1))?;
        records.push(r);
    }
    if records.is_empty() {
        return Err(format!("归档文件 {name} 中没有审计记录"));
    }
    Ok(ArchiveFile {
        name: name.to_string(),
        records,
        sha256: Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect(),
    })
}

/// What a check of archive files found: how many files and records, the numbers they cover,
/// and whether the first file starts after record 1 (an earlier archive not given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivesChecked {
    pub files: usize,
    pub records: u64,
    pub first_seq: i64,
    pub through_seq: i64,
    pub earlier_not_given: bool,
}

/// The files' chains in order, each named by an `audit_archive` record (in the files or in
/// `table`) with its numbers, last hash and SHA-256, and the table continuing from the last
/// file: `start` is the table's chain start, `table` its records.
pub fn check_archives(
    mut files: Vec<ArchiveFile>,
    start: Option<&(i64, String)>,
    table: &[Record],
) -> std::result::Result<ArchivesChecked, String> {
    files.sort_by_key(|f| f.records[0].seq);
    let first = &files[0].records[0];
    let earlier_not_given = first.seq != 1;
    let mut from = earlier_not_given.then(|| (first.seq - 1, first.prev_hash.clone()));
    let mut records = 0;
    for f in &files {
        let head = verify_from(
            from.as_ref().map(|(s, h)| (*s, h.as_str())),
            f.records.iter().cloned(),
        )
        .map_err(|b| format!("归档文件 {} 在第 {} 条断开:{}", f.name, b.seq, b.reason))?;
        records += head.records;
        from = Some((head.seq, head.hash));
    }
    let archive_records: Vec<serde_json::Value> = files
        .iter()
        .flat_map(|f| &f.records)
        .chain(table)
        .filter(|r| r.action == "audit_archive")
        .filter_map(|r| serde_json::from_str(&r.detail).ok())
        .collect();
    for f in &files {
        let (a, z) = (&f.records[0], f.records.last().expect("not empty"));
        let named = archive_records.iter().find(|d| {
            d["first_seq"].as_i64() == Some(a.seq)
                && d["through_seq"].as_i64() == Some(z.seq)
                && d["through_hash"].as_str() == Some(z.hash.as_str())
        });
        match named {
            None => {
                return Err(format!(
                    "没有一条归档记录载明文件 {}(第 {} 至 {} 条):文件不完整,或不是本系统的归档",
                    f.name, a.seq, z.seq
                ));
            }
            Some(d) if d["file_sha256"].as_str() != Some(f.sha256.as_str()) => {
                return Err(format!(
                    "归档文件 {} 的 SHA-256 与归档记录所载不符(文件被改动)",
                    f.name
                ));
            }
            Some(_) => {}
        }
    }
    let last = from.expect("at least one file");
    if let Some(s) = start
        && *s == last
    {
        Ok(ArchivesChecked {
            files: files.len(),
            records,
            first_seq: first.seq,
            through_seq: last.0,
            earlier_not_given,
        })
    } else {
        Err(format!(
            "最后一份归档文件止于第 {} 条,而库中记录{}:两者不衔接(缺少后来的归档文件,或库中起点被改写)",
            last.0,
            start.map_or_else(
                || "没有归档起点".to_string(),
                |s| format!("从第 {} 条之后接续", s.0)
            )
        ))
    }
}

impl Store {
    /// Check archive files against the table (see `check_archives`); the table itself is
    /// checked by `audit_verify`.
    pub async fn audit_verify_archives(
        &self,
        files: Vec<ArchiveFile>,
    ) -> Result<std::result::Result<ArchivesChecked, String>> {
        if files.is_empty() {
            return Err(StoreError::Invalid("没有给出归档文件".into()));
        }
        let start = self.audit_start().await?;
        let table = self.audit_chain().await?;
        Ok(check_archives(files, start.as_ref(), &table))
    }
}
