//! Fresh databases for tests: SQLite in a temporary folder, or a new PostgreSQL database when
//! CLUSTERDESK_TEST_PG names a server. Used by this crate's tests and the web crate's.

use sqlx::Executor;

/// A folder removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
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

/// A fresh, empty database: its `--db` argument and the folder to clean up (SQLite only).
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
            pool.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin.clone());
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = std::env::temp_dir().join(unique("clusterdesk"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            (dir.join("test.db").display().to_string(), Some(TempDir(dir)))
        }
    }
}
