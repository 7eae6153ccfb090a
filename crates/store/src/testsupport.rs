//! Fresh databases for tests: SQLite in a temporary folder, or a new PostgreSQL database when
//! CLUSTERDESK_TEST_PG names a server. Used by this crate's tests and the web crate's.

use sqlx::Executor;

/// What a test database leaves behind, removed when this guard is dropped: the SQLite file's
/// folder, or the PostgreSQL database (`DROP DATABASE … WITH (FORCE)`, which also ends the
/// connections a store still holds). Keep it alive for as long as the database is used:
/// `let (url, _db) = fresh_db().await;` (not `let (url, _) = …`, which drops it at once).
pub struct TempDir {
    dir: Option<std::path::PathBuf>,
    /// The server's admin URL and the name of the database to drop.
    pg: Option<(String, String)>,
}

impl TempDir {
    /// A folder of the test's own, removed with the guard.
    pub fn folder(dir: std::path::PathBuf) -> TempDir {
        TempDir {
            dir: Some(dir),
            pg: None,
        }
    }

    /// The SQLite folder, if this is one.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// A PostgreSQL test database's URL as its owner (the server's admin), for what the
    /// application's role may not do: tamper with the audit trail, drop a table, restore.
    pub fn owner_url(&self) -> Option<String> {
        let (admin, name) = self.pg.as_ref()?;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(format!("{base}/{name}"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((admin, name)) = self.pg.take() {
            // Drop may run inside a test's tokio runtime, where blocking on a future panics:
            // run the statement on a thread of its own with a runtime of its own.
            let db = name.clone();
            let done = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                rt.block_on(async {
                    let pool = sqlx::AnyPool::connect(&admin).await.map_err(|e| e.to_string())?;
                    let r = pool
                        .execute(format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)").as_str())
                        .await;
                    // The role's rights went with the database, so it can go too.
                    let r = match r {
                        Ok(_) => pool.execute(format!("DROP ROLE IF EXISTS {db}").as_str()).await,
                        e => e,
                    };
                    pool.close().await;
                    r.map(|_| ()).map_err(|e| e.to_string())
                })
            })
            .join();
            match done {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("testsupport: could not drop test database {name}: {e}"),
                Err(_) => eprintln!("testsupport: dropping test database {name} panicked"),
            }
        }
    }
}

/// The date-sensitive tests' time: `CLUSTERDESK_TEST_NOW` (scripts/test runs them at several
/// dates), else 2026-12-02 10:00 Beijing. The clock runs on from it, so events keep their order.
/// `CLUSTERDESK_TEST_NOW=system` takes the real clock (scripts/test runs that under faketime).
pub const DEFAULT_TEST_NOW: &str = "2026-12-02T10:00:00+08:00";

pub fn test_clock() -> clusterdesk_domain::Clock {
    let setting = std::env::var("CLUSTERDESK_TEST_NOW")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_NOW.into());
    if setting == "system" {
        return clusterdesk_domain::Clock::system();
    }
    clusterdesk_domain::Clock::from_setting(&setting).expect("CLUSTERDESK_TEST_NOW is a time")
}

/// Mark a fixture database as test data, so that the binary may run on it at a set time
/// (`CLUSTERDESK_NOW`), which it refuses on a real deployment's database.
pub async fn mark_test_data(store: &crate::Store) {
    store
        .meta_set("test_data", "1")
        .await
        .expect("mark the database as test data");
}

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    // Process id, a counter and a random number: unique across parallel test binaries, and a
    // valid PostgreSQL database name.
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    )
}

/// The engine the tests are meant to run on: PostgreSQL when CLUSTERDESK_TEST_PG is set and
/// not empty, SQLite otherwise.
pub fn intended_engine() -> crate::Engine {
    match std::env::var("CLUSTERDESK_TEST_PG") {
        Ok(s) if !s.is_empty() => crate::Engine::Postgres,
        _ => crate::Engine::Sqlite,
    }
}

/// A fresh, empty database: its `--db` argument and the guard that removes it (the SQLite
/// folder, or the PostgreSQL database) when dropped. Always `Some`; an `Option` for the
/// callers written when PostgreSQL databases were left behind.
pub async fn fresh_db() -> (String, Option<TempDir>) {
    match std::env::var("CLUSTERDESK_TEST_PG") {
        Ok(admin) if !admin.is_empty() => {
            sqlx::any::install_default_drivers();
            let name = unique("cdtest").to_lowercase();
            let pool = sqlx::AnyPool::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL server");
            pool.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            // The tests connect as the application would: a role of their own, not the
            // superuser, that may add to the audit trail but not change it (`app_role`).
            pool.execute(format!("CREATE ROLE {name} LOGIN").as_str())
                .await
                .expect("create the test database's application role");
            pool.close().await;
            let guard = TempDir {
                dir: None,
                pg: Some((admin.clone(), name.clone())),
            };
            let owner = guard.owner_url().expect("a PostgreSQL guard");
            let store = crate::Store::open(
                &owner,
                std::sync::Arc::new(clusterdesk_plan::Plan::embedded().expect("the embedded plan")),
            )
            .await
            .expect("migrate the test database as its owner");
            store
                .grant_app_role(&name)
                .await
                .expect("grant the application role");
            store.pool().close().await;
            (with_user(&owner, &name), Some(guard))
        }
        _ => {
            let dir = std::env::temp_dir().join(unique("clusterdesk"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            let url = dir.join("test.db").display().to_string();
            let guard = TempDir {
                dir: Some(dir),
                pg: None,
            };
            (url, Some(guard))
        }
    }
}

/// `postgres://someone@host/db` as `user` (no password: the test server trusts loopback).
fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://{user}@{host}")
}
