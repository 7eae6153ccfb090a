//! The fact fields shared by the calculator and the claim form: a policy's facts as inputs,
//! typed back by the policy's declarations, and the money fields.

use super::policies::value_text;
use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use clusterdesk_policy::model::FactType;
use clusterdesk_policy::{Policy, PolicySet};
use serde_json::Value;
use std::collections::BTreeMap;

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

pub(super) fn fact_fields(p: &Policy, values: &BTreeMap<String, String>) -> Vec<FactField> {
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
    clusterdesk_policy::labels::option_label(o).to_string()
}

/// The facts typed on a form, typed by the policy's declarations.
pub(super) fn form_facts(p: &Policy, values: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
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

pub(super) fn policy_options(set: &PolicySet, selected: &str) -> Vec<(String, String, bool)> {
    set.policies()
        .filter(|p| p.kind != clusterdesk_policy::Kind::RankTransfer)
        .map(|p| (p.id.clone(), format!("{} {}", p.clause, p.name), p.id == selected))
        .collect()
}

/// The event date (`YYYY-MM-DD`) of the calculator and the claim form; a refusal goes to
/// `errors`.
pub(super) fn date_field(
    values: &BTreeMap<String, String>,
    key: &str,
    errors: &mut Vec<String>,
) -> Option<NaiveDate> {
    let date = values.get(key).map(|s| s.trim()).unwrap_or("");
    let parsed = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.push(format!("事件日期({key}):“{date}”应为 YYYY-MM-DD,例如 2024-03-01"));
    }
    parsed
}

/// The base and the approved amount of the calculator and the claim form; refusals go to
/// `errors`.
pub(super) fn amount_fields(
    values: &BTreeMap<String, String>,
    (base_key, approved_key): (&str, &str),
    errors: &mut Vec<String>,
) -> (Option<Fen>, Option<Fen>) {
    let mut take = |key: &str, label: &str| {
        money_field(values, key, label)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
    };
    (take(base_key, "基数"), take(approved_key, "核定金额"))
}

pub(super) fn money_field(
    values: &BTreeMap<String, String>,
    key: &str,
    label: &str,
) -> Result<Option<Fen>, String> {
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
