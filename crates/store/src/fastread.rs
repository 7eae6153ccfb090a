//! Reads of many small rows (the progress and cluster-metrics loads: cluster months,
//! memberships, qualifications). Through sqlx's `Any` SQLite driver each row costs about
//! 2.5 µs (a channel message from the driver's worker thread, a wake-up and an `AnyRow`),
//! which was most of the progress computation's time; on SQLite these reads step the statement
//! through the C API on a connection of a small typed pool instead. PostgreSQL reads go
//! through sqlx as everywhere else.

use crate::sqlite_c::{Cell, Stmt};
use crate::{Engine, Result, Store, StoreError};
use sqlx::Row;

/// One row of a fast read.
#[derive(Debug)]
pub(crate) struct FastRow(Vec<Cell>);

impl FastRow {
    fn cell(&self, i: usize) -> Result<&Cell> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Engine(format!("查询结果缺第{}列", i + 1)))
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Text(s) => Ok(Some(s.clone())),
            Cell::Int(n) => Ok(Some(n.to_string())),
        }
    }

    pub(crate) fn text(&self, i: usize) -> Result<String> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Engine(format!("第{}列为空", i + 1)))
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(*n)),
            Cell::Text(s) => s
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Engine(format!("第{}列“{s}”不是整数", i + 1))),
        }
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError::Engine(format!("第{}列为空", i + 1)))
    }
}

impl Store {
    /// Every row of a read-only query with text parameters `$1`, `$2`, … (`args` in order), the
    /// same SQL on both engines.
    pub(crate) async fn read_rows(&self, sql: &str, args: &[&str]) -> Result<Vec<FastRow>> {
        let t0 = std::time::Instant::now();
        let rows = self.read_rows_on_engine(sql, args).await?;
        // As sqlx logs its own statements: the start of the SQL, the rows and the time.
        let summary: String = sql.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
        let elapsed = t0.elapsed();
        if elapsed > crate::SLOW_STATEMENT {
            // These reads bypass sqlx's own slow-statement log on SQLite.
            tracing::warn!(summary, rows = rows.len(), ?elapsed, "slow read");
        } else {
            tracing::debug!(summary, rows = rows.len(), ?elapsed, "fast read");
        }
        Ok(rows)
    }

    async fn read_rows_on_engine(&self, sql: &str, args: &[&str]) -> Result<Vec<FastRow>> {
        match (self.engine, &self.reads) {
            (Engine::Sqlite, Some(pool)) => {
                let mut conn = pool.acquire().await?;
                let sql = sql.to_string();
                let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
                let rt = tokio::runtime::Handle::current();
                // The C calls block for the query's duration: on a thread of the blocking pool,
                // so that the runtime's workers go on serving other requests meanwhile.
                tokio::task::spawn_blocking(move || -> Result<Vec<FastRow>> {
                    let mut handle = rt.block_on(conn.lock_handle())?;
                    let db = handle.as_raw_handle().as_ptr();
                    let mut st = Stmt::prepare(db, &sql)?;
                    for (k, a) in args.iter().enumerate() {
                        let i = st.param_index(&format!("${}", k + 1));
                        if i == 0 {
                            continue;
                        }
                        st.text(i, a);
                    }
                    Ok(st.all_rows()?.into_iter().map(FastRow).collect())
                })
                .await
                .map_err(|e| StoreError::Engine(format!("读取线程异常结束:{e}")))?
            }
            _ => {
                let mut q = sqlx::query(sql);
                for a in args {
                    q = q.bind(*a);
                }
                let rows = q.fetch_all(self.pool()).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let mut cells = Vec::with_capacity(r.len());
                    for i in 0..r.len() {
                        cells.push(match r.try_get::<Option<i64>, _>(i) {
                            Ok(Some(n)) => Cell::Int(n),
                            Ok(None) => Cell::Null,
                            Err(_) => match r.try_get::<Option<String>, _>(i)? {
                                Some(s) => Cell::Text(s),
                                None => Cell::Null,
                            },
                        });
                    }
                    out.push(FastRow(cells));
                }
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn both_paths_read_the_same_cells() {
        let (url, _dir) = crate::testsupport::fresh_db().await;
        let plan = std::sync::Arc::new(clusterdesk_plan::Plan::embedded().expect("plan"));
        let store = Store::open(&url, plan).await.expect("open");
        let sql = "SELECT code, name, CAST($2 AS INTEGER) - 10, NULL, $1 FROM org_units WHERE code = $1";
        let rows = store.read_rows(sql, &["130981", "3"]).await.expect("read");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text(0).unwrap(), "130981");
        assert_eq!(rows[0].text(1).unwrap(), "泊头市");
        assert_eq!(rows[0].int(2).unwrap(), -7);
        assert_eq!(rows[0].opt_int(3).unwrap(), None);
        assert_eq!(rows[0].text(4).unwrap(), "130981");
        assert!(rows[0].text(5).is_err());
        // A bad statement is an error, not a panic.
        assert!(store.read_rows("SELECT nope FROM nowhere", &[]).await.is_err());
    }

    /// Log lines of the current thread (the test's runtime runs everything on it).
    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_slow_read_is_logged_with_its_summary() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let (url, _dir) = crate::testsupport::fresh_db().await;
        let plan = std::sync::Arc::new(clusterdesk_plan::Plan::embedded().expect("plan"));
        let store = Store::open(&url, plan).await.expect("open");
        let slow = match store.engine() {
            Engine::Sqlite => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)
                 SELECT count(*) FROM c"
            }
            Engine::Postgres => "SELECT 1 FROM (SELECT pg_sleep(0.2)) AS s",
        };
        let t0 = std::time::Instant::now();
        store.read_rows(slow, &[]).await.expect("slow read");
        assert!(t0.elapsed() > crate::SLOW_STATEMENT, "make the read slower");
        store.read_rows("SELECT 'quick one'", &[]).await.expect("read");
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("slow read"), "{text}");
        assert!(text.contains(&slow.split_whitespace().take(6).collect::<Vec<_>>().join(" ")));
        assert!(!text.contains("quick one"), "{text}");
    }
}
