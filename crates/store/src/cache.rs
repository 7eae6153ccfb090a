//! Computed results (progress, cluster metrics, the assessment, the dashboard) kept until the
//! data they were computed from changes (issue #14, item 2).
//!
//! Every write transaction of business data adds one to the one-row table `data_version`
//! (migration 0015) before its first change (`Store::begin_write`), so the version moves with
//! the committed data, on every server that shares the database. A result is stored under the
//! version read before it was computed: when a write commits meanwhile, the entry is never hit
//! again, so a reader never gets a result older than the data it could read.
//!
//! One computation runs per key and version; readers that ask for it meanwhile wait for it
//! rather than computing it again. A computation whose request is abandoned is dropped, and the
//! next waiter computes instead.

use crate::{Result, Store, StoreError};
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Value = Arc<dyn Any + Send + Sync>;

/// Entries of one data version at most; a page's scopes and years are far fewer.
const MAX_ENTRIES: usize = 1024;

#[derive(Default)]
pub(crate) struct ResultCache {
    inner: Mutex<Slots>,
    /// How many results were computed rather than reused (for the tests).
    computed: AtomicU64,
}

#[derive(Default)]
struct Slots {
    /// The newest data version seen; entries of older versions are dropped when it moves.
    version: i64,
    cells: HashMap<String, Arc<OnceCell<Value>>>,
}

impl ResultCache {
    /// The cell of `key` at `version`, made empty when there is none. A reader holding an
    /// older version than the newest seen gets a cell of its own, never stored.
    fn cell(&self, key: &str, version: i64) -> Arc<OnceCell<Value>> {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if version < s.version {
            return Arc::new(OnceCell::new());
        }
        if version > s.version {
            s.version = version;
            s.cells.clear();
        }
        if let Some(c) = s.cells.get(key) {
            return c.clone();
        }
        if s.cells.len() >= MAX_ENTRIES {
            s.cells.clear();
        }
        let c = Arc::new(OnceCell::new());
        s.cells.insert(key.to_string(), c.clone());
        c
    }
}

/// The statement that moves the data version, for the paths on an engine's own connection
/// (the bulk loader) as for [`bump_data_version`].
pub(crate) const BUMP_DATA_VERSION: &str = "UPDATE data_version SET n = n + 1 WHERE id = 1";

/// Add one to the data version inside `conn`'s transaction (the first statement of a write).
pub(crate) async fn bump_data_version(conn: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query(BUMP_DATA_VERSION).execute(conn).await?;
    Ok(())
}

impl Store {
    /// The version of the business data: it moves with every committed write of it.
    pub async fn data_version(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT n FROM data_version WHERE id = 1")
            .fetch_one(self.pool())
            .await?)
    }

    /// How many results this store computed rather than reused since it was opened.
    pub fn results_computed(&self) -> u64 {
        self.cache.computed.load(Ordering::Relaxed)
    }

    /// The result of `compute` under `key` at the current data version: reused when it was
    /// computed at this version, else computed once (errors are not kept). `key` names the
    /// computation and every input it depends on, the reader's scope among them.
    pub(crate) async fn cached<T, F>(&self, key: String, compute: F) -> Result<T>
    where
        T: Clone + Send + Sync + 'static,
        F: Future<Output = Result<T>>,
    {
        let version = self.data_version().await?;
        let cell = self.cache.cell(&key, version);
        let value = cell
            .get_or_try_init(|| async {
                self.cache.computed.fetch_add(1, Ordering::Relaxed);
                compute.await.map(|t| Arc::new(t) as Value)
            })
            .await?;
        value
            .downcast_ref::<T>()
            .cloned()
            .ok_or_else(|| StoreError::Engine(format!("缓存键“{key}”的结果类型不符")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_version_empties_the_cache_and_an_older_reader_keeps_its_own_cell() {
        let c = ResultCache::default();
        let a = c.cell("k", 1);
        assert!(Arc::ptr_eq(&a, &c.cell("k", 1)));
        let b = c.cell("k", 2);
        assert!(!Arc::ptr_eq(&a, &b));
        // A reader that read version 1 before the write: not shared, not stored.
        let old = c.cell("k", 1);
        assert!(!Arc::ptr_eq(&old, &b) && !Arc::ptr_eq(&old, &a));
        assert!(Arc::ptr_eq(&b, &c.cell("k", 2)));
    }

    /// A request abandoned mid-computation (hyper drops the handler's future when the
    /// connection closes) leaves no half result: the reader waiting behind it computes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_abandoned_computation_hands_over_to_the_next_reader() {
        let (url, _dir) = crate::testsupport::fresh_db().await;
        let plan = std::sync::Arc::new(clusterdesk_plan::Plan::embedded().unwrap());
        let store = Arc::new(Store::open(&url, plan).await.unwrap());
        let started = Arc::new(tokio::sync::Notify::new());
        let first = {
            let (store, started) = (store.clone(), started.clone());
            tokio::spawn(async move {
                store
                    .cached("k".into(), async move {
                        started.notify_one();
                        std::future::pending::<()>().await;
                        Ok("first")
                    })
                    .await
            })
        };
        started.notified().await;
        let second = {
            let store = store.clone();
            tokio::spawn(async move { store.cached("k".into(), async { Ok("second") }).await })
        };
        // The second reader is waiting on the first one's cell; then the first is abandoned.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!second.is_finished());
        first.abort();
        assert!(first.await.unwrap_err().is_cancelled());
        assert_eq!(second.await.unwrap().unwrap(), "second");
        assert_eq!(store.results_computed(), 2);
        // Kept: the next reader computes nothing.
        assert_eq!(
            store.cached("k".into(), async { Ok("third") }).await.unwrap(),
            "second"
        );
        assert_eq!(store.results_computed(), 2);
    }
}
