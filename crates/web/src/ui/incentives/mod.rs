//! Incentive pages: 政策目录, 政策计算器, 申报 (form with evidence), 审核队列, 申请详情,
//! 资金台账, 预算 and 免申即享. Money is shown in 元 (claims, ledger) or 万元 (budgets), with
//! the unit in the column header; every amount shows the trace that cites its clause.

use super::{Layout, PageError, PageUser, check_csrf, render};
use crate::AppState;
use crate::api::incentives::{PolicyOut, catalogue, evidence_response};
use crate::auth::CurrentUser;
use crate::error::WebError;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{Datelike, NaiveDate};
use clusterdesk_domain::{Fen, Role};
use clusterdesk_policy::eval::yuan_grouped;
use clusterdesk_policy::model::FactType;
use clusterdesk_policy::{Outcome, Policy, PolicySet, Status, TraceStep};
use clusterdesk_store::incentives::{
    Action, ActionInput, BudgetRow, ClaimDetail, ClaimFilter, ClaimRow, LedgerRow, NewClaim, STATUSES,
    funding_key, outcome_reason,
};
use clusterdesk_store::{Scope, StoreError};
use serde_json::Value;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policies", get(policies))
        .route("/policies/calc", get(calc))
        .route("/policies/{id}", get(policy))
        .route("/claims", get(claims))
        .route("/claims/new", get(new_form).post(new_submit))
        .route("/claims/{id}", get(claim))
        .route("/claims/{id}/act", post(claim_act))
        .route("/claims/{id}/evidence", post(claim_upload))
        .route("/claims/{id}/evidence/{evidence}", get(claim_evidence))
        .route("/ledger", get(ledger))
        .route("/budgets", get(budgets).post(budget_submit))
        .route("/scan", get(scan))
}

/// The navigation items of these pages for a role.
pub fn nav(role: Role) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("/policies", "政策目录"), ("/policies/calc", "政策计算器")];
    match role {
        Role::Enterprise => v.extend([
            ("/claims", "我的申报"),
            ("/claims/new", "新建申报"),
            ("/scan", "免申即享"),
            ("/ledger", "资金台账"),
        ]),
        Role::CountyOperator => v.extend([
            ("/claims", "申报审核"),
            ("/claims/new", "代企业申报"),
            ("/scan", "免申即享"),
            ("/ledger", "资金台账"),
        ]),
        Role::CountyLeader => v.extend([
            ("/claims", "申报审核"),
            ("/scan", "免申即享"),
            ("/ledger", "资金台账"),
        ]),
        Role::CityAdmin | Role::CityDepartment => v.extend([
            ("/claims", "申报审批"),
            ("/scan", "免申即享"),
            ("/ledger", "资金台账"),
            ("/budgets", "预算"),
        ]),
        Role::Leader => v.extend([("/ledger", "资金台账"), ("/budgets", "预算")]),
        _ => v.clear(),
    }
    v
}

fn business(st: &AppState, u: &CurrentUser) -> Result<(), PageError> {
    if u.actor.scope() == Scope::Nothing {
        return Err(PageError::with(
            st,
            u,
            WebError::forbidden("该角色不能查看业务数据"),
        ));
    }
    Ok(())
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "fixed" => "定额",
        "share_with_cap" => "比例封顶",
        "cap_only" => "核定封顶",
        "milestone" => "分阶段",
        "rank_transfer" => "县际排名转移",
        _ => "",
    }
}

fn step_label(s: &str) -> &'static str {
    match s {
        "rule" => "条款",
        "date" => "日期",
        "fact" => "事实",
        "ledger" => "台账",
        "base" => "基数",
        "share" => "比例",
        "cap" => "上限",
        "rounding" => "舍入",
        "amount" => "定额",
        "approved" => "核定金额",
        "difference" => "差额",
        "result" => "结果",
        "rank" => "排名",
        _ => "",
    }
}

/// One row of a trace table.
pub struct TraceRow {
    pub step: String,
    pub clause: String,
    pub text: String,
    pub yuan: String,
}

fn trace_rows(steps: &[TraceStep]) -> Vec<TraceRow> {
    steps
        .iter()
        .map(|t| TraceRow {
            step: match step_label(&t.step) {
                "" => t.step.clone(),
                l => l.to_string(),
            },
            clause: t.clause.clone(),
            text: t.text.clone(),
            yuan: t.fen.map(|f| yuan_grouped(Fen(f))).unwrap_or_default(),
        })
        .collect()
}

/// A stored outcome (the `policy calc` contract) as trace rows.
fn trace_rows_json(outcome: &Value) -> Vec<TraceRow> {
    outcome["trace"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|t| {
                    let step = t["step"].as_str().unwrap_or("");
                    TraceRow {
                        step: match step_label(step) {
                            "" => step.to_string(),
                            l => l.to_string(),
                        },
                        clause: t["clause"].as_str().unwrap_or("").into(),
                        text: t["text"].as_str().unwrap_or("").into(),
                        yuan: t["fen"]
                            .as_i64()
                            .map(|f| yuan_grouped(Fen(f)))
                            .unwrap_or_default(),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn eval_label(s: &str) -> &'static str {
    match s {
        "eligible" => "符合",
        "not_eligible" => "不符合",
        "unknown" => "待定(缺少信息)",
        _ => "",
    }
}

// ---------------------------------------------------------------- 政策目录

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    title: String,
    layout: Layout,
    items: Vec<PolicyOut>,
    kinds: Vec<&'static str>,
}

async fn policies(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    business(&st, &u)?;
    let items = catalogue(&st);
    let kinds = items.iter().map(|p| kind_label(&p.kind)).collect();
    Ok(render(&PoliciesPage {
        title: "政策目录".into(),
        layout: Layout::new(&st, &u, "/policies", vec![(String::new(), "政策目录".into())]),
        items,
        kinds,
    }))
}

struct ParamView {
    name: String,
    from: String,
    value: String,
    clause: String,
    quote: String,
}

struct FactView {
    name: String,
    question: String,
    kind: String,
    rule: String,
    clause: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    title: String,
    layout: Layout,
    p: Policy,
    kind: &'static str,
    funding_key: String,
    department: String,
    params: Vec<ParamView>,
    facts: Vec<FactView>,
    readings: Vec<(String, String, String, String)>,
    exclusions: Vec<(String, String)>,
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        other => other.to_string(),
    }
}

async fn policy(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    business(&st, &u)?;
    let Some(p) = st.policies.get(&id).cloned() else {
        return Err(PageError::with(
            &st,
            &u,
            StoreError::NotFound(format!("政策“{id}”")),
        ));
    };
    let mut params = Vec::new();
    for (name, values) in &p.parameters {
        for v in values {
            let value = yaml_text(name, &serde_json::to_value(&v.value).unwrap_or(Value::Null));
            params.push(ParamView {
                name: name.clone(),
                from: v.from.to_string(),
                value,
                clause: v.clause.clone(),
                quote: v.quote.clone(),
            });
        }
    }
    let facts = p
        .facts
        .iter()
        .map(|f| FactView {
            name: f.name.clone(),
            question: f.question.clone(),
            kind: match f.fact_type {
                FactType::Bool => "是/否".into(),
                FactType::Choice => format!("选项:{}", f.options.join("、")),
                FactType::Text => "文本".into(),
            },
            rule: match (&f.eligible, &f.default) {
                (Some(el), None) => format!(
                    "必填;须为 {}",
                    el.iter().map(value_text).collect::<Vec<_>>().join(" 或 ")
                ),
                (Some(el), Some(d)) => format!(
                    "须为 {};默认 {}({})",
                    el.iter().map(value_text).collect::<Vec<_>>().join(" 或 "),
                    value_text(d),
                    f.why.clone().unwrap_or_default()
                ),
                _ => "仅作记录".into(),
            },
            clause: f.clause.clone(),
        })
        .collect();
    let readings = p
        .readings
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                value_text(&r.default),
                r.clause.clone(),
                r.why.clone(),
            )
        })
        .collect();
    let exclusions = p
        .exclusive_with
        .iter()
        .map(|x| {
            let name = st
                .policies
                .get(&x.policy)
                .map(|q| q.name.clone())
                .unwrap_or_else(|| x.policy.clone());
            (name, x.why.clone())
        })
        .collect();
    let (_, department) = st.store.responsible_department(&p);
    let page = PolicyPage {
        title: p.name.clone(),
        layout: Layout::new(
            &st,
            &u,
            "/policies",
            vec![
                ("/policies".into(), "政策目录".into()),
                (String::new(), p.name.clone()),
            ],
        ),
        kind: kind_label(p.kind.as_str()),
        funding_key: funding_key(&p),
        department,
        params,
        facts,
        readings,
        exclusions,
        p,
    };
    Ok(render(&page))
}

fn yaml_text(name: &str, v: &Value) -> String {
    let money = |s: &str| {
        Fen::parse_yuan(s)
            .map(|f| format!("{} 元", yuan_grouped(f)))
            .unwrap_or_else(|_| s.to_string())
    };
    match v {
        Value::String(s) if name.ends_with("_yuan") => money(s),
        Value::String(s) => s.clone(),
        Value::Number(n) if name.ends_with("_yuan") => money(&n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::Array(xs) => xs
            .iter()
            .map(|x| yaml_text(name, x))
            .collect::<Vec<_>>()
            .join(" / "),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------- fact fields shared by forms

/// One input of a policy's facts on a form (`fact.<name>`), with the value typed so far.
pub struct FactField {
    pub name: String,
    pub question: String,
    pub clause: String,
    pub hint: String,
    pub is_text: bool,
    /// (value, label) for selects.
    pub options: Vec<(String, String)>,
    pub value: String,
}

fn fact_fields(p: &Policy, values: &BTreeMap<String, String>) -> Vec<FactField> {
    p.facts
        .iter()
        .map(|f| {
            let value = values
                .get(&format!("fact.{}", f.name))
                .cloned()
                .unwrap_or_default();
            let hint = match (&f.eligible, &f.default) {
                (Some(_), None) => "必填".to_string(),
                (Some(_), Some(d)) => format!("不填按默认:{}", value_text(d)),
                _ => "选填".to_string(),
            };
            let options = match f.fact_type {
                FactType::Bool => vec![
                    (String::new(), "(未填)".to_string()),
                    ("true".into(), "是".into()),
                    ("false".into(), "否".into()),
                ],
                FactType::Choice => std::iter::once((String::new(), "(未填)".to_string()))
                    .chain(f.options.iter().map(|o| (o.clone(), choice_label(o))))
                    .collect(),
                FactType::Text => vec![],
            };
            FactField {
                name: f.name.clone(),
                question: f.question.clone(),
                clause: f.clause.clone(),
                hint,
                is_text: f.fact_type == FactType::Text,
                options,
                value,
            }
        })
        .collect()
}

fn choice_label(o: &str) -> String {
    match o {
        "national_key" => "国家级重点(national_key)".into(),
        "national" => "国家级(national)".into(),
        "provincial" => "省级(provincial)".into(),
        other => other.to_string(),
    }
}

/// The facts typed on a form, typed by the policy's declarations.
fn form_facts(p: &Policy, values: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for f in &p.facts {
        let Some(v) = values
            .get(&format!("fact.{}", f.name))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let val = match (f.fact_type, v) {
            (FactType::Bool, "true") => Value::Bool(true),
            (FactType::Bool, "false") => Value::Bool(false),
            _ => Value::String(v.to_string()),
        };
        out.insert(f.name.clone(), val);
    }
    out
}

fn policy_options(set: &PolicySet, selected: &str) -> Vec<(String, String, bool)> {
    set.policies()
        .filter(|p| p.kind != clusterdesk_policy::Kind::RankTransfer)
        .map(|p| (p.id.clone(), format!("{} {}", p.clause, p.name), p.id == selected))
        .collect()
}

fn money_field(values: &BTreeMap<String, String>, key: &str, label: &str) -> Result<Option<Fen>, String> {
    match values.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            let f = Fen::parse_yuan(s).map_err(|e| format!("{label}({key}):{}", e.message))?;
            if f.is_negative() {
                return Err(format!("{label}({key}):金额不能为负"));
            }
            Ok(Some(f))
        }
    }
}

// ---------------------------------------------------------------- 政策计算器

#[derive(Template)]
#[template(path = "calc.html")]
struct CalcPage {
    title: String,
    layout: Layout,
    policy_options: Vec<(String, String, bool)>,
    policy: Option<Policy>,
    kind: String,
    facts: Vec<FactField>,
    date: String,
    base: String,
    approved: String,
    uscc: String,
    ask_uscc: bool,
    errors: Vec<String>,
    result: Option<CalcResult>,
}

struct CalcResult {
    status: String,
    status_class: &'static str,
    amount: String,
    capped: bool,
    missing: String,
    reason: String,
    flags: Vec<String>,
    trace: Vec<TraceRow>,
    ledger_note: String,
}

fn calc_result(o: &Outcome, ledger_note: String) -> CalcResult {
    CalcResult {
        status: eval_label(o.status.as_str()).into(),
        status_class: match o.status {
            Status::Eligible => "ok",
            Status::NotEligible => "bad",
            Status::Unknown => "warn",
        },
        amount: yuan_grouped(o.amount),
        capped: o.capped,
        missing: o.missing.join("、"),
        reason: if o.status == Status::Eligible {
            String::new()
        } else {
            outcome_reason(o)
        },
        flags: o.flags.clone(),
        trace: trace_rows(&o.trace),
        ledger_note,
    }
}

async fn calc(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    business(&st, &u)?;
    let selected = q.get("policy").cloned().unwrap_or_default();
    let policy = st.policies.get(&selected).cloned();
    let ask_uscc = u.actor.role != Role::Enterprise;
    let uscc = if ask_uscc {
        q.get("uscc")
            .map(|s| s.trim().to_ascii_uppercase())
            .unwrap_or_default()
    } else {
        u.actor.org_code.clone()
    };
    let mut errors = Vec::new();
    let mut result = None;
    if let (Some(p), true) = (&policy, q.contains_key("date")) {
        let date = q.get("date").map(|s| s.trim()).unwrap_or("");
        let parsed = NaiveDate::parse_from_str(date, "%Y-%m-%d");
        if parsed.is_err() {
            errors.push(format!("事件日期(date):“{date}”应为 YYYY-MM-DD,例如 2024-03-01"));
        }
        let base = money_field(&q, "base", "基数")
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let approved = money_field(&q, "approved", "核定金额")
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if let (Ok(date), true) = (parsed, errors.is_empty()) {
            // The enterprise's own ledger, when one is named and visible to the caller.
            let mut ledger_note = "未指定企业:按从未领取过计算(一次性奖励、累计上限不核对台账)".to_string();
            let mut ledger = Vec::new();
            if !uscc.is_empty() {
                match clusterdesk_domain::Uscc::parse(&uscc) {
                    Err(e) => errors.push(format!("企业统一社会信用代码(uscc):{}", e.message)),
                    Ok(_) => match st.store.list_ledger(&u.actor, &st.policies, None).await {
                        Ok(rows) => {
                            let mine: Vec<&LedgerRow> = rows
                                .iter()
                                .filter(|r| r.uscc.as_deref() == Some(uscc.as_str()))
                                .collect();
                            ledger_note = format!("已核对该企业台账中的 {} 笔拨付", mine.len());
                            ledger = mine
                                .iter()
                                .filter_map(|r| {
                                    Some(clusterdesk_policy::LedgerEntry {
                                        policy: r.policy.clone(),
                                        enterprise: clusterdesk_domain::Uscc::parse(r.uscc.as_deref()?).ok(),
                                        county: r.county_code.clone(),
                                        date: NaiveDate::parse_from_str(&r.paid_date, "%Y-%m-%d").ok()?,
                                        paid: Fen(r.paid_fen),
                                        project: r.project.clone(),
                                    })
                                })
                                .collect();
                        }
                        Err(e) => errors.push(e.to_string()),
                    },
                }
            }
            if errors.is_empty() {
                let facts = form_facts(p, &q);
                let mut claim =
                    clusterdesk_store::incentives::engine_claim(&p.id, &uscc, date, base, approved, &facts);
                if uscc.is_empty() {
                    // No enterprise named: a stand-in with an empty ledger, so that the rule
                    // is computed as for an enterprise that has received nothing yet.
                    let body = b"91130900MA0000000";
                    let check = clusterdesk_domain::uscc::check_char(body).unwrap_or('0');
                    claim.enterprise =
                        clusterdesk_domain::Uscc::parse(&format!("91130900MA0000000{check}")).ok();
                }
                match st.policies.evaluate(&claim, &ledger) {
                    Ok(outs) => {
                        if let Some(o) = outs.first() {
                            result = Some(calc_result(o, ledger_note));
                        }
                    }
                    Err(e) => errors.push(e.to_string()),
                }
            }
        }
    }
    let facts = policy.as_ref().map(|p| fact_fields(p, &q)).unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CalcPage {
        title: "政策计算器".into(),
        layout: Layout::new(
            &st,
            &u,
            "/policies/calc",
            vec![(String::new(), "政策计算器".into())],
        ),
        policy_options: policy_options(&st.policies, &selected),
        kind: policy
            .as_ref()
            .map(|p| p.kind.as_str().to_string())
            .unwrap_or_default(),
        policy,
        facts,
        date: q.get("date").cloned().unwrap_or_default(),
        base: q.get("base").cloned().unwrap_or_default(),
        approved: q.get("approved").cloned().unwrap_or_default(),
        uscc,
        ask_uscc,
        errors,
        result,
    };
    Ok((status, render(&page)).into_response())
}

// ---------------------------------------------------------------- 申报 / 审核队列

struct ClaimLine {
    id: i64,
    policy_name: String,
    clause: String,
    enterprise: String,
    uscc: String,
    county: String,
    event_date: String,
    amount: String,
    status: String,
    status_label: String,
    updated: String,
}

fn claim_line(c: &ClaimRow) -> ClaimLine {
    ClaimLine {
        id: c.id,
        policy_name: c.policy_name.clone(),
        clause: c.clause.clone(),
        enterprise: c.enterprise_name.clone(),
        uscc: c.uscc.clone(),
        county: c.county_name.clone(),
        event_date: c.event_date.clone(),
        amount: yuan_grouped(Fen(c.amount_fen)),
        status: c.status.clone(),
        status_label: c.status_label.clone(),
        updated: c.updated_at.get(..10).unwrap_or("").to_string(),
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ClaimsPage {
    title: String,
    layout: Layout,
    queue: bool,
    status: String,
    status_options: Vec<(&'static str, &'static str)>,
    items: Vec<ClaimLine>,
    total_amount: String,
    can_file: bool,
    queue_label: &'static str,
}

#[derive(serde::Deserialize, Default)]
struct ClaimsQuery {
    status: Option<String>,
    all: Option<String>,
    format: Option<String>,
}

fn queue_label(role: Role) -> &'static str {
    match role {
        Role::CountyOperator | Role::CountyLeader => "待县(市)审核",
        Role::CityDepartment => "待本部门审批或拨付",
        Role::CityAdmin => "待审批",
        Role::Enterprise => "待提交的草稿",
        _ => "待处理",
    }
}

async fn claims(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ClaimsQuery>,
) -> Result<Response, PageError> {
    business(&st, &u)?;
    let status = q.status.clone().unwrap_or_default();
    // Reviewers land on their queue; everyone can switch to all claims.
    let queue = q.all.is_none()
        && status.is_empty()
        && u.actor.role != Role::Enterprise
        && u.actor.role != Role::Leader;
    let f = ClaimFilter {
        status: Some(status.clone()).filter(|s| !s.is_empty()),
        queue,
        ..Default::default()
    };
    let rows = st
        .store
        .list_claims(&u.actor, &st.policies, &f)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    if let Some(fmt) = q.format.as_deref() {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.clause.clone(),
                    c.policy_name.clone(),
                    c.enterprise_name.clone(),
                    c.uscc.clone(),
                    c.county_name.clone(),
                    c.event_date.clone(),
                    c.amount_yuan.clone(),
                    c.status_label.clone(),
                    c.updated_at.clone(),
                ]
            })
            .collect();
        return super::table_download(
            &st,
            &u,
            fmt,
            "申报",
            &[
                "编号",
                "条款",
                "政策",
                "企业",
                "统一社会信用代码",
                "县(市)",
                "事件日期",
                "测算金额(元)",
                "状态",
                "更新时间",
            ],
            &table,
        );
    }
    let total: Fen = rows.iter().map(|c| Fen(c.amount_fen)).sum();
    let title = match u.actor.role {
        Role::Enterprise => "我的申报",
        Role::CountyOperator | Role::CountyLeader => "申报审核",
        _ => "申报审批",
    };
    let page = ClaimsPage {
        title: title.into(),
        layout: Layout::new(&st, &u, "/claims", vec![(String::new(), title.into())]),
        queue,
        status,
        status_options: STATUSES.to_vec(),
        items: rows.iter().map(claim_line).collect(),
        total_amount: yuan_grouped(total),
        can_file: matches!(
            u.actor.role,
            Role::Enterprise | Role::CountyOperator | Role::CityAdmin
        ),
        queue_label: queue_label(u.actor.role),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "claim_new.html")]
struct NewClaimPage {
    title: String,
    layout: Layout,
    policy_options: Vec<(String, String, bool)>,
    policy: Option<Policy>,
    kind: String,
    facts: Vec<FactField>,
    ask_uscc: bool,
    v: BTreeMap<String, String>,
    errors: Vec<String>,
    enterprise_options: Vec<(String, String)>,
}

impl NewClaimPage {
    fn val(&self, k: &str) -> &str {
        self.v.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn new_page(
    st: &AppState,
    u: &CurrentUser,
    v: BTreeMap<String, String>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    if !matches!(
        u.actor.role,
        Role::Enterprise | Role::CountyOperator | Role::CityAdmin
    ) {
        return Err(PageError::with(st, u, WebError::forbidden("您的角色不能申报")));
    }
    let selected = v.get("policy").cloned().unwrap_or_default();
    let policy = st.policies.get(&selected).cloned();
    let ask_uscc = u.actor.role != Role::Enterprise;
    let enterprise_options = if ask_uscc {
        let f = clusterdesk_store::registry::EnterpriseFilter {
            per_page: 500,
            page: 1,
            ..Default::default()
        };
        st.store
            .list_enterprises(&u.actor, &f)
            .await
            .map_err(|e| PageError::with(st, u, e))?
            .items
            .into_iter()
            .map(|e| (e.uscc, e.name))
            .collect()
    } else {
        vec![]
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewClaimPage {
        title: "新建申报".into(),
        layout: Layout::new(
            st,
            u,
            "/claims/new",
            vec![
                ("/claims".into(), "申报".into()),
                (String::new(), "新建申报".into()),
            ],
        ),
        policy_options: policy_options(&st.policies, &selected),
        kind: policy
            .as_ref()
            .map(|p| p.kind.as_str().to_string())
            .unwrap_or_default(),
        facts: policy.as_ref().map(|p| fact_fields(p, &v)).unwrap_or_default(),
        policy,
        ask_uscc,
        v,
        errors,
        enterprise_options,
    };
    Ok((status, render(&page)).into_response())
}

async fn new_form(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    new_page(&st, &u, q, vec![]).await
}

async fn new_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let mut v: BTreeMap<String, String> = BTreeMap::new();
    let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(PageError::with(
                    &st,
                    &u,
                    WebError::bad_request(format!("上传内容无法读取:{e}")),
                ));
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let fname = field.file_name().unwrap_or("").to_string();
            let ctype = field.content_type().unwrap_or("").to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| PageError::with(&st, &u, WebError::bad_request(format!("文件上传失败:{e}"))))?;
            if !bytes.is_empty() {
                files.push((fname, ctype, bytes.to_vec()));
            }
        } else {
            v.insert(name, field.text().await.unwrap_or_default());
        }
    }
    check_csrf(&u, v.get("csrf").map(String::as_str).unwrap_or(""))
        .map_err(|e| PageError::with(&st, &u, e))?;
    // Changing the policy only redraws the form with that policy's facts.
    if v.get("go").map(String::as_str) == Some("choose") {
        return new_page(&st, &u, v, vec![]).await;
    }
    let mut errors = Vec::new();
    let Some(p) = v.get("policy").and_then(|id| st.policies.get(id)).cloned() else {
        return new_page(&st, &u, v, vec!["政策(policy):请选择要申报的政策".into()]).await;
    };
    let date = v
        .get("event_date")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let event_date = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .map_err(|_| {
            errors.push(format!(
                "事件日期(event_date):“{date}”应为 YYYY-MM-DD,例如 2024-03-01"
            ))
        })
        .ok();
    let base = money_field(&v, "base_yuan", "基数")
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    let approved = money_field(&v, "approved_yuan", "核定金额")
        .map_err(|e| errors.push(e))
        .ok()
        .flatten();
    for (name, _, bytes) in &files {
        if bytes.len() > clusterdesk_store::incentives::MAX_EVIDENCE_BYTES {
            errors.push(format!("证明材料(file):“{name}”超过 10 MB"));
        }
    }
    let uscc = if u.actor.role == Role::Enterprise {
        u.actor.org_code.clone()
    } else {
        v.get("uscc")
            .map(|s| s.trim().to_ascii_uppercase())
            .unwrap_or_default()
    };
    if uscc.is_empty() {
        errors.push("企业(uscc):请选择或填写企业统一社会信用代码".into());
    }
    let Some(event_date) = event_date.filter(|_| errors.is_empty()) else {
        return new_page(&st, &u, v, errors).await;
    };
    let new = NewClaim {
        policy: p.id.clone(),
        uscc,
        event_date,
        base,
        approved,
        facts: form_facts(&p, &v),
        submit: v.get("go").map(String::as_str) != Some("draft"),
        comment: v.get("comment").cloned().unwrap_or_default(),
    };
    let d = match st.store.file_claim(&u.actor, &st.policies, &new).await {
        Ok(d) => d,
        Err(
            e @ (StoreError::Invalid(_)
            | StoreError::Conflict(_)
            | StoreError::NotFound(_)
            | StoreError::Forbidden(_)),
        ) => {
            return new_page(&st, &u, v, vec![e.to_string()]).await;
        }
        Err(e) => return Err(PageError::with(&st, &u, e)),
    };
    let id = d.claim.id;
    for (name, ctype, bytes) in files {
        st.store
            .add_evidence(&u.actor, &st.policies, id, &name, &ctype, &bytes)
            .await
            .map_err(|e| PageError::with(&st, &u, e))?;
    }
    Ok(Redirect::to(&format!("/claims/{id}")).into_response())
}

// ---------------------------------------------------------------- 申请详情

struct ActionView {
    code: &'static str,
    label: &'static str,
    needs_reason: bool,
    needs_amount: bool,
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage {
    title: String,
    layout: Layout,
    d: ClaimDetail,
    amount: String,
    base: String,
    approved: String,
    eval_label: &'static str,
    facts: Vec<(String, String)>,
    trace: Vec<TraceRow>,
    flags: Vec<String>,
    events: Vec<(String, String, String, String, String)>,
    evidence: Vec<(i64, String, String, String, String)>,
    actions: Vec<ActionView>,
    can_upload: bool,
    error: String,
    notice: String,
}

async fn claim_page(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    status: StatusCode,
    error: String,
    notice: String,
) -> Result<Response, PageError> {
    let d = st
        .store
        .get_claim(&u.actor, &st.policies, id)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let c = &d.claim;
    let facts = match &c.facts {
        Value::Object(m) => {
            let p = st.policies.get(&c.policy);
            m.iter()
                .map(|(k, v)| {
                    let q = p
                        .and_then(|p| p.fact(k))
                        .map(|f| f.question.clone())
                        .unwrap_or_else(|| k.clone());
                    (q, value_text(v))
                })
                .collect()
        }
        _ => vec![],
    };
    let events = d
        .events
        .iter()
        .map(|e| {
            (
                e.at.replace('T', " ").get(..19).unwrap_or(&e.at).to_string(),
                e.actor.clone(),
                Role::parse(&e.actor_role)
                    .map(|r| r.label())
                    .unwrap_or("")
                    .to_string(),
                format!(
                    "{} → {}",
                    e.from_status
                        .as_deref()
                        .map(clusterdesk_store::incentives::status_label)
                        .unwrap_or("(新建)"),
                    clusterdesk_store::incentives::status_label(&e.to_status)
                ),
                e.comment.clone(),
            )
        })
        .collect();
    let evidence = d
        .evidence
        .iter()
        .map(|e| {
            (
                e.id,
                e.file_name.clone(),
                format!("{:.1} KB", e.size as f64 / 1024.0),
                e.uploaded_by.clone(),
                e.sha256.get(..16).unwrap_or("").to_string(),
            )
        })
        .collect();
    let actions = d
        .actions
        .iter()
        .filter_map(|a| Action::parse(a))
        .map(|a| ActionView {
            code: a.code(),
            label: a.label(),
            needs_reason: a == Action::Reject,
            needs_amount: a == Action::Approve
                && st
                    .policies
                    .get(&c.policy)
                    .is_some_and(|p| p.kind == clusterdesk_policy::Kind::CapOnly),
        })
        .collect();
    let can_upload = matches!(c.status.as_str(), "draft" | "submitted")
        && match u.actor.role {
            Role::Enterprise => u.actor.org_code == c.uscc,
            Role::CountyOperator | Role::CountyLeader => u.actor.org_code == c.county_code,
            Role::CityAdmin => true,
            _ => false,
        };
    let page = ClaimPage {
        title: format!("申请 #{}", c.id),
        layout: Layout::new(
            st,
            u,
            "/claims",
            vec![
                ("/claims".into(), "申报".into()),
                (String::new(), format!("申请 #{}", c.id)),
            ],
        ),
        amount: yuan_grouped(Fen(c.amount_fen)),
        base: c
            .base_fen
            .map(|f| yuan_grouped(Fen(f)))
            .unwrap_or_else(|| "—".into()),
        approved: c
            .approved_fen
            .map(|f| yuan_grouped(Fen(f)))
            .unwrap_or_else(|| "—".into()),
        eval_label: eval_label(&c.eval_status),
        facts,
        trace: trace_rows_json(&c.outcome),
        flags: c.outcome["flags"]
            .as_array()
            .map(|xs| xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        events,
        evidence,
        actions,
        can_upload,
        error,
        notice,
        d,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(serde::Deserialize, Default)]
struct ClaimQuery {
    done: Option<String>,
}

async fn claim(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Query(q): Query<ClaimQuery>,
) -> Result<Response, PageError> {
    let id = page_id(&st, &u, &id)?;
    let notice = match q.done.as_deref().and_then(Action::parse) {
        Some(a) => format!("已{}", a.label()),
        None if q.done.as_deref() == Some("upload") => "材料已上传".into(),
        None => String::new(),
    };
    claim_page(&st, &u, id, StatusCode::OK, String::new(), notice).await
}

fn page_id(st: &AppState, u: &CurrentUser, s: &str) -> Result<i64, PageError> {
    s.parse::<i64>()
        .map_err(|_| PageError::with(st, u, StoreError::NotFound(format!("申请“{s}”"))))
}

#[derive(serde::Deserialize, Default)]
struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    approved_yuan: String,
}

fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        StoreError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn claim_act(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ActForm>,
) -> Result<Response, PageError> {
    let id = page_id(&st, &u, &id)?;
    check_csrf(&u, &f.csrf).map_err(|e| PageError::with(&st, &u, e))?;
    let Some(action) = Action::parse(&f.action) else {
        return claim_page(
            &st,
            &u,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("未知操作“{}”", f.action),
            String::new(),
        )
        .await;
    };
    let mut vals = BTreeMap::new();
    vals.insert("approved_yuan".to_string(), f.approved_yuan.clone());
    let approved = match money_field(&vals, "approved_yuan", "核定金额") {
        Ok(a) => a,
        Err(e) => return claim_page(&st, &u, id, StatusCode::UNPROCESSABLE_ENTITY, e, String::new()).await,
    };
    let input = ActionInput {
        comment: f.comment,
        reason: Some(f.reason).filter(|s| !s.trim().is_empty()),
        approved,
    };
    match st
        .store
        .claim_action(&u.actor, &st.policies, id, action, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/claims/{id}?done={}", action.code())).into_response()),
        Err(e @ (StoreError::Db(_) | StoreError::Migrate(_))) => Err(PageError::with(&st, &u, e)),
        Err(e) => claim_page(&st, &u, id, store_status(&e), e.to_string(), String::new()).await,
    }
}

async fn claim_upload(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let id = page_id(&st, &u, &id)?;
    let mut csrf = String::new();
    let mut file = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => match field.name().unwrap_or("") {
                "csrf" => csrf = field.text().await.unwrap_or_default(),
                "file" => {
                    let name = field.file_name().unwrap_or("").to_string();
                    let ctype = field.content_type().unwrap_or("").to_string();
                    let bytes = field.bytes().await.map_err(|e| {
                        PageError::with(&st, &u, WebError::bad_request(format!("文件上传失败:{e}")))
                    })?;
                    file = Some((name, ctype, bytes));
                }
                _ => {}
            },
            Ok(None) => break,
            Err(e) => {
                return Err(PageError::with(
                    &st,
                    &u,
                    WebError::bad_request(format!("上传内容无法读取:{e}")),
                ));
            }
        }
    }
    check_csrf(&u, &csrf).map_err(|e| PageError::with(&st, &u, e))?;
    let Some((name, ctype, bytes)) = file else {
        return claim_page(
            &st,
            &u,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择要上传的文件".into(),
            String::new(),
        )
        .await;
    };
    match st
        .store
        .add_evidence(&u.actor, &st.policies, id, &name, &ctype, &bytes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/claims/{id}?done=upload")).into_response()),
        Err(e @ (StoreError::Db(_) | StoreError::Migrate(_))) => Err(PageError::with(&st, &u, e)),
        Err(e) => claim_page(&st, &u, id, store_status(&e), e.to_string(), String::new()).await,
    }
}

async fn claim_evidence(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path((id, evidence)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = page_id(&st, &u, &id)?;
    let evidence = page_id(&st, &u, &evidence)?;
    let (name, ctype, bytes) = st
        .store
        .get_evidence(&u.actor, &st.policies, id, evidence)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    Ok(evidence_response(&name, &ctype, bytes))
}

// ---------------------------------------------------------------- 资金台账

struct LedgerLine {
    date: String,
    policy_name: String,
    clause: String,
    enterprise: String,
    uscc: String,
    county: String,
    yuan: String,
    source: String,
    claim_id: Option<i64>,
    trace: Vec<TraceRow>,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    title: String,
    layout: Layout,
    items: Vec<LedgerLine>,
    total: String,
    year: String,
    years: Vec<i64>,
    by_policy: Vec<(String, String, usize, String)>,
}

#[derive(serde::Deserialize, Default)]
struct YearQuery {
    year: Option<String>,
    format: Option<String>,
}

async fn ledger(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    business(&st, &u)?;
    let year = q.year.as_deref().and_then(|y| y.trim().parse::<i64>().ok());
    let rows = st
        .store
        .list_ledger(&u.actor, &st.policies, year)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    if let Some(fmt) = q.format.as_deref() {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.paid_date.clone(),
                    r.clause.clone(),
                    r.policy_name.clone(),
                    r.enterprise_name.clone().unwrap_or_default(),
                    r.uscc.clone().unwrap_or_default(),
                    r.county_name.clone().unwrap_or_default(),
                    r.funding_source.clone(),
                    r.budget_year.to_string(),
                    r.paid_yuan.clone(),
                    r.claim_id.map(|i| i.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        return super::table_download(
            &st,
            &u,
            fmt,
            "资金台账",
            &[
                "拨付日期",
                "条款",
                "政策",
                "企业",
                "统一社会信用代码",
                "县(市)",
                "资金来源",
                "预算年度",
                "金额(元)",
                "申请编号",
            ],
            &table,
        );
    }
    let total: Fen = rows.iter().map(|r| Fen(r.paid_fen)).sum();
    let mut by: BTreeMap<(String, String), (usize, i64)> = BTreeMap::new();
    for r in &rows {
        let e = by.entry((r.clause.clone(), r.policy_name.clone())).or_default();
        e.0 += 1;
        e.1 += r.paid_fen;
    }
    let this_year = st.store.today().year() as i64;
    let page = LedgerPage {
        title: "资金台账".into(),
        layout: Layout::new(&st, &u, "/ledger", vec![(String::new(), "资金台账".into())]),
        total: yuan_grouped(total),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        years: (this_year - 4..=this_year).rev().collect(),
        by_policy: by
            .into_iter()
            .map(|((c, n), (k, f))| (c, n, k, yuan_grouped(Fen(f))))
            .collect(),
        items: rows
            .iter()
            .map(|r| LedgerLine {
                date: r.paid_date.clone(),
                policy_name: r.policy_name.clone(),
                clause: r.clause.clone(),
                enterprise: r.enterprise_name.clone().unwrap_or_default(),
                uscc: r.uscc.clone().unwrap_or_default(),
                county: r.county_name.clone().unwrap_or_default(),
                yuan: yuan_grouped(Fen(r.paid_fen)),
                source: r.funding_source.clone(),
                claim_id: r.claim_id,
                trace: trace_rows_json(&r.outcome),
            })
            .collect(),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- 预算

struct BudgetLine {
    year: i64,
    source: String,
    amount: String,
    committed: String,
    paid: String,
    held: String,
    remaining: String,
    used_pct: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "budgets.html")]
struct BudgetsPage {
    title: String,
    layout: Layout,
    items: Vec<BudgetLine>,
    can_set: bool,
    sources: Vec<String>,
    year: String,
    source: String,
    amount: String,
    error: String,
    notice: String,
}

fn budget_line(b: &BudgetRow) -> BudgetLine {
    let used = b.committed_fen + b.paid_fen;
    BudgetLine {
        year: b.year,
        source: b.funding_source.clone(),
        amount: Fen(b.amount_fen).wan_yuan(2),
        committed: Fen(b.committed_fen).wan_yuan(2),
        paid: Fen(b.paid_fen).wan_yuan(2),
        held: Fen(b.held_fen).wan_yuan(2),
        remaining: Fen(b.remaining_fen).wan_yuan(2),
        used_pct: if b.amount_fen > 0 {
            clusterdesk_domain::money::format_scaled(used * 100, b.amount_fen, 1)
        } else {
            "—".into()
        },
        over: b.remaining_fen < 0,
    }
}

async fn budgets_page(
    st: &AppState,
    u: &CurrentUser,
    form: (String, String, String),
    status: StatusCode,
    error: String,
    notice: String,
) -> Result<Response, PageError> {
    let rows = st
        .store
        .list_budgets(&u.actor)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let mut sources: Vec<String> = st
        .policies
        .policies()
        .filter(|p| p.kind != clusterdesk_policy::Kind::RankTransfer)
        .map(funding_key)
        .collect();
    sources.sort();
    sources.dedup();
    let can_set = u.actor.role == Role::CityDepartment && u.actor.org_code == st.store.finance_department();
    let page = BudgetsPage {
        title: "预算".into(),
        layout: Layout::new(st, u, "/budgets", vec![(String::new(), "预算".into())]),
        items: rows.iter().map(budget_line).collect(),
        can_set,
        sources,
        year: if form.0.is_empty() {
            st.store.today().year().to_string()
        } else {
            form.0
        },
        source: form.1,
        amount: form.2,
        error,
        notice,
    };
    Ok((status, render(&page)).into_response())
}

async fn budgets(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    budgets_page(
        &st,
        &u,
        Default::default(),
        StatusCode::OK,
        String::new(),
        String::new(),
    )
    .await
}

#[derive(serde::Deserialize, Default)]
struct BudgetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    funding_source: String,
    #[serde(default)]
    amount_wan: String,
}

async fn budget_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Form(f): Form<BudgetForm>,
) -> Result<Response, PageError> {
    check_csrf(&u, &f.csrf).map_err(|e| PageError::with(&st, &u, e))?;
    let keep = (f.year.clone(), f.funding_source.clone(), f.amount_wan.clone());
    let year = match f.year.trim().parse::<i64>() {
        Ok(y) => y,
        Err(_) => {
            return budgets_page(
                &st,
                &u,
                keep,
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("年度(year):“{}”不是年份", f.year),
                String::new(),
            )
            .await;
        }
    };
    // 万元 with up to six decimals = exact fen.
    let amount = match wan_to_fen(&f.amount_wan) {
        Ok(a) => a,
        Err(e) => {
            return budgets_page(&st, &u, keep, StatusCode::UNPROCESSABLE_ENTITY, e, String::new()).await;
        }
    };
    match st
        .store
        .set_budget(&u.actor, year, &f.funding_source, amount)
        .await
    {
        Ok(()) => {
            budgets_page(
                &st,
                &u,
                Default::default(),
                StatusCode::OK,
                String::new(),
                format!(
                    "已设置 {year} 年度“{}”预算 {} 万元",
                    f.funding_source.trim(),
                    amount.wan_yuan(2)
                ),
            )
            .await
        }
        Err(e @ (StoreError::Db(_) | StoreError::Migrate(_))) => Err(PageError::with(&st, &u, e)),
        Err(e) => budgets_page(&st, &u, keep, store_status(&e), e.to_string(), String::new()).await,
    }
}

/// `123.45` 万元 → fen, exactly (at most six decimals: 1 万元 = 1,000,000 fen).
fn wan_to_fen(s: &str) -> Result<Fen, String> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    let bad = || format!("预算金额(amount_wan):“{s}”不是有效的万元金额(最多六位小数)");
    let (int, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let i: i64 = int.parse().map_err(|_| bad())?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().map_err(|_| bad())?
    };
    i.checked_mul(1_000_000)
        .and_then(|v| v.checked_add(f))
        .map(Fen)
        .ok_or_else(bad)
}

// ---------------------------------------------------------------- 免申即享

struct ScanLine {
    county: String,
    enterprise: String,
    uscc: String,
    policy: String,
    policy_name: String,
    clause: String,
    event_date: String,
    eligible: bool,
    amount: String,
    missing: String,
    basis: String,
    flags: String,
    file_href: String,
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    title: String,
    layout: Layout,
    year: String,
    years: Vec<i32>,
    from: String,
    to: String,
    enterprises: usize,
    eligible: usize,
    eligible_wan: String,
    unknown: usize,
    items: Vec<ScanLine>,
    by_policy: Vec<(String, String, usize, String, usize)>,
    can_file: bool,
    shown: usize,
    total: usize,
}

#[derive(serde::Deserialize, Default)]
struct ScanQuery {
    year: Option<String>,
    status: Option<String>,
    format: Option<String>,
}

async fn scan(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ScanQuery>,
) -> Result<Response, PageError> {
    business(&st, &u)?;
    let year =
        crate::api::incentives::scan_year(q.year.as_deref()).map_err(|e| PageError::with(&st, &u, e))?;
    let r = st
        .store
        .eligibility_scan(&u.actor, &st.policies, year)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    let mut by: BTreeMap<(String, String), (usize, i64, usize)> = BTreeMap::new();
    for x in &r.rows {
        let e = by.entry((x.clause.clone(), x.policy_name.clone())).or_default();
        if x.status == "eligible" {
            e.0 += 1;
            e.1 += x.amount_fen;
        } else {
            e.2 += 1;
        }
    }
    let can_file = matches!(
        u.actor.role,
        Role::Enterprise | Role::CountyOperator | Role::CityAdmin
    );
    let only = q.status.clone().unwrap_or_default();
    let filtered: Vec<_> = r
        .rows
        .iter()
        .filter(|x| only.is_empty() || x.status == only)
        .collect();
    let total = filtered.len();
    if let Some(fmt) = q.format.as_deref() {
        let table: Vec<Vec<String>> = filtered
            .iter()
            .map(|x| {
                vec![
                    x.county_name.clone(),
                    x.enterprise_name.clone(),
                    x.uscc.clone(),
                    x.clause.clone(),
                    x.policy_name.clone(),
                    x.event_date.clone(),
                    if x.status == "eligible" {
                        "可享受".into()
                    } else {
                        "待定".into()
                    },
                    x.amount_yuan.clone(),
                    x.missing.join("、"),
                    x.basis.clone(),
                ]
            })
            .collect();
        return super::table_download(
            &st,
            &u,
            fmt,
            "免申即享",
            &[
                "县(市)",
                "企业",
                "统一社会信用代码",
                "条款",
                "政策",
                "事件日期",
                "结论",
                "金额(元)",
                "缺少",
                "依据",
            ],
            &table,
        );
    }
    // The page shows the first 1,000 rows; the JSON API and the CLI give them all.
    let items = filtered
        .into_iter()
        .take(1000)
        .map(|x| ScanLine {
            county: x.county_name.clone(),
            enterprise: x.enterprise_name.clone(),
            uscc: x.uscc.clone(),
            policy: x.policy.clone(),
            policy_name: x.policy_name.clone(),
            clause: x.clause.clone(),
            event_date: x.event_date.clone(),
            eligible: x.status == "eligible",
            amount: yuan_grouped(Fen(x.amount_fen)),
            missing: x.missing.join("、"),
            basis: x.basis.clone(),
            flags: x.flags.join(";"),
            file_href: {
                let mut h = format!(
                    "/claims/new?policy={}&uscc={}&event_date={}",
                    x.policy, x.uscc, x.event_date
                );
                if let Value::Object(m) = &x.facts {
                    for (k, v) in m {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        h.push_str(&format!("&fact.{k}={}", super::urlencode(&v)));
                    }
                }
                h
            },
        })
        .collect::<Vec<_>>();
    let this_year = st.store.today().year();
    let page = ScanPage {
        title: "免申即享".into(),
        layout: Layout::new(&st, &u, "/scan", vec![(String::new(), "免申即享".into())]),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        years: (2022..=this_year).rev().collect(),
        from: r.from.clone(),
        to: r.to.clone(),
        enterprises: r.enterprises,
        eligible: r.eligible,
        eligible_wan: Fen(r.eligible_fen).wan_yuan(2),
        unknown: r.unknown,
        shown: items.len(),
        total,
        items,
        by_policy: by
            .into_iter()
            .map(|((c, n), (k, f, unk))| (c, n, k, Fen(f).wan_yuan(2), unk))
            .collect(),
        can_file,
    };
    Ok(render(&page))
}
