//! 审计日志: the auditor's page over the audit trail (GB/T 22239-2019 8.1.4.3): the chain's
//! state, the records newest first with filters, and a download. Only the auditor sees it.

use super::{Layout, PageError, PageUser, render, table_download};
use crate::AppState;
use crate::error::WebError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_domain::Role;
use clusterdesk_domain::audit::Record;
use clusterdesk_domain::clock::beijing_text;
use clusterdesk_store::audit::AuditEntry;

/// Every audit action, with its Chinese name, in the order the filter lists them.
const ACTIONS: [(&str, &str); 24] = [
    ("login", "登录"),
    ("login_failed", "登录失败"),
    ("login_refused", "登录被拒(锁定中)"),
    ("logout", "退出"),
    ("session_timeout", "会话超时"),
    ("session_end", "结束会话"),
    ("password_change", "修改口令"),
    ("user_create", "新建账户"),
    ("user_unlock", "解除登录锁定"),
    ("user_disable", "停用账户"),
    ("user_enable", "启用账户"),
    ("user_reset_password", "重置口令"),
    ("user_assign", "变更角色"),
    ("totp_enrol", "设置动态口令"),
    ("denied", "拒绝访问"),
    ("data_change", "数据变更"),
    ("values_write", "数据写入"),
    ("bulk_load", "批量装载"),
    ("submission", "报送流程"),
    ("download", "下载"),
    ("export", "导出审计日志"),
    ("backup", "备份"),
    ("restore", "恢复"),
    ("migrate", "数据库升级"),
];

/// The Chinese name of an audit action; an unknown code is shown as it is.
pub fn action_label(code: &str) -> &str {
    ACTIONS.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l)
}

pub struct Line {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    target: String,
    address: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    title: String,
    layout: Layout,
    chain_ok: bool,
    chain_text: String,
    lines: Vec<Line>,
    actor: String,
    action: String,
    actions: Vec<(String, String)>,
    limit: i64,
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    format: Option<String>,
}

const SHOWN: i64 = 500;

/// The auditor's one page.
pub fn pages() -> crate::access::Pages {
    crate::access::Pages::new().get("/audit", crate::access::Access::Roles(&[Role::Auditor]), page)
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    if u.actor.role != Role::Auditor {
        return Err(WebError::forbidden("审计日志只供安全审计员查看").into());
    }
    let actor = q.actor.trim().to_string();
    let action = q.action.trim().to_string();
    let records: Vec<Record> = st.store.audit_recent(Some(&actor), Some(&action), SHOWN).await?;
    if let Some(fmt) = q.format.as_deref() {
        let rows: Vec<Vec<String>> = records
            .iter()
            .map(|r| {
                vec![
                    r.seq.to_string(),
                    beijing_text(&r.at),
                    r.actor.clone(),
                    action_label(&r.action).to_string(),
                    r.target.clone(),
                    r.address.clone(),
                    r.detail.clone(),
                    r.hash.clone(),
                ]
            })
            .collect();
        let e = AuditEntry::new(&u.actor.username, "export", "审计日志")
            .with(serde_json::json!({"rows": rows.len(), "actor": actor, "action": action}));
        st.store.audit(e).await?;
        let headers = [
            "序号",
            "时间",
            "操作人",
            "事件",
            "对象",
            "来源地址",
            "详情",
            "散列",
        ];
        let mut res = table_download(fmt, "审计日志", &headers, &rows)?;
        // Recorded above with its filters: not again as a plain download.
        res.extensions_mut().insert(crate::audit_trail::Recorded);
        return Ok(res);
    }
    let (chain_ok, chain_text) = match clusterdesk_domain::audit::verify(st.store.audit_chain().await?) {
        Ok(h) => (
            true,
            format!("链完整:共 {} 条记录,链头 {}:{}", h.records, h.seq, &h.hash[..16]),
        ),
        Err(b) => (false, format!("审计记录链在第 {} 条断开:{}", b.seq, b.reason)),
    };
    let lines = records
        .into_iter()
        .map(|r| Line {
            seq: r.seq,
            at: beijing_text(&r.at),
            action: action_label(&r.action).to_string(),
            actor: r.actor,
            target: r.target,
            address: r.address,
            detail: r.detail,
        })
        .collect();
    Ok(render(&AuditPage {
        title: "审计日志".into(),
        layout: Layout::new(&st, &u, "/audit", vec![(String::new(), "审计日志".into())]),
        chain_ok,
        chain_text,
        lines,
        actor,
        action,
        actions: ACTIONS
            .iter()
            .map(|(a, l)| (a.to_string(), l.to_string()))
            .collect(),
        limit: SHOWN,
    }))
}
