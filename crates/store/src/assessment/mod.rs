//! The county assessment (考核, plan file `assessment.yaml`): for a year (as of a month in the
//! current year) each county's raw value per indicator, its score, the composite, the rank with
//! the tie-break and what was counted; the 三(二)1 ranking on enterprises entering parks turned
//! into the zero-sum transfer by the policy engine; the 三(二)2 table of net new above-scale
//! enterprises against each county's target.
//!
//! | indicator | raw value |
//! |---|---|
//! | revenue_growth | Σ monthly `revenue` of the county's clusters, months 1..M of the year, against the same months of the year before (%) |
//! | net_new_above_scale | `above_scale` qualifications of the county's enterprises: in force at the end of month M minus in force on 1 January (`valid_to` is the first day no longer held) |
//! | park_entries | Σ monthly `park_entries` of the county's clusters, months 1..M |
//! | reporting_timeliness | of the months 1..M whose deadline has passed, the share submitted by the deadline (Beijing date) |
//! | problems_closed_on_time | no module records problems yet: no data |
//!
//! Scope: the ranking is published city-wide, so a county sees every county's scores and rank;
//! what was counted (enterprise lists, per-cluster figures) only for its own county.

use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
pub use clusterdesk_analytics::TargetSource;
pub use clusterdesk_analytics::above_scale::{AboveScaleEvent, AboveScaleRow};
use clusterdesk_analytics::assessment as calc;
use clusterdesk_analytics::county_assessment::{beijing_date, calc_round, fmt_dp};
use clusterdesk_analytics::park_transfer::park_entry_transfer;
pub use clusterdesk_analytics::park_transfer::{ParkEntryTransfer, TransferRow};
use clusterdesk_domain::Period;
use clusterdesk_plan::assessment::{Assessment, Scoring};
use clusterdesk_policy::PolicySet;
use rust_decimal::Decimal;

mod above_scale;
mod compute;
mod decisions;
pub use decisions::{
    AboveScaleTarget, AboveScaleTargets, FinalizedRow, FinalizedTransfer, MAX_ABOVE_SCALE_TARGET, TargetEdit,
    TransferDecision, TransferRevocation, TransferStatus, check_target, parse_target,
};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorInfo {
    pub code: String,
    pub name: String,
    pub clause: String,
    pub unit: String,
    /// Weight as in the plan (of 100).
    pub weight: u32,
    /// Weight after leaving out indicators without data (of 100, two decimals).
    pub effective_weight: String,
    /// How the score is computed, in Chinese.
    pub scoring: String,
    /// False when no county has data: left out of the composite.
    pub available: bool,
    pub note: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorValue {
    pub code: String,
    /// The raw value (exact decimal), if any.
    pub raw: Option<String>,
    /// The raw value as people read it, e.g. `12.50%`, `净增 12 / 目标 15`, `暂无数据`.
    pub raw_text: String,
    /// Score of 0–100 as published (rounded to the plan's decimals).
    pub score: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CountyResult {
    pub county: String,
    pub name: String,
    pub values: Vec<IndicatorValue>,
    pub composite: String,
    pub rank: usize,
    /// Equal with another county on the composite and every tie-break score.
    pub tied: bool,
    /// Equal with another county on the composite, separated by the tie-break.
    pub tie_broken: bool,
    /// Rank in the previous year's full-year assessment.
    pub last_rank: Option<usize>,
    /// Places gained since last year (positive = up).
    pub rank_change: Option<i64>,
    /// What was counted (only for the caller's own county unless the caller sees the city).
    pub provenance: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentReport {
    pub name: String,
    pub clause: String,
    pub clause_text: String,
    pub year: i32,
    /// The month the figures run to, e.g. `2025-12`.
    pub as_of: String,
    /// The year is complete (as of December).
    pub complete: bool,
    pub indicators: Vec<IndicatorInfo>,
    /// Names of the tie-break indicators, in order.
    pub tie_break: Vec<String>,
    /// Every county, best first.
    pub rows: Vec<CountyResult>,
    pub park_entry: ParkEntryTransfer,
    pub above_scale: Vec<AboveScaleRow>,
    pub above_scale_target_note: String,
    /// 三(二)1: the finalized (定稿) transfer of the year, if any, against today's computation.
    pub transfer_decision: TransferDecision,
    pub notes: Vec<String>,
    /// The caller's county when the caller is a county.
    pub own_county: Option<String>,
}

/// One year's raw data and scores, before the report is shaped.
struct Computed {
    counties: Vec<(String, String)>,
    raw: Vec<Vec<Option<Decimal>>>,
    raw_text: Vec<Vec<String>>,
    scores: Vec<Option<Vec<Option<Decimal>>>>,
    composites: Vec<Decimal>,
    places: Vec<calc::Place>,
    provenance: Vec<Vec<String>>,
    park: Vec<i64>,
    above: Vec<AboveScaleRow>,
}

fn scoring_text(i: &clusterdesk_plan::assessment::AssessmentIndicator) -> String {
    match i.scoring {
        Scoring::RankPoints => "按名次计分:第1名100分,末名0分,其间等差;并列取较好名次".into(),
        Scoring::MinMax => format!(
            "按极差计分:{}者100分,{}者0分,其间按比例",
            if i.higher_better { "最高" } else { "最低" },
            if i.higher_better { "最低" } else { "最高" }
        ),
        Scoring::TargetRatio => format!(
            "按目标完成率计分:100 × min(完成率, {}%) ÷ {}%,负值计0分;目标为0时净增不为负即得满分",
            i.cap_pct.unwrap_or_default(),
            i.cap_pct.unwrap_or_default()
        ),
        Scoring::Percent => {
            if i.higher_better {
                "百分率即得分(0–100)".into()
            } else {
                "100 − 百分率".into()
            }
        }
    }
}

/// 1 234 567 fen → `12,345.67万元`-style text is left to the pages; here plain 万元 with two decimals.
impl Store {
    fn assessment_plan(&self) -> Result<&Assessment> {
        self.plan()
            .assessment
            .as_ref()
            .ok_or_else(|| StoreError::NotFound("本方案的考核办法(assessment.yaml)".into()))
    }

    /// The latest month with cluster data on enterprises entering parks (or revenue): the
    /// default as-of month of the assessment.
    pub async fn assessment_default_month(&self) -> Result<Option<Period>> {
        let m = match self.latest_month("park_entries").await? {
            Some(m) => Some(m),
            None => self.latest_month("revenue").await?,
        };
        Ok(m.and_then(|m| Period::parse(&m).ok()))
    }

    /// The assessment of `year` as of month `as_of_month` (12 for a complete year); `today`
    /// decides which monthly submissions are already due.
    pub async fn assessment(
        &self,
        actor: &Actor,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        today: NaiveDate,
    ) -> Result<AssessmentReport> {
        let own = match actor.scope() {
            Scope::City => None,
            Scope::County(c) => Some(c),
            _ => {
                return Err(StoreError::Forbidden("考核排名只对市、县(市)用户开放".into()));
            }
        };
        let a = self.assessment_plan()?;
        if year < a.first_year || year > 2100 {
            return Err(StoreError::Invalid(format!(
                "考核年度 {year} 不在方案范围内(自 {} 年起)",
                a.first_year
            )));
        }
        if !(1..=12).contains(&as_of_month) {
            return Err(StoreError::Invalid(format!("月份 {as_of_month} 应为 1–12")));
        }
        let dp = a.decimals;
        let cur = self.compute_assessment(a, year, as_of_month, today).await?;
        let last = if year > a.first_year {
            Some(self.compute_assessment(a, year - 1, 12, today).await?)
        } else {
            None
        };
        let sees = |county: &str| own.as_deref().is_none_or(|o| o == county);

        let n_avail_weight: u32 = a
            .indicators
            .iter()
            .zip(&cur.scores)
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| i.weight)
            .sum();
        let indicators: Vec<IndicatorInfo> = a
            .indicators
            .iter()
            .zip(&cur.scores)
            .map(|(i, s)| IndicatorInfo {
                code: i.code.clone(),
                name: i.name.clone(),
                clause: i.clause.clone(),
                unit: i.unit.clone(),
                weight: i.weight,
                effective_weight: if s.is_some() && n_avail_weight > 0 {
                    fmt_dp(
                        calc_round(
                            Decimal::from(i.weight) * Decimal::ONE_HUNDRED / Decimal::from(n_avail_weight),
                            2,
                        ),
                        2,
                    )
                } else {
                    "0.00".into()
                },
                scoring: scoring_text(i),
                available: s.is_some(),
                note: i.note.clone(),
            })
            .collect();
        let mut notes = Vec::new();
        for (i, s) in a.indicators.iter().zip(&cur.scores) {
            if s.is_none() && i.weight > 0 {
                notes.push(format!(
                    "“{}”本期各县(市)均无数据,不计入综合得分,其余指标权重按比例折算为100。",
                    i.name
                ));
            }
        }
        notes.push(format!(
            "综合得分 = Σ(权重 × 指标得分) ÷ Σ权重;指标得分与综合得分均四舍五入保留 {dp} 位小数,综合得分由表中公布的指标得分算出。"
        ));
        notes.push(format!(
            "综合得分相同时依次比较:{};仍相同则名次并列。",
            a.tie_break
                .iter()
                .filter_map(|c| a.indicator(c))
                .map(|i| i.name.clone())
                .collect::<Vec<_>>()
                .join("、")
        ));
        let mut rows: Vec<CountyResult> = Vec::new();
        for (c, (code, name)) in cur.counties.iter().enumerate() {
            let last_rank = last.as_ref().and_then(|l| {
                l.counties
                    .iter()
                    .position(|(lc, _)| lc == code)
                    .map(|k| l.places[k].rank)
            });
            rows.push(CountyResult {
                county: code.clone(),
                name: name.clone(),
                values: a
                    .indicators
                    .iter()
                    .enumerate()
                    .map(|(k, i)| IndicatorValue {
                        code: i.code.clone(),
                        raw: cur.raw[c][k].map(|d| d.to_string()),
                        raw_text: cur.raw_text[c][k].clone(),
                        score: cur.scores[k]
                            .as_ref()
                            .map(|s| fmt_dp(s[c].unwrap_or(Decimal::ZERO), dp)),
                    })
                    .collect(),
                composite: fmt_dp(cur.composites[c], dp),
                rank: cur.places[c].rank,
                tied: cur.places[c].tied,
                tie_broken: cur.places[c].tie_broken,
                last_rank,
                rank_change: last_rank.map(|l| l as i64 - cur.places[c].rank as i64),
                provenance: if sees(code) {
                    cur.provenance[c].clone()
                } else {
                    Vec::new()
                },
            });
        }
        rows.sort_by(|x, y| x.rank.cmp(&y.rank).then(x.county.cmp(&y.county)));

        let park_entry = park_entry_transfer(a, policies, year, as_of_month, &cur.counties, &cur.park);
        let transfer_decision = self.transfer_decision(actor, year, &park_entry).await?;
        let mut above = cur.above.clone();
        for r in &mut above {
            if !sees(&r.county) {
                r.events.clear();
            }
        }
        Ok(AssessmentReport {
            name: a.name.clone(),
            clause: a.clause.clone(),
            clause_text: a.clause_text.clone(),
            year,
            as_of: Period::month(year, as_of_month).to_string(),
            complete: as_of_month == 12,
            indicators,
            tie_break: a
                .tie_break
                .iter()
                .filter_map(|c| a.indicator(c))
                .map(|i| i.name.clone())
                .collect(),
            rows,
            park_entry,
            above_scale_target_note: target_note(&a.above_scale_targets_note, &above),
            above_scale: above,
            transfer_decision,
            notes,
            own_county: own,
        })
    }
}

/// The default (year, month) of the assessment: the latest month with data, else December of
/// the plan's target year.
pub async fn default_period(store: &Store) -> Result<(i32, u32)> {
    Ok(match store.assessment_default_month().await? {
        Some(p) => (p.year(), p.month_range().1),
        None => (store.plan().meta.target_year, 12),
    })
}

/// `2026年3月1日`.
pub(crate) fn cn_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The note on the 三(二)2 targets: the plan file's note while its working figures are used,
/// the issued source once 市工信局 has set them.
fn target_note(plan_note: &str, rows: &[AboveScaleRow]) -> String {
    let issued = rows
        .iter()
        .filter(|r| r.target_source == TargetSource::Issued)
        .count();
    let plan = rows
        .iter()
        .filter(|r| r.target_source == TargetSource::Plan)
        .count();
    match (issued, plan) {
        (0, _) => plan_note.to_string(),
        (i, 0) if i == rows.len() => "市工信局下达".into(),
        (_, 0) => "市工信局下达(其余县(市)未下达)".into(),
        _ => format!("{issued} 个县(市)为市工信局下达,{plan} 个县(市)为规划文件示例数(见“目标来源”列)"),
    }
}
