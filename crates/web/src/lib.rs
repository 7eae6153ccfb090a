//! The web server: JSON API under /api/v1, server-rendered Chinese pages, sessions, CSRF.

pub mod api;
pub mod auth;
pub mod charts;
pub mod error;
pub mod limiter;
pub mod observe;
pub mod ui;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use clusterdesk_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub login_limiter: Arc<limiter::LoginLimiter>,
    /// While no user exists, the one-time token that /setup asks for (printed on the console).
    pub setup_token: Arc<std::sync::Mutex<Option<String>>>,
    /// The plan's incentive policies, loaded once from the store's plan.
    pub policies: Arc<clusterdesk_policy::PolicySet>,
}

impl AppState {
    pub fn new(store: Store, setup_token: Option<String>) -> Self {
        let files: Vec<(String, String)> = store
            .plan()
            .extra_files
            .iter()
            .filter(|f| f.path.starts_with("policies/"))
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect();
        // A plan's policies were checked when the plan was loaded; a plan whose policies do
        // not load serves without incentives rather than not at all.
        let policies = clusterdesk_policy::PolicySet::load(&files).unwrap_or_else(|e| {
            tracing::error!(error = %e, "policies failed to load");
            clusterdesk_policy::PolicySet::default()
        });
        AppState {
            policies: Arc::new(policies),
            store,
            login_limiter: Arc::new(limiter::LoginLimiter::default()),
            setup_token: Arc::new(std::sync::Mutex::new(setup_token)),
        }
    }
}

async fn healthz() -> &'static str {
    "ok"
}

pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .route("/healthz", get(healthz))
        .nest("/api/v1", api::router())
        .merge(ui::router())
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(64 * 1024 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));
    // The request span and its id, outside everything else so that every response has both.
    observe::layers(app)
}

/// Serve until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state)).await
}
