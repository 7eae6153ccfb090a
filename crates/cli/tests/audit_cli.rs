//! `clusterdesk audit verify` on the engine the run tests: it passes on an untouched trail and
//! names the first broken record after one row is edited, deleted or reordered by hand, and
//! after a restore the chain still verifies.

mod common;

use clusterdesk_store::accounts::NewUser;
use clusterdesk_store::audit::AuditEntry;
use clusterdesk_store::sessions::Client;
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
        .login("botou", "Test-Password-2026!", &from)
        .await
        .unwrap()
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

#[tokio::test]
async fn verify_passes_untouched_and_names_the_record_after_an_edit_a_deletion_or_a_reorder() {
    let (store, db, _guard) = fixture_db().await;
    trail(&store).await;
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
        &store,
        "UPDATE audit_log SET target = '企业名录X.csv' WHERE seq = 3",
    )
    .await;
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(text.contains("第 3 条") && text.contains("被修改"), "{text}");
    exec(
        &store,
        "UPDATE audit_log SET target = '企业名录0.csv' WHERE seq = 3",
    )
    .await;
    assert!(verify(&db).0, "put back, it verifies again");

    // Two records swapped: their numbers exchanged.
    exec(&store, "UPDATE audit_log SET seq = 100 WHERE seq = 3").await;
    exec(&store, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    exec(&store, "UPDATE audit_log SET seq = 4 WHERE seq = 100").await;
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(text.contains("第 3 条"), "{text}");
    exec(&store, "UPDATE audit_log SET seq = 100 WHERE seq = 3").await;
    exec(&store, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
    exec(&store, "UPDATE audit_log SET seq = 4 WHERE seq = 100").await;
    assert!(verify(&db).0);

    // A deletion in the middle, and the newest record deleted (seen only against the kept head).
    exec(&store, "DELETE FROM audit_log WHERE seq = 5").await;
    let (ok, _) = verify(&db);
    assert!(ok, "the rest of the chain is whole");
    let out = bin()
        .args(["--db", &db, "audit", "verify", "--head", &head])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("第 5 条记录已不存在"));
    exec(&store, "DELETE FROM audit_log WHERE seq = 2").await;
    let (ok, text) = verify(&db);
    assert!(!ok);
    assert!(
        text.contains("第 3 条") && text.contains("缺少第 2 至 2 条"),
        "{text}"
    );
}

#[tokio::test]
async fn the_chain_verifies_after_a_backup_is_restored() {
    let (store, db, _guard) = fixture_db().await;
    trail(&store).await;
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdaudit"));
    std::fs::create_dir_all(&dir).unwrap();
    let pg = db.starts_with("postgres");
    let file = dir.join(if pg { "b.dump" } else { "b.db" });
    run_ok(&db, &["backup", file.to_str().unwrap()]);
    // The backup's own record comes after the copy, so the copy does not hold it; the trail
    // is then damaged, and the restore brings back the copy's whole chain and adds its record.
    exec(&store, "DELETE FROM audit_log WHERE seq > 2").await;
    let after_backup: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(after_backup, 2);
    run_ok(&db, &["restore", file.to_str().unwrap(), "--force"]);
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
