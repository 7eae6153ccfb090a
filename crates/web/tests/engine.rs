//! The web suite runs on the engine it was asked for: PostgreSQL when CLUSTERDESK_TEST_PG is
//! set, SQLite otherwise.

use crate::common;

use clusterdesk_store::testsupport::intended_engine;

#[tokio::test]
async fn the_server_is_on_the_intended_engine() {
    let app = common::spawn_app().await;
    assert_eq!(app.store.engine(), intended_engine());
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
}

/// A failure of the engine itself (here: a table gone from under the server; on SQLite the
/// progress reads go through its C API) reaches people as a Chinese message with the request's
/// id to quote, on pages and in the API alike, and never as the database's own text.
#[tokio::test]
async fn an_engine_failure_is_shown_with_a_reference_never_as_database_text() {
    let app = common::spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    // As the tables' owner: the application's own role may not drop them.
    let owner = sqlx::AnyPool::connect(&clusterdesk_store::database_url(&app.owner_url()).0)
        .await
        .unwrap();
    sqlx::query("DROP TABLE data_values")
        .execute(&owner)
        .await
        .unwrap();
    owner.close().await;
    for path in ["/api/v1/progress", "/progress"] {
        let r = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 500, "{path}");
        let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
        let body = r.text().await.unwrap();
        assert!(
            body.contains(&format!("参考编号 {id}")),
            "{path}: the message quotes the request id {id}: {body}"
        );
        for raw in ["data_values", "no such table", "relation", "sqlite", "SQL"] {
            assert!(!body.contains(raw), "{path} shows database text {raw:?}: {body}");
        }
    }
}
