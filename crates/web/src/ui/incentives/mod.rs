//! Incentive pages: 政策目录, 政策计算器, 申报 (form with evidence), 审核队列, 申请详情,
//! 资金台账, 预算 and 免申即享. Money is shown in 元 (claims, ledger) or 万元 (budgets), with
//! the unit in the column header; every amount shows the trace that cites its clause.

mod budgets;
mod calc;
mod claims;
mod detail;
mod facts;
mod ledger;
mod policies;
mod scan;

use super::PageError;
use crate::access::{Access, Pages};
use crate::auth::CurrentUser;
use crate::error::WebError;
use budgets::{budget_submit, budgets};
use calc::calc;
use claims::{claims, new_form, new_submit};
use clusterdesk_domain::Fen;
use clusterdesk_policy::TraceStep;
use clusterdesk_policy::eval::yuan_grouped;
use clusterdesk_store::Scope;
use detail::{claim, claim_act, claim_evidence, claim_upload};
use ledger::ledger;
use policies::{policies, policy};
use scan::scan;
use serde_json::Value;

/// The pages of this feature, each with its access rule.
pub fn pages() -> Pages {
    Pages::new()
        .get("/policies", Access::BUSINESS, policies)
        .get("/policies/calc", Access::BUSINESS, calc)
        .get("/policies/{id}", Access::BUSINESS, policy)
        .get("/claims", Access::BUSINESS, claims)
        .get("/claims/new", Access::CLAIM_FILERS, new_form)
        .post("/claims/new", Access::CLAIM_FILERS, new_submit)
        .get("/claims/{id}", Access::BUSINESS, claim)
        .post("/claims/{id}/act", Access::CLAIM_ACTORS, claim_act)
        .post("/claims/{id}/evidence", Access::CLAIM_EVIDENCE, claim_upload)
        .get(
            "/claims/{id}/evidence/{evidence}",
            Access::BUSINESS,
            claim_evidence,
        )
        .get("/ledger", Access::BUSINESS, ledger)
        .get("/budgets", Access::CITY, budgets)
        .post("/budgets", Access::CITY_DEPARTMENT, budget_submit)
        .get("/scan", Access::BUSINESS, scan)
}

fn business(u: &CurrentUser) -> Result<(), PageError> {
    if u.actor.scope() == Scope::Nothing {
        return Err(WebError::forbidden("该角色不能查看业务数据").into());
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
