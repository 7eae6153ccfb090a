//! Sessions: the cookie, the extractor that turns it into an actor, and the CSRF check.

use crate::AppState;
use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use clusterdesk_store::Actor;

pub const COOKIE_NAME: &str = "cd_session";

/// What an account with a temporary password may still reach.
pub const PASSWORD_CHANGE_PATHS: [&str; 5] = [
    "/account/password",
    "/logout",
    "/api/v1/account/password",
    "/api/v1/logout",
    "/api/v1/me",
];

/// The signed-in caller. Extracting it from a request without a valid session fails with 401.
#[derive(Clone)]
pub struct CurrentUser {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// Unread items of the caller's 催报提醒 inbox, filled in for pages (see `ui::PageUser`).
    pub inbox_unread: usize,
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == COOKIE_NAME && !v.is_empty()).then(|| v.to_string())
        })
}

/// A browser-session cookie: it goes when the browser closes; the server ends the session
/// itself on the idle and absolute timeouts.
pub fn set_cookie(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax"))
        .expect("token is URL-safe base64")
}

pub fn clear_cookie() -> (axum::http::HeaderName, HeaderValue) {
    (
        SET_COOKIE,
        HeaderValue::from_static("cd_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
    )
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(u) = parts.extensions.get::<CurrentUser>() {
            return Ok(u.clone());
        }
        let token = session_token(&parts.headers).ok_or_else(WebError::unauthorized)?;
        let (actor, csrf) = state
            .store
            .session_actor(&token)
            .await?
            .ok_or_else(WebError::unauthorized)?;
        crate::observe::record_user(actor.user_id);
        crate::audit_trail::record_caller(&actor.username);
        // A program changing something with a session cookie shows it holds the session's
        // token too (the login answer gives it), so a forged request cannot ride the cookie.
        // Pages carry the token in their forms instead, checked by the form extractors.
        let api = parts.uri.path().starts_with("/api/")
            || parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .is_some_and(|o| o.path().starts_with("/api/"));
        let safe = matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
        );
        if api && !safe {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !same_token(sent, &csrf) {
                return Err(WebError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf_token_required",
                    "缺少或错误的 X-CSRF-Token 请求头:请使用登录应答中的 csrf_token",
                ));
            }
        }
        // A temporary password must be replaced before anything else is done with the account.
        // Nested routers see a shortened path; the original one is what the list names.
        let path = match parts.extensions.get::<axum::extract::OriginalUri>() {
            Some(o) => o.path().to_string(),
            None => parts.uri.path().to_string(),
        };
        if actor.must_change_password && !PASSWORD_CHANGE_PATHS.contains(&path.as_str()) {
            return Err(WebError::new(
                axum::http::StatusCode::FORBIDDEN,
                "password_change_required",
                "请先修改初始密码",
            ));
        }
        let u = CurrentUser {
            actor,
            csrf,
            token,
            inbox_unread: 0,
        };
        parts.extensions.insert(u.clone());
        Ok(u)
    }
}

/// Constant-time comparison, so that a wrong CSRF token takes as long as a right one.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
