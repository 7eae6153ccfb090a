//! Backups (GB/T 22239-2019 8.1.4.9 数据备份恢复). SQLite copies itself consistently while
//! others write (`VACUUM INTO` reads one snapshot); PostgreSQL's copy is `pg_dump`'s, run by
//! the command line. Also the table-by-table fingerprint that tells two databases apart.

use crate::{Engine, Result, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::path::Path;
use std::str::FromStr;

/// One table of a database: its rows, and a SHA-256 over their text in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePrint {
    pub table: String,
    pub rows: i64,
    pub digest: String,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Store {
    /// The tables of this database, in name order (the migrations' own table included).
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.engine() {
            Engine::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Engine::Postgres => {
                "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
            }
        };
        Ok(sqlx::query_scalar(sql).fetch_all(self.pool()).await?)
    }

    /// Each table's row count.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for t in self.table_names().await? {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quoted(&t)))
                .fetch_one(self.pool())
                .await?;
            out.push((t, n));
        }
        Ok(out)
    }

    /// Every table's fingerprint: equal lists mean equal contents (within one engine). Reads
    /// every row, so it is for checks and tests, not for every backup.
    pub async fn table_prints(&self) -> Result<Vec<TablePrint>> {
        let mut out = Vec::new();
        for t in self.table_names().await? {
            let sql = match self.engine() {
                Engine::Sqlite => {
                    let cols: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                            .bind(&t)
                            .fetch_all(self.pool())
                            .await?;
                    let row = cols
                        .iter()
                        .map(|c| format!("quote({})", quoted(c)))
                        .collect::<Vec<_>>()
                        .join(" || '|' || ");
                    format!("SELECT {row} AS r FROM {} ORDER BY r", quoted(&t))
                }
                Engine::Postgres => format!("SELECT CAST(x AS TEXT) AS r FROM {} x ORDER BY r", quoted(&t)),
            };
            let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
            let mut h = Sha256::new();
            for r in &rows {
                let text: String = r.try_get("r")?;
                h.update(text.as_bytes());
                h.update(b"\n");
            }
            out.push(TablePrint {
                table: t,
                rows: rows.len() as i64,
                digest: h.finalize().iter().map(|b| format!("{b:02x}")).collect(),
            });
        }
        Ok(out)
    }

    /// A consistent copy of a SQLite database into a new file, taken while others read and
    /// write. Refused on PostgreSQL (use `pg_dump`) and when the file exists.
    pub async fn backup_sqlite(&self, to: &Path) -> Result<()> {
        if self.engine() != Engine::Sqlite {
            return Err(StoreError::Invalid("PostgreSQL 数据库请用 pg_dump 备份".into()));
        }
        if to.exists() {
            return Err(StoreError::Invalid(format!(
                "备份文件 {} 已存在,不会覆盖",
                to.display()
            )));
        }
        let path = to
            .to_str()
            .ok_or_else(|| StoreError::Invalid("备份文件路径须为 UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// Check that a file is a whole clusterdesk SQLite database: it opens read-only, passes
/// `PRAGMA integrity_check` and has the migrations table. Returns the migrations it holds.
pub async fn check_sqlite_file(path: &Path) -> Result<i64> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?.read_only(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .map_err(|e| StoreError::Invalid(format!("{} 不是可读的 SQLite 数据库:{e}", path.display())))?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .map_err(|e| StoreError::Invalid(format!("{} 不是 SQLite 数据库:{e}", path.display())))?;
    if check != "ok" {
        return Err(StoreError::Invalid(format!("{} 已损坏:{check}", path.display())));
    }
    let migrations: Option<i64> = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_optional(&pool)
        .await
        .ok()
        .flatten();
    pool.close().await;
    migrations.filter(|n| *n > 0).ok_or_else(|| {
        StoreError::Invalid(format!(
            "{} 不是 clusterdesk 的数据库备份(没有迁移记录)",
            path.display()
        ))
    })
}
