//! Signing in and out, and the first run (/setup). The login form carries a token of its own,
//! kept in a cookie for the login path only, so that another site cannot sign a browser in.

use super::render;
use crate::AppState;
use crate::auth::{clear_cookie, session_token, set_cookie};
use crate::limiter::ClientInfo;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::Role;
use clusterdesk_store::accounts::NewUser;
use clusterdesk_store::second_factor::Needed;
use clusterdesk_store::sessions::Login;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    error: String,
    username: String,
    next: String,
    token: String,
}

const LOGIN_COOKIE: &str = "cd_login";

/// A fresh form token and the cookie that holds it.
fn login_token() -> (String, (axum::http::HeaderName, axum::http::HeaderValue)) {
    let token = clusterdesk_store::accounts::random_token();
    let cookie = format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=7200");
    (token, (SET_COOKIE, cookie.parse().expect("URL-safe base64")))
}

fn login_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == LOGIN_COOKIE && !v.is_empty()).then(|| v.to_string())
        })
}

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a local path only, `/` alone or `/` and a letter or digit,
/// without spaces, control characters or a backslash, so that `next` can neither leave the
/// site (`//x`, `/%09/x` decoded to a tab) nor break the redirect. Other characters (a
/// Chinese path) are percent-encoded for the `Location` header.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if is_local_path(n) => {
            let mut out = String::new();
            for c in n.chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("%{b:02X}"));
                    }
                }
            }
            out
        }
        _ => "/".into(),
    }
}

fn is_local_path(n: &str) -> bool {
    let b = n.as_bytes();
    let start = b.first() == Some(&b'/') && (b.len() == 1 || b[1].is_ascii_alphanumeric());
    start
        && b.iter()
            .all(|c| (0x21..=0x7e).contains(c) && *c != b'\\' || *c >= 0x80)
        && !n.chars().any(|c| c.is_control() || c.is_whitespace())
}

pub async fn login_form(State(st): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    if st.store.user_count().await.unwrap_or(1) == 0 {
        return Redirect::to("/setup").into_response();
    }
    let (token, cookie) = login_token();
    let page = render(&LoginPage {
        error: String::new(),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        token,
    });
    ([cookie], page).into_response()
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
    #[serde(default)]
    token: String,
    /// The second factor: a six-digit code or a recovery code.
    #[serde(default)]
    totp: String,
}

pub async fn login_submit(
    State(st): State<AppState>,
    ClientInfo(from): ClientInfo,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    // The form's token must be the one this browser was given with the form.
    let held = login_cookie(&headers).unwrap_or_default();
    if held.is_empty() || !crate::auth::same_token(&held, &f.token) {
        let (token, cookie) = login_token();
        let page = render(&LoginPage {
            error: "登录页面已过期,请重新输入用户名和密码".into(),
            username: f.username.clone(),
            next,
            token,
        });
        return (axum::http::StatusCode::BAD_REQUEST, [cookie], page).into_response();
    }
    let fail = |msg: String| {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            render(&LoginPage {
                error: msg,
                username: f.username.clone(),
                next: next.clone(),
                token: f.token.clone(),
            }),
        )
            .into_response()
    };
    let name = f.username.trim();
    if let Err(e) = st.login_limiter.check(&st.store, name, &from.address).await {
        return fail(e.message);
    }
    match st.store.login(name, &f.password, Some(&f.totp), &from).await {
        Ok(Login::SignedIn(_, session)) => {
            if let Err(e) = st.login_limiter.success(&st.store, name, &from.address).await {
                return fail(e.message);
            }
            ([(SET_COOKIE, set_cookie(&session.token))], Redirect::to(&next)).into_response()
        }
        Ok(Login::Refused) => {
            if let Err(e) = st.login_limiter.failure(&st.store, name, &from.address).await {
                return fail(e.message);
            }
            fail("用户名或密码错误".into())
        }
        Ok(Login::SecondFactor(needed)) => {
            if needed == Needed::Wrong
                && let Err(e) = st.login_limiter.failure(&st.store, name, &from.address).await
            {
                return fail(e.message);
            }
            fail(needed.message().into())
        }
        Err(e) => fail(crate::error::WebError::from(e).message),
    }
}

#[derive(serde::Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<LogoutForm>) -> Response {
    if let Some(token) = session_token(&headers)
        && let Ok(Some((_, csrf))) = st.store.session_actor(&token).await
        && crate::auth::same_token(&f.csrf, &csrf)
    {
        let _ = st.store.logout(&token).await;
    }
    ([clear_cookie()], Redirect::to("/login")).into_response()
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    error: String,
    username: String,
    display_name: String,
}

pub async fn setup_form(State(st): State<AppState>) -> Response {
    if st.store.user_count().await.unwrap_or(1) > 0 {
        return Redirect::to("/login").into_response();
    }
    render(&SetupPage {
        error: String::new(),
        username: "secadmin".into(),
        display_name: String::new(),
    })
}

#[derive(serde::Deserialize)]
pub struct SetupForm {
    token: String,
    username: String,
    display_name: String,
    password: String,
}

/// First run: the one-time token printed on the console proves the person runs the server.
pub async fn setup_submit(State(st): State<AppState>, Form(f): Form<SetupForm>) -> Response {
    let again = |msg: String| {
        (
            axum::http::StatusCode::BAD_REQUEST,
            render(&SetupPage {
                error: msg,
                username: f.username.clone(),
                display_name: f.display_name.clone(),
            }),
        )
            .into_response()
    };
    if st.store.user_count().await.unwrap_or(1) > 0 {
        return Redirect::to("/login").into_response();
    }
    let expected = st.setup_token.lock().expect("not poisoned").clone();
    match expected {
        Some(t) if crate::auth::same_token(f.token.trim(), &t) => {}
        _ => return again("一次性设置码不正确".into()),
    }
    let city = st.store.plan().meta.city.to_string();
    let new = NewUser {
        username: f.username.trim().to_string(),
        display_name: f.display_name.trim().to_string(),
        password: f.password.clone(),
        // 三员分立: the first account is the security administrator, who then creates the
        // bureau's and everyone else's accounts in the web pages.
        role: Role::SecurityAdmin,
        org_code: city,
        temporary: false,
    };
    if let Err(e) = st
        .store
        .create_user(&clusterdesk_store::Actor::system("setup"), new)
        .await
    {
        return again(crate::error::WebError::from(e).message);
    }
    *st.setup_token.lock().expect("not poisoned") = None;
    // The security administrator signs in with a second factor: the secret and recovery codes are shown now,
    // once, and the first sign-in is the login page's.
    match st
        .store
        .enrol_totp(
            &clusterdesk_store::Actor::system("setup"),
            f.username.trim(),
            None,
        )
        .await
    {
        Ok(e) => render(&SecondFactorPage {
            username: e.username,
            secret: e.secret,
            uri: e.uri,
            recovery_codes: e.recovery_codes,
        }),
        Err(e) => again(crate::error::WebError::from(e).message),
    }
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    username: String,
    secret: String,
    uri: String,
    recovery_codes: Vec<String>,
}
