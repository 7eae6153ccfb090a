//! Incentive claims, their workflow, evidence, the ledger of payouts and yearly budgets.
//!
//! The store never computes money: every amount comes from [`PolicySet::evaluate`] over the
//! claim and the ledger of earlier payouts of the same enterprise (the `ledger` table), and
//! the outcome with its trace is kept on the claim and on the ledger row.
//!
//! The workflow's states, steps and who may take them are decided in
//! `clusterdesk_domain::workflow::claim`; every step writes a `claim_events` row and a
//! `change_log` row.

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

// The states and steps are the domain's; the store keeps its short name for the step.
pub use clusterdesk_domain::workflow::claim::{ClaimAction as Action, ClaimStatus};

use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use clusterdesk_policy::Policy;
use serde_json::Value;
use std::collections::BTreeMap;

/// Largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The funding source a policy's payouts are counted against: the policy's `funding.source`,
/// with 市财政 and 市级财政 read as one source (the same city budget).
pub fn funding_key(p: &Policy) -> String {
    match p.funding.source.as_str() {
        "市财政" | "市级财政" => "市级财政".to_string(),
        other => other.to_string(),
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
    #[schema(value_type = String)]
    pub status: ClaimStatus,
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
    #[schema(value_type = Option<String>)]
    pub from_status: Option<ClaimStatus>,
    #[schema(value_type = String)]
    pub to_status: ClaimStatus,
    pub comment: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
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
    #[schema(value_type = Vec<String>)]
    pub actions: Vec<Action>,
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
