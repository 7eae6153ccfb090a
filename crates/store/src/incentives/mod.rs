//! Incentive claims, their workflow, evidence, the ledger of payouts and yearly budgets.
//!
//! The store never computes money: every amount comes from [`PolicySet::evaluate`] over the
//! claim and the ledger of earlier payouts of the same enterprise (the `ledger` table), and
//! the outcome with its trace is kept on the claim and on the ledger row.
//!
//! Workflow (every step a `claim_events` row and a `change_log` row):
//!
//! | action | from | to | who |
//! |---|---|---|---|
//! | file | — | submitted (or draft) | the enterprise itself; a county operator for its county; city_admin |
//! | submit | draft | submitted | whoever may file for the enterprise |
//! | review | submitted | county_reviewed | county operator or county leader of the claim's county |
//! | approve | county_reviewed | approved, or held when the year's budget would be exceeded | the responsible city department (first department among the policy's 责任单位), or city_admin (市工信局, who coordinates the plan, 四(一)) |
//! | release | held | approved (if the budget now allows) | as approve, or 市财政局 |
//! | disburse | approved | disbursed (a ledger row) | 市财政局 only |
//! | reject | submitted → county roles and city_admin; county_reviewed / held → approvers; approved → approvers and 市财政局 | rejected, with a reason | |
//!
//! city_admin can do everything but the county review and the disbursement: the county's
//! check belongs to the county and payment to the finance bureau (separation of duties).

mod budgets;
mod claims;
mod engine;
mod evidence;
mod ledger;
mod permissions;
mod scan;
mod workflow;
pub use engine::{LedgerRaw, engine_claim, evaluate_one, ledger_entries, outcome_reason};
pub use scan::{ScanReport, ScanRow, scan_window};

use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use clusterdesk_policy::Policy;
use serde_json::Value;
use std::collections::BTreeMap;

/// Largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

pub const STATUSES: [(&str, &str); 7] = [
    ("draft", "草稿"),
    ("submitted", "已提交,待县(市)审核"),
    ("county_reviewed", "县(市)已审核,待市直部门审批"),
    ("approved", "已审批,待市财政局拨付"),
    ("held", "预算不足,暂缓"),
    ("disbursed", "已拨付"),
    ("rejected", "已驳回"),
];

pub fn status_label(s: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(c, _)| *c == s)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// The funding source a policy's payouts are counted against: the policy's `funding.source`,
/// with 市财政 and 市级财政 read as one source (the same city budget).
pub fn funding_key(p: &Policy) -> String {
    match p.funding.source.as_str() {
        "市财政" | "市级财政" => "市级财政".to_string(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Review,
    Approve,
    Release,
    Disburse,
    Reject,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "submit" => Action::Submit,
            "review" => Action::Review,
            "approve" => Action::Approve,
            "release" => Action::Release,
            "disburse" => Action::Disburse,
            "reject" => Action::Reject,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Review => "review",
            Action::Approve => "approve",
            Action::Release => "release",
            Action::Disburse => "disburse",
            Action::Reject => "reject",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "提交",
            Action::Review => "县(市)审核通过",
            Action::Approve => "审批通过",
            Action::Release => "预算到位,恢复审批",
            Action::Disburse => "确认拨付",
            Action::Reject => "驳回",
        }
    }

    /// The statuses this action starts from.
    fn from(self) -> &'static [&'static str] {
        match self {
            Action::Submit => &["draft"],
            Action::Review => &["submitted"],
            Action::Approve => &["county_reviewed"],
            Action::Release => &["held"],
            Action::Disburse => &["approved"],
            Action::Reject => &["submitted", "county_reviewed", "held", "approved"],
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimRow {
    pub id: i64,
    pub policy: String,
    pub policy_name: String,
    pub clause: String,
    pub uscc: String,
    pub enterprise_name: String,
    pub county_code: String,
    pub county_name: String,
    /// The responsible city department that approves (org code).
    pub department: String,
    pub department_name: String,
    pub funding_source: String,
    /// The event date (recognition, acceptance, investment).
    pub event_date: String,
    pub base_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub project: Option<String>,
    #[schema(value_type = Object)]
    pub facts: Value,
    pub status: String,
    pub status_label: String,
    /// The engine's latest verdict: eligible, not_eligible or unknown.
    pub eval_status: String,
    pub amount_fen: i64,
    pub amount_yuan: String,
    /// The engine's latest outcome: status, amount, capped, missing, trace (each step cites its clause), flags.
    #[schema(value_type = Object)]
    pub outcome: Value,
    pub budget_year: Option<i64>,
    pub hold_reason: Option<String>,
    pub reject_reason: Option<String>,
    pub filed_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimEvent {
    pub at: String,
    pub actor: String,
    pub actor_role: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub comment: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EvidenceInfo {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimDetail {
    pub claim: ClaimRow,
    pub events: Vec<ClaimEvent>,
    pub evidence: Vec<EvidenceInfo>,
    /// The actions the caller may take now.
    pub actions: Vec<String>,
}

/// A claim as filed, already parsed field by field.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub policy: String,
    pub uscc: String,
    pub event_date: NaiveDate,
    pub base: Option<Fen>,
    pub approved: Option<Fen>,
    pub facts: BTreeMap<String, Value>,
    /// False keeps it as a draft.
    pub submit: bool,
    pub comment: String,
}

#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub comment: String,
    /// Required to reject.
    pub reason: Option<String>,
    /// The amount the department approves under a cap-only rule (揭榜挂帅, 技改, …).
    pub approved: Option<Fen>,
}

#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub status: Option<String>,
    /// Only the claims waiting for the caller's action.
    pub queue: bool,
    pub policy: Option<String>,
    pub uscc: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LedgerRow {
    pub id: i64,
    pub policy: String,
    pub policy_name: String,
    pub clause: String,
    pub uscc: Option<String>,
    pub enterprise_name: Option<String>,
    pub county_code: Option<String>,
    pub county_name: Option<String>,
    pub paid_date: String,
    pub paid_fen: i64,
    pub paid_yuan: String,
    pub project: Option<String>,
    pub funding_source: String,
    pub budget_year: i64,
    #[schema(value_type = Object)]
    pub outcome: Value,
    pub claim_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BudgetRow {
    pub year: i64,
    pub funding_source: String,
    pub amount_fen: i64,
    /// Approved, not yet paid.
    pub committed_fen: i64,
    pub paid_fen: i64,
    /// amount − committed − paid.
    pub remaining_fen: i64,
    /// Claims held for want of budget.
    pub held_fen: i64,
    pub updated_by: String,
    pub updated_at: String,
}
