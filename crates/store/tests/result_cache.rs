//! Computed results are reused until the data changes (issue #14, item 2): nothing is
//! recomputed while nothing changed, a write shows in the next read, on every store that shares
//! the database, and readers that ask at once share one computation. Runs on SQLite, and on
//! PostgreSQL when CLUSTERDESK_TEST_PG names a server.
//!
//! Fixture: 三(二)3 工业巡诊 (at least 600 a year) counts the city's visits of the year; 泊头
//! (130981) reports 100 a month in 2025-01..03 and C11 (任丘) 200 in 2025-06, so the city has
//! 300 + 200 = 500 as of 2025-12.

use clusterdesk_domain::Period;
use clusterdesk_plan::Plan;
use clusterdesk_store::progress::ProgressReport;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

fn visits(unit: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: "diagnosis_visits".into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

async fn fixture() -> (String, Arc<Plan>, Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let mut vals: Vec<Value> = (1..=3)
        .map(|m| visits("130981", &format!("2025-{m:02}"), 100))
        .collect();
    vals.push(visits("C11", "2025-06", 200));
    store.upsert_values(&Actor::system("test"), &vals).await.unwrap();
    (url, plan, store, dir)
}

fn city_visits(r: &ProgressReport) -> Option<i64> {
    r.quotas.iter().find(|q| q.id == "三(二)3").unwrap().value
}

fn dec_2025() -> Period {
    Period::parse("2025-12").unwrap()
}

#[tokio::test]
async fn a_result_is_reused_until_a_write_changes_the_data() {
    let (_url, _plan, store, _dir) = fixture().await;
    let admin = Actor::system("test");
    let r = store.target_progress(&admin, dec_2025(), None).await.unwrap();
    assert_eq!(city_visits(&r), Some(500));
    let computed = store.results_computed();
    let version = store.data_version().await.unwrap();
    for _ in 0..3 {
        let r = store.target_progress(&admin, dec_2025(), None).await.unwrap();
        assert_eq!(city_visits(&r), Some(500));
    }
    assert_eq!(
        store.results_computed(),
        computed,
        "nothing changed, nothing recomputed"
    );

    // One more month of visits: the version moves by one write, the next read shows 550.
    store
        .upsert_values(&admin, &[visits("130981", "2025-04", 50)])
        .await
        .unwrap();
    assert_eq!(store.data_version().await.unwrap(), version + 1);
    let r = store.target_progress(&admin, dec_2025(), None).await.unwrap();
    assert_eq!(city_visits(&r), Some(550));
    assert!(store.results_computed() > computed);

    // A county's view is a result of its own: 泊头 300 + 50, without 任丘's 200.
    let r = store
        .target_progress(&admin, dec_2025(), Some("130981"))
        .await
        .unwrap();
    assert_eq!(city_visits(&r), Some(350));
}

#[tokio::test]
async fn a_write_through_one_store_shows_at_once_through_another() {
    let (url, plan, a, _dir) = fixture().await;
    let b = Store::open(&url, plan).await.unwrap();
    let admin = Actor::system("test");
    let r = b.target_progress(&admin, dec_2025(), None).await.unwrap();
    assert_eq!(city_visits(&r), Some(500));
    b.target_progress(&admin, dec_2025(), None).await.unwrap();

    a.upsert_values(&admin, &[visits("C11", "2025-07", 120)])
        .await
        .unwrap();
    let r = b.target_progress(&admin, dec_2025(), None).await.unwrap();
    assert_eq!(city_visits(&r), Some(620));

    // The bulk loader (SQLite's C API, PostgreSQL's COPY) moves the version too.
    a.bulk_load_values(&admin, "test", [visits("C11", "2025-08", 30)], false)
        .await
        .unwrap();
    let r = b.target_progress(&admin, dec_2025(), None).await.unwrap();
    assert_eq!(city_visits(&r), Some(650));
}

#[tokio::test]
async fn readers_asking_at_once_share_one_computation() {
    let (url, plan, _a, _dir) = fixture().await;
    // A store of its own, so that nothing is computed yet.
    let store = Store::open(&url, plan).await.unwrap();
    let before = store.results_computed();
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let s = store.clone();
            tokio::spawn(async move {
                s.target_progress(&Actor::system("test"), dec_2025(), None)
                    .await
                    .unwrap()
            })
        })
        .collect();
    for r in readers {
        assert_eq!(city_visits(&r.await.unwrap()), Some(500));
    }
    // The city's rows once and the report once, not eight times each.
    assert_eq!(store.results_computed() - before, 2);
}
