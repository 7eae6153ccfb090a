//! Identity (等保 8.1.4.1): the password rules over the real server, on the API and the page.

mod common;

use clusterdesk_domain::Role;
use common::{PASSWORD, csrf_of, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn weak_passwords_are_refused_with_the_rule_on_the_api() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("botou").await;
    for (new, says) in [
        ("Password1!", "常见弱口令"),
        ("Qwerty1234", "常见弱口令"),
        ("My-Botou-2026", "不能包含用户名"),
        ("Short1!", "至少10位"),
    ] {
        let r = c
            .post(app.url("/api/v1/account/password"))
            .json(&serde_json::json!({"current": PASSWORD, "new": new}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{new}");
        let body: Value = r.json().await.unwrap();
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{new}: {msg}");
    }
    // A good one is taken, and the old one no longer signs in.
    let r = c
        .post(app.url("/api/v1/account/password"))
        .json(&serde_json::json!({"current": PASSWORD, "new": "Xk7#mQ2p9Lw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "botou", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);
}

#[tokio::test]
async fn the_password_page_says_the_rule() {
    let app = spawn_app().await;
    app.add_user("renqiu", Role::CountyOperator, "130982").await;
    let c = app.client_for("renqiu").await;
    let html = c
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&html);
    let r = c
        .post(app.url("/account/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", PASSWORD),
            ("new", "RenQiu-2026-x"),
            ("confirm", "RenQiu-2026-x"),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("密码不能包含用户名"), "{html}");
}
