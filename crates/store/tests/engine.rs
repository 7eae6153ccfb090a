//! The suite runs on the engine it was asked for: PostgreSQL when CLUSTERDESK_TEST_PG is set,
//! SQLite otherwise; and a test database is gone once its guard is dropped.

use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::{fresh_db, intended_engine};
use clusterdesk_store::{Engine, Store};
use std::sync::Arc;

#[tokio::test]
async fn the_store_is_on_the_intended_engine_and_its_database_is_removed() {
    let (url, guard) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    assert_eq!(store.engine(), intended_engine(), "{url}");
    // Ask the server itself, not only the URL.
    let version: String = match store.engine() {
        Engine::Postgres => sqlx::query_scalar("SELECT version()"),
        Engine::Sqlite => sqlx::query_scalar("SELECT 'SQLite ' || sqlite_version()"),
    }
    .fetch_one(store.pool())
    .await
    .unwrap();
    let want = match intended_engine() {
        Engine::Postgres => "PostgreSQL ",
        Engine::Sqlite => "SQLite ",
    };
    assert!(version.starts_with(want), "{version}");

    // Dropping the guard removes the database, even with the store's connections still open.
    match intended_engine() {
        Engine::Postgres => {
            let admin = std::env::var("CLUSTERDESK_TEST_PG").unwrap();
            let name = url.rsplit('/').next().unwrap().to_string();
            drop(guard);
            let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(n, 0, "{name} is still there");
        }
        Engine::Sqlite => {
            let dir = guard.as_ref().and_then(|g| g.path()).unwrap().to_path_buf();
            assert!(std::path::Path::new(&url).starts_with(&dir));
            store.pool().close().await;
            drop(guard);
            assert!(!dir.exists(), "{} is still there", dir.display());
        }
    }
}

/// On SQLite, a deleted row does not stay readable in the database file (secure_delete): a
/// value written, deleted and checkpointed is nowhere in the file's bytes.
#[tokio::test]
async fn what_is_deleted_is_not_left_in_the_file() {
    let (url, _guard) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    if store.engine() != Engine::Sqlite {
        return;
    }
    let secret = "RESIDUE-7f3a9c1e-csrf-token-of-an-ended-session";
    sqlx::query("INSERT INTO meta (key, value) VALUES ('residual_test', $1)")
        .bind(secret)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let bytes = std::fs::read(&path).unwrap();
    let contains = |b: &[u8]| b.windows(secret.len()).any(|w| w == secret.as_bytes());
    assert!(contains(&bytes), "the value is in {path} before it is deleted");
    sqlx::query("DELETE FROM meta WHERE key = 'residual_test'")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(!contains(&bytes), "a deleted value is still readable in {path}");
    let wal = std::fs::read(format!("{path}-wal")).unwrap_or_default();
    assert!(!contains(&wal), "a deleted value is still readable in the WAL");
}
