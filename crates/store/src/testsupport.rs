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

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        nanos
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
