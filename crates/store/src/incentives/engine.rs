//! Calling the policy engine: a claim's facts, the enterprise's ledger and the outcome as stored.

use crate::{Result, StoreError};
use chrono::NaiveDate;
use clusterdesk_domain::{Fen, Uscc};
use clusterdesk_policy::{Claim, LedgerEntry, Outcome, PolicySet, Status};
use serde_json::Value;
use std::collections::BTreeMap;

/// What an evaluation outcome is stored as: the contract of `policy calc`.
pub(super) fn outcome_value(o: &Outcome) -> Value {
    clusterdesk_policy::json::outcome_json(o)
}

/// The reason an outcome gives for not paying: its last trace step.
pub fn outcome_reason(o: &Outcome) -> String {
    match o.status {
        // The engine's result step says what is missing in words (the questions of the facts).
        Status::Unknown => match o.trace.last() {
            Some(t) if t.step == "result" => t.text.clone(),
            _ => format!("缺少:{}", o.missing.join("、")),
        },
        _ => o.trace.last().map(|t| t.text.clone()).unwrap_or_default(),
    }
}

/// A ledger row as read: (policy, uscc, county, paid date, paid fen, project).
pub type LedgerRaw = (
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
);

/// The ledger rows of one enterprise as the engine's ledger entries.
pub fn ledger_entries(rows: &[LedgerRaw]) -> Vec<LedgerEntry> {
    rows.iter()
        .filter_map(|(policy, uscc, county, date, paid, project)| {
            Some(LedgerEntry {
                policy: policy.clone(),
                enterprise: uscc.as_deref().and_then(|u| Uscc::parse(u).ok()),
                county: county.clone(),
                date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
                paid: Fen(*paid),
                project: project.clone(),
            })
        })
        .collect()
}

/// The engine's claim for a stored or new claim.
pub fn engine_claim(
    policy: &str,
    uscc: &str,
    date: NaiveDate,
    base: Option<Fen>,
    approved: Option<Fen>,
    facts: &BTreeMap<String, Value>,
) -> Claim {
    let mut c = Claim::new(policy, date);
    c.enterprise = Uscc::parse(uscc).ok();
    c.base = base;
    c.approved = approved;
    c.facts = facts.clone();
    c
}

fn policy_err(e: clusterdesk_policy::PolicyError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Evaluate one enterprise claim; exactly one outcome.
pub fn evaluate_one(set: &PolicySet, claim: &Claim, ledger: &[LedgerEntry]) -> Result<Outcome> {
    let mut outs = set.evaluate(claim, ledger).map_err(policy_err)?;
    if outs.len() != 1 {
        return Err(StoreError::Invalid("该政策不是企业申报类政策".into()));
    }
    Ok(outs.remove(0))
}
