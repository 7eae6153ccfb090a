//! 登录会话: a user's own open sessions, each of which they may end (8.1.4.1: 会话管理).

use super::extract::CsrfForm;
use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::clock::beijing_text;

pub struct SessionLine {
    id: String,
    created: String,
    last_seen: String,
    address: String,
    agent: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    title: String,
    layout: Layout,
    sessions: Vec<SessionLine>,
    idle_minutes: i64,
    hours: i64,
}

/// A user agent as a person names it: the browser and, where told, the system.
fn browser_name(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("QQBrowser", "QQ浏览器"),
        ("360SE", "360浏览器"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(k, _)| agent.contains(k))
    .map(|(_, v)| *v);
    let system = [
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Android", "Android"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(k, _)| agent.contains(k))
    .map(|(_, v)| *v);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b}({s})"),
        (Some(b), None) => b.to_string(),
        (None, _) if agent.is_empty() => "未知".into(),
        (None, _) => "其他程序".into(),
    }
}

pub async fn list(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    let sessions = st
        .store
        .list_sessions(u.actor.user_id, &u.token)
        .await?
        .into_iter()
        .map(|s| SessionLine {
            created: beijing_text(&s.created_at),
            last_seen: beijing_text(&s.last_seen_at),
            agent: browser_name(&s.user_agent),
            id: s.id,
            address: s.address,
            current: s.current,
        })
        .collect();
    let rules = st.store.session_rules();
    Ok(render(&SessionsPage {
        title: "登录会话".into(),
        layout: Layout::new(
            &st,
            &u,
            "/account/sessions",
            vec![(String::new(), "登录会话".into())],
        ),
        sessions,
        idle_minutes: rules.idle.num_minutes(),
        hours: rules.absolute.num_hours(),
    }))
}

#[derive(serde::Deserialize)]
pub struct EndForm {
    id: String,
}

/// End one session. Ending one's own current session is signing out.
pub async fn end(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    let own = st
        .store
        .list_sessions(u.actor.user_id, &u.token)
        .await?
        .into_iter()
        .any(|s| s.current && s.id == f.id);
    st.store.end_session(&u.actor, &f.id).await?;
    if own {
        return Ok(([crate::auth::clear_cookie()], Redirect::to("/login")).into_response());
    }
    Ok(Redirect::to("/account/sessions").into_response())
}
