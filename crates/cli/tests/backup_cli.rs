//! `clusterdesk backup` and `restore` on the engine the run tests (SQLite, or PostgreSQL with
//! `CLUSTERDESK_TEST_PG`), and what a SIGKILL in the middle of a bulk load leaves: a backup
//! taken while a load runs restores to the state before the load or after it, table by table,
//! and a killed load leaves all of its values or none.

use crate::common;

use clusterdesk_plan::Plan;
use clusterdesk_store::Store;
use clusterdesk_store::accounts::NewUser;
use clusterdesk_store::backup::TablePrint;
use common::{admin, bin, fixture_db, run_ok};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const MONTHLY: [&str; 9] = [
    "revenue",
    "value_added",
    "tax_paid",
    "energy_consumption",
    "employees",
    "industrial_output",
    "sales_output",
    "operating_cost",
    "electricity_consumption",
];

/// A history CSV of every cluster and monthly indicator over `years`: 45 × 9 × 12 a year.
fn history(dir: &std::path::Path, name: &str, years: std::ops::RangeInclusive<i32>) -> (PathBuf, i64) {
    let mut s = String::from("unit_code,indicator_code,period,value\n");
    let mut n = 0;
    for c in 1..=45 {
        for ind in MONTHLY {
            for y in years.clone() {
                for m in 1..=12 {
                    s.push_str(&format!("C{c:02},{ind},{y}-{m:02},{}\n", 1000 + c * 7 + m));
                    n += 1;
                }
            }
        }
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    (p, n)
}

fn work_dir() -> PathBuf {
    let d = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdbackup"));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The fingerprints of every table but the audit trail, which the backup and the restore
/// themselves add to (its chain is checked in `audit_cli.rs`).
async fn prints(store: &Store) -> Vec<TablePrint> {
    let mut p = store.table_prints().await.unwrap();
    p.retain(|t| t.table != "audit_log");
    p
}

async fn reopen(db: &str) -> Store {
    Store::open(db, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap()
}

async fn count_values(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM data_values")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// A second database of the same engine, empty, to restore into.
/// (The guard drops a PostgreSQL database when the test ends.)
async fn other_db(dir: &std::path::Path) -> (String, Option<clusterdesk_store::testsupport::TempDir>) {
    match std::env::var("CLUSTERDESK_TEST_PG") {
        // A restore replaces tables, which only their owner may do.
        Ok(admin) if !admin.is_empty() => {
            let (_, guard) = clusterdesk_store::testsupport::fresh_db().await;
            let owner = guard
                .as_ref()
                .and_then(|g| g.owner_url())
                .expect("a PostgreSQL guard");
            (owner, guard)
        }
        _ => (dir.join("restored.db").display().to_string(), None),
    }
}

#[tokio::test]
async fn a_backup_during_a_load_restores_to_before_or_after_it_table_by_table() {
    let (store, db, _guard) = fixture_db().await;
    store
        .create_user(
            &admin(),
            NewUser {
                username: "botou".into(),
                display_name: "泊头市工信局".into(),
                password: "Test-Password-2026!".into(),
                role: clusterdesk_domain::Role::CountyOperator,
                org_code: "130981".into(),
                temporary: false,
            },
        )
        .await
        .unwrap();
    let dir = work_dir();
    let (first, n1) = history(&dir, "first.csv", 2016..=2016);
    run_ok(&db, &["values", "load", first.to_str().unwrap()]);
    let before: Vec<TablePrint> = prints(&store).await;
    let (big, n2) = history(&dir, "big.csv", 2017..=2023);
    assert_eq!((n1, n2), (4860, 34020));

    // The load and the backup at once.
    let mut load = bin()
        .args(["--db", &db, "values", "load", big.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let file = dir.join(if db.starts_with("postgres") {
        "backup.dump"
    } else {
        "backup.db"
    });
    let out = run_ok(&db, &["backup", file.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("已备份到"), "{said}");
    assert!(load.wait().unwrap().success());
    let after = prints(&store).await;
    assert_ne!(before, after);
    assert_eq!(count_values(&store).await, n1 + n2);

    // A backup file is never overwritten.
    let again = bin()
        .args(["--db", &db, "backup", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("已存在"));

    let (target, _target_guard) = other_db(&dir).await;
    // An existing database with accounts is only replaced on purpose.
    if target.starts_with("postgres") {
        let t = reopen(&target).await;
        clusterdesk_store::testsupport::mark_test_data(&t).await;
        t.create_user(
            &admin(),
            NewUser {
                username: "someone".into(),
                display_name: "x".into(),
                password: "Test-Password-2026!".into(),
                role: clusterdesk_domain::Role::CityAdmin,
                org_code: "130900".into(),
                temporary: false,
            },
        )
        .await
        .unwrap();
    } else {
        std::fs::write(&target, b"old").unwrap();
    }
    let refused = bin()
        .args(["--db", &target, "restore", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("--force"), "{err}");
    let out = run_ok(&target, &["restore", file.to_str().unwrap(), "--force"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("已从"));

    let restored = prints(&reopen(&target).await).await;
    assert!(
        restored == before || restored == after,
        "the restored database is neither the state before the load nor after it"
    );
    let users = restored.iter().find(|t| t.table == "users").unwrap();
    assert_eq!(users.rows, 1, "botou, not the account the restore replaced");
}

#[tokio::test]
async fn a_file_that_is_no_backup_is_refused_and_nothing_is_replaced() {
    if std::env::var("CLUSTERDESK_TEST_PG").is_ok_and(|v| !v.is_empty()) {
        return; // the SQLite file check; pg_restore checks its own archives
    }
    let dir = work_dir();
    let target = dir.join("live.db");
    let (store, db, _guard) = fixture_db().await;
    drop(store);
    std::fs::copy(&db, &target).unwrap();
    let junk = dir.join("junk.db");
    std::fs::write(&junk, "这不是数据库").unwrap();
    let out = bin()
        .args([
            "--db",
            target.to_str().unwrap(),
            "restore",
            junk.to_str().unwrap(),
            "--force",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("junk.db"), "{err}");
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&db).unwrap(),
        "untouched"
    );
}

#[tokio::test]
async fn a_load_killed_midway_leaves_all_of_its_values_or_none() {
    let (store, db, _guard) = fixture_db().await;
    let dir = work_dir();
    let (big, n) = history(&dir, "big.csv", 2010..=2023);
    let before = count_values(&store).await;
    let mut finished = false;
    for delay_ms in [150u64, 400, 900] {
        let mut load = bin()
            .args(["--db", &db, "values", "load", big.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        // SIGKILL: no destructor, no rollback by the program.
        let _ = load.kill();
        let status = load.wait().unwrap();
        let now = reopen(&db).await;
        let count = count_values(&now).await;
        eprintln!(
            "kill at {delay_ms} ms: {count} values (before {before}, whole {})",
            before + n
        );
        assert!(
            count == before || count == before + n,
            "after a kill at {delay_ms} ms: {count} values, want {before} or {}",
            before + n
        );
        if count == before + n {
            finished = true;
            assert!(status.success() || status.code().is_none());
            break;
        }
        if now.engine() == clusterdesk_store::Engine::Sqlite {
            let check: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(now.pool())
                .await
                .unwrap();
            assert_eq!(check, "ok");
        }
    }
    if !finished {
        // Nothing of the killed loads is left in the way: the same file loads whole.
        run_ok(&db, &["values", "load", big.to_str().unwrap()]);
        assert_eq!(count_values(&reopen(&db).await).await, before + n);
    }
}
