//! Bulk loading of values: millions of historical values in one transaction, all or nothing.
//!
//! The ordinary write path ([`Store::upsert_values`]) reads each old value and logs every
//! change; that is right for a monthly report of a few thousand values and far too slow for a
//! five-year history (12 million values). This path only inserts: a value that already exists
//! (in the database or earlier in the same load) refuses the whole load, so nothing is ever
//! overwritten without a trace. Corrections go through the ordinary import.
//!
//! Change history: a bulk load writes ONE `change_log` entry (entity `value_bulk_load`: who,
//! when, which file, how many values, which periods) instead of one per value. Each value
//! still carries `updated_by` / `updated_at`, so every figure names the load it came from.
//!
//! Checks, the same as an ordinary write where it matters: the unit is a cluster, an org unit
//! of the plan or a registered enterprise; the indicator is in the plan and may be reported
//! for that kind of unit; the period is written canonically (`2025-03`, `2025Q1`, `2025`);
//! numbers are integers in the stored
//! scale (money in fen) and not negative; text indicators carry text. The first bad row stops
//! the load, names its CSV line, and the transaction is rolled back.
//!
//! Engines: on SQLite one prepared single-row INSERT is stepped for every row through the C API
//! (taken from sqlx's own connection with `lock_handle`), which avoids sqlx's per-query round
//! trip to its worker thread; on PostgreSQL the rows stream through `COPY … FROM STDIN`.

use crate::values::Value;
use crate::{Actor, Engine, Result, Store, StoreError};
use clusterdesk_domain::{Period, Role};
use clusterdesk_plan::{Indicator, Level, ValueType};
use std::collections::{HashMap, HashSet};

/// What a bulk load did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BulkSummary {
    /// Values inserted (or, on a dry run, that would have been).
    pub rows: u64,
    /// The earliest and latest period loaded.
    pub first_period: Option<String>,
    pub last_period: Option<String>,
    pub dry_run: bool,
}

/// The header a bulk CSV file must start with.
pub const CSV_HEADER: [&str; 4] = ["unit_code", "indicator_code", "period", "value"];

/// One row to load and where it came from (the CSV line, or the position in a list).
type Row = (u64, Value);

impl Store {
    /// Load values from an iterator (the demo, other programs). Errors name the value's
    /// position, 1-based. Only a city administrator (or a command-line job) may bulk load.
    pub async fn bulk_load_values<I>(
        &self,
        by: &Actor,
        label: &str,
        values: I,
        dry_run: bool,
    ) -> Result<BulkSummary>
    where
        I: IntoIterator<Item = Value>,
    {
        let rows = values.into_iter().enumerate().map(|(i, v)| Ok((i as u64 + 1, v)));
        self.bulk_load(by, label, "第{}个值", rows, false, dry_run).await
    }

    /// Load a CSV file (UTF-8, optional BOM) with the header `unit_code,indicator_code,period,value`:
    /// values as stored (integers in the indicator's scale, money in fen; text for text
    /// indicators). `file` names the file in errors and in the change log.
    pub async fn bulk_load_values_csv<R: std::io::Read>(
        &self,
        by: &Actor,
        file: &str,
        reader: R,
        dry_run: bool,
    ) -> Result<BulkSummary> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut record = csv::StringRecord::new();
        let at =
            |line: u64, msg: String| StoreError::Invalid(format!("{file} 第{line}行:{msg};整个文件未装载"));
        let read = |csv: &mut csv::Reader<R>, record: &mut csv::StringRecord| {
            csv.read_record(record).map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => at(line, "不是UTF-8编码(请另存为“CSV UTF-8”)".into()),
                    _ => at(line, format!("无法读取:{e}")),
                }
            })
        };
        if !read(&mut csv, &mut record)? {
            return Err(at(
                1,
                "文件是空的;第1行应为 unit_code,indicator_code,period,value".into(),
            ));
        }
        let head: Vec<&str> = record
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim())
            .collect();
        if head != CSV_HEADER {
            return Err(at(
                1,
                format!(
                    "表头应为 unit_code,indicator_code,period,value,而不是“{}”",
                    head.join(",")
                ),
            ));
        }
        let mut failed = false;
        let rows = std::iter::from_fn(move || {
            if failed {
                return None;
            }
            match read(&mut csv, &mut record) {
                Ok(false) => None,
                Err(e) => {
                    failed = true;
                    Some(Err(e))
                }
                Ok(true) => {
                    let line = record.position().map(|p| p.line()).unwrap_or(0);
                    if record.len() != 4 {
                        failed = true;
                        return Some(Err(at(line, format!("应有4列,实有{}列", record.len()))));
                    }
                    // The value is interpreted once the indicator is known (number or text).
                    Some(Ok((
                        line,
                        Value {
                            unit_code: record[0].trim().to_string(),
                            indicator_code: record[1].trim().to_string(),
                            period: record[2].trim().to_string(),
                            num_value: None,
                            text_value: Some(record[3].to_string()),
                        },
                    )))
                }
            }
        });
        self.bulk_load(by, file, "第{}行", rows, true, dry_run).await
    }

    /// Check every row and insert it, in one transaction. `raw`: the values are still the
    /// CSV's text, to be read as number or text once the indicator is known.
    async fn bulk_load<I>(
        &self,
        by: &Actor,
        label: &str,
        place: &str,
        rows: I,
        raw: bool,
        dry_run: bool,
    ) -> Result<BulkSummary>
    where
        I: Iterator<Item = Result<Row>>,
    {
        if by.role != Role::CityAdmin {
            return Err(StoreError::Forbidden("批量装载数据仅限市级管理员".into()));
        }
        let enterprises: Vec<String> = sqlx::query_scalar("SELECT uscc FROM enterprises")
            .fetch_all(self.pool())
            .await?;
        let mut check = Checker {
            store: self,
            enterprises: enterprises.into_iter().collect(),
            indicators: self
                .plan()
                .indicators
                .iter()
                .map(|i| (i.code.as_str(), i))
                .collect(),
            periods: HashSet::new(),
            label,
            place,
            raw,
        };
        // A digest of every value loaded, for the audit trail's one record of the load.
        let hasher = std::sync::Arc::new(std::sync::Mutex::new(<sha2::Sha256 as sha2::Digest>::new()));
        let feed = hasher.clone();
        let rows = rows.map(move |r| {
            let (line, mut v) = r?;
            check.check(line, &mut v)?;
            let row = format!(
                "{}\t{}\t{}\t{}\t{}\n",
                v.unit_code,
                v.indicator_code,
                v.period,
                v.num_value.map(|n| n.to_string()).unwrap_or_default(),
                v.text_value.as_deref().unwrap_or("")
            );
            sha2::Digest::update(&mut *feed.lock().expect("the digest's lock"), row.as_bytes());
            Ok((line, v))
        });
        let ts = self.now();
        let log = LogEntry {
            by: &by.username,
            ts: &ts,
            label,
            place,
        };
        let done = match self.engine() {
            Engine::Sqlite => self.load_sqlite(rows, &log, dry_run).await?,
            Engine::Postgres => self.load_postgres(rows, &log, dry_run).await?,
        };
        if !dry_run {
            // After the load's own commit (the SQLite loader writes through the C API, outside
            // sqlx's transactions): the values are in, and this record says which.
            let sum = sha2::Digest::finalize(std::mem::take(&mut *hasher.lock().expect("the digest's lock")));
            let sha: String = sum.iter().map(|b| format!("{b:02x}")).collect();
            let e = crate::audit::AuditEntry::new(&by.username, "bulk_load", label).with(serde_json::json!({
                "values": done.rows, "first_period": done.first, "last_period": done.last, "sha256": sha,
            }));
            self.audit(e).await?;
        }
        Ok(BulkSummary {
            rows: done.rows,
            first_period: done.first,
            last_period: done.last,
            dry_run,
        })
    }
}

/// What an engine's loader inserted.
#[derive(Default)]
struct Loaded {
    rows: u64,
    first: Option<String>,
    last: Option<String>,
}

impl Loaded {
    fn add(&mut self, period: &str) {
        self.rows += 1;
        if self.first.as_deref().is_none_or(|f| period < f) {
            self.first = Some(period.to_string());
        }
        if self.last.as_deref().is_none_or(|l| period > l) {
            self.last = Some(period.to_string());
        }
    }
}

/// The summary entry of the change log.
struct LogEntry<'a> {
    by: &'a str,
    ts: &'a str,
    label: &'a str,
    /// How a row is named in errors: "第{}行" or "第{}个值".
    place: &'a str,
}

impl LogEntry<'_> {
    fn new_value(&self, done: &Loaded) -> String {
        serde_json::json!({"file": self.label, "values": done.rows,
            "first_period": done.first, "last_period": done.last})
        .to_string()
    }

    /// An error at one row: the whole load is refused.
    fn at(&self, line: u64, msg: &str) -> String {
        format!(
            "{} {}:{msg};整个文件未装载",
            self.label,
            self.place.replace("{}", &line.to_string())
        )
    }
}

/// The checks of every row, with what it needs looked up once.
struct Checker<'a> {
    store: &'a Store,
    enterprises: HashSet<String>,
    /// The plan's indicators by code (looked up once a row).
    indicators: HashMap<&'a str, &'a Indicator>,
    /// The periods seen so far (a load has few distinct periods).
    periods: HashSet<String>,
    label: &'a str,
    place: &'a str,
    raw: bool,
}

impl Checker<'_> {
    fn check(&mut self, line: u64, v: &mut Value) -> Result<()> {
        let (label, place) = (self.label, self.place);
        let bad = |msg: String| {
            StoreError::Invalid(format!(
                "{label} {}:{msg};整个文件未装载",
                place.replace("{}", &line.to_string())
            ))
        };
        let plan = self.store.plan();
        let Some(ind) = self.indicators.get(v.indicator_code.as_str()).copied() else {
            return Err(bad(format!("指标代码“{}”不在本方案中", v.indicator_code)));
        };
        // Which kind of unit: a cluster, an org unit of the plan, or a registered enterprise.
        let level = if self.enterprises.contains(&v.unit_code) {
            Some(Level::Enterprise)
        } else if plan.cluster(&v.unit_code).is_some() {
            Some(Level::Cluster)
        } else if plan.org_unit(&v.unit_code).is_some() {
            None
        } else {
            return Err(bad(format!(
                "单位“{}”既不是本方案的集群或机构,也不是已登记的企业",
                v.unit_code
            )));
        };
        if let Some(l) = level
            && ind.level != Level::Both
            && ind.level != l
        {
            let (unit, only) = match l {
                Level::Cluster => ("集群", "企业"),
                _ => ("企业", "集群"),
            };
            return Err(bad(format!(
                "指标“{}”({})只按{only}填报,不能填给{unit}“{}”",
                ind.name_zh, ind.code, v.unit_code
            )));
        }
        // Only the form of the period is checked, not whether it is finer than the indicator's
        // reporting period: ordinary writes do not check that either, and stored histories
        // (the demo's monthly cluster R&D, for one) hold such values.
        if !self.periods.contains(&v.period) {
            let p = Period::parse(&v.period).map_err(|e| bad(e.message))?;
            if p.to_string() != v.period {
                return Err(bad(format!("期间“{}”应写作“{p}”", v.period)));
            }
            self.periods.insert(v.period.clone());
        }
        if self.raw {
            let raw = v.text_value.take().unwrap_or_default();
            if ind.value_type == ValueType::Text {
                v.text_value = Some(raw);
            } else {
                match raw.trim().parse::<i64>() {
                    Ok(n) => v.num_value = Some(n),
                    Err(_) => {
                        return Err(bad(format!(
                            "“{raw}”不是整数;value列按存储单位填写({}×10^{},金额为分)",
                            ind.unit, ind.scale
                        )));
                    }
                }
            }
        }
        match (ind.value_type, v.num_value, &v.text_value) {
            (ValueType::Text, None, Some(t)) if !t.trim().is_empty() => {}
            (ValueType::Text, ..) => return Err(bad(format!("文本指标“{}”缺少文字", ind.name_zh))),
            (_, Some(n), None) if n >= 0 => {}
            (_, Some(_), None) => return Err(bad(format!("{}不能为负数", ind.name_zh))),
            _ => return Err(bad(format!("数值指标“{}”应为一个整数", ind.name_zh))),
        }
        Ok(())
    }
}

/// The message for a value that is already stored (or repeated in the load).
fn duplicate(key: &str) -> String {
    format!(
        "数据值({key})已存在——数据库中已有,或与前面某行重复;批量装载只新增、不覆盖,修改请用 clusterdesk import"
    )
}

// ---- SQLite: one prepared INSERT stepped per row through the C API -------------------------

impl Store {
    async fn load_sqlite<I>(&self, rows: I, log: &LogEntry<'_>, dry_run: bool) -> Result<Loaded>
    where
        I: Iterator<Item = Result<Row>>,
    {
        use sqlx::ConnectOptions;
        use sqlx::sqlite::{SqliteConnectOptions, SqliteSynchronous};
        use std::str::FromStr;
        // A connection of our own: the load holds SQLite's one write lock for its duration.
        // Foreign keys stay off on it: the only one on data_values is the indicator code, which
        // every row is checked against the plan for, and the plan's indicators are in the table.
        let opts = SqliteConnectOptions::from_str(&self.url)?
            .foreign_keys(false)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(30));
        let mut conn = opts.connect().await?;
        let result = {
            let mut handle = conn.lock_handle().await?;
            let db = handle.as_raw_handle().as_ptr();
            // The C calls block; on a multi-threaded runtime let the scheduler move other tasks.
            let run = || raw::load(db, rows, log, dry_run);
            match tokio::runtime::Handle::current().runtime_flavor() {
                tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(run),
                _ => run(),
            }
        };
        sqlx::Connection::close(conn).await?;
        result
    }
}

mod raw {
    use super::{Loaded, LogEntry, Row, duplicate};
    use crate::sqlite_c::{Stmt, exec, message};
    use crate::{Result, StoreError};
    use libsqlite3_sys as ffi;

    pub(super) fn load<I>(db: *mut ffi::sqlite3, rows: I, log: &LogEntry<'_>, dry_run: bool) -> Result<Loaded>
    where
        I: Iterator<Item = Result<Row>>,
    {
        // A bigger page cache for this connection only (256 MiB): the two indexes of data_values
        // stay in memory while millions of keys go in. Journal and sync stay as they are, so a
        // crash mid-load leaves the database as it was.
        exec(db, "PRAGMA cache_size = -262144")?;
        exec(db, "BEGIN IMMEDIATE")?;
        // The values change: results computed from the old ones are not reused (`cache.rs`).
        exec(db, crate::cache::BUMP_DATA_VERSION)?;
        let result = insert_all(db, rows, log);
        match result {
            Ok(n) if !dry_run => {
                exec(db, "COMMIT")?;
                Ok(n)
            }
            other => {
                exec(db, "ROLLBACK")?;
                other
            }
        }
    }

    fn insert_all<I>(db: *mut ffi::sqlite3, rows: I, log: &LogEntry<'_>) -> Result<Loaded>
    where
        I: Iterator<Item = Result<Row>>,
    {
        let mut ins = Stmt::prepare(
            db,
            "INSERT INTO data_values (unit_code, indicator_code, period, num_value, text_value, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut done = Loaded::default();
        for row in rows {
            let (line, v) = row?;
            ins.text(1, &v.unit_code);
            ins.text(2, &v.indicator_code);
            ins.text(3, &v.period);
            ins.opt_int(4, v.num_value);
            ins.opt_text(5, v.text_value.as_deref());
            ins.text(6, log.by);
            ins.text(7, log.ts);
            match ins.step() {
                ffi::SQLITE_DONE => {}
                ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                    let key = format!("{}/{}/{}", v.unit_code, v.indicator_code, v.period);
                    return Err(StoreError::Conflict(log.at(line, &duplicate(&key))));
                }
                _ => {
                    return Err(StoreError::Engine(log.at(line, &message(db))));
                }
            }
            done.add(&v.period);
        }
        let mut lg = Stmt::prepare(
            db,
            "INSERT INTO change_log (at, actor, entity, entity_key, action, old_value, new_value)
             VALUES (?1, ?2, 'value_bulk_load', ?3, 'bulk_load', NULL, ?4)",
        )?;
        lg.text(1, log.ts);
        lg.text(2, log.by);
        lg.text(3, log.label);
        lg.text(4, &log.new_value(&done));
        if lg.step() != ffi::SQLITE_DONE {
            return Err(StoreError::Engine(message(db)));
        }
        Ok(done)
    }
}

// ---- PostgreSQL: COPY FROM STDIN on a connection of our own --------------------------------

/// Bytes sent to the server at a time.
const COPY_CHUNK: usize = 1 << 20;

/// A field in COPY's text format: backslash escapes for the characters it gives meaning to.
fn copy_field(buf: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

impl Store {
    async fn load_postgres<I>(&self, rows: I, log: &LogEntry<'_>, dry_run: bool) -> Result<Loaded>
    where
        I: Iterator<Item = Result<Row>>,
    {
        use sqlx::Connection;
        use sqlx::postgres::{PgConnection, PgDatabaseError};
        let mut conn = PgConnection::connect(&self.url).await?;
        let mut tx = conn.begin().await?;
        sqlx::query(crate::cache::BUMP_DATA_VERSION)
            .execute(&mut *tx)
            .await?;
        let mut copy = tx
            .copy_in_raw(
                "COPY data_values (unit_code, indicator_code, period, num_value, text_value, updated_by, updated_at)
                 FROM STDIN",
            )
            .await?;
        let mut done = Loaded::default();
        let mut buf = Vec::with_capacity(COPY_CHUNK + 4096);
        // COPY names the failing row by its position in the stream; map it back to the
        // source's line while the lines run on evenly (no quoted line breaks in the CSV).
        let mut offset: Option<i64> = None;
        let mut even = true;
        let mut who = Vec::new();
        copy_field(&mut who, log.by);
        who.push(b'\t');
        copy_field(&mut who, log.ts);
        who.push(b'\n');
        for row in rows {
            let (line, v) = match row {
                Ok(r) => r,
                Err(e) => {
                    copy.abort("refused by the loader").await.ok();
                    return Err(e);
                }
            };
            let pos = done.rows as i64 + 1;
            match offset {
                None => offset = Some(line as i64 - pos),
                Some(o) if o != line as i64 - pos => even = false,
                _ => {}
            }
            copy_field(&mut buf, &v.unit_code);
            buf.push(b'\t');
            copy_field(&mut buf, &v.indicator_code);
            buf.push(b'\t');
            copy_field(&mut buf, &v.period);
            buf.push(b'\t');
            match v.num_value {
                Some(n) => buf.extend_from_slice(n.to_string().as_bytes()),
                None => buf.extend_from_slice(b"\\N"),
            }
            buf.push(b'\t');
            match &v.text_value {
                Some(t) => copy_field(&mut buf, t),
                None => buf.extend_from_slice(b"\\N"),
            }
            buf.push(b'\t');
            buf.extend_from_slice(&who);
            done.add(&v.period);
            if buf.len() >= COPY_CHUNK {
                copy.send(std::mem::take(&mut buf)).await?;
                buf.reserve(COPY_CHUNK + 4096);
            }
        }
        if !buf.is_empty() {
            copy.send(buf).await?;
        }
        if let Err(e) = copy.finish().await {
            let Some(pg) = e
                .as_database_error()
                .and_then(|d| d.try_downcast_ref::<PgDatabaseError>())
            else {
                return Err(e.into());
            };
            // "COPY data_values, line 123" (and the key in the detail for a duplicate).
            let copy_line = pg
                .r#where()
                .and_then(|w| w.rsplit("line ").next())
                .and_then(|n| n.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse::<i64>().ok());
            let line = match (copy_line, offset, even) {
                (Some(l), Some(o), true) => Some((l + o) as u64),
                _ => None,
            };
            let what = if pg.code() == "23505" {
                let key = pg
                    .detail()
                    .and_then(|d| d.split_once(")=(").map(|(_, k)| k))
                    .and_then(|k| k.split_once(')').map(|(k, _)| k.replace(", ", "/")))
                    .unwrap_or_default();
                duplicate(&key)
            } else {
                pg.message().to_string()
            };
            let msg = match line {
                Some(l) => log.at(l, &what),
                None => format!("{}:{what};整个文件未装载", log.label),
            };
            return Err(if pg.code() == "23505" {
                StoreError::Conflict(msg)
            } else {
                StoreError::Engine(msg)
            });
        }
        sqlx::query(
            "INSERT INTO change_log (at, actor, entity, entity_key, action, old_value, new_value)
             VALUES ($1, $2, 'value_bulk_load', $3, 'bulk_load', NULL, $4)",
        )
        .bind(log.ts)
        .bind(log.by)
        .bind(log.label)
        .bind(log.new_value(&done))
        .execute(&mut *tx)
        .await?;
        crate::write::finish(tx, dry_run).await?;
        conn.close().await?;
        Ok(done)
    }
}
