//! Pause points on the write path, for race tests that need one interleaving every time
//! rather than whichever the scheduler picks: a test runs one side inside [`scope`] with a
//! hook that waits at a point until the other side has got as far as it should. Built only
//! with the `race-hook` feature (the store's own tests turn it on); without it [`reached`]
//! is an empty function.

/// Where a write may be held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// About to open a write transaction (on SQLite, to take the write lock).
    Begin,
    /// A period's workflow state has been read under the write lock; nothing is written yet.
    Checked,
}

#[cfg(feature = "race-hook")]
mod hook {
    use super::Point;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    /// Called at every [`Point`] the scoped task reaches; the write waits for its future.
    pub type Hook = Arc<dyn Fn(Point) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

    tokio::task_local! {
        static HOOK: Hook;
    }

    /// Run `f` with `hook` called at each point it reaches (only this task's writes wait).
    pub async fn scope<F: Future>(hook: Hook, f: F) -> F::Output {
        HOOK.scope(hook, f).await
    }

    pub(crate) async fn reached(p: Point) {
        if let Ok(h) = HOOK.try_with(Arc::clone) {
            h(p).await;
        }
    }
}

#[cfg(feature = "race-hook")]
pub(crate) use hook::reached;
#[cfg(feature = "race-hook")]
pub use hook::{Hook, scope};

#[cfg(not(feature = "race-hook"))]
pub(crate) async fn reached(_: Point) {}
