//! The request span: a request id (sent back as `x-request-id`), the matched route and, once
//! the session is resolved (`auth::CurrentUser`), the user id.

use axum::Router;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request, Response};
use std::time::Duration;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A fresh id: 16 hex digits, random, so that ids of several servers do not collide.
#[derive(Clone, Copy, Default)]
struct RandomId;

impl MakeRequestId for RandomId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n: u64 = rand::random();
        Some(RequestId::new(HeaderValue::from_str(&format!("{n:016x}")).ok()?))
    }
}

/// An incoming id (from a proxy in front) is kept when it is short and plain, so that its logs
/// and ours can be matched; anything else would end up verbatim in our logs, so it is replaced.
pub fn well_formed(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

async fn drop_malformed_id(mut req: Request<Body>) -> Request<Body> {
    if req
        .headers()
        .get(&REQUEST_ID)
        .is_some_and(|v| !well_formed(v.as_bytes()))
    {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

fn request_span(req: &Request<Body>) -> Span {
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|r| r.header_value().to_str().ok())
        .unwrap_or_default();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %req.method(),
        uri = %req.uri(),
        route,
        request_id = id,
        user = tracing::field::Empty,
    )
}

/// One line a request, in this crate's target (`CLUSTERDESK_LOG=clusterdesk_web=info`) rather
/// than tower-http's, inside the request span that names id, route and user.
fn log_response<B>(res: &Response<B>, latency: Duration, _: &Span) {
    tracing::info!(status = res.status().as_u16(), ?latency, "response");
}

tokio::task_local! {
    /// The id of the request being answered, for messages that quote it (see `current_request_id`).
    static CURRENT_ID: String;
}

/// The id of the request this task is answering, if any: what a user quotes to the
/// administrator, who finds the same id in the log.
pub fn current_request_id() -> Option<String> {
    CURRENT_ID.try_with(Clone::clone).ok()
}

async fn with_current_id(req: Request<Body>, next: axum::middleware::Next) -> axum::response::Response {
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|r| r.header_value().to_str().ok())
        .unwrap_or_default()
        .to_string();
    // Pages keep their user there, to draw a failure in the user's layout.
    CURRENT_ID.scope(id, crate::ui::page_scope(next.run(req))).await
}

/// Wraps every route: ids first (outermost), then the span, then the id on the response.
pub fn layers(router: Router) -> Router {
    router
        .layer(axum::middleware::from_fn(with_current_id))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(log_response),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomId))
        .layer(axum::middleware::map_request(drop_malformed_id))
}

/// Names the signed-in user in the request span (declared empty in `request_span`).
pub fn record_user(user_id: i64) {
    Span::current().record("user", user_id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incoming_ids() {
        assert!(well_formed(b"0123456789abcdef"));
        assert!(well_formed(b"req-1.a_B"));
        assert!(!well_formed(b""));
        assert!(!well_formed(b"a b"));
        assert!(!well_formed(b"x\"y"));
        assert!(!well_formed(&[b'a'; 65]));
    }
}
