//! `clusterdesk backup FILE` and `clusterdesk restore FILE`: a consistent copy taken while the
//! server runs, and bringing it back (GB/T 22239-2019 8.1.4.9).
//!
//! SQLite: the copy is a SQLite file (`VACUUM INTO`); restoring checks it, then replaces the
//! database file in one rename. PostgreSQL: `pg_dump --format=custom` and `pg_restore`, which
//! must be on PATH or under /usr/lib/postgresql. Restoring needs the server stopped.

use anyhow::{Context, Result, bail};
use clusterdesk_store::audit::AuditEntry;
use clusterdesk_store::{Engine, Store, database_url};
use std::path::{Path, PathBuf};
use std::process::Command;

fn pg_tool(name: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("bin").join(name))
        .filter(|p| p.exists())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn run_tool(mut c: Command, what: &str) -> Result<()> {
    let out = c
        .output()
        .with_context(|| format!("无法运行 {what}(请安装 PostgreSQL 客户端工具)"))?;
    if !out.status.success() {
        bail!("{what} 失败:{}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

pub fn print_counts(counts: &[(String, i64)]) {
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let users = counts.iter().find(|(t, _)| t == "users").map_or(0, |(_, n)| *n);
    let values = counts
        .iter()
        .find(|(t, _)| t == "data_values")
        .map_or(0, |(_, n)| *n);
    println!(
        "共 {} 张表 {total} 行(用户 {users},填报数据 {values})",
        counts.len()
    );
}

pub async fn backup(store: &Store, file: &Path) -> Result<()> {
    let t0 = std::time::Instant::now();
    match store.engine() {
        Engine::Sqlite => store.backup_sqlite(file).await?,
        Engine::Postgres => {
            if file.exists() {
                bail!("备份文件 {} 已存在,不会覆盖", file.display());
            }
            let mut c = Command::new(pg_tool("pg_dump"));
            c.args(["--format=custom", "--no-owner", "--file"])
                .arg(file)
                .arg(store.url());
            run_tool(c, "pg_dump")?;
        }
    }
    println!(
        "已备份到 {}({:.1} 秒)",
        file.display(),
        t0.elapsed().as_secs_f64()
    );
    let counts = store.table_counts().await?;
    print_counts(&counts);
    let who = crate::audit_cmd::cli_actor().username;
    let detail =
        serde_json::json!({"tables": counts.len(), "rows": counts.iter().map(|(_, n)| n).sum::<i64>()});
    store
        .audit(AuditEntry::new(&who, "backup", file.display().to_string()).with(detail))
        .await?;
    Ok(())
}

/// What `--db` names on SQLite: the file path.
fn sqlite_path(db: &str) -> PathBuf {
    let p = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    PathBuf::from(p.split('?').next().unwrap_or(p))
}

/// Restore `file` into the database `db`. A database that already holds accounts is only
/// replaced with `force`. On PostgreSQL `current` is the open target, to count its accounts.
pub async fn restore(db: &str, file: &Path, force: bool, current: Option<Store>) -> Result<()> {
    if !file.exists() {
        bail!("备份文件 {} 不存在", file.display());
    }
    let (_, engine) = database_url(db);
    match (engine, current) {
        (Engine::Sqlite, _) => {
            clusterdesk_store::backup::check_sqlite_file(file).await?;
            let target = sqlite_path(db);
            if target.exists() && !force {
                bail!(
                    "数据库 {} 已存在;确认要用备份替换它时加 --force(请先停止服务)",
                    target.display()
                );
            }
            // Copy beside the target, then one rename: a crash leaves the old file or the new.
            let tmp = target.with_extension("restoring");
            std::fs::copy(file, &tmp).with_context(|| format!("无法写入 {}", tmp.display()))?;
            std::fs::File::open(&tmp)?.sync_all()?;
            for side in ["-wal", "-shm"] {
                let side = PathBuf::from(format!("{}{side}", target.display()));
                if side.exists() {
                    std::fs::remove_file(&side)?;
                }
            }
            std::fs::rename(&tmp, &target)?;
        }
        (Engine::Postgres, Some(store)) => {
            let users = store
                .table_counts()
                .await?
                .into_iter()
                .find(|(t, _)| t == "users")
                .map_or(0, |(_, n)| n);
            if users > 0 && !force {
                bail!("数据库已有 {users} 个账户;确认要用备份替换它时加 --force(请先停止服务)");
            }
            store.pool().close().await;
            let mut c = Command::new(pg_tool("pg_restore"));
            c.args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
            ])
            .arg(db)
            .arg(file);
            run_tool(c, "pg_restore")?;
        }
        (Engine::Postgres, None) => bail!("恢复到 PostgreSQL 须先连接目标数据库"),
    }
    println!("已从 {} 恢复", file.display());
    Ok(())
}
