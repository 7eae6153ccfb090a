//! Judging the validation rules of a data set (`plan/validation.yaml`) over one county's
//! period: the values the store read (and what an import is about to write) in, the findings
//! out. Errors block the submission, warnings need an explanation.

use crate::outlier::{self, change_check};
use clusterdesk_domain::Period;
use clusterdesk_plan::validation::{Change, Importance, Missing, Operand, Rule, RuleKind};
use clusterdesk_plan::{Indicator, Plan, ValueType};
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// One rule broken by one row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    /// `error` blocks the submission; `warning` needs an explanation.
    #[schema(value_type = String)]
    pub importance: Importance,
    pub importance_label: String,
    pub clause: String,
    pub unit_code: String,
    pub unit_name: String,
    /// The indicator whose cell the finding concerns.
    pub indicator: String,
    pub indicator_name: String,
    pub period: String,
    /// The left side (or the value judged), as entered (money in 万元).
    pub left: String,
    /// The right side or what was expected.
    pub right: String,
    pub message: String,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.importance == Importance::Error
    }

    /// The key a warning's explanation is given for.
    pub fn key(&self) -> (&str, &str, &str) {
        (&self.rule_id, &self.unit_code, &self.indicator)
    }
}

/// A cumulative (1–N月累计) figure against the year to date before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CumulativeIssue {
    /// An earlier period of the year is missing, so the period's own value cannot be derived.
    Gap,
    /// The year to date fell: the figure is less than the cumulative before it.
    Decrease { before: i64 },
}

/// The period's own value of a cumulative figure: `cumulative − before`. The one rule the
/// spreadsheet import and the `cumulative_monotonic` validation rule share.
pub fn cumulative_step(before: Option<i64>, cumulative: i64) -> Result<i64, CumulativeIssue> {
    match before {
        None => Err(CumulativeIssue::Gap),
        Some(b) if cumulative < b => Err(CumulativeIssue::Decrease { before: b }),
        Some(b) => Ok(cumulative - b),
    }
}

/// Earlier periods of the same year, whose values a cumulative figure includes.
pub fn earlier_in_year(period: Period) -> Vec<Period> {
    let mut out = Vec::new();
    let mut p = period.prev();
    while p.year() == period.year() && p.kind() == period.kind() {
        out.push(p);
        p = p.prev();
    }
    out
}

/// A plain value as a person enters it: money in 万元, the rest in its own unit.
pub fn show_plain(ind: Option<&Indicator>, plain: Decimal) -> String {
    let (v, unit) = match ind {
        Some(i) if i.value_type == ValueType::Money => (plain / Decimal::from(10_000), "万元".to_string()),
        Some(i) if i.value_type == ValueType::Count || i.unit == "%" => (plain, i.unit.clone()),
        Some(i) => (plain, i.unit.clone()),
        None => (plain, String::new()),
    };
    let v = v.round_dp(4).normalize();
    if unit.is_empty() {
        v.to_string()
    } else {
        format!("{v} {unit}")
    }
}

fn pct(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

/// (unit, indicator, period).
pub type Key = (String, String, String);

/// One stored (or about to be written) value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub num_value: Option<i64>,
    pub text_value: Option<String>,
}

struct Data<'a> {
    values: &'a HashMap<Key, Cell>,
    period: String,
}

impl Data<'_> {
    fn num(&self, unit: &str, ind: &str, period: &str) -> Option<i64> {
        self.values
            .get(&(unit.to_string(), ind.to_string(), period.to_string()))
            .and_then(|v| v.num_value)
    }

    fn filled(&self, unit: &str, ind: &str) -> bool {
        self.values
            .get(&(unit.to_string(), ind.to_string(), self.period.clone()))
            .is_some_and(|v| {
                v.num_value.is_some() || v.text_value.as_deref().is_some_and(|t| !t.trim().is_empty())
            })
    }
}

/// The indicators outlier rules judge (their history is read too).
pub fn outlier_indicators<'a>(rules: &[&'a Rule]) -> HashSet<&'a str> {
    rules
        .iter()
        .filter_map(|r| match &r.kind {
            RuleKind::Outlier { indicator, .. } => Some(indicator.as_str()),
            _ => None,
        })
        .collect()
}

/// The indicators summed over a cluster's enterprises by compare rules (`sum(…)`).
pub fn aggregate_indicators(rules: &[&Rule]) -> Vec<String> {
    rules
        .iter()
        .flat_map(|r| match &r.kind {
            RuleKind::Compare { left, right, .. } => left
                .terms
                .iter()
                .chain(&right.terms)
                .filter_map(|t| match &t.operand {
                    Operand::Aggregate { indicator, .. } => Some(indicator.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
}

/// Every rule over every row (`units`: code and name) of the period `at`. `values` holds the
/// period's year so far for the data set's indicators (`indicators`) and the outlier rules'
/// history; `aggs` the enterprise sums per (cluster, indicator). A row with nothing filled in
/// the period is not reported yet and is not judged.
pub fn judge(
    plan: &Plan,
    indicators: &[String],
    rules: &[&Rule],
    at: Period,
    units: &[(String, String)],
    values: &HashMap<Key, Cell>,
    aggs: &HashMap<(String, String), i64>,
) -> Vec<Finding> {
    let outlier_inds = outlier_indicators(rules);
    let ds_indicators = indicators;
    let mut out = {
        let period = at.to_string();
        let data = Data {
            values,
            period: period.clone(),
        };
        // Each unit's history of each outlier indicator, gathered once (not a scan of every
        // value per unit and rule).
        let mut histories: HashMap<(&str, &str), HashMap<Period, f64>> = HashMap::new();
        for ((u, i, p), v) in values {
            if let (true, Some(n), Ok(p)) = (outlier_inds.contains(i.as_str()), v.num_value, Period::parse(p))
            {
                histories
                    .entry((u.as_str(), i.as_str()))
                    .or_default()
                    .insert(p, n as f64);
            }
        }
        let ind = |c: &str| plan.indicator(c);
        let ind_name = |c: &str| ind(c).map(|i| i.name_zh.clone()).unwrap_or_else(|| c.to_string());
        let mut out = Vec::new();
        for (unit, unit_name) in units {
            // A row with nothing in it this period is not reported yet: nothing to check.
            if !ds_indicators.iter().any(|i| data.filled(unit, i)) {
                continue;
            }
            for rule in rules {
                let mut push = |indicator: &str, left: String, right: String, detail: String| {
                    out.push(Finding {
                        rule_id: rule.id.clone(),
                        rule_name: rule.name.clone(),
                        importance: rule.importance,
                        importance_label: rule.importance.label_zh().into(),
                        clause: rule.clause.clone(),
                        unit_code: unit.clone(),
                        unit_name: unit_name.clone(),
                        indicator: indicator.to_string(),
                        indicator_name: ind_name(indicator),
                        period: period.clone(),
                        left,
                        right,
                        message: if detail.is_empty() {
                            rule.message.clone()
                        } else {
                            format!("{}:{detail}", rule.message)
                        },
                    })
                };
                match &rule.kind {
                    RuleKind::Compare {
                        left,
                        operator,
                        right,
                        missing,
                    } => {
                        let side = |e: &clusterdesk_plan::validation::Expr| -> Option<Decimal> {
                            let mut sum = Decimal::ZERO;
                            for t in &e.terms {
                                let v = match &t.operand {
                                    Operand::Constant(c) => Some(*c),
                                    Operand::Indicator(c) => data
                                        .num(unit, c, &period)
                                        .map(|n| ind(c).expect("checked").from_stored(n)),
                                    Operand::Aggregate { indicator, .. } => aggs
                                        .get(&(unit.clone(), indicator.clone()))
                                        .map(|n| ind(indicator).expect("checked").from_stored(*n)),
                                };
                                let v = match (v, missing) {
                                    (Some(v), _) => v,
                                    (None, Missing::Zero) => Decimal::ZERO,
                                    (None, Missing::Skip) => return None,
                                };
                                sum += t.coef * v;
                            }
                            Some(sum)
                        };
                        let (Some(l), Some(r)) = (side(left), side(right)) else {
                            continue;
                        };
                        if operator.holds(l, r) {
                            continue;
                        }
                        let cell = rule.indicators().into_iter().next().unwrap_or_default();
                        // Both sides are shown in the unit of the first indicator named.
                        let unit_ind = left
                            .terms
                            .iter()
                            .chain(&right.terms)
                            .find_map(|t| match &t.operand {
                                Operand::Indicator(c) => Some(c.as_str()),
                                Operand::Aggregate { indicator, .. } => Some(indicator.as_str()),
                                Operand::Constant(_) => None,
                            })
                            .and_then(ind);
                        let (ls, rs) = (show_plain(unit_ind, l), show_plain(unit_ind, r));
                        let detail = format!(
                            "{} = {ls},应{} {} = {rs}",
                            left.text,
                            operator.symbol(),
                            right.text
                        );
                        push(&cell, ls, rs, detail);
                    }
                    RuleKind::Required { indicators } => {
                        for i in indicators {
                            if !data.filled(unit, i) {
                                push(i, String::new(), "必填".into(), format!("{}未填写", ind_name(i)));
                            }
                        }
                    }
                    RuleKind::NonNegative { indicators } => {
                        for i in indicators {
                            if let Some(n) = data.num(unit, i, &period)
                                && n < 0
                            {
                                let s = show_plain(ind(i), ind(i).expect("checked").from_stored(n));
                                push(i, s.clone(), "≥ 0".into(), format!("{}为{s}", ind_name(i)));
                            }
                        }
                    }
                    RuleKind::CumulativeMonotonic { indicators } => {
                        for i in indicators {
                            let Some(own) = data.num(unit, i, &period) else {
                                continue;
                            };
                            let before: Option<i64> = earlier_in_year(at)
                                .iter()
                                .map(|p| data.num(unit, i, &p.to_string()))
                                .sum();
                            let cum = before.unwrap_or(0) + own;
                            let indi = ind(i).expect("checked");
                            let show = |n: i64| show_plain(Some(indi), indi.from_stored(n));
                            match cumulative_step(before, cum) {
                                Ok(_) => {}
                                Err(CumulativeIssue::Gap) => {
                                    let missing: Vec<String> = earlier_in_year(at)
                                        .into_iter()
                                        .rev()
                                        .filter(|p| data.num(unit, i, &p.to_string()).is_none())
                                        .map(|p| p.label_zh())
                                        .collect();
                                    push(
                                        i,
                                        show(own),
                                        String::new(),
                                        format!("{}尚未填报{}", missing.join("、"), ind_name(i)),
                                    );
                                }
                                Err(CumulativeIssue::Decrease { before }) => push(
                                    i,
                                    show(cum),
                                    format!("≥ {}", show(before)),
                                    format!("{}累计{}小于上期累计{}", ind_name(i), show(cum), show(before)),
                                ),
                            }
                        }
                    }
                    RuleKind::Outlier {
                        indicator,
                        change,
                        threshold,
                        min_history,
                        min_change_pct,
                    } => {
                        let series: HashMap<Period, f64> = histories
                            .get(&(unit.as_str(), indicator.as_str()))
                            .cloned()
                            .unwrap_or_default();
                        let how = match change {
                            Change::Mom => outlier::Change::PeriodBefore,
                            Change::Yoy => outlier::Change::YearBefore,
                        };
                        let Some(c) = change_check(&series, at, how, *min_history) else {
                            continue;
                        };
                        if !c.is_outlier(*threshold, min_change_pct / 100.0) {
                            continue;
                        }
                        let word = match change {
                            Change::Mom => "环比",
                            Change::Yoy => "同比",
                        };
                        let basis = match change {
                            Change::Mom => format!("往年同期{word}中位数"),
                            Change::Yoy => format!("以往{word}中位数"),
                        };
                        push(
                            indicator,
                            format!("{word} {}", pct(c.ratio)),
                            format!("{basis} {}", pct(c.median)),
                            format!(
                                "{word}{},{basis}{}(稳健标准分 {:.1},阈值 {threshold},比较 {} 期)",
                                pct(c.ratio),
                                pct(c.median),
                                c.z,
                                c.history
                            ),
                        );
                    }
                }
            }
        }
        out
    };
    // Errors first; within each, the order of the rows and of the rules.
    out.sort_by_key(|f| !f.is_error());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusterdesk_plan::validation::{Expr, Operator, Term};

    fn rule(id: &str, importance: Importance, kind: RuleKind) -> Rule {
        Rule {
            id: id.into(),
            dataset: "cluster_monthly".into(),
            name: id.into(),
            importance,
            clause: String::new(),
            message: "不符".into(),
            kind,
        }
    }

    fn side(text: &str, ind: &str) -> Expr {
        Expr {
            text: text.into(),
            terms: vec![Term {
                coef: Decimal::ONE,
                operand: Operand::Indicator(ind.into()),
            }],
        }
    }

    fn put(values: &mut HashMap<Key, Cell>, unit: &str, ind: &str, period: &str, n: i64) {
        values.insert(
            (unit.into(), ind.into(), period.into()),
            Cell {
                num_value: Some(n),
                text_value: None,
            },
        );
    }

    #[test]
    fn each_rule_kind_by_hand() {
        let plan = Plan::embedded().unwrap();
        let rules = [
            rule(
                "rd_le_revenue",
                Importance::Warning,
                RuleKind::Compare {
                    left: side("研发投入", "rd_expense"),
                    operator: Operator::Le,
                    right: side("营业收入", "revenue"),
                    missing: Missing::Skip,
                },
            ),
            rule(
                "required",
                Importance::Error,
                RuleKind::Required {
                    indicators: vec!["revenue".into(), "standards".into()],
                },
            ),
            rule(
                "non_negative",
                Importance::Error,
                RuleKind::NonNegative {
                    indicators: vec!["revenue".into()],
                },
            ),
            rule(
                "cumulative",
                Importance::Error,
                RuleKind::CumulativeMonotonic {
                    indicators: vec!["revenue".into()],
                },
            ),
        ];
        let rules: Vec<&Rule> = rules.iter().collect();
        let at = Period::parse("2025-03").unwrap();
        let units: Vec<(String, String)> = ["C17", "C18", "C19"]
            .iter()
            .map(|c| (c.to_string(), format!("集群{c}")))
            .collect();
        let mut v = HashMap::new();
        // C17: revenue 100万元 in January and February, −5万元 in March (the year to date falls
        // from 200 to 195万元); R&D 150万元 > −5万元; standards missing.
        put(&mut v, "C17", "revenue", "2025-01", 1_000_000 * 100);
        put(&mut v, "C17", "revenue", "2025-02", 1_000_000 * 100);
        put(&mut v, "C17", "revenue", "2025-03", -50_000 * 100);
        put(&mut v, "C17", "rd_expense", "2025-03", 1_500_000 * 100);
        // C18: March only (January and February missing); standards 2: nothing else wrong.
        put(&mut v, "C18", "revenue", "2025-03", 10_000 * 100);
        put(&mut v, "C18", "standards", "2025-03", 2);
        // C19: nothing this period: not reported yet, not judged.
        put(&mut v, "C19", "revenue", "2025-02", 10_000 * 100);
        let out = judge(
            &plan,
            &["revenue".into(), "rd_expense".into(), "standards".into()],
            &rules,
            at,
            &units,
            &v,
            &HashMap::new(),
        );
        let got: Vec<(&str, &str, &str)> = out
            .iter()
            .map(|f| (f.rule_id.as_str(), f.unit_code.as_str(), f.indicator.as_str()))
            .collect();
        // Errors first (row order, then rule order), then the warning.
        assert_eq!(
            got,
            [
                ("required", "C17", "standards"),
                ("non_negative", "C17", "revenue"),
                ("cumulative", "C17", "revenue"),
                ("cumulative", "C18", "revenue"),
                ("rd_le_revenue", "C17", "rd_expense"),
            ]
        );
        assert_eq!(out[1].left, "-5 万元");
        assert_eq!(
            (out[2].left.as_str(), out[2].right.as_str()),
            ("195 万元", "≥ 200 万元")
        );
        assert!(
            out[3].message.ends_with("2025年1月、2025年2月尚未填报营业收入"),
            "{}",
            out[3].message
        );
        assert_eq!(
            (out[4].left.as_str(), out[4].right.as_str()),
            ("150 万元", "-5 万元")
        );
        assert!(
            out[4]
                .message
                .starts_with("不符:研发投入 = 150 万元,应≤ 营业收入"),
            "{}",
            out[4].message
        );
        assert!(!out[4].is_error() && out[0].is_error());
    }

    #[test]
    fn cumulative_steps() {
        assert_eq!(
            cumulative_step(Some(200), 195),
            Err(CumulativeIssue::Decrease { before: 200 })
        );
        assert_eq!(cumulative_step(None, 5), Err(CumulativeIssue::Gap));
        assert_eq!(cumulative_step(Some(200), 250), Ok(50));
        let p = |s: &str| Period::parse(s).unwrap();
        assert_eq!(earlier_in_year(p("2025-03")), [p("2025-02"), p("2025-01")]);
        assert!(earlier_in_year(p("2025Q1")).is_empty());
    }
}
