//! `clusterdesk audit verify` on the engine the run tests: it passes on an untouched trail and
//! names the first broken record after one row is edited, deleted or reordered by hand, and
//! after a restore the chain still verifies.

use crate::common;

use clusterdesk_store::accounts::NewUser;
use clusterdesk_store::audit::AuditEntry;
use clusterdesk_store::sessions::Client;
use clusterdesk_store::testsupport::TempDir;
use common::{admin, bin, fixture_db, run_ok};

async fn trail(store: &clusterdesk_store::Store) {
    store
        .create_user(
            &admin(),
            NewUser {
                username: "botou".into(),
                display_name: "泊头".into(),
                password: "Test-Password-2026!".into(),
                role: clusterdesk_domain::Role::CountyOperator,
                org_code: "130981".into(),
                temporary: false,
            },
        )
        .await
        .unwrap();
    let from = Client {
        address: "10.0.0.7".into(),
        user_agent: "test".into(),
    };
    store
        .login("botou", "Test-Password-2026!", None, &from)
        .await
        .unwrap()
        .signed_in()
        .unwrap();
    for i in 0..3 {
        store
            .audit(AuditEntry::new("botou", "export", format!("企业名录{i}.csv")))
            .await
            .unwrap();
    }
}

fn verify(db: &str) -> (bool, String) {
    let out = bin().args(["--db", db, "audit", "verify"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

async fn exec(store: &clusterdesk_store::Store, sql: &str) {
    sqlx::query(sql).execute(store.pool()).await.unwrap();
}

/// The database as its owner: on PostgreSQL the application's role may not change the trail
/// nor restore tables, so the hand edits and the restore are the owner's.
async fn as_owner(db: &str, guard: &Option<TempDir>) -> (clusterdesk_store::Store, String) {
    let url = guard
        .as_ref()
        .and_then(TempDir::owner_url)
        .unwrap_or_else(|| db.to_string());
    let store = clusterdesk_store::Store::open(
        &url,
        std::sync::Arc::new(clusterdesk_plan::Plan::embedded().unwrap()),
    )
    .await
    .unwrap();
    (store, url)
}

#[tokio::test]
async fn verify_passes_untouched_and_names_the_record_after_an_edit_a_deletion_or_a_reorder() {
    let (store, db, guard) = fixture_db().await;
    trail(&store).await;
    let (owner, _) = as_owner(&db, &guard).await;
    // user_create, login, three exports.
    let (ok, text) = verify(&db);
    assert!(ok, "{text}");
    assert!(text.contains("审计记录 5 条,链完整"), "{text}");
    let head = text
        .lines()
        .find_map(|l| l.strip_prefix("链头:"))
        .unwrap()
        .to_string();
    assert!(head.starts_with("5:"), "{head}");
    run_ok(&db, &["audit", "verify", "--head", &head]);
    let login: (String, String) = sqlx::query_as("SELECT actor, address FROM audit_log WHERE seq = 2")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(login, ("botou".to_string(), "10.0.0.7".to_string()));

    // An edit of record 3.
    exec(
        &owner,
        "UPDATE audit_log SET target = '企业名录X.csv' WHERE seq = 3",
    )
    .await;
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(text.contains("第 3 条") && text.contains("被修改"), "{text}");
    exec(
        &owner,
        "UPDATE audit_log SET target = '企业名录0.csv' WHERE seq = 3",
    )
    .await;
    assert!(verify(&db).0, "put back, it verifies again");

    // Two records swapped: their numbers exchanged.
    exec(&owner, "UPDATE audit_log SET seq = 100 WHERE seq = 3").await;
    exec(&owner, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    exec(&owner, "UPDATE audit_log SET seq = 4 WHERE seq = 100").await;
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(text.contains("第 3 条"), "{text}");
    exec(&owner, "UPDATE audit_log SET seq = 100 WHERE seq = 3").await;
    exec(&owner, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    exec(&owner, "UPDATE audit_log SET seq = 4 WHERE seq = 100").await;
    assert!(verify(&db).0);

    // A deletion in the middle, and the newest record deleted (seen only against the kept head).
    exec(&owner, "DELETE FROM audit_log WHERE seq = 5").await;
    let (ok, _) = verify(&db);
    assert!(ok, "the rest of the chain is whole");
    let out = bin()
        .args(["--db", &db, "audit", "verify", "--head", &head])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("第 5 条记录已不存在"));
    exec(&owner, "DELETE FROM audit_log WHERE seq = 2").await;
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(
        text.contains("第 3 条") && text.contains("缺少第 2 至 2 条"),
        "{text}"
    );
}

#[tokio::test]
async fn the_chain_verifies_after_a_backup_is_restored() {
    let (store, db, guard) = fixture_db().await;
    trail(&store).await;
    let (owner, owner_url) = as_owner(&db, &guard).await;
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdaudit"));
    std::fs::create_dir_all(&dir).unwrap();
    let pg = db.starts_with("postgres");
    let file = dir.join(if pg { "b.dump" } else { "b.db" });
    run_ok(&db, &["backup", file.to_str().unwrap()]);
    // The backup's own record comes after the copy, so the copy does not hold it; the trail
    // is then damaged, and the restore brings back the copy's whole chain and adds its record.
    exec(&owner, "DELETE FROM audit_log WHERE seq > 2").await;
    let after_backup: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(after_backup, 2);
    owner.pool().close().await;
    run_ok(&owner_url, &["restore", file.to_str().unwrap(), "--force"]);
    let store = clusterdesk_store::Store::open(
        &db,
        std::sync::Arc::new(clusterdesk_plan::Plan::embedded().unwrap()),
    )
    .await
    .unwrap();
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(
        actions,
        ["user_create", "login", "export", "export", "export", "restore"]
    );
    let (ok, text) = verify(&db);
    assert!(ok, "{text}");
    assert!(text.contains("审计记录 6 条"), "{text}");
}

/// On PostgreSQL the application connects as a role that may add to the audit trail but not
/// change it (GB/T 22239-2019 8.1.4.3 d): `migrate --app-role` grants that, run as the owner;
/// the role's UPDATE, DELETE and TRUNCATE of the trail are refused by the server itself, while
/// it still writes the business tables and the chain still verifies.
#[tokio::test]
async fn the_application_role_adds_to_the_trail_but_cannot_change_it() {
    let (store, db, guard) = fixture_db().await;
    if !db.starts_with("postgres") {
        eprintln!("the application role is PostgreSQL's; SQLite is guarded by its file's rights");
        return;
    }
    let (_owner, owner_url) = as_owner(&db, &guard).await;
    let role = db
        .split_once("://")
        .and_then(|(_, r)| r.split_once('@'))
        .map(|(user, _)| user.to_string())
        .unwrap();
    let out = run_ok(&owner_url, &["migrate", "--app-role", &role]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("已授予角色 {role}")),
        "{out:?}"
    );
    // As the application: it signs people in and records what they do.
    trail(&store).await;
    for sql in [
        "UPDATE audit_log SET target = 'x' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 5",
        "TRUNCATE audit_log",
        "DELETE FROM _sqlx_migrations",
    ] {
        let e = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
        let code = e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some("42501"), "{sql}: {e}");
    }
    // The business tables are its to change.
    sqlx::query("UPDATE users SET display_name = '泊头市工信局' WHERE username = 'botou'")
        .execute(store.pool())
        .await
        .unwrap();
    let (ok, text) = verify(&db);
    assert!(ok, "{text}");
    // The grant is refused for a name that is no plain role name.
    let out = bin()
        .args(["--db", &owner_url, "migrate", "--app-role", "x; DROP TABLE users"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("数据库角色名"));
}

/// `audit archive` (网络安全法 第二十一条, kept at least 180 days): the records before a date
/// at least 180 days back go to a file, as stored, and the rest still verifies; a later date
/// is refused and nothing moves; a chain start written by hand, or the archive's own record
/// deleted, is reported. On PostgreSQL the application's role is refused; the owner archives.
#[tokio::test]
async fn old_records_are_archived_to_a_file_and_the_rest_still_verifies() {
    use clusterdesk_domain::Clock;
    let (store, db, guard) = fixture_db().await;
    let plan = std::sync::Arc::new(clusterdesk_plan::Plan::embedded().unwrap());
    // Three records in January 2026 and two in October, Beijing time.
    for (at, n) in [("2026-01-10T10:00:00+08:00", 3), ("2026-10-10T10:00:00+08:00", 2)] {
        let t = chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc();
        let s = clusterdesk_store::Store::open_with_clock(&db, plan.clone(), Clock::fixed(t))
            .await
            .unwrap();
        for i in 0..n {
            s.audit(AuditEntry::new("botou", "export", format!("{at}-{i}.csv")))
                .await
                .unwrap();
        }
    }
    let before: Vec<(i64, String)> = sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(before.len(), 5);
    let dir = std::env::temp_dir().join(format!(
        "clusterdesk-archive-{}-{}",
        std::process::id(),
        before[0].1
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("审计归档_2026上半年.jsonl");
    let file_arg = file.to_str().unwrap();

    // 180 days before the tests' today: a later date is refused, and nothing moves.
    let latest = clusterdesk_store::testsupport::test_clock().today() - chrono::Duration::days(180);
    let late = (latest + chrono::Duration::days(1)).to_string();
    let out = bin()
        .args(["--db", &db, "audit", "archive", "--before", &late, file_arg])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("审计记录须保留不少于180天:归档日期最晚为 {latest}")),
        "{err}"
    );
    assert!(!file.exists());

    let (owner, owner_db) = as_owner(&db, &guard).await;
    if guard.as_ref().and_then(TempDir::owner_url).is_some() {
        // The application's role may not delete from the trail.
        let out = bin()
            .args([
                "--db",
                &db,
                "audit",
                "archive",
                "--before",
                "2026-05-01",
                file_arg,
            ])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("只有审计表的所有者能归档"), "{err}");
        assert!(!file.exists(), "no file is left when nothing was cut");
    }
    let out = run_ok(
        &owner_db,
        &["audit", "archive", "--before", "2026-05-01", file_arg],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("已把第 1 至 3 条审计记录(3 条)归档到"), "{text}");

    // The file holds records 1–3 as they were stored, hashes and all.
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(i64, String)> = lines
        .iter()
        .map(|l| {
            (
                l["seq"].as_i64().unwrap(),
                l["hash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, before[..3]);
    // Records 4, 5 and the archive's own record stay, and verify from record 3.
    let left: Vec<(i64, String)> = sqlx::query_as("SELECT seq, action FROM audit_log ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let want: Vec<(i64, String)> = vec![
        (4, "export".into()),
        (5, "export".into()),
        (6, "audit_archive".into()),
    ];
    assert_eq!(left, want);
    let (ok, text) = verify(&db);
    assert!(ok, "{text}");
    assert!(
        text.contains("审计记录 3 条(第 3 条及以前已归档),链完整"),
        "{text}"
    );
    // The archive file checks on its own chain, against the record that names it, and the
    // table continues from it; an edited line or a shortened file is named.
    let verify_with = |archive: &std::path::Path| {
        let out = bin()
            .args(["--db", &db, "audit", "verify", "--archive"])
            .arg(archive)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let (ok, text) = verify_with(&file);
    assert!(ok, "{text}");
    assert!(
        text.contains("归档文件 1 份(第 1 至 3 条,共 3 条)完整,与库中记录衔接"),
        "{text}"
    );
    let original = std::fs::read_to_string(&file).unwrap();
    let edited = dir.join("edited.jsonl");
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    lines[1] = lines[1].replacen("\"botou\"", "\"renqiu\"", 1);
    std::fs::write(&edited, lines.join("\n") + "\n").unwrap();
    let (ok, text) = verify_with(&edited);
    assert!(!ok);
    assert!(
        text.contains("归档文件 edited.jsonl 在第 2 条断开:记录内容与其散列不符"),
        "{text}"
    );
    let short = dir.join("short.jsonl");
    std::fs::write(
        &short,
        original.lines().take(2).collect::<Vec<_>>().join("\n") + "\n",
    )
    .unwrap();
    let (ok, text) = verify_with(&short);
    assert!(!ok);
    assert!(
        text.contains("没有一条归档记录载明文件 short.jsonl(第 1 至 2 条)"),
        "{text}"
    );
    // The same records with other bytes (a line ending changed) no longer match the digest.
    let respaced = dir.join("respaced.jsonl");
    std::fs::write(&respaced, original.replace('\n', "\r\n")).unwrap();
    let (ok, text) = verify_with(&respaced);
    assert!(!ok);
    assert!(text.contains("的 SHA-256 与归档记录所载不符"), "{text}");

    // Archiving again finds nothing that old.
    let again = dir.join("again.jsonl");
    let out = bin()
        .args(["--db", &owner_db, "audit", "archive", "--before", "2026-05-01"])
        .arg(&again)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有早于 2026-05-01 的审计记录可归档"));

    // A start moved by hand (to hide record 4's deletion) is reported.
    exec(&owner, "DELETE FROM audit_log WHERE seq = 4").await;
    let moved = format!("4:{}", before[3].1);
    sqlx::query("UPDATE meta SET value = $1 WHERE key = 'audit_archived_through'")
        .bind(&moved)
        .execute(owner.pool())
        .await
        .unwrap();
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(text.contains("链的起点(第 4 条)没有对应的归档记录"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// When every record is old enough, the archive's own record continues the chain from the last
/// archived one: number 4 after 1–3, linked to record 3's hash.
#[tokio::test]
async fn archiving_every_record_leaves_the_archive_record_in_the_chain() {
    use clusterdesk_domain::Clock;
    let (_store, db, guard) = fixture_db().await;
    let t = chrono::DateTime::parse_from_rfc3339("2026-01-10T10:00:00+08:00")
        .unwrap()
        .to_utc();
    let plan = std::sync::Arc::new(clusterdesk_plan::Plan::embedded().unwrap());
    let old = clusterdesk_store::Store::open_with_clock(&db, plan, Clock::fixed(t))
        .await
        .unwrap();
    for i in 0..3 {
        old.audit(AuditEntry::new("botou", "export", format!("{i}.csv")))
            .await
            .unwrap();
    }
    let third: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 3")
        .fetch_one(old.pool())
        .await
        .unwrap();
    let (_, owner_db) = as_owner(&db, &guard).await;
    let file = std::env::temp_dir().join(format!(
        "clusterdesk-archive-all-{}-{}.jsonl",
        std::process::id(),
        &third[..8]
    ));
    run_ok(
        &owner_db,
        &[
            "audit",
            "archive",
            "--before",
            "2026-05-01",
            file.to_str().unwrap(),
        ],
    );
    let left: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT seq, action, prev_hash FROM audit_log ORDER BY seq")
            .fetch_all(old.pool())
            .await
            .unwrap();
    assert_eq!(left, vec![(4, "audit_archive".to_string(), third)]);
    let (ok, text) = verify(&db);
    assert!(ok, "{text}");
    std::fs::remove_file(&file).unwrap();
}
