//! Writing values: created / updated / unchanged counted per value, every change logged with the
//! old and the new value, and a key given twice in one write settles on its last value.

use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::fresh_db;
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

fn v(unit: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: "revenue".into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

#[tokio::test]
async fn a_write_counts_logs_and_settles_repeated_keys() {
    let (url, _dir) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    let admin = Actor::system("test");
    let s = store
        .upsert_values(&admin, &[v("C17", "2025-01", 100), v("C19", "2025-01", 200)])
        .await
        .unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (2, 0, 0));

    // C17 unchanged, C19 changed, C11 new and then given again with another value.
    let s = store
        .upsert_values(
            &admin,
            &[
                v("C17", "2025-01", 100),
                v("C19", "2025-01", 250),
                v("C11", "2025-01", 7),
                v("C11", "2025-01", 9),
            ],
        )
        .await
        .unwrap();
    assert_eq!((s.created, s.updated, s.unchanged), (1, 2, 1));
    let num = |unit: &'static str| {
        let store = &store;
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT num_value FROM data_values WHERE unit_code = $1 AND indicator_code = 'revenue' AND period = '2025-01'",
            )
            .bind(unit)
            .fetch_one(store.pool())
            .await
            .unwrap()
        }
    };
    assert_eq!(
        (num("C17").await, num("C19").await, num("C11").await),
        (100, 250, 9)
    );

    // The log: two creates, then the update of C19 (200 → 250), C11's create and its update.
    let log: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT entity_key, action, old_value, new_value FROM change_log WHERE entity = 'value' ORDER BY id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let keys: Vec<(&str, &str)> = log.iter().map(|r| (r.0.as_str(), r.1.as_str())).collect();
    assert_eq!(
        keys,
        [
            ("C17/revenue/2025-01", "create"),
            ("C19/revenue/2025-01", "create"),
            ("C19/revenue/2025-01", "update"),
            ("C11/revenue/2025-01", "create"),
            ("C11/revenue/2025-01", "update"),
        ]
    );
    assert_eq!(log[2].2.as_deref(), Some(r#"{"num":200,"text":null}"#));
    assert_eq!(log[2].3.as_deref(), Some(r#"{"num":250,"text":null}"#));
    assert_eq!(log[4].2.as_deref(), Some(r#"{"num":7,"text":null}"#));
}
