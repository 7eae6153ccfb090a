//! One enterprise's claim: facts, then the ledger, then the formula and its cap.

use super::claim::{Claim, LedgerEntry, field_err, reading_str};
use super::outcome::{Outcome, Status, TraceStep, exact_yuan, pct, yuan_grouped};
use super::params::{money_param, parameter_date};
use crate::labels::{date_zh, missing_label, reading_note, value_label};
use crate::model::{Kind, Policy, rate_value};
use crate::{PolicyError, PolicySet};
use clusterdesk_domain::Fen;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;
use std::collections::BTreeMap;

fn sum_paid<'a>(entries: impl Iterator<Item = &'a LedgerEntry>) -> Fen {
    entries.map(|e| e.paid).sum()
}

pub(super) fn evaluate_enterprise(
    set: &PolicySet,
    p: &Policy,
    claim: &Claim,
    ledger: &[LedgerEntry],
    readings: &BTreeMap<String, Value>,
) -> Result<Outcome, PolicyError> {
    let name_of = |id: &str| set.get(id).map_or_else(|| id.to_string(), |q| q.name.clone());
    if claim.scores.is_some() {
        return Err(field_err(p, "scores", "只有县(市)排名转移政策使用 scores"));
    }
    if claim.base.is_some() && p.kind != Kind::ShareWithCap {
        return Err(field_err(
            p,
            "base_yuan",
            format!("{} 政策不按基数计算,不使用 base_yuan", p.kind.as_str()),
        ));
    }
    if claim.approved.is_some() && p.kind != Kind::CapOnly {
        return Err(field_err(
            p,
            "approved_yuan",
            format!("{} 政策没有核定金额,不使用 approved_yuan", p.kind.as_str()),
        ));
    }
    for (name, v) in [("base_yuan", claim.base), ("approved_yuan", claim.approved)] {
        if v.is_some_and(|f| f.is_negative()) {
            return Err(field_err(p, name, "金额不能为负"));
        }
    }

    let mut o = Outcome::start(p);
    let Some(pdate) = parameter_date(p, claim, readings, &mut o) else {
        let clause = p
            .reading("events_before_issue")
            .map(|r| r.clause.as_str())
            .unwrap_or(&p.clause);
        return Ok(o.not_eligible(
            clause,
            format!(
                "事件早于政策生效日{}",
                reading_note("events_before_issue", "excluded")
            ),
        ));
    };

    // Facts.
    let mut failed = None;
    for spec in &p.facts {
        let (v, source) = match claim.facts.get(&spec.name) {
            Some(v) => (Some(v), "申请所述"),
            None => (spec.default.as_ref(), "默认"),
        };
        match (v, &spec.eligible) {
            (None, Some(_)) => {
                o.missing.push(spec.name.clone());
                o.step(
                    "fact",
                    &spec.clause,
                    format!("{}:未提供(必需事实)", spec.question),
                );
            }
            (Some(v), Some(el)) => {
                if el.contains(v) {
                    let why = if source == "默认" {
                        format!(";默认理由:{}", spec.why.as_deref().unwrap_or(""))
                    } else {
                        String::new()
                    };
                    o.step(
                        "fact",
                        &spec.clause,
                        format!("{}:{}({source}),符合{why}", spec.question, value_label(v)),
                    );
                } else {
                    let want: Vec<String> = el.iter().map(value_label).collect();
                    o.step(
                        "fact",
                        &spec.clause,
                        format!(
                            "{}:{}({source}),不符合;条款要求 {}",
                            spec.question,
                            value_label(v),
                            want.join(" 或 ")
                        ),
                    );
                    failed
                        .get_or_insert_with(|| (spec.clause.clone(), format!("{}不符合条款", spec.question)));
                }
            }
            (Some(v), None) => o.step(
                "fact",
                &spec.clause,
                format!("{}:{}", spec.question, value_label(v)),
            ),
            (None, None) => {}
        }
    }
    if let Some((clause, why)) = failed {
        return Ok(o.not_eligible(&clause, why));
    }

    // Ledger.
    let per = reading_str(readings, "per");
    let per_clause = p
        .reading("per")
        .map(|r| r.clause.clone())
        .unwrap_or_else(|| p.clause.clone());
    let mut already = Fen::ZERO; // counts against the cap
    let mut other_paid = Fen::ZERO; // counts against a fixed amount (after_other_level=difference)
    match &claim.enterprise {
        None => {
            o.missing.push("enterprise".into());
            o.step("ledger", &p.clause, "未提供企业统一社会信用代码,无法核对台账");
        }
        Some(ent) => {
            let of = |id: &str| -> Vec<&LedgerEntry> {
                ledger
                    .iter()
                    .filter(|e| e.policy == id && e.enterprise.as_ref() == Some(ent))
                    .collect()
            };
            let mine = of(&p.id);
            match per.as_str() {
                "enterprise" => {
                    if let Some(e) = mine.first() {
                        return Ok(o.not_eligible(
                            &per_clause,
                            format!(
                                "该企业已于 {} 领取本项 {} 元;每家企业只享受一次{}",
                                date_zh(e.date),
                                yuan_grouped(e.paid),
                                reading_note("per", "enterprise")
                            ),
                        ));
                    }
                    o.step("ledger", &per_clause, "台账中该企业未领取过本项(每家企业一次)");
                }
                "project" => match claim.facts.get("project").and_then(Value::as_str) {
                    Some(pr) => {
                        let same: Vec<&&LedgerEntry> =
                            mine.iter().filter(|e| e.project.as_deref() == Some(pr)).collect();
                        already = sum_paid(same.iter().map(|e| **e));
                        if !same.is_empty() && matches!(p.kind, Kind::Fixed | Kind::Milestone) {
                            return Ok(o.not_eligible(
                                &per_clause,
                                format!("项目“{pr}”已领取 {} 元", yuan_grouped(already)),
                            ));
                        }
                        o.step_fen(
                            "ledger",
                            &per_clause,
                            format!(
                                "项目“{pr}”此前已领取 {} 元,计入该项目上限{}",
                                yuan_grouped(already),
                                reading_note("per", "project")
                            ),
                            already.0,
                        );
                    }
                    None => o.step(
                        "ledger",
                        &per_clause,
                        format!(
                            "未提供项目编号,本申请按独立项目计算上限{}",
                            reading_note("per", "project")
                        ),
                    ),
                },
                "enterprise_total" => {
                    if let Some(pr) = claim.facts.get("project").and_then(Value::as_str)
                        && let Some(e) = mine.iter().find(|e| e.project.as_deref() == Some(pr))
                    {
                        return Ok(o.not_eligible(
                            &per_clause,
                            format!(
                                "“{pr}”已于 {} 奖励 {} 元,一次性奖励不重复",
                                date_zh(e.date),
                                yuan_grouped(e.paid)
                            ),
                        ));
                    }
                    already = sum_paid(mine.iter().copied());
                    o.step_fen(
                        "ledger",
                        &per_clause,
                        format!(
                            "该企业此前已领取本项 {} 笔共 {} 元,计入总额上限{}",
                            mine.len(),
                            yuan_grouped(already),
                            reading_note("per", "enterprise_total")
                        ),
                        already.0,
                    );
                }
                other => return Err(field_err(p, "readings.per", format!("引擎不认识 per={other}"))),
            }
            for x in &p.exclusive_with {
                if let Some(e) = of(&x.policy).first() {
                    return Ok(o.not_eligible(
                        &x.clause,
                        format!(
                            "该企业已于 {} 领取“{}”({} 元):{}",
                            date_zh(e.date),
                            name_of(&x.policy),
                            yuan_grouped(e.paid),
                            x.why
                        ),
                    ));
                }
            }
            if let Some(ol) = &p.other_level {
                let theirs = of(&ol.policy);
                if let Some(e) = theirs.iter().find(|e| e.date == claim.date) {
                    return Ok(o.not_eligible(
                        &ol.clause,
                        format!(
                            "同一日期 {} 已按“{}”领取 {} 元:一次认定事件只享受一个层级",
                            date_zh(e.date),
                            name_of(&ol.policy),
                            yuan_grouped(e.paid)
                        ),
                    ));
                }
                if !theirs.is_empty() {
                    let paid = sum_paid(theirs.iter().copied());
                    let rclause = p
                        .reading("after_other_level")
                        .map(|r| r.clause.clone())
                        .unwrap_or_default();
                    if reading_str(readings, "after_other_level") == "difference" {
                        other_paid = paid;
                        o.step_fen(
                            "ledger",
                            &rclause,
                            format!(
                                "已按另一层级“{}”领取 {} 元,本层级只补差额{}",
                                name_of(&ol.policy),
                                yuan_grouped(paid),
                                reading_note("after_other_level", "difference")
                            ),
                            paid.0,
                        );
                    } else {
                        o.step_fen(
                            "ledger",
                            &rclause,
                            format!(
                                "已按另一层级“{}”领取 {} 元;本次为另一认定事件,全额享受{}",
                                name_of(&ol.policy),
                                yuan_grouped(paid),
                                reading_note("after_other_level", "in_full")
                            ),
                            paid.0,
                        );
                    }
                }
            }
            if let Some(s) = &p.series {
                if let Some(prev) = &s.previous {
                    let before = of(prev);
                    let prev = name_of(prev);
                    let rclause = p
                        .reading("requires_previous_stage")
                        .map(|r| r.clause.clone())
                        .unwrap_or_default();
                    if before.is_empty() {
                        if readings.get("requires_previous_stage") == Some(&Value::Bool(true)) {
                            return Ok(o.not_eligible(
                                &rclause,
                                format!("台账中没有上一阶段“{prev}”的支付,而按解读须先享受上一阶段"),
                            ));
                        }
                        o.step(
                            "ledger",
                            &rclause,
                            format!(
                                "台账中没有上一阶段“{prev}”的支付;各阶段是各自的一次性触发,上一阶段早于政策也照付本阶段{}",
                                reading_note("requires_previous_stage", "false")
                            ),
                        );
                    } else {
                        o.step(
                            "ledger",
                            &s.clause,
                            format!("上一阶段“{prev}”已于 {} 支付", date_zh(before[0].date)),
                        );
                        if before.iter().any(|e| e.date > claim.date) {
                            o.flags.push(format!(
                                "上一阶段“{prev}”的支付日期晚于本阶段事件日期 {},请核对",
                                date_zh(claim.date)
                            ));
                        }
                    }
                }
                for q in set.policies() {
                    let later =
                        q.series.as_ref().and_then(|qs| qs.previous.as_deref()) == Some(p.id.as_str());
                    if later && !of(&q.id).is_empty() {
                        o.flags
                            .push(format!("后一阶段“{}”已支付,本阶段为补申请,请核对顺序", q.name));
                        o.step(
                            "ledger",
                            &s.clause,
                            format!("后一阶段“{}”已支付;本阶段仍是独立的一次性触发", q.name),
                        );
                    }
                }
            }
        }
    }

    // Inputs the formula needs.
    match p.kind {
        Kind::ShareWithCap if claim.base.is_none() => o.missing.push("base_yuan".into()),
        Kind::CapOnly if claim.approved.is_none() => o.missing.push("approved_yuan".into()),
        _ => {}
    }
    if !o.missing.is_empty() {
        o.status = Status::Unknown;
        let m: Vec<String> = o.missing.iter().map(|m| missing_label(p, m)).collect();
        let m = m.join("、");
        o.step_fen("result", &p.clause, format!("待定:缺少 {m}"), 0);
        return Ok(o);
    }

    // Formula.
    let binding = reading_str(readings, "cap_in_principle") != "advisory";
    let rounding = reading_str(readings, "rounding");
    let amount = match p.kind {
        Kind::Fixed | Kind::Milestone => {
            let (amt, clause, src) = money_param(p, "amount_yuan", pdate)?;
            o.step_fen(
                "amount",
                &clause,
                format!("定额 {} 元({src})", yuan_grouped(amt)),
                amt.0,
            );
            if other_paid.0 > 0 {
                let rest = Fen((amt - other_paid).0.max(0));
                o.step_fen(
                    "difference",
                    &clause,
                    format!(
                        "{} − {} = {} 元",
                        yuan_grouped(amt),
                        yuan_grouped(other_paid),
                        yuan_grouped(rest)
                    ),
                    rest.0,
                );
                rest
            } else {
                amt
            }
        }
        Kind::ShareWithCap => {
            let base = claim.base.unwrap_or_default();
            o.step_fen(
                "base",
                &p.clause,
                format!("基数 {} 元", yuan_grouped(base)),
                base.0,
            );
            let sv = p
                .value_on("share", pdate)
                .ok_or_else(|| field_err(p, "date", "没有有效的比例参数"))?;
            let share = rate_value(&sv.value).map_err(|m| field_err(p, "share", m))?;
            let exact = Decimal::from(base.0) * share;
            o.trace.push(TraceStep {
                step: "share".into(),
                clause: sv.clause.clone(),
                text: format!(
                    "× {} = {} 元(精确值;自 {} 起,原文“{}”)",
                    pct(share),
                    exact_yuan(exact),
                    date_zh(sv.from),
                    sv.quote
                ),
                fen: exact.trunc().try_into().ok(),
            });
            let (cap, cclause, csrc) = money_param(p, "cap_yuan", pdate)?;
            let capped_value = apply_cap(&mut o, exact, cap, already, binding, &cclause, &csrc, p);
            let rounded = match rounding.as_str() {
                "half_up_to_fen" => {
                    capped_value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
                }
                _ => capped_value.floor(),
            };
            let rounded_fen: i64 = rounded
                .try_into()
                .map_err(|_| field_err(p, "base_yuan", "金额过大"))?;
            let rule = if rounding == "half_up_to_fen" {
                "四舍五入到分"
            } else {
                "向下取整到分,不多付"
            };
            let rclause = p
                .reading("rounding")
                .map(|r| r.clause.clone())
                .unwrap_or_default();
            o.step_fen(
                "rounding",
                &rclause,
                format!(
                    "舍入规则 {rule}:{} 元 → {} 元",
                    exact_yuan(capped_value),
                    yuan_grouped(Fen(rounded_fen))
                ),
                rounded_fen,
            );
            Fen(rounded_fen)
        }
        Kind::CapOnly => {
            let approved = claim.approved.unwrap_or_default();
            o.step_fen(
                "approved",
                &p.clause,
                format!("核定金额 {} 元", yuan_grouped(approved)),
                approved.0,
            );
            let (cap, cclause, csrc) = money_param(p, "cap_yuan", pdate)?;
            let v = apply_cap(
                &mut o,
                Decimal::from(approved.0),
                cap,
                already,
                binding,
                &cclause,
                &csrc,
                p,
            );
            if o.capped {
                o.flags.push(format!(
                    "核定金额 {} 元超过上限,按上限支付",
                    yuan_grouped(approved)
                ));
            }
            Fen(v.try_into().unwrap_or(0))
        }
        Kind::RankTransfer => unreachable!("handled by rank::evaluate"),
    };
    if amount.0 == 0 {
        return Ok(o.not_eligible(&p.clause, "应付金额为 0 元(见上述各步)"));
    }
    o.amount = amount;
    o.step_fen(
        "result",
        &p.clause,
        format!("应付 {} 元", yuan_grouped(amount)),
        amount.0,
    );
    Ok(o)
}

/// The cap step: the remaining cap after earlier payouts; `capped` only when it reduced the
/// amount. Under `cap_in_principle=advisory` the amount is kept and flagged instead.
#[allow(clippy::too_many_arguments)]
fn apply_cap(
    o: &mut Outcome,
    exact: Decimal,
    cap: Fen,
    already: Fen,
    binding: bool,
    clause: &str,
    src: &str,
    p: &Policy,
) -> Decimal {
    let remaining = Fen((cap - already).0.max(0));
    if already.0 > 0 {
        o.step_fen(
            "cap",
            clause,
            format!(
                "上限 {} 元 − 已领取 {} 元 = 剩余上限 {} 元",
                yuan_grouped(cap),
                yuan_grouped(already),
                yuan_grouped(remaining)
            ),
            remaining.0,
        );
    }
    let limit = Decimal::from(remaining.0);
    if exact > limit {
        if binding {
            o.capped = true;
            o.step_fen(
                "cap",
                clause,
                format!(
                    "{} 元 超过上限,按上限 {} 元({src})",
                    exact_yuan(exact),
                    yuan_grouped(remaining)
                ),
                remaining.0,
            );
            limit
        } else {
            let rclause = p
                .reading("cap_in_principle")
                .map(|r| r.clause.clone())
                .unwrap_or_default();
            o.flags.push(format!(
                "超过“原则”上限 {} 元,需个案审批",
                yuan_grouped(remaining)
            ));
            o.trace.push(TraceStep::new(
                "cap",
                &rclause,
                format!(
                    "{} 元 超过原则上限 {} 元;按解读“原则上”的上限不削减,需个案审批",
                    exact_yuan(exact),
                    yuan_grouped(remaining)
                ),
            ));
            exact
        }
    } else {
        o.trace.push(TraceStep::new(
            "cap",
            clause,
            format!(
                "{} 元 未超过上限 {} 元({src})",
                exact_yuan(exact),
                yuan_grouped(remaining)
            ),
        ));
        exact
    }
}
