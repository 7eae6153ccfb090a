//! The edges of the server as an attacker meets them (issue 13, item 5): requests forged from
//! another site, the CSRF header of programs, the login form's token, `next`, caching, the
//! CSP, HTTPS behind a proxy and spreadsheet formulas in downloads.

use crate::common;

use clusterdesk_domain::{IndustryCode, Uscc};
use clusterdesk_store::Actor;
use clusterdesk_store::registry::EnterpriseInput;
use common::{PASSWORD, csrf_of, spawn_app, spawn_app_with};
use std::sync::Arc;

/// A client with a cookie jar, not signed in, that does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn token_of(html: &str) -> String {
    let at = html
        .find("name=\"token\" value=\"")
        .expect("the form has a token")
        + 20;
    html[at..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_request_another_site_makes_a_browser_send_is_refused() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("botou").await;
    // The issue's probe: text/plain with the cookie and the CSRF header it cannot know is
    // refused already for the Origin; the header alone would not save it.
    for (origin, site) in [
        ("http://evil.example", None),
        ("", Some("cross-site")),
        ("", Some("same-site")),
    ] {
        let mut r = c
            .post(app.url("/api/v1/account/password"))
            .header("content-type", "text/plain")
            .body(r#"{"current":"x","new":"y"}"#);
        if !origin.is_empty() {
            r = r.header("origin", origin);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 403, "{origin} {site:?}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "cross_site");
    }
    // A page form from elsewhere gets a Chinese page, not the action.
    let page = app.page_as(&c, "/account/password").await;
    let csrf = csrf_of(&page);
    let r = c
        .post(app.url("/logout"))
        .header("origin", "http://evil.example")
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("请求来自其他网站"));
    assert_eq!(app.get_as(&c, "/api/v1/me").await.0, 200, "still signed in");
    // The same form from this site works.
    let host = app.addr.trim_start_matches("http://").to_string();
    let r = c
        .post(app.url("/logout"))
        .header("origin", format!("http://{host}"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.get_as(&c, "/api/v1/me").await.0, 401);
}

#[tokio::test]
async fn a_program_changing_things_with_a_cookie_sends_the_csrf_header() {
    let app = spawn_app().await.with_cast().await;
    let bare = browser();
    let r = bare
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "botou", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let token = r.json::<serde_json::Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_string();
    // Reading needs no header; changing does.
    assert_eq!(app.get_as(&bare, "/api/v1/me").await.0, 200);
    let change = serde_json::json!({"current": PASSWORD, "new": "Another-Secret-2026"});
    let (s, body) = app.post_json_as(&bare, "/api/v1/account/password", &change).await;
    assert_eq!(s, 403);
    assert_eq!(body["error"]["code"], "csrf_token_required");
    let r = bare
        .post(app.url("/api/v1/account/password"))
        .header("x-csrf-token", "wrong")
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = bare
        .post(app.url("/api/v1/account/password"))
        .header("x-csrf-token", &token)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn the_login_form_needs_its_own_token_and_next_stays_on_the_site() {
    let app = spawn_app().await.with_cast().await;
    // Without the form's token (a form posted from elsewhere): refused, with a fresh form.
    let b = browser();
    let r = b
        .post(app.url("/login"))
        .form(&[
            ("username", "botou"),
            ("password", PASSWORD),
            ("next", "/"),
            ("token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("登录页面已过期"));

    // next: only a local path. Each is (what the query says, where the login then goes).
    for (next, to) in [
        ("/progress", "/progress"),
        ("/%09/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example", "/"),
        ("/reporting%0A%0DSet-Cookie:x=1", "/"),
        ("/clusters/C01?year=2025", "/clusters/C01?year=2025"),
    ] {
        let b = browser();
        let page = app.page_as(&b, &format!("/login?next={next}")).await;
        let decoded = page
            .split("name=\"next\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .replace("&#x3f;", "?")
            .replace("&#x3d;", "=")
            .replace("&#61;", "=")
            .replace("&#63;", "?");
        let r = b
            .post(app.url("/login"))
            .form(&[
                ("username", "botou"),
                ("password", PASSWORD),
                ("next", decoded.as_str()),
                ("token", token_of(&page).as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next}");
        assert_eq!(r.headers()["location"], to, "{next}");
    }
    // A `next` posted with a line break (not through the form) gives no 500 either.
    let b = browser();
    let page = app.page_as(&b, "/login").await;
    let r = b
        .post(app.url("/login"))
        .form(&[
            ("username", "botou"),
            ("password", PASSWORD),
            ("next", "/a\nb"),
            ("token", token_of(&page).as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn authenticated_answers_are_not_cached_and_the_csp_limits_forms() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;
    for path in [
        "/progress",
        "/api/v1/clusters",
        "/enterprises?format=csv",
        "/login",
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("form-action 'self'") && csp.contains("base-uri 'none'"),
            "{csp}"
        );
    }
    let r = c.get(app.url("/static/app.css")).send().await.unwrap();
    assert!(r.headers().get("cache-control").is_none_or(|v| v != "no-store"));
    assert!(
        r.headers().get("strict-transport-security").is_none(),
        "plain HTTP: no HSTS"
    );
}

#[tokio::test]
async fn behind_a_trusted_https_proxy_cookies_are_secure_and_hsts_is_sent() {
    let app = spawn_app_with(|st| {
        let mut l = (*st.login_limiter).clone();
        l.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        st.login_limiter = Arc::new(l);
    })
    .await
    .with_cast()
    .await;
    let login = |proto: &'static str| {
        let url = app.url("/api/v1/login");
        async move {
            browser()
                .post(url)
                .header("x-forwarded-proto", proto)
                .json(&serde_json::json!({"username": "botou", "password": PASSWORD}))
                .send()
                .await
                .unwrap()
        }
    };
    let r = login("https").await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.ends_with("; Secure"),
        "{cookie}"
    );
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    let r = login("http").await;
    assert!(!r.headers()["set-cookie"].to_str().unwrap().contains("Secure"));
    assert!(r.headers().get("strict-transport-security").is_none());

    // Not trusted: a client claiming HTTPS itself changes nothing.
    let plain = spawn_app().await.with_cast().await;
    let r = browser()
        .post(plain.url("/api/v1/login"))
        .header("x-forwarded-proto", "https")
        .json(&serde_json::json!({"username": "botou", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}

#[tokio::test]
async fn a_formula_in_an_enterprise_name_is_text_in_the_csv_download() {
    let app = spawn_app().await.with_cast().await;
    let first17 = "91130981MA0F1RMUL";
    let c = clusterdesk_domain::uscc::check_char(first17.as_bytes()).unwrap();
    let row = EnterpriseInput {
        uscc: Uscc::parse(&format!("{first17}{c}")).unwrap(),
        name: "=HYPERLINK(\"http://evil.example\",\"点此查看\")".into(),
        county_code: "130981".into(),
        industry: IndustryCode::parse("C3391").unwrap(),
        cluster_code: None,
        cluster_since: None,
        address: "@SUM(1+1)".into(),
        contact: String::new(),
    };
    app.store
        .upsert_enterprises(&Actor::system("test"), &[row], false)
        .await
        .unwrap()
        .unwrap();
    let csv = app
        .client_for("botou")
        .await
        .get(app.url("/enterprises?format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点此查看\"\")\""),
        "{csv}"
    );
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
}

/// A request past the server's time limit is answered 408 in Chinese, JSON under /api (as the
/// document says every refusal is); the layer alone gives an empty body. A zero limit cuts off
/// every request that waits on anything (a sign-in waits on the database). The page answer is
/// tested beside the layer (`lib.rs`), since which page waits is not fixed.
#[tokio::test]
async fn a_request_past_the_time_limit_is_told_so_in_chinese() {
    let app = spawn_app_with(|s| s.request_timeout = std::time::Duration::ZERO)
        .await
        .with_cast()
        .await;
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 408);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["error"]["code"], "timeout");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("请求处理超时"),
        "{b}"
    );
}

/// A JSON body is an object, as the document says: an array carrying the right fields in order
/// (which serde's derive would read as the struct) is refused before any handler sees it.
#[tokio::test]
async fn an_api_body_that_is_no_object_is_refused() {
    let app = spawn_app().await.with_cast().await;
    for body in [
        serde_json::json!(["admin", PASSWORD]),
        serde_json::json!("admin"),
        serde_json::json!(42),
    ] {
        let r = app
            .anonymous()
            .post(app.url("/api/v1/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let b: serde_json::Value = r.json().await.unwrap();
        assert_eq!(b["error"]["code"], "invalid", "{b}");
        assert!(
            b["error"]["message"].as_str().unwrap().contains("JSON 对象"),
            "{b}"
        );
    }
    // An object still signs in.
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "botou", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
