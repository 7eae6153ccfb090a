//! Validation rules of the reporting data sets (`plan/validation.yaml`) run over one county's
//! period: errors block the submission, warnings need the submitter's explanation, which is
//! kept per submission round and shown to the county leader and the city.
//!
//! One run reads the period's values (and, for outlier rules, up to six years of history) and
//! the enterprise sums of the clusters in a few queries, then judges every rule in memory.

use crate::values::Value;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_analytics::outlier::{self, change_check};
use clusterdesk_domain::Period;
use clusterdesk_plan::datasets::RowUnit;
use clusterdesk_plan::validation::{Change, Importance, Missing, Operand, Rule, RuleKind};
use clusterdesk_plan::{Indicator, ValueType};
use rust_decimal::Decimal;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// Years of history an outlier rule reads (five years of changes and their bases).
const HISTORY_YEARS: i32 = 6;

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

/// The submitter's explanation of one warning.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct WarningComment {
    pub rule_id: String,
    pub unit_code: String,
    #[serde(default)]
    pub indicator: String,
    pub comment: String,
}

/// An explanation as kept: who gave it and in which submission round (`at` is the time of the
/// submission it came with).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct StoredComment {
    pub rule_id: String,
    pub unit_code: String,
    pub indicator: String,
    pub comment: String,
    #[sqlx(rename = "commented_by")]
    pub by: String,
    pub at: String,
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

type Key = (String, String, String);

struct Data<'a> {
    values: &'a HashMap<Key, Value>,
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

impl Store {
    /// Run the data set's validation rules over one county's period as stored.
    pub async fn validate(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Vec<Finding>> {
        self.validate_with(actor, dataset, county, period, &[]).await
    }

    /// As [`Store::validate`], on the state the period would have with `overlay` written (an
    /// import checks what it is about to write, dry run or not).
    pub async fn validate_with(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        overlay: &[Value],
    ) -> Result<Vec<Finding>> {
        self.check_reporting_scope(actor, dataset, county)?;
        let plan = self.plan();
        let ds = plan.datasets.iter().find(|d| d.code == dataset).expect("checked");
        let at = Period::parse(period).map_err(|e| StoreError::Invalid(e.message))?;
        if at.kind() != ds.period_type {
            return Err(StoreError::Invalid(format!(
                "期间“{period}”与数据集“{}”的填报周期不符",
                ds.name
            )));
        }
        let period = at.to_string();
        let rules: Vec<&Rule> = plan
            .validation_rules
            .iter()
            .filter(|r| r.dataset == dataset)
            .collect();
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let enterprises = ds.level == RowUnit::Enterprise;
        let units: Vec<(String, String)> = if enterprises {
            self.enterprises_of_county(actor, county).await?
        } else {
            plan.clusters_of(county)
                .iter()
                .map(|c| (c.code.clone(), c.name.clone()))
                .collect()
        };
        let unit_sql = if enterprises {
            "SELECT uscc FROM enterprises WHERE county_code = $1"
        } else {
            "SELECT code FROM clusters WHERE county_code = $1"
        };

        // The values: this year's periods for every indicator of the data set, and the history
        // of the indicators outlier rules judge.
        let mut values: HashMap<Key, Value> = HashMap::new();
        let outlier_inds: HashSet<&str> = rules
            .iter()
            .filter_map(|r| match &r.kind {
                RuleKind::Outlier { indicator, .. } => Some(indicator.as_str()),
                _ => None,
            })
            .collect();
        let first_of_year = match at {
            Period::Month { year, .. } => Period::Month { year, month: 1 },
            Period::Quarter { year, .. } => Period::Quarter { year, quarter: 1 },
            y @ Period::Year { .. } => y,
        };
        let mut reads: Vec<(Period, Vec<&str>)> =
            vec![(first_of_year, ds.indicators.iter().map(String::as_str).collect())];
        if !outlier_inds.is_empty() {
            let mut from = first_of_year;
            for _ in 0..HISTORY_YEARS {
                from = from.same_period_last_year();
            }
            reads.push((from, outlier_inds.iter().copied().collect()));
        }
        for (from, inds) in reads {
            let marks: Vec<String> = (0..inds.len()).map(|i| format!("${}", i + 5)).collect();
            let sql = format!(
                "SELECT unit_code, indicator_code, period, num_value, text_value FROM data_values
                 WHERE unit_code IN ({unit_sql}) AND period >= $2 AND period <= $3 AND LENGTH(period) = $4
                 AND indicator_code IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(county)
                .bind(from.to_string())
                .bind(period.clone())
                .bind(period.len() as i64);
            for i in &inds {
                q = q.bind(i.to_string());
            }
            for r in q.fetch_all(self.pool()).await? {
                let v = Value {
                    unit_code: r.try_get(0)?,
                    indicator_code: r.try_get(1)?,
                    period: r.try_get(2)?,
                    num_value: r.try_get(3)?,
                    text_value: r.try_get(4)?,
                };
                values.insert(
                    (v.unit_code.clone(), v.indicator_code.clone(), v.period.clone()),
                    v,
                );
            }
        }
        for v in overlay {
            values.insert(
                (v.unit_code.clone(), v.indicator_code.clone(), v.period.clone()),
                v.clone(),
            );
        }

        // Enterprise sums per cluster, by the membership valid on the period's last day.
        let mut aggs: HashMap<(String, String), i64> = HashMap::new();
        let agg_inds: Vec<String> = rules
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
            .collect();
        if !agg_inds.is_empty() && !enterprises {
            let (y, (_, last_month)) = (at.year(), at.month_range());
            let last_day = crate::reporting::deadline(Period::month(y, last_month), 1)
                .pred_opt()
                .expect("a day");
            let marks: Vec<String> = (0..agg_inds.len()).map(|i| format!("${}", i + 4)).collect();
            let sql = format!(
                "SELECT m.cluster_code, v.indicator_code, CAST(SUM(v.num_value) AS BIGINT)
                 FROM data_values v JOIN memberships m ON m.uscc = v.unit_code
                 JOIN clusters c ON c.code = m.cluster_code
                 WHERE c.county_code = $1 AND v.period = $2 AND v.num_value IS NOT NULL
                 AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to > $3)
                 AND v.indicator_code IN ({})
                 GROUP BY m.cluster_code, v.indicator_code",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(county)
                .bind(period.clone())
                .bind(last_day.to_string());
            for i in &agg_inds {
                q = q.bind(i.clone());
            }
            for r in q.fetch_all(self.pool()).await? {
                let s: Option<i64> = r.try_get(2)?;
                if let Some(s) = s {
                    aggs.insert((r.try_get(0)?, r.try_get(1)?), s);
                }
            }
        }

        let data = Data {
            values: &values,
            period: period.clone(),
        };
        // Each unit's history of each outlier indicator, gathered once (not a scan of every
        // value per unit and rule).
        let mut histories: HashMap<(&str, &str), HashMap<Period, f64>> = HashMap::new();
        for ((u, i, p), v) in &values {
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
        for (unit, unit_name) in &units {
            // A row with nothing in it this period is not reported yet: nothing to check.
            if !ds.indicators.iter().any(|i| data.filled(unit, i)) {
                continue;
            }
            for rule in &rules {
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
                                "{word}{},{basis}{}(稳健z = {:.1},阈值 {threshold},比较 {} 期)",
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
        // Errors first; within each, the order of the rows and of the rules.
        out.sort_by_key(|f| !f.is_error());
        Ok(out)
    }

    /// What keeps the period from being submitted: every error, and every warning without a
    /// non-empty explanation in `comments`.
    pub async fn submit_blockers(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        comments: &[WarningComment],
    ) -> Result<Vec<Finding>> {
        let findings = self.validate(actor, dataset, county, period).await?;
        Ok(findings
            .into_iter()
            .filter(|f| f.is_error() || !explained(f, comments))
            .collect())
    }

    /// The check a submission passes: refused with every blocker listed, or the warnings
    /// (all explained) whose explanations the submission keeps.
    pub(crate) async fn submit_gate(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        comments: &[WarningComment],
    ) -> Result<Vec<Finding>> {
        let findings = self.validate(actor, dataset, county, period).await?;
        let blockers: Vec<Finding> = findings
            .iter()
            .filter(|f| f.is_error() || !explained(f, comments))
            .cloned()
            .collect();
        if !blockers.is_empty() {
            return Err(StoreError::Invalid(describe_blockers(&blockers)));
        }
        Ok(findings)
    }

    /// The explanations given for a period's warnings, oldest round first; the current round's
    /// `at` is the submission's `submitted_at`.
    pub async fn validation_comments(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Vec<StoredComment>> {
        self.check_reporting_scope(actor, dataset, county)?;
        Ok(sqlx::query_as(
            "SELECT rule_id, unit_code, indicator, comment, commented_by, at FROM validation_comments
             WHERE dataset = $1 AND county_code = $2 AND period = $3 ORDER BY at, id",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_all(self.pool())
        .await?)
    }
}

fn explained(f: &Finding, comments: &[WarningComment]) -> bool {
    comments.iter().any(|c| {
        (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == f.key()
            && !c.comment.trim().is_empty()
    })
}

/// The Chinese refusal of a submission, listing what is to be done.
pub fn describe_blockers(blockers: &[Finding]) -> String {
    let errors = blockers.iter().filter(|f| f.is_error()).count();
    let warnings = blockers.len() - errors;
    let mut head = Vec::new();
    if errors > 0 {
        head.push(format!("{errors}项校验错误须先改正"));
    }
    if warnings > 0 {
        head.push(format!("{warnings}项警告须逐项填写说明"));
    }
    let items: Vec<String> = blockers
        .iter()
        .take(20)
        .map(|f| {
            format!(
                "[{}] {} {}:{}",
                f.importance_label, f.unit_name, f.indicator_name, f.message
            )
        })
        .collect();
    let more = if blockers.len() > 20 {
        format!(";另有{}项", blockers.len() - 20)
    } else {
        String::new()
    };
    format!("不能提交:{}。{}{more}", head.join(","), items.join(";"))
}

/// Keep the explanations of the warnings of a submission, in its transaction. Only comments
/// on a current warning are kept.
pub(crate) async fn save_comments(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    key: (&str, &str, &str),
    warnings: &[Finding],
    comments: &[WarningComment],
    at: &str,
) -> Result<()> {
    for c in comments {
        if c.comment.trim().is_empty()
            || !warnings
                .iter()
                .any(|f| (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == f.key())
        {
            continue;
        }
        sqlx::query(
            "INSERT INTO validation_comments (dataset, county_code, period, rule_id, unit_code, indicator, comment, commented_by, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(key.0)
        .bind(key.1)
        .bind(key.2)
        .bind(&c.rule_id)
        .bind(&c.unit_code)
        .bind(&c.indicator)
        .bind(c.comment.trim())
        .bind(&actor.username)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
