//! 政策计算器: a policy's amount for the facts typed, with the trace that cites its clauses.

use super::facts::{FactField, amount_fields, date_field, fact_fields, form_facts, policy_options};
use super::{TraceRow, business, eval_label, trace_rows};
use crate::AppState;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use clusterdesk_domain::{Fen, Role};
use clusterdesk_policy::eval::yuan_grouped;
use clusterdesk_policy::{Outcome, Policy, Status};
use clusterdesk_store::incentives::{LedgerRow, outcome_reason};
use std::collections::BTreeMap;

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

fn calc_result(p: &clusterdesk_policy::Policy, o: &Outcome, ledger_note: String) -> CalcResult {
    CalcResult {
        status: eval_label(o.status.as_str()).into(),
        status_class: match o.status {
            Status::Eligible => "ok",
            Status::NotEligible => "bad",
            Status::Unknown => "warn",
        },
        amount: yuan_grouped(o.amount),
        capped: o.capped,
        missing: o
            .missing
            .iter()
            .map(|m| clusterdesk_policy::labels::missing_label(p, m))
            .collect::<Vec<_>>()
            .join("、"),
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

pub(super) async fn calc(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    business(&u)?;
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
        let parsed = date_field(&q, "date", &mut errors);
        let (base, approved) = amount_fields(&q, ("base", "approved"), &mut errors);
        if let (Some(date), true) = (parsed, errors.is_empty()) {
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
                            result = Some(calc_result(p, o, ledger_note));
                        }
                    }
                    Err(e) => errors.push(e.to_string()),
                }
            }
        }
    }
    let facts = policy.as_ref().map(|p| fact_fields(p, &q)).unwrap_or_default();
    let status = crate::ui::form_status(&errors);
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
