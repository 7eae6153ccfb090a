//! `clusterdesk audit verify` on the engine the run tests: it passes on an untouched trail and
//! names the first broken record after one row is edited, deleted or reordered by hand, and
//! after a restore the chain still verifies.

mod common;

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
