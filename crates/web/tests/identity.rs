//! Identity (等保 8.1.4.1): the password rules over the real server, on the API and the page.

use crate::common;

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
        let (s, body) = app
            .post_json_as(
                &c,
                "/api/v1/account/password",
                &serde_json::json!({"current": PASSWORD, "new": new}),
            )
            .await;
        assert_eq!(s, 422, "{new}");
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(msg.contains(says), "{new}: {msg}");
    }
    // A good one is taken, and the old one no longer signs in.
    assert_eq!(
        app.post_json_as(
            &c,
            "/api/v1/account/password",
            &serde_json::json!({"current": PASSWORD, "new": "Xk7#mQ2p9Lw"})
        )
        .await
        .0,
        204
    );
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
    let html = app.page_as(&c, "/account/password").await;
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
        .json(&serde_json::json!({
            "username": username,
            "password": password,
            "totp": app.totp_code(username).await,
        }))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

/// A sign-in with a given second factor (None: without one), from loopback.
async fn login_with(app: &TestApp, username: &str, code: Option<&str>) -> (u16, Value) {
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": username, "password": PASSWORD, "totp": code}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap())
}

/// RFC 6238 appendix B's secret and times, through HTTP: at T = 1111111111 (step 37037037) the
/// code is 050471, and at the step before (T = 1111111109) 081804. Each is accepted once; a
/// recovery code once; five wrong codes lock the pair like five wrong passwords.
#[tokio::test]
async fn the_bureau_signs_in_with_a_code_each_good_once() {
    let at = chrono::DateTime::from_timestamp(1111111111, 0).unwrap();
    let app = spawn_app_at(Clock::fixed(at), |_| {}).await;
    app.add_user("chief", Role::CityAdmin, "130900").await;
    app.add_user("botou", Role::CountyOperator, "130981").await;
    let e = app
        .store
        .enrol_totp(&Actor::system("test"), "chief", Some(b"12345678901234567890"))
        .await
        .unwrap();
    assert_eq!(e.secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    assert_eq!(e.recovery_codes.len(), 10);

    let (s, v) = login_with(&app, "chief", None).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (401, Some("second_factor_required")),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("动态口令"));
    // The previous step's code (a phone 30 s behind), then the current one; neither twice.
    assert_eq!(login_with(&app, "chief", Some("081804")).await.0, 200);
    let (s, v) = login_with(&app, "chief", Some("081804")).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (401, Some("second_factor_wrong")),
        "{v}"
    );
    assert_eq!(login_with(&app, "chief", Some("050471")).await.0, 200);
    assert_eq!(login_with(&app, "chief", Some("050471")).await.0, 401);
    // A recovery code, typed as people do, once.
    let code = e.recovery_codes[3].to_uppercase().replace('-', " ");
    assert_eq!(login_with(&app, "chief", Some(&code)).await.0, 200);
    assert_eq!(login_with(&app, "chief", Some(&code)).await.0, 401);
    assert_eq!(app.store.recovery_codes_left("chief").await.unwrap(), 9);
    // A sign-in clears its pair's failures: one wrong code since. Four more make five, and the
    // pair is locked, right code or not: six digits cannot be guessed faster than passwords.
    let next = clusterdesk_domain::totp::code_text(b"12345678901234567890", 37037038);
    for wrong in ["000000", "999999", "111111", "222222"] {
        assert_ne!(wrong, next);
        assert_eq!(login_with(&app, "chief", Some(wrong)).await.0, 401);
    }
    assert_eq!(login_with(&app, "chief", Some(&next)).await.0, 429);

    // A county operator signs in with the password alone, until it takes a second factor too.
    assert_eq!(login_with(&app, "botou", None).await.0, 200);
    app.store
        .enrol_totp(&Actor::system("test"), "botou", Some(b"12345678901234567890"))
        .await
        .unwrap();
    assert_eq!(login_with(&app, "botou", None).await.0, 401);
    assert_eq!(login_with(&app, "botou", Some("050471")).await.0, 200);
}

/// An account of a role that must have a second factor and has none is refused with what to do,
/// never let in on the password alone.
#[tokio::test]
async fn an_administrator_without_a_second_factor_is_refused() {
    let app = spawn_app().await;
    app.store
        .create_user(
            &Actor::system("test"),
            clusterdesk_store::accounts::NewUser {
                username: "audit2".into(),
                display_name: "审计员".into(),
                password: PASSWORD.into(),
                role: Role::Auditor,
                org_code: "130900".into(),
                temporary: false,
            },
        )
        .await
        .unwrap();
    let (s, v) = login_with(&app, "audit2", Some("123456")).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (401, Some("second_factor_not_enrolled")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("clusterdesk user totp")
    );
    app.store
        .enrol_totp(&Actor::system("test"), "audit2", None)
        .await
        .unwrap();
    let code = app.totp_code("audit2").await;
    assert_eq!(login_with(&app, "audit2", code.as_deref()).await.0, 200);
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
    let browser = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let form = browser
        .get(again.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = form.find("name=\"token\" value=\"").unwrap() + 20;
    let token = form[at..].split('"').next().unwrap().to_string();
    let page = browser
        .post(again.url("/login"))
        .header("x-forwarded-for", "10.0.0.1")
        .form(&[
            ("username", "botou"),
            ("password", PASSWORD),
            ("next", "/"),
            ("token", &token),
        ])
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

// --- Sessions (8.1.4.1 b, d): idle and absolute timeouts, revocation, the user's own list ---

/// A signed-in client at a clock that stands still, so that a test can move time.
async fn app_at_fixed_clock() -> (TestApp, Clock) {
    let clock = Clock::fixed(clusterdesk_domain::clock::parse_instant("2026-12-02T10:00:00+08:00").unwrap());
    let app = spawn_app_at(clock.clone(), |_| {}).await.with_cast().await;
    (app, clock)
}

async fn me_status(app: &TestApp, c: &reqwest::Client) -> u16 {
    app.get_as(c, "/api/v1/me").await.0
}

#[tokio::test]
async fn a_session_ends_after_30_idle_minutes_and_12_hours_in_all() {
    let (app, clock) = app_at_fixed_clock().await;
    let c = app.client_for("botou").await;
    // 29 minutes apart, twice: each request keeps the session open.
    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(me_status(&app, &c).await, 200);
    clock.advance(chrono::Duration::minutes(29));
    assert_eq!(me_status(&app, &c).await, 200);
    // 30 minutes without a request: signed out, and a page sends the browser to the login.
    clock.advance(chrono::Duration::minutes(30));
    assert_eq!(me_status(&app, &c).await, 401);
    let r = c.get(app.url("/progress")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));

    // However busy, 12 hours after signing in the session is over.
    let c = app.client_for("botou").await;
    for step in 1..=35 {
        clock.advance(chrono::Duration::minutes(20));
        assert_eq!(me_status(&app, &c).await, 200, "after {} minutes", step * 20);
    }
    clock.advance(chrono::Duration::minutes(20)); // 12 h exactly
    assert_eq!(me_status(&app, &c).await, 401);
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_disabling_ends_all() {
    let (app, _clock) = app_at_fixed_clock().await;
    let a = app.client_for("botou").await;
    let b = app.client_for("botou").await;
    assert_eq!(
        app.post_json_as(
            &a,
            "/api/v1/account/password",
            &serde_json::json!({"current": PASSWORD, "new": "Another-Secret-2026"})
        )
        .await
        .0,
        204
    );
    assert_eq!(
        me_status(&app, &a).await,
        200,
        "the session that changed it stays"
    );
    assert_eq!(me_status(&app, &b).await, 401, "every other one has ended");

    let renqiu = app.client_for("renqiu").await;
    app.store
        .set_user_disabled(&Actor::system("test"), "renqiu", true)
        .await
        .unwrap();
    assert_eq!(me_status(&app, &renqiu).await, 401);
    let (s, _) = login_from(&app, "", "renqiu", PASSWORD).await;
    assert_eq!(s, 401, "a disabled account cannot sign in");
    app.store
        .set_user_disabled(&Actor::system("test"), "renqiu", false)
        .await
        .unwrap();
    assert_eq!(login_from(&app, "", "renqiu", PASSWORD).await.0, 200);
}

#[tokio::test]
async fn a_user_lists_their_own_sessions_and_ends_one() {
    let (app, _clock) = app_at_fixed_clock().await;
    let office = app.client_for("botou").await;
    let laptop = app.client_for("botou").await;
    let other = app.client_for("renqiu").await;
    let (_, list) = app.json_as(&office, "/api/v1/account/sessions").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(list[0]["address"], "127.0.0.1");
    let laptop_id = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Another user cannot end it, nor learn that it exists.
    let r = other
        .delete(app.url(&format!("/api/v1/account/sessions/{laptop_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(me_status(&app, &laptop).await, 200);
    let r = office
        .delete(app.url(&format!("/api/v1/account/sessions/{laptop_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(me_status(&app, &laptop).await, 401);
    assert_eq!(me_status(&app, &office).await, 200);

    // The page shows the list in Beijing time and ends a session with its form.
    let page = app.page_as(&office, "/account/sessions").await;
    assert!(page.contains("2026年12月2日 10:00"), "{page}");
    assert!(page.contains("本次登录"));
    assert!(page.contains("30分钟无操作"));
    let csrf = csrf_of(&page);
    let mine = list.iter().find(|s| s["current"] == true).unwrap()["id"]
        .as_str()
        .unwrap();
    let r = office
        .post(app.url("/account/sessions/end"))
        .form(&[("csrf", csrf.as_str()), ("id", mine)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(
        me_status(&app, &office).await,
        401,
        "ending one's own session signs out"
    );
}

#[tokio::test]
async fn none_of_the_last_five_passwords_may_be_used_again() {
    let (app, clock) = app_at_fixed_clock().await;
    let c = app.client_for("botou").await;
    let change = |from: String, to: String| {
        let c = c.clone();
        let url = app.url("/api/v1/account/password");
        async move {
            let r = c
                .post(url)
                .json(&serde_json::json!({"current": from, "new": to}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };
    let p = |i: u32| format!("Rotation-Secret-{i}x");
    // PASSWORD -> p1 -> p2 -> p3 -> p4: PASSWORD is now one of the last five.
    let mut current = PASSWORD.to_string();
    for i in 1..=4 {
        clock.advance(chrono::Duration::minutes(1));
        assert_eq!(change(current.clone(), p(i)).await.0, 204, "to p{i}");
        current = p(i);
    }
    let (s, body) = change(current.clone(), PASSWORD.into()).await;
    assert_eq!(s, 422, "{body}");
    assert!(body.contains("最近5次"), "{body}");
    let (s, _) = change(current.clone(), p(2)).await;
    assert_eq!(s, 422, "p2 is also among the last five");
    // One more change and PASSWORD drops out of the last five (p1..p5).
    clock.advance(chrono::Duration::minutes(1));
    assert_eq!(change(current.clone(), p(5)).await.0, 204);
    clock.advance(chrono::Duration::minutes(1));
    assert_eq!(change(p(5), PASSWORD.into()).await.0, 204);
}

#[tokio::test]
async fn a_password_older_than_90_days_must_be_changed_at_sign_in() {
    let (app, clock) = app_at_fixed_clock().await;
    clock.advance(chrono::Duration::days(89));
    let c = app.client_for("botou").await;
    assert_eq!(app.get_as(&c, "/api/v1/clusters").await.0, 200);
    clock.advance(chrono::Duration::days(1));
    let c = app.client_for("botou").await;
    let r = c.get(app.url("/api/v1/clusters")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("password_change_required"));
    let r = c.get(app.url("/progress")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/account/password");
}

// --- The audit trail as the auditor reads it (8.1.4.3) --------------------------------------

#[tokio::test]
async fn the_auditor_reads_and_downloads_the_trail_and_nobody_else_sees_it() {
    let (app, _clock) = app_behind_proxy().await;
    app.add_user("shenji", clusterdesk_domain::Role::Auditor, "130900")
        .await;
    login_from(&app, "10.0.0.9", "botou", "Wrong-Guess-2026!").await;
    login_from(&app, "10.0.0.9", "botou", PASSWORD).await;
    let aud = app.client_for("shenji").await;
    // Home leads the auditor to the trail.
    let r = aud.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/audit");
    let page = app.page_as(&aud, "/audit").await;
    assert!(page.contains("链完整"), "{page}");
    assert!(page.contains("登录失败") && page.contains("10.0.0.9"), "{page}");
    assert!(page.contains("新建账户"), "{page}");
    assert!(page.contains("2026年12月2日 10:00"), "Beijing time: {page}");
    // Filtered to one action.
    let page = app.page_as(&aud, "/audit?action=login_failed").await;
    assert!(
        page.contains("登录失败") && !page.contains("<td>新建账户</td>"),
        "{page}"
    );
    // The download is itself recorded.
    let csv = app.page_as(&aud, "/audit?format=csv").await;
    assert!(csv.starts_with("\u{feff}序号,时间,操作人,事件"), "{csv}");
    let exports = app.store.audit_recent(None, Some("export"), 10).await.unwrap();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].actor, "shenji");
    // The bureau and a county see a refusal, not the trail.
    for who in ["admin", "botou"] {
        let c = app.client_for(who).await;
        let r = c.get(app.url("/audit")).send().await.unwrap();
        assert_eq!(r.status(), 403, "{who}");
        assert!(!r.text().await.unwrap().contains("10.0.0.9"), "{who}");
    }
}
