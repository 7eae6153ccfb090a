//! Evaluation: a claim and the ledger of earlier payouts in, outcomes with a trace out.
//!
//! Order of the checks, each one a trace step that cites its clause:
//! 1. the rule itself (clause and its text), the date and the parameters in force on it;
//! 2. facts: an asserted fact that fails the clause → `not_eligible`; a required fact that is
//!    absent → `unknown` (named in `missing`);
//! 3. the ledger: once per enterprise / per project / cumulative total, exclusions, the other
//!    level of a recognition, the previous stage of a series;
//! 4. the formula: base → share → cap → rounding → amount. An amount of zero is
//!    `not_eligible` with the reason in the trace, never a silent 0.

use crate::model::{Kind, Policy, money_list, money_value, rate_value, value_key};
use crate::{PolicyError, PolicySet, rank};
use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use clusterdesk_domain::Uscc;
use clusterdesk_domain::money::group_thousands;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    NotEligible,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::NotEligible => "not_eligible",
            Status::Unknown => "unknown",
        }
    }
}

/// One step of the explanation. `fen` is the running amount where the step has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceStep {
    pub step: String,
    pub clause: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fen: Option<i64>,
}

impl TraceStep {
    pub fn new(step: &str, clause: &str, text: impl Into<String>) -> TraceStep {
        TraceStep {
            step: step.into(),
            clause: clause.into(),
            text: text.into(),
            fen: None,
        }
    }

    pub fn with_fen(mut self, fen: i64) -> TraceStep {
        self.fen = Some(fen);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub policy: String,
    pub clause: String,
    pub status: Status,
    pub amount: Fen,
    /// True only when a cap reduced the amount (equal to the cap is not capped).
    pub capped: bool,
    pub missing: Vec<String>,
    pub trace: Vec<TraceStep>,
    pub county: Option<String>,
    /// Cases for a person to look at (ties, out-of-order stages, events before the plan).
    pub flags: Vec<String>,
}

impl Outcome {
    pub(crate) fn start(p: &Policy) -> Outcome {
        Outcome {
            policy: p.id.clone(),
            clause: p.clause.clone(),
            status: Status::Eligible,
            amount: Fen::ZERO,
            capped: false,
            missing: Vec::new(),
            trace: vec![TraceStep::new(
                "rule",
                &p.clause,
                format!("{}({}):{}", p.name, p.clause, p.clause_text),
            )],
            county: None,
            flags: Vec::new(),
        }
    }

    fn step(&mut self, step: &str, clause: &str, text: impl Into<String>) {
        self.trace.push(TraceStep::new(step, clause, text));
    }

    fn step_fen(&mut self, step: &str, clause: &str, text: impl Into<String>, fen: i64) {
        self.trace.push(TraceStep::new(step, clause, text).with_fen(fen));
    }

    pub(crate) fn not_eligible(mut self, clause: &str, why: impl Into<String>) -> Outcome {
        self.status = Status::NotEligible;
        self.amount = Fen::ZERO;
        self.step_fen("result", clause, format!("不予支持:{}", why.into()), 0);
        self
    }
}

/// `3,000,000.00`.
pub fn yuan_grouped(f: Fen) -> String {
    let s = f.yuan_string();
    let (sign, body) = s.strip_prefix('-').map(|b| ("-", b)).unwrap_or(("", s.as_str()));
    let (int, frac) = body.split_once('.').unwrap_or((body, "00"));
    format!("{sign}{}.{frac}", group_thousands(int))
}

/// An exact amount of fen (maybe with fractions of a fen) as yuan: `1,000,000.005`.
pub(crate) fn exact_yuan(fen: Decimal) -> String {
    let y = (fen / Decimal::from(100)).normalize();
    let s = y.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let frac = if frac.len() < 2 {
        format!("{frac:0<2}")
    } else {
        frac.to_string()
    };
    let sign = if y.is_sign_negative() && !y.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{}.{frac}", group_thousands(int))
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::from(100)).normalize())
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

/// The parameter date: the event date, or the first date a value is in force when the event
/// came earlier and the `events_before_issue` reading lets it through.
fn parameter_date(
    p: &Policy,
    claim: &Claim,
    readings: &BTreeMap<String, Value>,
    o: &mut Outcome,
) -> Option<NaiveDate> {
    let first = p.first_date()?;
    if claim.date >= first {
        o.step(
            "date",
            &p.clause,
            format!("事件日期 {};适用该日有效的参数", claim.date),
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
                "事件日期 {} 早于参数首个生效日 {first};文本未排除此前的事件(解读 events_before_issue=paid),适用首个取值",
                claim.date
            ),
        );
        o.flags
            .push(format!("事件日期 {} 早于方案印发日 {first}", claim.date));
        Some(first)
    } else {
        o.step(
            "date",
            &clause,
            format!("事件日期 {} 早于参数首个生效日 {first}", claim.date),
        );
        None
    }
}

fn money_param(p: &Policy, name: &str, date: NaiveDate) -> Result<(Fen, String, String), PolicyError> {
    let v = p
        .value_on(name, date)
        .ok_or_else(|| field_err(p, "date", format!("{date} 没有有效的参数 {name}")))?;
    let f = money_value(&v.value).map_err(|m| field_err(p, name, m))?;
    Ok((f, v.clause.clone(), format!("自 {} 起,原文“{}”", v.from, v.quote)))
}

pub(crate) fn evaluate(
    set: &PolicySet,
    claim: &Claim,
    ledger: &[LedgerEntry],
) -> Result<Vec<Outcome>, PolicyError> {
    let Some(p) = set.get(&claim.policy) else {
        return Err(PolicyError::Field {
            policy: claim.policy.clone(),
            field: "policy".into(),
            message: format!("未知政策“{}”", claim.policy),
        });
    };
    check_fact_types(p, claim)?;
    let readings = resolve_readings(p, claim)?;
    if p.kind == Kind::RankTransfer {
        return rank::evaluate(p, claim, ledger, &readings);
    }
    evaluate_enterprise(set, p, claim, ledger, &readings).map(|o| vec![o])
}

fn sum_paid<'a>(entries: impl Iterator<Item = &'a LedgerEntry>) -> Fen {
    entries.map(|e| e.paid).sum()
}

fn evaluate_enterprise(
    set: &PolicySet,
    p: &Policy,
    claim: &Claim,
    ledger: &[LedgerEntry],
    readings: &BTreeMap<String, Value>,
) -> Result<Outcome, PolicyError> {
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
        return Ok(o.not_eligible(clause, "事件早于政策生效日(解读 events_before_issue=excluded)"));
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
                    format!("{}:未提供(必需事实 {})", spec.question, spec.name),
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
                        format!("{}:{}({source}),符合{why}", spec.question, value_key(v)),
                    );
                } else {
                    let want: Vec<String> = el.iter().map(value_key).collect();
                    o.step(
                        "fact",
                        &spec.clause,
                        format!(
                            "{}:{}({source}),不符合;条款要求 {}",
                            spec.question,
                            value_key(v),
                            want.join(" 或 ")
                        ),
                    );
                    failed.get_or_insert_with(|| (spec.clause.clone(), format!("{} 不符合条款", spec.name)));
                }
            }
            (Some(v), None) => o.step(
                "fact",
                &spec.clause,
                format!("{}:{}", spec.question, value_key(v)),
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
                                "该企业已于 {} 领取本项 {} 元;每家企业只享受一次(解读 per=enterprise)",
                                e.date,
                                yuan_grouped(e.paid)
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
                                "项目“{pr}”此前已领取 {} 元,计入该项目上限(解读 per=project)",
                                yuan_grouped(already)
                            ),
                            already.0,
                        );
                    }
                    None => o.step(
                        "ledger",
                        &per_clause,
                        "未提供项目编号(facts.project),本申请按独立项目计算上限(解读 per=project)",
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
                                e.date,
                                yuan_grouped(e.paid)
                            ),
                        ));
                    }
                    already = sum_paid(mine.iter().copied());
                    o.step_fen(
                        "ledger",
                        &per_clause,
                        format!(
                            "该企业此前已领取本项 {} 笔共 {} 元,计入总额上限(解读 per=enterprise_total)",
                            mine.len(),
                            yuan_grouped(already)
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
                            "该企业已于 {} 领取 {}({} 元):{}",
                            e.date,
                            x.policy,
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
                            "同一日期 {} 已按 {} 领取 {} 元:一次认定事件只享受一个层级",
                            e.date,
                            ol.policy,
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
                            format!("已按另一层级 {} 领取 {} 元,本层级只补差额(解读 after_other_level=difference)", ol.policy, yuan_grouped(paid)),
                            paid.0,
                        );
                    } else {
                        o.step_fen(
                            "ledger",
                            &rclause,
                            format!(
                                "已按另一层级 {} 领取 {} 元;本次为另一认定事件,全额享受(解读 after_other_level=in_full)",
                                ol.policy,
                                yuan_grouped(paid)
                            ),
                            paid.0,
                        );
                    }
                }
            }
            if let Some(s) = &p.series {
                if let Some(prev) = &s.previous {
                    let before = of(prev);
                    let rclause = p
                        .reading("requires_previous_stage")
                        .map(|r| r.clause.clone())
                        .unwrap_or_default();
                    if before.is_empty() {
                        if readings.get("requires_previous_stage") == Some(&Value::Bool(true)) {
                            return Ok(o.not_eligible(
                                &rclause,
                                format!("台账中没有上一阶段 {prev} 的支付,而解读 requires_previous_stage=true 要求先有上一阶段"),
                            ));
                        }
                        o.step(
                            "ledger",
                            &rclause,
                            format!(
                                "台账中没有上一阶段 {prev} 的支付;各阶段是各自的一次性触发,上一阶段早于政策也照付本阶段(解读 requires_previous_stage=false)"
                            ),
                        );
                    } else {
                        o.step(
                            "ledger",
                            &s.clause,
                            format!("上一阶段 {prev} 已于 {} 支付", before[0].date),
                        );
                        if before.iter().any(|e| e.date > claim.date) {
                            o.flags.push(format!(
                                "上一阶段 {prev} 的支付日期晚于本阶段事件日期 {},请核对",
                                claim.date
                            ));
                        }
                    }
                }
                for q in set.policies() {
                    let later =
                        q.series.as_ref().and_then(|qs| qs.previous.as_deref()) == Some(p.id.as_str());
                    if later && !of(&q.id).is_empty() {
                        o.flags
                            .push(format!("后一阶段 {} 已支付,本阶段为补申请,请核对顺序", q.id));
                        o.step(
                            "ledger",
                            &s.clause,
                            format!("后一阶段 {} 已支付;本阶段仍是独立的一次性触发", q.id),
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
        let m = o.missing.join("、");
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
                    sv.from,
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
                "half_up_to_fen(四舍五入到分)"
            } else {
                "down_to_fen(向下取整到分,不多付)"
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
                    "{} 元 超过原则上限 {} 元;按解读 cap_in_principle=advisory 不削减,需个案审批",
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
        format!("自 {} 起,原文“{}”", v.from, v.quote),
    ))
}
