//! `spawn_app`: the real server on port 0 over a fresh database. The database is SQLite in a
//! temporary folder, or a new PostgreSQL database when CLUSTERDESK_TEST_PG names a server.

#![allow(dead_code)]

use clusterdesk_domain::Role;
use clusterdesk_plan::Plan;
use clusterdesk_store::accounts::NewUser;
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

pub const PASSWORD: &str = "Test-Password-2026!";

pub struct TestApp {
    pub addr: String,
    pub store: Store,
    _dir: Option<TempDir>,
}

/// A folder removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

/// A fresh, empty database: its URL and the folder to clean up (SQLite only).
pub async fn fresh_db() -> (String, Option<TempDir>) {
    match std::env::var("CLUSTERDESK_TEST_PG") {
        Ok(admin) if !admin.is_empty() => {
            use sqlx::Executor;
            let name = unique("cdtest").to_lowercase();
            let pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("connect to the test PostgreSQL server");
            pool.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            pool.close().await;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_string())
                .unwrap_or(admin.clone());
            (format!("{base}/{name}"), None)
        }
        _ => {
            let dir = std::env::temp_dir().join(unique("clusterdesk"));
            std::fs::create_dir_all(&dir).unwrap();
            (dir.join("test.db").display().to_string(), Some(TempDir(dir)))
        }
    }
}

pub async fn spawn_app() -> TestApp {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().expect("embedded plan loads"));
    let store = Store::open(&url, plan).await.expect("store opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let state = clusterdesk_web::AppState::new(store.clone(), Some("setup-token-1".into()));
    tokio::spawn(clusterdesk_web::serve(listener, state));
    TestApp {
        addr,
        store,
        _dir: dir,
    }
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
    }

    /// A client signed in as `username`, with its cookie jar.
    pub async fn client_for(&self, username: &str) -> reqwest::Client {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = c
            .post(format!("{}/api/v1/login", self.addr))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login as {username}");
        c
    }

    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::builder()
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
