//! Progress of the plan's targets (二) as of a month, for the city or one county: pure
//! functions over the plan and the rows the store read ([`ProgressData`]).
//!
//! Every target row of `targets.csv` gets a yearly series from the data, a status by the Open
//! SDG progress measure (see [`crate::progress`]) and a forecast to its deadline. What each
//! indicator is computed from, and how:
//!
//! | indicator | source |
//! |---|---|
//! | revenue (二.1, clusters in a band) | cluster values: a complete year is the year's own value if one is stored, else the sum of its months (当月 values), else of its quarters; mid-year the trailing twelve months ending at the as-of month (近12个月) |
//! | rd_expense (二.2a) and other cluster flows | cluster values as above, summed over the scope's clusters |
//! | invention_patents (二.2b) | enterprise stocks: each member enterprise's latest value in the year, up to the checkpoint, summed over the enterprises that are members of a scope cluster at the checkpoint |
//! | innovation_platforms (二.2c) | qualifications `innovation_platform` (provincial or national) valid at the checkpoint and held by member enterprises: every platform counts (an enterprise may hold several) |
//! | high_tech_enterprises (二.3a) | distinct member enterprises with a valid `high_tech` |
//! | innovative_specialized_smes (二.3b) | distinct member enterprises with a valid `innovative_sme`, `specialized_sme` or `little_giant` (one enterprise counts once) |
//! | listed_or_quoted / listed_main_board (二.3c) | distinct member enterprises with a valid `listed` (any board / `main_board`) |
//! | well_known_trademarks (二.4a) | `well_known_trademark` recognitions dated after the baseline year up to the checkpoint, of enterprises that were members at the recognition date |
//! | standards (二.4b) | cluster yearly (or monthly) values, summed since the baseline year |
//! | digitalization_rate (二.4c) | simple average over the scope's clusters that reported the year (percent × 100, half away from zero) |
//!
//! A qualification is valid on day D when `valid_from ≤ D` and `valid_to` is empty or after D
//! (`valid_to` is the first day it no longer holds); a checkpoint is the last day of a month.
//! Targets whose deadline has passed are judged at the deadline year (their final
//! attainment); the as-of month is then only the cut-off of the data used.

mod forecast;
mod shares;
mod target;
pub use shares::{
    CountyRank, CountyShare, TargetDetail, county_ranks, rank_by_attainment, target_detail, tier_counts,
};
pub use target::target_progress;

use crate::progress::Status;
use crate::progress_data::{Checkpoint, ProgressData};
use crate::quotas::{QuotaProgress, quota_progress};
use crate::states::{Basis, ForecastMethod};
use clusterdesk_plan::{Comparison, Measure, Plan, Target};
use rust_decimal::Decimal;

/// One point of a target's yearly series.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    /// `2025` (a complete year) or `2026-10` (the checkpoint of a year not yet complete).
    pub period: String,
    /// year, trailing_12_months (flows mid-year), end_of_month (stocks) or year_to_date.
    #[schema(value_type = String)]
    pub basis: Basis,
    #[schema(value_type = String)]
    pub value: Decimal,
    /// The phased target for this point (compound for growth, linear otherwise).
    #[schema(value_type = Option<String>)]
    pub milestone: Option<Decimal>,
}

/// One year of a target's phasing.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PhaseStep {
    pub year: i32,
    #[schema(value_type = String)]
    pub value: Decimal,
    /// Set by the bureau rather than the default path.
    pub edited: bool,
}

/// A forecast of the value at the deadline.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ForecastOut {
    /// log_linear, damped_holt, linear_pace or actual (the deadline has passed).
    #[schema(value_type = String)]
    pub method: ForecastMethod,
    pub method_label: String,
    pub deadline_year: i32,
    #[schema(value_type = String)]
    pub value: Decimal,
    #[schema(value_type = String)]
    pub low: Decimal,
    #[schema(value_type = String)]
    pub high: Decimal,
    /// Met on the current trend (at the point forecast); null when it cannot be judged.
    pub met: Option<bool>,
    /// The second method, for comparison.
    #[schema(no_recursion)]
    pub alternative: Option<Box<ForecastOut>>,
}

/// Year to date against the pro-rated yearly milestone (flows only, mid-year only).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct YearToDate {
    pub period: String,
    pub months: u32,
    #[schema(value_type = String)]
    pub value: Decimal,
    /// The year's milestone × months / 12, half away from zero.
    #[schema(value_type = String)]
    pub prorated_target: Decimal,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TargetProgress {
    /// Row id in targets.csv (`二.3c-main`).
    pub id: String,
    /// Clause id (`二.3c`).
    pub clause: String,
    pub name: String,
    pub indicator: String,
    pub measure: String,
    // gt, ge, approx or range (a plain comment: the API document stays as it was).
    #[schema(value_type = String)]
    pub comparison: Comparison,
    /// Unit of `baseline`, `value` and `target`: 个 (clusters), 元, 件, 家, 项, %.
    pub unit: String,
    pub strive: bool,
    pub baseline_year: i32,
    #[schema(value_type = String)]
    pub baseline: Decimal,
    /// The value the status judges: at the deadline year once it has passed, else at the as-of.
    #[schema(value_type = String)]
    pub value: Decimal,
    pub value_period: String,
    /// The level to reach by the deadline (for growth targets: baseline × (1 + g)^years). For a
    /// county, its share of the city's target (see `target_city`): 二.1's counts split by the
    /// counties' counts in the band at the baseline, other levels and flows by their share of
    /// the clusters' baseline-year revenue (largest remainder, so the shares add up to the
    /// city's target; a strict 超N is split as N + 1 and met at the share); rates (二.4c) and
    /// growth targets are the same for every county.
    #[schema(value_type = Option<String>)]
    pub target: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub target_max: Option<Decimal>,
    /// The city's target when the report is for a county.
    #[schema(value_type = Option<String>)]
    pub target_city: Option<Decimal>,
    /// Required average annual growth in percent (growth targets).
    #[schema(value_type = Option<String>)]
    pub target_growth_pct: Option<Decimal>,
    pub deadline_year: i32,
    /// The phased target at the checkpoint (where the value should be by now).
    #[schema(value_type = Option<String>)]
    pub expected: Option<Decimal>,
    /// achieved, on_track, needs_acceleration, limited_progress, deteriorating, insufficient_data.
    #[schema(value_type = String)]
    pub status: Status,
    pub status_label: String,
    /// The status is the final attainment (the deadline has passed).
    pub is_final: bool,
    /// cagr or linear.
    pub method: String,
    /// Observed rate since the baseline (fraction a year for cagr, units a year for linear).
    pub observed_rate: Option<f64>,
    pub required_rate: Option<f64>,
    pub ratio: Option<f64>,
    /// Value over target (for growth targets: observed over required rate), for progress bars.
    pub attainment: Option<f64>,
    pub ytd: Option<YearToDate>,
    pub forecast: Option<ForecastOut>,
    pub series: Vec<SeriesPoint>,
    /// The yearly milestones from the baseline to the deadline (the phasing), edited or default.
    pub phasing: Vec<PhaseStep>,
    /// How the value was computed.
    pub basis_note: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProgressReport {
    pub as_of: String,
    pub as_of_label: String,
    /// The city's code or the county's.
    pub scope_code: String,
    pub scope_name: String,
    pub county: Option<String>,
    pub targets: Vec<TargetProgress>,
    /// The recurring and standing quotas of 三 (quotas.csv), for the as-of year.
    pub quotas: Vec<QuotaProgress>,
}

/// The report of every target row and quota as of the end of `as_of` for the city (`county`
/// None) or one county.
pub fn progress_report(
    plan: &Plan,
    data: &ProgressData,
    as_of: Checkpoint,
    county: Option<&str>,
) -> ProgressReport {
    let (scope_code, scope_name) = match county {
        Some(c) => (
            c.to_string(),
            plan.org_unit(c).map(|u| u.name.clone()).unwrap_or_default(),
        ),
        None => (plan.city().code.clone(), plan.city().name.clone()),
    };
    let targets = plan
        .targets
        .iter()
        .map(|t| target_progress(plan, data, t, as_of, county))
        .collect();
    let quotas = plan
        .quotas
        .iter()
        .map(|q| quota_progress(plan, data, q, as_of, county))
        .collect();
    let period = clusterdesk_domain::Period::Month {
        year: as_of.year,
        month: as_of.month,
    };
    ProgressReport {
        as_of: period.to_string(),
        as_of_label: period.label_zh(),
        scope_code,
        scope_name,
        county: county.map(str::to_string),
        targets,
        quotas,
    }
}

/// A value for people, in its unit: money in 亿元 (two decimals), percent with two decimals,
/// counts with thousands separators; every rounding half away from zero.
pub fn show_value(v: &Decimal, unit: &str) -> String {
    let grouped = |d: Decimal| clusterdesk_domain::money::group_number(&d.to_string());
    let away = rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    match unit {
        "元" => {
            let fen = i64::try_from((v * Decimal::from(100)).round_dp_with_strategy(0, away)).unwrap_or(0);
            format!("{}亿元", clusterdesk_domain::Fen(fen).yi_yuan(2))
        }
        "%" => format!("{}%", v.round_dp_with_strategy(2, away)),
        _ => format!("{}{unit}", grouped(v.round_dp_with_strategy(0, away))),
    }
}

impl ForecastOut {
    /// The point forecast and its 95% band, shown in `unit`.
    pub fn shown(&self, unit: &str) -> [String; 3] {
        [&self.value, &self.low, &self.high].map(|v| show_value(v, unit))
    }
}

impl TargetProgress {
    /// A level target `v` in words: the `target_max` range when there is one, else `v` after
    /// `超` for a strict target or after `other` (the CLI writes `≥`, the pages nothing).
    pub fn level_text(&self, v: &Decimal, other: &str) -> String {
        match &self.target_max {
            Some(m) => format!("{}–{}", show_value(v, &self.unit), show_value(m, &self.unit)),
            None => {
                let cmp = if self.comparison == Comparison::Gt {
                    "超"
                } else {
                    other
                };
                format!("{cmp}{}", show_value(v, &self.unit))
            }
        }
    }
}

/// Checks edits of a target's yearly phasing, (year, value in the target's unit; `None` back to
/// the default), for the city or (`for_county`) a county's split, and turns the values into
/// stored integers. Years run from after the baseline to the deadline; the city's deadline-year
/// value is the plan's target and cannot be edited; values are not negative and fit the unit.
pub fn milestone_rows(
    plan: &Plan,
    t: &Target,
    for_county: bool,
    edits: &[(i32, Option<Decimal>)],
) -> Result<Vec<(i32, Option<i64>)>, String> {
    let ind = plan.indicator(&t.indicator).expect("checked at plan load");
    let baseline_year = t.baseline_year.unwrap_or(plan.meta.baseline_year);
    let mut rows = Vec::new();
    for &(year, value) in edits {
        if year <= baseline_year || year > t.deadline_year {
            return Err(format!(
                "{}:年份{}不在{}–{}年之间",
                t.id,
                year,
                baseline_year + 1,
                t.deadline_year
            ));
        }
        if !for_county && year == t.deadline_year {
            return Err(format!(
                "{}:{}年的全市目标以方案为准,不能在此修改",
                t.id, t.deadline_year
            ));
        }
        let stored = match value {
            None => None,
            Some(d) if d < Decimal::ZERO => {
                return Err(format!("{}:{}年的值不能为负数", t.id, year));
            }
            Some(d) => {
                let v = if t.measure == Measure::CountOfClustersAbove {
                    (d.fract().is_zero()).then(|| i64::try_from(d).ok()).flatten()
                } else {
                    ind.to_stored(d)
                };
                Some(v.ok_or_else(|| format!("{}:{}年的值“{d}”小数位过多或超出范围", t.id, year))?)
            }
        };
        rows.push((year, stored));
    }
    Ok(rows)
}

pub(crate) fn dec(v: i64, scale: u32) -> Decimal {
    Decimal::new(v, scale)
}

/// A forecast value in stored units, rounded half away from zero to the unit.
pub(crate) fn dec_f(v: f64, scale: u32) -> Decimal {
    let r = v.round();
    let r = if r.is_finite() {
        r.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    } else {
        0
    };
    Decimal::new(r, scale)
}

pub(crate) fn meets(cmp: Comparison, value: i64, target: i64) -> bool {
    match cmp {
        Comparison::Gt => value > target,
        _ => value >= target,
    }
}
