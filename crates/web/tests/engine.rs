//! The web suite runs on the engine it was asked for: PostgreSQL when CLUSTERDESK_TEST_PG is
//! set, SQLite otherwise.

mod common;

use clusterdesk_store::testsupport::intended_engine;

#[tokio::test]
async fn the_server_is_on_the_intended_engine() {
    let app = common::spawn_app().await;
    assert_eq!(app.store.engine(), intended_engine());
    let r = reqwest::get(app.url("/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);
}
