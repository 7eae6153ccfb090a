//! The web server: JSON API under /api/v1, server-rendered Chinese pages, sessions, CSRF.

pub mod access;
pub mod api;
pub mod audit_trail;
pub mod auth;
pub mod edges;
pub mod error;
pub mod features;
pub mod limiter;
pub mod observe;
pub mod tls;
pub mod ui;

// The charts live in `clusterdesk-figures`; pages keep calling them as `crate::charts`.
pub use clusterdesk_figures::charts;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
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
    /// The largest request body, in bytes: the one limit of uploads, multipart or not.
    pub upload_limit: usize,
    /// Served by the built-in TLS listener (`tls::serve`): every request came over HTTPS.
    pub tls: bool,
    /// How long a request may take before it is answered 408.
    pub request_timeout: Duration,
}

/// The upload limit by default, in MB.
pub const DEFAULT_UPLOAD_LIMIT_MB: usize = 20;

/// `CLUSTERDESK_UPLOAD_LIMIT_MB` (a whole number of MB), or 20.
pub fn upload_limit_from_env() -> usize {
    let mb = std::env::var("CLUSTERDESK_UPLOAD_LIMIT_MB")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|mb| *mb > 0)
        .unwrap_or(DEFAULT_UPLOAD_LIMIT_MB);
    mb * 1024 * 1024
}

impl AppState {
    pub fn new(store: Store, setup_token: Option<String>) -> Self {
        let files = store.plan().policy_files();
        // A plan's policies were checked when the plan was loaded; a plan whose policies do
        // not load serves without incentives rather than not at all.
        let policies = clusterdesk_policy::PolicySet::load(&files).unwrap_or_else(|e| {
            tracing::error!(error = %e, "policies failed to load");
            clusterdesk_policy::PolicySet::default()
        });
        let rules = clusterdesk_domain::session::SessionRules::from_settings(|k| std::env::var(k).ok());
        AppState {
            policies: Arc::new(policies),
            store: store.with_session_rules(rules),
            login_limiter: Arc::new(limiter::LoginLimiter::from_env()),
            setup_token: Arc::new(std::sync::Mutex::new(setup_token)),
            upload_limit: upload_limit_from_env(),
            tls: false,
            request_timeout: Duration::from_secs(120),
        }
    }
}

/// Under /api/v1 an unknown route answers JSON, as every API error does; elsewhere a bare 404.
async fn not_found(uri: axum::http::Uri) -> Response {
    let p = uri.path();
    if p == "/api/v1" || p.starts_with("/api/v1/") {
        error::WebError::new(StatusCode::NOT_FOUND, "not_found", "接口不存在").into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// A refusal made by a layer rather than a handler, in Chinese: the API's JSON error, or a
/// plain page (the layer answers before any page's layout could be drawn).
fn layer_refusal(
    api: bool,
    status: StatusCode,
    code: &'static str,
    title: &str,
    message: &str,
    hint: &str,
) -> Response {
    if api {
        return error::WebError::new(status, code, message).into_response();
    }
    let page = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>{title}</h1>\
         <p class=\"error-box\" role=\"alert\">{message}</p><p>{hint}\
         <a href=\"javascript:history.back()\">返回</a></p></main></body></html>"
    );
    (status, Html(page)).into_response()
}

/// A request the timeout layer cut off (the layer itself answers with an empty body).
async fn timed_out(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if res.status() != StatusCode::REQUEST_TIMEOUT {
        return res;
    }
    let message = "请求处理超时,请稍后重试;若反复出现,请缩小查询范围或联系系统管理员";
    layer_refusal(
        api,
        StatusCode::REQUEST_TIMEOUT,
        "timeout",
        "请求超时",
        message,
        "",
    )
}

/// Every 413, whether the limit layer refused the declared length or an extractor ran past
/// it while reading.
async fn too_large(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    let message = format!("文件过大:上传文件不得超过 {} MB", limit.div_ceil(1024 * 1024));
    let hint = "请拆分文件后分批上传。";
    layer_refusal(
        api,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "文件过大",
        &message,
        hint,
    )
}

pub fn router(state: AppState) -> Router {
    let limit = state.upload_limit;
    let timeout = state.request_timeout;
    let headers_state = state.clone();
    let audit_state = state.clone();
    let app = Router::new()
        .merge(api::router(&state))
        .merge(features::pages(&state))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(edges::json_objects_only))
        .layer(axum::middleware::from_fn_with_state(
            audit_state,
            audit_trail::layer,
        ))
        .layer(axum::middleware::from_fn(error::api_json_errors))
        .layer(axum::middleware::from_fn(edges::same_origin))
        .layer(axum::middleware::from_fn_with_state(
            headers_state,
            edges::response_headers,
        ))
        // One limit for both: axum's extractors (multipart included) stop at 2 MB by default.
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::from_fn_with_state(limit, too_large))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, timeout))
        .layer(axum::middleware::from_fn(timed_out))
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
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
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
    // The peer address reaches the sign-in limits through `ConnectInfo`.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    /// A page cut off by the time limit is a Chinese page, an API call a JSON error.
    #[tokio::test]
    async fn a_request_past_the_limit_is_told_so() {
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(200)).await;
            "late"
        };
        // One handler for every path (routes are made only in the registry).
        let app = Router::new()
            .fallback(slow)
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_millis(5),
            ))
            .layer(axum::middleware::from_fn(timed_out));
        for (path, says) in [
            ("/page", "<h1>请求超时</h1>"),
            ("/api/v1/x", "\"code\":\"timeout\""),
        ] {
            let req = axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(res.status(), StatusCode::REQUEST_TIMEOUT);
            let body = axum::body::to_bytes(res.into_body(), 1 << 16).await.unwrap();
            assert!(String::from_utf8_lossy(&body).contains(says), "{path}");
        }
    }
}
