//! The parameters in force: the parameter date of a claim and the dated values looked up on it.

use super::claim::{Claim, field_err, reading_str};
use super::outcome::Outcome;
use crate::PolicyError;
use crate::labels::date_zh;
use crate::model::{Policy, money_list, money_value};
use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use serde_json::Value;
use std::collections::BTreeMap;

/// The parameter date: the event date, or the first date a value is in force when the event
/// came earlier and the `events_before_issue` reading lets it through.
pub(super) fn parameter_date(
    p: &Policy,
    claim: &Claim,
    readings: &BTreeMap<String, Value>,
    o: &mut Outcome,
) -> Option<NaiveDate> {
    let first = p.first_date()?;
    let first_zh = date_zh(first);
    if claim.date >= first {
        o.step(
            "date",
            &p.clause,
            format!("事件日期 {};适用该日有效的参数", date_zh(claim.date)),
        );
        return Some(claim.date);
    }
    let clause = p
        .reading("events_before_issue")
        .map(|r| r.clause.clone())
        .unwrap_or_else(|| p.clause.clone());
    if reading_str(readings, "events_before_issue") == "paid" {
        o.step(
            "date",
            &clause,
            format!(
                "事件日期 {} 早于参数首个生效日 {first_zh};文本未排除此前的事件{},适用首个取值",
                date_zh(claim.date),
                crate::labels::reading_note("events_before_issue", "paid")
            ),
        );
        o.flags.push(format!(
            "事件日期 {} 早于方案印发日 {first_zh}",
            date_zh(claim.date)
        ));
        Some(first)
    } else {
        o.step(
            "date",
            &clause,
            format!("事件日期 {} 早于参数首个生效日 {first_zh}", date_zh(claim.date)),
        );
        None
    }
}

pub(super) fn money_param(
    p: &Policy,
    name: &str,
    date: NaiveDate,
) -> Result<(Fen, String, String), PolicyError> {
    let v = p
        .value_on(name, date)
        .ok_or_else(|| field_err(p, "date", format!("{date} 没有有效的参数 {name}")))?;
    let f = money_value(&v.value).map_err(|m| field_err(p, name, m))?;
    Ok((
        f,
        v.clause.clone(),
        format!("自 {} 起,原文“{}”", date_zh(v.from), v.quote),
    ))
}

/// Parameter list for a rank transfer in force on `date`.
pub(crate) fn place_amounts(p: &Policy, date: NaiveDate) -> Result<(Vec<Fen>, String, String), PolicyError> {
    let v = p
        .value_on("place_amounts_yuan", date)
        .or_else(|| p.parameters.get("place_amounts_yuan").and_then(|v| v.first()))
        .ok_or_else(|| field_err(p, "date", "没有有效的名次金额"))?;
    let xs = money_list(&v.value).map_err(|m| field_err(p, "place_amounts_yuan", m))?;
    Ok((
        xs,
        v.clause.clone(),
        format!("自 {} 起,原文“{}”", date_zh(v.from), v.quote),
    ))
}
