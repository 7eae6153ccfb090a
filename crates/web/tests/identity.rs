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

// --- Sign-in lockout (8.1.4.1 b): in the database, per (user name, address) ------------------

use clusterdesk_domain::Clock;
use clusterdesk_store::Actor;
use common::{TestApp, serve_on, spawn_app_at};
use std::sync::Arc;

/// A server whose clock stands still, behind a "proxy" (the test) that says which address
/// each request comes from, so that one test can sign in from several addresses.
async fn app_behind_proxy() -> (TestApp, Clock) {
    let clock = Clock::fixed(clusterdesk_domain::clock::parse_instant("2026-12-02T10:00:00+08:00").unwrap());
    let app = spawn_app_at(clock.clone(), trust_loopback)
        .await
        .with_cast()
        .await;
    (app, clock)
}

fn trust_loopback(st: &mut clusterdesk_web::AppState) {
    let mut limiter = (*st.login_limiter).clone();
    limiter.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    st.login_limiter = Arc::new(limiter);
}

async fn login_from(app: &TestApp, from: &str, username: &str, password: &str) -> (u16, String) {
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .header("x-forwarded-for", from)
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn five_failures_lock_one_address_for_15_minutes_and_the_lock_survives_a_restart() {
    let (app, clock) = app_behind_proxy().await;
    for i in 1..=5 {
        let (s, _) = login_from(&app, "10.0.0.1", "botou", "Wrong-Guess-2026!").await;
        assert_eq!(s, 401, "guess {i} is a plain failure");
    }
    // The sixth try is refused before the password is checked, even the right one.
    let (s, body) = login_from(&app, "10.0.0.1", "botou", PASSWORD).await;
    assert_eq!(s, 429, "{body}");
    assert!(body.contains("请15分钟后再试"), "{body}");
    // The real user at another address is not locked out by the guesser.
    assert_eq!(login_from(&app, "10.0.0.2", "botou", PASSWORD).await.0, 200);

    // A new server on the same database: the lock is still there.
    let again = serve_on(&app.db_url, clock.clone(), trust_loopback).await;
    assert_eq!(login_from(&again, "10.0.0.1", "botou", PASSWORD).await.0, 429);
    // The page says it too, in Chinese.
    let page = again
        .anonymous()
        .post(again.url("/login"))
        .header("x-forwarded-for", "10.0.0.1")
        .form(&[("username", "botou"), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("登录失败次数过多"), "{page}");

    // 14 minutes 59 seconds after the fifth failure it still holds; at 15 minutes it is gone.
    clock.advance(chrono::Duration::seconds(14 * 60 + 59));
    assert_eq!(login_from(&again, "10.0.0.1", "botou", PASSWORD).await.0, 429);
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(login_from(&again, "10.0.0.1", "botou", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn an_address_guessing_many_names_is_locked_and_the_security_administrator_unlocks() {
    let (app, _clock) = app_behind_proxy().await;
    for i in 0..20 {
        let (s, _) = login_from(&app, "10.0.0.3", &format!("guess{i}"), "Wrong-Guess-2026!").await;
        assert_eq!(s, 401);
    }
    // The 21st try from that address is refused, whatever the name; elsewhere all is well.
    assert_eq!(login_from(&app, "10.0.0.3", "renqiu", PASSWORD).await.0, 429);
    assert_eq!(login_from(&app, "10.0.0.4", "renqiu", PASSWORD).await.0, 200);

    // A locked pair is lifted by the unlock (the CLI's `user unlock`, the administrator's page).
    for _ in 0..5 {
        login_from(&app, "10.0.0.5", "admin", "Wrong-Guess-2026!").await;
    }
    assert_eq!(login_from(&app, "10.0.0.5", "admin", PASSWORD).await.0, 429);
    let n = app
        .store
        .unlock_user(&Actor::system("test"), "admin")
        .await
        .unwrap();
    assert_eq!(n, 1, "one address had failed on admin");
    assert_eq!(login_from(&app, "10.0.0.5", "admin", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn an_overlong_user_name_is_a_plain_failure_and_not_kept() {
    let (app, _clock) = app_behind_proxy().await;
    let long = "名".repeat(65);
    for _ in 0..6 {
        assert_eq!(login_from(&app, "10.0.0.6", &long, "x").await.0, 401);
    }
    // Nothing was counted for that address: a real user signs in from it.
    assert_eq!(login_from(&app, "10.0.0.6", "botou", PASSWORD).await.0, 200);
    assert_eq!(
        app.store
            .unlock_user(&Actor::system("test"), &long)
            .await
            .unwrap(),
        0
    );
}
