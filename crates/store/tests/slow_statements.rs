//! Statements slower than 100 ms are logged at warn level with their SQL (issue 11 item 8); quick
//! ones are not. Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.
//!
//! The events are captured by a subscriber installed for this test binary alone (sqlx's SQLite
//! driver logs from its worker thread), which is why this file holds one test.

use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::fresh_db;
use clusterdesk_store::{Engine, Store};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Every warn-or-worse event: its target and its fields, written out.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<(String, String)>>>);

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl<S: tracing::Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() <= tracing::Level::WARN {
            let mut text = String::new();
            event.record(&mut Text(&mut text));
            let target = event.metadata().target().to_string();
            self.0.lock().unwrap().push((target, text));
        }
    }
}

impl Warnings {
    fn mentioning(&self, marker: &str) -> Vec<(String, String)> {
        let all = self.0.lock().unwrap();
        all.iter().filter(|(_, t)| t.contains(marker)).cloned().collect()
    }
}

#[tokio::test]
async fn slow_statements_are_logged_with_their_sql() {
    let warnings = Warnings::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(warnings.clone()))
        .expect("the only subscriber of this test binary");
    let (url, _dir) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();

    // Slow on purpose, but under sqlx's default threshold of 1 s: PostgreSQL sleeps 0.2 s;
    // SQLite counts three million rows, a few tenths of a second.
    let slow = match store.engine() {
        Engine::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)
             SELECT count(*) AS slow_marker FROM c"
        }
        Engine::Postgres => "SELECT 1 AS slow_marker FROM (SELECT pg_sleep(0.2)) AS s",
    };
    let t0 = std::time::Instant::now();
    sqlx::query(slow).execute(store.pool()).await.unwrap();
    assert!(
        t0.elapsed() > std::time::Duration::from_millis(150),
        "the slow statement took only {:?}; make it slower",
        t0.elapsed()
    );
    sqlx::query("SELECT 1 AS quick_marker")
        .execute(store.pool())
        .await
        .unwrap();

    // The SQLite driver logs from its worker thread, possibly just after the result is back.
    let mut logged = Vec::new();
    for _ in 0..50 {
        logged = warnings.mentioning("slow_marker");
        if !logged.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0].0, "sqlx::query");
    assert!(logged[0].1.contains("slow statement"), "{logged:?}");
    assert!(warnings.mentioning("quick_marker").is_empty());
}
