//! 系统运行: the system administrator's page (三员分立). What the server runs (version,
//! database, plan), its settings (sessions, passwords, uploads), how many rows each table
//! holds, and how backups are taken. No business figures: counts only.

use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use crate::access::{Access, Pages};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use clusterdesk_domain::Role;
use clusterdesk_store::Engine;

pub fn pages() -> Pages {
    Pages::new().get("/admin/system", Access::Roles(&[Role::SystemAdmin]), page)
}

#[derive(Template)]
#[template(path = "system.html")]
struct SystemPage {
    title: String,
    layout: Layout,
    version: &'static str,
    engine: &'static str,
    database: String,
    plan: String,
    settings: Vec<(&'static str, String)>,
    tables: Vec<(String, i64)>,
}

/// A connection address without its password: `postgres://user:***@host/db`.
fn shown_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &cred[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn page(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    let rules = st.store.session_rules();
    let plan = st.store.plan();
    let settings = vec![
        ("无操作自动退出", format!("{}分钟", rules.idle.num_minutes())),
        ("登录最长有效", format!("{}小时", rules.absolute.num_hours())),
        ("每个账户最多会话", format!("{}个", rules.per_user)),
        (
            "密码有效期",
            match rules.password_max_age {
                Some(d) => format!("{}天", d.num_days()),
                None => "不过期".into(),
            },
        ),
        ("密码不得重复最近", format!("{}次", rules.password_history)),
        ("上传文件上限", format!("{} MB", st.upload_limit / (1024 * 1024))),
    ];
    Ok(render(&SystemPage {
        title: "系统运行".into(),
        layout: Layout::new(&st, &u, "/admin/system", vec![(String::new(), "系统运行".into())]),
        version: env!("CARGO_PKG_VERSION"),
        engine: match st.store.engine() {
            Engine::Sqlite => "SQLite(内置)",
            Engine::Postgres => "PostgreSQL",
        },
        database: shown_url(st.store.url()),
        plan: format!("{}({})", plan.meta.name, plan.meta.doc_number),
        settings,
        tables: st.store.table_counts().await?,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_password_in_the_address_is_not_shown() {
        assert_eq!(
            super::shown_url("postgres://app:s3cret@127.0.0.1:55432/cd"),
            "postgres://app:***@127.0.0.1:55432/cd"
        );
        assert_eq!(
            super::shown_url("sqlite:///var/lib/cd.db"),
            "sqlite:///var/lib/cd.db"
        );
    }
}
