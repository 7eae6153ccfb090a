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
        tables: st
            .store
            .table_counts()
            .await?
            .into_iter()
            .map(|(t, n)| (table_label(&t).unwrap_or(&t).to_string(), n))
            .collect(),
    }))
}

/// A table of the database as the system administrator reads it.
fn table_label(table: &str) -> Option<&'static str> {
    Some(match table {
        "_sqlx_migrations" => "数据库结构版本",
        "above_scale_targets" => "规上企业目标",
        "audit_log" => "审计日志",
        "budgets" => "预算",
        "change_log" => "数据修改记录",
        "claim_events" => "申报办理记录",
        "claim_evidence" => "申报证明材料",
        "claims" => "奖补申报",
        "cluster_plans" => "集群规划",
        "clusters" => "集群",
        "county_transfers" => "县(市)考核转移",
        "data_values" => "填报数据",
        "data_version" => "数据版本",
        "enterprises" => "企业",
        "inbox_reads" => "待办已读",
        "indicators" => "指标",
        "ledger" => "资金台账",
        "login_failures" => "登录失败记录",
        "memberships" => "集群归属",
        "meta" => "系统信息",
        "org_second_factor" => "单位动态口令要求",
        "org_units" => "单位",
        "password_history" => "历史密码",
        "qualifications" => "企业认定",
        "recovery_codes" => "恢复码",
        "reminders" => "催报",
        "sessions" => "会话",
        "submission_events" => "报送办理记录",
        "submission_revisions" => "报送修订",
        "submissions" => "报送",
        "target_milestones" => "目标分年节点",
        "users" => "账户",
        "validation_comments" => "校验说明",
        _ => return None,
    })
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
