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
const ACTIONS: [(&str, &str); 27] = [
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
    ("org_second_factor_on", "要求单位使用动态口令"),
    ("org_second_factor_off", "取消单位动态口令要求"),
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
    ("audit_archive", "归档审计记录"),
];

/// The Chinese name of an audit action; an unknown code is shown as it is.
pub fn action_label(code: &str) -> &str {
    ACTIONS.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l)
}

/// What a data change's object is, in Chinese (`entity:key` targets).
const ENTITIES: [(&str, &str); 13] = [
    ("enterprise", "企业"),
    ("membership", "集群成员"),
    ("qualification", "资质"),
    ("cluster_plan", "集群工作方案"),
    ("claim", "奖补申请"),
    ("claim_evidence", "证明材料"),
    ("budget", "奖补预算"),
    ("ledger", "兑现台账"),
    ("reminder", "催报"),
    ("above_scale_target", "净增规上目标"),
    ("county_transfer", "入园考核转移"),
    ("target_milestone", "目标节点"),
    ("value", "填报数值"),
];

/// Detail keys and codes in Chinese; anything else is shown as written.
const WORDS: [(&str, &str); 50] = [
    ("password_expired", "口令已过期"),
    ("sessions_ended", "结束会话数"),
    ("values", "条数"),
    ("role", "角色"),
    ("org", "单位"),
    ("updated", "更新"),
    ("unchanged", "未变"),
    ("created", "新建"),
    ("rejected", "拒绝"),
    ("from", "原为"),
    ("to", "改为"),
    ("rows", "行数"),
    ("first_period", "起始期间"),
    ("last_period", "截止期间"),
    ("file", "文件"),
    ("errors", "错误数"),
    ("errors_truncated", "错误已截断"),
    ("error_counts", "错误分类"),
    ("username", "用户名"),
    ("tables", "表数"),
    ("sha256", "内容散列"),
    ("old_sha256", "改动前散列"),
    ("new_sha256", "改动后散列"),
    ("session", "会话"),
    ("first_seq", "起始序号"),
    ("through_seq", "截止序号"),
    ("through_hash", "截止记录散列"),
    ("first_at", "起始时间"),
    ("last_at", "截止时间"),
    ("file_sha256", "文件散列"),
    ("comment", "说明"),
    ("change", "改动"),
    ("addresses", "来源地址数"),
    ("actor", "操作人"),
    ("action", "事件"),
    ("create", "新建"),
    ("update", "修改"),
    ("delete", "删除"),
    ("move", "迁移"),
    ("password", "修改口令"),
    ("assign", "变更角色"),
    ("upload", "上传"),
    ("finalize", "定稿"),
    ("revoke", "撤销"),
    ("pay", "拨付"),
    ("draft", "草稿"),
    ("submitted", "已提交"),
    ("returned", "已退回"),
    ("accepted", "已审核"),
    ("approved", "已批准"),
];

fn word(code: &str) -> &str {
    WORDS.iter().find(|(c, _)| *c == code).map_or(code, |(_, w)| w)
}

/// A record's object as the page shows it: `enterprise:9113…` as 企业 9113…, a request
/// `GET /audit` as 查看 /audit (the address as it was asked for).
fn target_text(target: &str) -> String {
    let request = [
        ("GET ", "查看"),
        ("POST ", "提交"),
        ("PUT ", "修改"),
        ("DELETE ", "删除"),
    ];
    if let Some((verb, path)) = request
        .iter()
        .find_map(|(m, verb)| target.strip_prefix(m).map(|path| (verb, path)))
    {
        return format!("{verb} {path}");
    }
    match target.split_once(':') {
        Some((entity, key)) => match ENTITIES.iter().find(|(c, _)| *c == entity) {
            Some((_, name)) => format!("{name} {key}"),
            None => target.to_string(),
        },
        None => target.to_string(),
    }
}

/// A record's detail (a JSON object) as the page shows it: `口令已过期:否;结束会话数:0`.
/// Digests are cut to 16 characters; the download keeps the detail as stored.
fn detail_text(detail: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(serde_json::Value::Object(map)) => fields_text(&map, ";"),
        _ => detail.to_string(),
    }
}

fn fields_text(map: &serde_json::Map<String, serde_json::Value>, sep: &str) -> String {
    map.iter()
        .map(|(k, v)| format!("{}:{}", word(k), value_text(k, v)))
        .collect::<Vec<_>>()
        .join(sep)
}

fn value_text(key: &str, v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Null => "无".into(),
        Value::String(t) if key == "role" => Role::parse(t).map_or(t.clone(), |r| r.label().to_string()),
        Value::String(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{}…", &t[..16])
        }
        Value::String(t) => word(t).to_string(),
        Value::Object(m) => format!("({})", fields_text(m, ",")),
        other => other.to_string(),
    }
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
    let (chain_ok, chain_text) = match st.store.audit_verify().await? {
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
            target: target_text(&r.target),
            address: r.address,
            detail: detail_text(&r.detail),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_and_objects_read_in_chinese() {
        assert_eq!(
            detail_text(r#"{"password_expired":false,"sessions_ended":2}"#),
            "口令已过期:否;结束会话数:2"
        );
        let h = "ab".repeat(32);
        assert_eq!(
            detail_text(&format!(
                r#"{{"change":"update","new_sha256":"{h}","old_sha256":null}}"#
            )),
            "改动:修改;改动后散列:abababababababab…;改动前散列:无"
        );
        assert_eq!(
            detail_text(
                r#"{"from":{"org":"130981","role":"county_operator"},"to":{"org":"130900","role":"city_admin"}}"#
            ),
            "原为:(单位:130981,角色:县(市)填报员);改为:(单位:130900,角色:市工信局业务员)"
        );
        assert_eq!(detail_text("not json"), "not json");
        assert_eq!(detail_text(""), "");
        assert_eq!(
            target_text("enterprise:91130981MA0000000X"),
            "企业 91130981MA0000000X"
        );
        assert_eq!(target_text("GET /audit"), "查看 /audit");
    }

    /// Every action the store and the web layer write has its Chinese name here: the code
    /// literal after `AuditEntry::new(actor, ` in their sources.
    #[test]
    fn every_audit_action_has_a_chinese_name() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let files: Vec<_> = ["store", "web", "cli"]
            .iter()
            .flat_map(|k| crate::features::rust_sources(&root.join(k).join("src")))
            .collect();
        let mut found = std::collections::BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, _) in text.match_indices("AuditEntry::new(") {
                let call: String = text[i..].chars().take(200).collect();
                // The second argument, when it is a literal.
                let Some(comma) = call.find(',') else { continue };
                let rest = call[comma + 1..].trim_start();
                if let Some(lit) = rest.strip_prefix('"')
                    && let Some(end) = lit.find('"')
                {
                    found.insert(lit[..end].to_string());
                }
            }
        }
        // Written through variables: `user_{action}`, and the sessions' ends.
        found.extend(["user_disable", "user_enable", "logout", "session_timeout"].map(String::from));
        assert!(found.len() > 20, "{found:?}");
        let missing: Vec<_> = found
            .iter()
            .filter(|a| !ACTIONS.iter().any(|(c, _)| c == *a))
            .collect();
        assert!(
            missing.is_empty(),
            "audit actions without a Chinese name: {missing:?}"
        );
    }
}
