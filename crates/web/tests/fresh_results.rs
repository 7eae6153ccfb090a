//! Results reused until the data changes (issue #14, item 2), as users meet them: a value
//! accepted through one server shows in the next request, through that server and through a
//! second server on the same database. Runs on SQLite, and on PostgreSQL when
//! CLUSTERDESK_TEST_PG names a server.

use crate::common;
use common::{serve_on, spawn_app};
use serde_json::{Value, json};

/// 三(二)3 工业巡诊 of the city in 2025 as `client` reads it at `base`.
async fn city_visits(client: &reqwest::Client, base: &str) -> Value {
    let r: Value = client
        .get(format!("{base}/api/v1/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "三(二)3")
        .unwrap()["value"]
        .clone()
}

#[tokio::test]
async fn a_value_written_through_one_server_shows_at_once_through_both() {
    let app = spawn_app().await.with_cast().await;
    let other = serve_on(&app.db_url, clusterdesk_store::testsupport::test_clock(), |_| {}).await;
    let botou = app.client_for("botou").await;
    let admin_here = app.client_for("admin").await;
    let admin_there = other.client_for("admin").await;
    // 工业巡诊 of one cluster of 泊头 in one month, posted at `base`: accepted.
    let post = |client: reqwest::Client, base: String, period: &str, unit: &str, n: &str| {
        let body = json!({"county": "130981", "period": period, "rows": [
            {"unit": unit, "values": {"diagnosis_visits": n}}
        ]});
        async move {
            let r = client
                .post(format!("{base}/api/v1/datasets/cluster_monthly/values"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        }
    };

    // Nothing reported yet (no value, not 0); each server computes once and keeps it.
    assert_eq!(city_visits(&admin_here, &app.addr).await, Value::Null);
    assert_eq!(city_visits(&admin_there, &other.addr).await, Value::Null);
    post(botou, app.addr.clone(), "2025-01", "C19", "40").await;
    // 40 visits in January, through the server that took them and through the other one.
    assert_eq!(city_visits(&admin_here, &app.addr).await, json!(40));
    assert_eq!(city_visits(&admin_there, &other.addr).await, json!(40));

    // A second month, written through the other server this time: 40 + 25.
    let botou_there = other.client_for("botou").await;
    post(botou_there, other.addr.clone(), "2025-02", "C17", "25").await;
    assert_eq!(city_visits(&admin_here, &app.addr).await, json!(65));
    assert_eq!(city_visits(&admin_there, &other.addr).await, json!(65));
}
