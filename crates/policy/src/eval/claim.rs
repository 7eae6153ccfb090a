//! The claim and the ledger handed to the engine, and the checks of a claim against its policy:
//! its readings and the names and types of its facts.

use crate::PolicyError;
use crate::model::{Policy, value_key};
use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use clusterdesk_domain::Uscc;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;

/// A claim for one incentive (or, for a rank transfer, one year's county scores).
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub policy: String,
    pub enterprise: Option<Uscc>,
    /// The event date (recognition, acceptance, investment, assessment); the parameters in
    /// force on this date apply.
    pub date: NaiveDate,
    /// The investment, fee or award a share is taken of (`share_with_cap`).
    pub base: Option<Fen>,
    /// The amount approved under a cap-only rule (`cap_only`).
    pub approved: Option<Fen>,
    pub facts: BTreeMap<String, Value>,
    /// County code → score (`rank_transfer`).
    pub scores: Option<BTreeMap<String, Decimal>>,
    /// Overrides of the policy's readings for this claim (e.g. `requires_previous_stage`).
    pub readings: BTreeMap<String, Value>,
}

impl Claim {
    pub fn new(policy: &str, date: NaiveDate) -> Claim {
        Claim {
            policy: policy.to_string(),
            enterprise: None,
            date,
            base: None,
            approved: None,
            facts: BTreeMap::new(),
            scores: None,
            readings: BTreeMap::new(),
        }
    }
}

/// An earlier payout.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    pub policy: String,
    pub enterprise: Option<Uscc>,
    pub county: Option<String>,
    pub date: NaiveDate,
    pub paid: Fen,
    /// The project, registration or award the payout was for (per-project caps).
    pub project: Option<String>,
}

/// The readings for this claim: the file's defaults, overridden by the claim where it says so.
pub(crate) fn resolve_readings(p: &Policy, claim: &Claim) -> Result<BTreeMap<String, Value>, PolicyError> {
    let mut out: BTreeMap<String, Value> = p
        .readings
        .iter()
        .map(|r| (r.name.clone(), r.default.clone()))
        .collect();
    for (name, v) in &claim.readings {
        let Some(r) = p.reading(name) else {
            let names: Vec<&str> = p.readings.iter().map(|r| r.name.as_str()).collect();
            return Err(field_err(
                p,
                &format!("readings.{name}"),
                format!("该政策没有这个解读参数(可用:{})", names.join("、")),
            ));
        };
        if !r.accepts(v) {
            return Err(field_err(
                p,
                &format!("readings.{name}"),
                format!("取值 {v} 不允许(可用:{:?})", r.options),
            ));
        }
        out.insert(name.clone(), v.clone());
    }
    Ok(out)
}

pub(crate) fn field_err(p: &Policy, field: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Field {
        policy: p.id.clone(),
        field: field.into(),
        message: message.into(),
    }
}

pub(crate) fn reading_str(readings: &BTreeMap<String, Value>, name: &str) -> String {
    readings.get(name).map(value_key).unwrap_or_default()
}

/// Check the claim's facts against the policy's declared facts (names and types).
pub(crate) fn check_fact_types(p: &Policy, claim: &Claim) -> Result<(), PolicyError> {
    for (name, v) in &claim.facts {
        let Some(spec) = p.fact(name) else {
            let names: Vec<&str> = p.facts.iter().map(|f| f.name.as_str()).collect();
            return Err(field_err(
                p,
                &format!("facts.{name}"),
                format!(
                    "该政策没有这个事实(可用:{})",
                    if names.is_empty() {
                        "无".into()
                    } else {
                        names.join("、")
                    }
                ),
            ));
        };
        if !spec.accepts(v) {
            let want = match spec.fact_type {
                crate::model::FactType::Bool => "true 或 false".to_string(),
                crate::model::FactType::Text => "文本".to_string(),
                crate::model::FactType::Choice => spec.options.join("、"),
            };
            return Err(field_err(
                p,
                &format!("facts.{name}"),
                format!("取值 {v} 不符合,应为 {want}"),
            ));
        }
    }
    Ok(())
}
