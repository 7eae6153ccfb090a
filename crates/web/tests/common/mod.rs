//! `spawn_app`: the real server on port 0 over a fresh database (see `testsupport::fresh_db`).

#![allow(dead_code)]

pub mod crawl;
pub mod incentives;
pub mod reporting;

use clusterdesk_domain::Role;
use clusterdesk_plan::Plan;
use clusterdesk_store::accounts::NewUser;
use clusterdesk_store::{Actor, Store};
use reqwest::Client;
use serde_json::Value;
use std::sync::Arc;

pub const PASSWORD: &str = "Test-Password-2026!";

pub use clusterdesk_store::testsupport::{TempDir, fresh_db};

pub struct TestApp {
    pub addr: String,
    pub store: Store,
    /// The database, so that a second server can be started on it (`restart`).
    pub db_url: String,
    /// Over the built-in TLS (`spawn_tls_app`): the self-signed certificate clients trust.
    pub tls_root: Option<reqwest::Certificate>,
    _dir: Option<TempDir>,
}

impl TestApp {
    /// The database as its owner, for what the application's role may not do (on SQLite,
    /// the same file).
    pub fn owner_url(&self) -> String {
        self._dir
            .as_ref()
            .and_then(TempDir::owner_url)
            .unwrap_or_else(|| self.db_url.clone())
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// `spawn_app` with the server's state changed first (a smaller upload limit, say).
pub async fn spawn_app_with(configure: impl FnOnce(&mut clusterdesk_web::AppState)) -> TestApp {
    spawn_app_at(clusterdesk_store::testsupport::test_clock(), configure).await
}

/// `spawn_app_with` on a clock of the test's own (one that stands still, say).
pub async fn spawn_app_at(
    clock: clusterdesk_domain::Clock,
    configure: impl FnOnce(&mut clusterdesk_web::AppState),
) -> TestApp {
    let (url, dir) = fresh_db().await;
    let mut app = serve_on(&url, clock, configure).await;
    app._dir = dir;
    app
}

/// A server over an existing database with the given clock: a restart, when it is another's.
pub async fn serve_on(
    url: &str,
    clock: clusterdesk_domain::Clock,
    configure: impl FnOnce(&mut clusterdesk_web::AppState),
) -> TestApp {
    let plan = Arc::new(Plan::embedded().expect("embedded plan loads"));
    let store = Store::open_with_clock(url, plan, clock)
        .await
        .expect("store opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let mut state = clusterdesk_web::AppState::new(store.clone(), Some("setup-token-1".into()));
    configure(&mut state);
    tokio::spawn(clusterdesk_web::serve(listener, state));
    TestApp {
        addr,
        store,
        db_url: url.to_string(),
        tls_root: None,
        _dir: None,
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, written as `cert.pem` and
/// `key.pem` (PKCS#8) into a new folder, removed with the guard.
pub fn self_signed() -> (std::path::PathBuf, std::path::PathBuf, TempDir) {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdtls"));
    std::fs::create_dir_all(&dir).unwrap();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("a self-signed certificate");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    (cert, key, TempDir::folder(dir))
}

/// `spawn_app` over the built-in TLS with a self-signed certificate: `addr` is https://…,
/// and the app's clients trust that certificate.
pub async fn spawn_tls_app() -> (TestApp, TempDir) {
    let (cert, key, certs) = self_signed();
    let config = clusterdesk_web::tls::load(&cert, &key).expect("the certificate loads");
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().expect("embedded plan loads"));
    let store = Store::open_with_clock(&url, plan, clusterdesk_store::testsupport::test_clock())
        .await
        .expect("store opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("https://{}", listener.local_addr().unwrap());
    let state = clusterdesk_web::AppState::new(store.clone(), Some("setup-token-1".into()));
    tokio::spawn(clusterdesk_web::tls::serve(listener, config, state));
    let root = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let app = TestApp {
        addr,
        store,
        db_url: url,
        tls_root: Some(root),
        _dir: dir,
    };
    (app, certs)
}

impl TestApp {
    pub async fn add_user(&self, username: &str, role: Role, org: &str) {
        self.store
            .create_user(
                &Actor::system("test"),
                NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    password: PASSWORD.into(),
                    role,
                    org_code: org.into(),
                    temporary: false,
                },
            )
            .await
            .expect("user created");
        if role.needs_second_factor() {
            self.store
                .enrol_totp(&Actor::system("test"), username, None)
                .await
                .expect("second factor set");
        }
    }

    /// The next TOTP code of an account that has a secret, as its holder's phone shows it at
    /// the server's time: a step not yet used (one is good once), waiting for the next step
    /// when the window's three are spent. None for an account without one.
    pub async fn totp_code(&self, username: &str) -> Option<String> {
        use clusterdesk_domain::totp;
        let (secret, last): (String, i64) =
            sqlx::query_as("SELECT totp_secret, totp_last_step FROM users WHERE username = $1")
                .bind(username)
                .fetch_optional(self.store.pool())
                .await
                .unwrap()?;
        if secret.is_empty() {
            return None;
        }
        let key = totp::base32_decode(&secret).unwrap();
        loop {
            let now = totp::step_of(self.store.clock().now().timestamp());
            let step = (now - totp::WINDOW).max(last + 1);
            if step <= now + totp::WINDOW {
                return Some(totp::code_text(&key, step));
            }
            assert!(
                !self.store.clock().is_fixed(),
                "{username}: the three codes around a clock that stands still are spent"
            );
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    }

    /// A client signed in as `username`, with its cookie jar, sending the session's CSRF
    /// token in `X-CSRF-Token` as a program does (the API refuses changes without it).
    pub async fn client_for(&self, username: &str) -> reqwest::Client {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let c = self
            .builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = c
            .post(format!("{}/api/v1/login", self.addr))
            .json(&serde_json::json!({
                "username": username,
                "password": PASSWORD,
                "totp": self.totp_code(username).await,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login as {username}");
        let body: serde_json::Value = r.json().await.unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-csrf-token",
            body["csrf_token"].as_str().unwrap().parse().unwrap(),
        );
        self.builder()
            .cookie_provider(jar)
            .default_headers(headers)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A client builder that trusts the app's certificate when it serves TLS.
    pub fn builder(&self) -> reqwest::ClientBuilder {
        let b = reqwest::Client::builder();
        match &self.tls_root {
            Some(root) => b.add_root_certificate(root.clone()),
            None => b,
        }
    }

    pub fn anonymous(&self) -> reqwest::Client {
        self.builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    /// The usual cast: the bureau, a 泊头市 operator, a 任丘市 operator.
    pub async fn with_cast(self) -> Self {
        self.add_user("admin", Role::CityAdmin, "130900").await;
        self.add_user("botou", Role::CountyOperator, "130981").await;
        self.add_user("renqiu", Role::CountyOperator, "130982").await;
        self
    }
}

/// Requests as a signed-in client (`client_for`) or an anonymous one: the path, what is sent,
/// and back the status with the body (text for pages, JSON for the API).
impl TestApp {
    /// GET `path`: the status and the page.
    pub async fn get_as(&self, c: &Client, path: &str) -> (u16, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// GET `path`: the page, whatever the status.
    pub async fn page_as(&self, c: &Client, path: &str) -> String {
        self.get_as(c, path).await.1
    }

    /// The CSRF token of the form on the page at `path`.
    pub async fn csrf_as(&self, c: &Client, path: &str) -> String {
        csrf_of(&self.page_as(c, path).await)
    }

    /// GET `path`: the status and the JSON body (null when there is none).
    pub async fn json_as(&self, c: &Client, path: &str) -> (u16, Value) {
        json_reply(path, c.get(self.url(path)).send().await.unwrap()).await
    }

    /// POST `body` as JSON to `path`: the status and the JSON answer (null when there is none).
    pub async fn post_json_as(&self, c: &Client, path: &str, body: &Value) -> (u16, Value) {
        let r = c.post(self.url(path)).json(body).send().await.unwrap();
        json_reply(path, r).await
    }

    /// PUT `body` as JSON to `path`: the status and the JSON answer (null when there is none).
    pub async fn put_json_as(&self, c: &Client, path: &str, body: &Value) -> (u16, Value) {
        let r = c.put(self.url(path)).json(body).send().await.unwrap();
        json_reply(path, r).await
    }

    /// POST nothing to `path` (an action the path names): the status and the JSON answer.
    pub async fn post_as(&self, c: &Client, path: &str) -> (u16, Value) {
        json_reply(path, c.post(self.url(path)).send().await.unwrap()).await
    }

    /// POST `fields` as a form to `path`, as they are (a CSRF field only if among them): the
    /// status and the page.
    pub async fn form_as(&self, c: &Client, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let r = c.post(self.url(path)).form(fields).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Post a page form as the browser does: the CSRF field from the page `from` it sits on,
    /// then `fields`, to `to`. The status and the page.
    pub async fn post_form_as(
        &self,
        c: &Client,
        from: &str,
        to: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String) {
        let csrf = self.csrf_as(c, from).await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.form_as(c, to, &form).await
    }
}

/// The status and the JSON body of `r`: null for an empty body where none need come (any
/// status but 200); a body that is not JSON fails the test, with the path and what came.
async fn json_reply(path: &str, r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    if text.is_empty() && status != 200 {
        return (status, Value::Null);
    }
    let v =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {status}, not JSON ({e}): {text}"));
    (status, v)
}

/// The session's CSRF token, from the hidden field every page form carries.
pub fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[i..i + html[i..].find('"').expect("closing quote")].to_string()
}
