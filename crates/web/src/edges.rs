//! The edges every response passes (GB/T 22239-2019 8.1.4.2 入侵防范, 8.1.4.8 数据保密性):
//! a browser's state-changing request must come from this site, authenticated responses are not
//! cached, and over HTTPS the session cookie is `Secure` and HSTS is sent.

use crate::AppState;
use crate::error::WebError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request's own headers say it was sent by another site. `Sec-Fetch-Site` is
/// believed first (every current browser sends it); else `Origin` is compared with `Host`.
/// A request with neither is a program's, not a browser's, and passes: it must still carry a
/// session and its CSRF token to change anything.
pub fn cross_site(headers: &HeaderMap) -> bool {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = get("origin") else {
        return false;
    };
    let host = get("host").unwrap_or("");
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority != Some(host) || host.is_empty()
}

/// Refuse a state-changing request another site made a browser send.
pub async fn same_origin(req: Request, next: Next) -> Response {
    if changes_state(req.method()) && cross_site(req.headers()) {
        let message = "请求来自其他网站,已拒绝。请在本系统的页面上操作。";
        tracing::warn!(path = req.uri().path(), "cross-site request refused");
        if req.uri().path().starts_with("/api/") {
            return WebError::new(StatusCode::FORBIDDEN, "cross_site", message).into_response();
        }
        let page = format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>已拒绝</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>已拒绝</h1>\
             <p class=\"error-box\" role=\"alert\">{message}</p><p><a href=\"/\">返回首页</a></p></main></body></html>"
        );
        return (StatusCode::FORBIDDEN, Html(page)).into_response();
    }
    next.run(req).await
}

/// Whether the client reached us over HTTPS: always when we serve TLS ourselves, else when a
/// trusted proxy says so in `X-Forwarded-Proto`.
fn over_https(req: &Request, st: &AppState) -> bool {
    if st.tls {
        return true;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let trusted = &st.login_limiter.trusted_proxies;
    let from_proxy = peer.is_some_and(|p| trusted.contains(&p));
    from_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// `Cache-Control: no-store` on everything but the stylesheet and the health check, and over
/// HTTPS `Secure` cookies and HSTS.
pub async fn response_headers(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let https = over_https(&req, &st);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !path.starts_with("/static/") && path != "/healthz" && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
        let cookies: Vec<HeaderValue> = h.get_all(header::SET_COOKIE).iter().cloned().collect();
        if !cookies.is_empty() {
            h.remove(header::SET_COOKIE);
            for c in cookies {
                let secure = match c.to_str() {
                    Ok(s) if !s.contains("; Secure") => {
                        HeaderValue::from_str(&format!("{s}; Secure")).unwrap_or(c)
                    }
                    _ => c,
                };
                h.append(header::SET_COOKIE, secure);
            }
        }
    }
    res
}

/// Every JSON body of the API is an object, as the document states: serde's derive would
/// take a struct from an array too (`["admin", "…"]` as a sign-in), so an array, a string or a
/// number is refused here, once for every route, before any handler reads it.
pub async fn json_objects_only(req: Request, next: Next) -> Response {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body limit layers outside this one bound what is read here.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return WebError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "请求体应为 JSON 对象(以 { 开头),而不是数组、字符串或数字",
        )
        .into_response();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::cross_site;
    use axum::http::HeaderMap;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn only_this_site_and_programs_may_change_things() {
        assert!(!cross_site(&h(&[])), "a program without browser headers");
        assert!(!cross_site(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(
            !cross_site(&h(&[("sec-fetch-site", "none")])),
            "typed in the address bar"
        );
        assert!(
            cross_site(&h(&[("sec-fetch-site", "same-site")])),
            "a sibling host"
        );
        assert!(cross_site(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(!cross_site(&h(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(cross_site(&h(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(cross_site(&h(&[("origin", "null"), ("host", "127.0.0.1:8080")])));
        assert!(cross_site(&h(&[
            ("origin", "http://127.0.0.1:8080.evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
    }
}
