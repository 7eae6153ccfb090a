//! Progress of the plan's targets (二) as of a month, for the city or one county.
//!
//! Every target row of `targets.csv` gets a yearly series from the data, a status by the Open
//! SDG progress measure (see `clusterdesk_analytics::progress`) and a forecast to its deadline.
//! What each indicator is computed from, and how:
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

mod shares;
pub use shares::{CountyRank, CountyShare, TargetDetail, rank_by_attainment};

use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_analytics::forecast::{self, Forecast};
use clusterdesk_analytics::progress::{
    self as prog, Goal, Method, Observation, Status, phase_compound, phase_linear, split_by_weights,
};
use clusterdesk_domain::Period;
use clusterdesk_plan::{Aggregation, Comparison, Measure, Target};
use rust_decimal::Decimal;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One point of a target's yearly series.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SeriesPoint {
    /// `2025` (a complete year) or `2026-10` (the checkpoint of a year not yet complete).
    pub period: String,
    /// year, trailing_12_months (flows mid-year), end_of_month (stocks) or year_to_date.
    pub basis: String,
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
    pub method: String,
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
    pub comparison: String,
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
    pub status: String,
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

/// One unit's figure for a quota that each county or cluster must meet.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuotaUnit {
    pub code: String,
    pub name: String,
    pub value: i64,
    pub status: String,
    pub status_label: String,
}

/// A quota of 三 (e.g. 三(二)3 工业巡诊 ≥600家次 a year) for the as-of year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuotaProgress {
    pub id: String,
    pub clause: String,
    pub name: String,
    pub indicator: String,
    pub unit: String,
    /// year (counted in the as-of year, January to the as-of month) or standing (a level).
    pub per: String,
    /// city, county (each county must meet it) or cluster (each cluster must).
    pub scope: String,
    pub period: String,
    /// Months of the year counted (12 for a complete year, for standing quotas too).
    pub months: u32,
    #[schema(value_type = Option<String>)]
    pub min: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub max: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub approx: Option<Decimal>,
    /// The total over the report's scope (the city or the county).
    pub value: Option<i64>,
    /// met, on_track, behind, above_max, no_data; for per-unit quotas the worst unit's.
    pub status: String,
    pub status_label: String,
    /// Per county or per cluster, for quotas each unit must meet.
    pub units: Vec<QuotaUnit>,
    pub basis_note: String,
}

/// How a quota's figure is judged. `approx` (左右) is met within ±20% (a reading the text
/// leaves open); `min` and `max` are inclusive (不少于, 3–5). Mid-year, a yearly quota's `min`
/// is pro-rated (half away from zero) and only `behind`/`on_track` can be said.
pub fn quota_status(
    value: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    approx: Option<i64>,
    months: u32,
) -> (&'static str, &'static str) {
    let Some(v) = value else {
        return ("no_data", "无数据");
    };
    let complete = months >= 12;
    if let Some(m) = max
        && v > m
    {
        return ("above_max", "超出上限");
    }
    let floor = min.or(approx.map(|a| prog::div_round(a as i128 * 8, 10) as i64));
    if let Some(a) = approx
        && complete
        && v > prog::div_round(a as i128 * 12, 10) as i64
    {
        return ("above_max", "超出上限");
    }
    match floor {
        None => ("met", "已完成"),
        Some(f) if complete => {
            if v >= f {
                ("met", "已完成")
            } else {
                ("behind", "未完成")
            }
        }
        Some(f) => {
            if v >= f {
                ("met", "已完成")
            } else if v >= prog::prorate(f, months) {
                ("on_track", "进度正常")
            } else {
                ("behind", "滞后")
            }
        }
    }
}

/// The end of a month: (year, month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Checkpoint {
    year: i32,
    month: u32,
}

impl Checkpoint {
    fn year_end(year: i32) -> Self {
        Checkpoint { year, month: 12 }
    }
    fn complete(self) -> bool {
        self.month == 12
    }
    /// Months since year 0 of this month.
    fn index(self) -> i64 {
        self.year as i64 * 12 + self.month as i64 - 1
    }
    /// Time in years, the end of December Y being Y.
    fn t(self) -> f64 {
        self.year as f64 - 1.0 + self.month as f64 / 12.0
    }
    /// The first day after the checkpoint, `YYYY-MM-DD`: a date D is on or before the
    /// checkpoint when D < this.
    fn day_after(self) -> String {
        if self.month == 12 {
            format!("{:04}-01-01", self.year + 1)
        } else {
            format!("{:04}-{:02}-01", self.year, self.month + 1)
        }
    }
    fn label(self) -> String {
        if self.complete() {
            self.year.to_string()
        } else {
            format!("{}-{:02}", self.year, self.month)
        }
    }
}

/// What a target's value is made of.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Values on cluster units, combined over time and over clusters as the indicator says.
    Cluster { time: Aggregation, units: Aggregation },
    /// Stocks on enterprise units, summed over member enterprises.
    EnterpriseStock,
    /// Distinct member enterprises (or every qualification when `rows`) valid at the checkpoint.
    QualCount {
        kinds: &'static [&'static str],
        levels: &'static [&'static str],
        rows: bool,
    },
    /// Qualifications recognised after the baseline year up to the checkpoint.
    QualFlow { kind: &'static str },
}

fn source_of(indicator: &clusterdesk_plan::Indicator) -> Source {
    match indicator.code.as_str() {
        "invention_patents" => Source::EnterpriseStock,
        "innovation_platforms" => Source::QualCount {
            kinds: &["innovation_platform"],
            levels: &["provincial", "national"],
            rows: true,
        },
        "high_tech_enterprises" => Source::QualCount {
            kinds: &["high_tech"],
            levels: &[],
            rows: false,
        },
        "innovative_specialized_smes" => Source::QualCount {
            kinds: &["innovative_sme", "specialized_sme", "little_giant"],
            levels: &[],
            rows: false,
        },
        "listed_or_quoted" => Source::QualCount {
            kinds: &["listed"],
            levels: &[],
            rows: false,
        },
        "listed_main_board" => Source::QualCount {
            kinds: &["listed"],
            levels: &["main_board"],
            rows: false,
        },
        "well_known_trademarks" => Source::QualFlow {
            kind: "well_known_trademark",
        },
        _ => Source::Cluster {
            time: indicator.time_aggregation,
            units: indicator.aggregation,
        },
    }
}

fn basis_note(src: Source, measure: Measure) -> &'static str {
    match (src, measure) {
        (_, Measure::CountOfClustersAbove) => {
            "集群年营业收入(当年各月合计;年内为截至当月的近12个月合计)落入档位的集群个数"
        }
        (
            Source::Cluster {
                units: Aggregation::Average,
                ..
            },
            _,
        ) => "各集群年度值的简单平均",
        (Source::Cluster { .. }, Measure::FlowSinceBaseline) => "基年之后各年集群报送值累计",
        (Source::Cluster { .. }, _) => "集群报送值按年合计(年内为近12个月合计)",
        (Source::EnterpriseStock, _) => "期末为集群成员的企业年末存量之和",
        (Source::QualCount { rows: true, .. }, _) => "期末有效的资质条数(成员企业持有)",
        (Source::QualCount { .. }, _) => "期末持有有效资质的集群成员企业数(同一企业只计一次)",
        (Source::QualFlow { .. }, _) => "基年之后新认定数累计(认定时为集群成员)",
    }
}

/// Everything the computation reads, loaded once for the whole city and filtered in memory.
struct Raw {
    /// cluster code → county code
    cluster_county: HashMap<String, String>,
    /// indicator → rows (cluster, period, value) on cluster units
    cluster_rows: HashMap<String, Vec<(String, Period, i64)>>,
    /// Metrics only: each enterprise's revenue in the metrics' year (uscc, fen).
    ent_year_revenue: Vec<(String, i64)>,
    /// uscc → memberships (cluster, from, to)
    members: HashMap<String, Vec<(String, String, Option<String>)>>,
    /// (uscc, kind, level, from, to), sorted by kind (see [`Raw::quals_of`]).
    quals: Vec<(String, String, String, String, Option<String>)>,
    /// Edited milestones: (target id, county code or '') → year → value (stored scale).
    milestones: HashMap<(String, String), BTreeMap<i32, i64>>,
}

impl Raw {
    /// The qualifications of one kind: a slice of the kind-sorted list, so that counting a rare
    /// kind (龙头, 上市培育库) per cluster does not walk every qualification of the city.
    fn quals_of(&self, kind: &str) -> &[(String, String, String, String, Option<String>)] {
        let lo = self.quals.partition_point(|q| q.1.as_str() < kind);
        let hi = self.quals.partition_point(|q| q.1.as_str() <= kind);
        &self.quals[lo..hi]
    }

    /// Whether the enterprise is in a cluster of the scope on the day before `day_after`.
    fn member_at(&self, uscc: &str, day_after: &str, county: Option<&str>) -> bool {
        self.members.get(uscc).is_some_and(|ms| {
            ms.iter().any(|(c, from, to)| {
                from.as_str() < day_after
                    && to.as_deref().is_none_or(|t| t >= day_after)
                    && county.is_none_or(|k| self.cluster_county.get(c).map(String::as_str) == Some(k))
            })
        })
    }

    /// A cluster of the scope, or (for values reported on a county unit) the county itself.
    fn in_scope(&self, unit: &str, county: Option<&str>) -> bool {
        county.is_none_or(|k| unit == k || self.cluster_county.get(unit).map(String::as_str) == Some(k))
    }

    /// One cluster's value of a flow indicator at a checkpoint: the complete year, or the
    /// trailing twelve months mid-year; with `ytd`, from January of the checkpoint's year.
    fn cluster_flow(rows: &[(Period, i64)], cp: Checkpoint, ytd: bool) -> Option<i64> {
        if cp.complete() && !ytd {
            if let Some((_, v)) = rows.iter().find(|(p, _)| *p == Period::Year { year: cp.year }) {
                return Some(*v);
            }
            let months: Vec<i64> = rows
                .iter()
                .filter(|(p, _)| matches!(p, Period::Month { year, .. } if *year == cp.year))
                .map(|(_, v)| *v)
                .collect();
            if !months.is_empty() {
                return Some(months.iter().sum());
            }
            let quarters: Vec<i64> = rows
                .iter()
                .filter(|(p, _)| matches!(p, Period::Quarter { year, .. } if *year == cp.year))
                .map(|(_, v)| *v)
                .collect();
            return (!quarters.is_empty()).then(|| quarters.iter().sum());
        }
        let lo = if ytd {
            Checkpoint {
                year: cp.year,
                month: 1,
            }
            .index()
        } else {
            cp.index() - 11
        };
        let hi = cp.index();
        let months: Vec<i64> = rows
            .iter()
            .filter(|(p, _)| p.kind() == clusterdesk_domain::period::PeriodType::Month)
            .filter(|(p, _)| (lo..=hi).contains(&p.end_index()))
            .map(|(_, v)| *v)
            .collect();
        if !months.is_empty() {
            return Some(months.iter().sum());
        }
        if ytd {
            // Quarters wholly inside January..checkpoint.
            let q: Vec<i64> = rows
                .iter()
                .filter(|(p, _)| p.kind() == clusterdesk_domain::period::PeriodType::Quarter)
                .filter(|(p, _)| (lo..=hi).contains(&p.end_index()))
                .map(|(_, v)| *v)
                .collect();
            return (!q.is_empty()).then(|| q.iter().sum());
        }
        None
    }

    /// The latest value of a stock within the checkpoint's year, up to the checkpoint.
    fn latest_in_year(rows: &[(Period, i64)], cp: Checkpoint) -> Option<i64> {
        rows.iter()
            .filter(|(p, _)| p.year() == cp.year && p.end_index() <= cp.index())
            .max_by_key(|(p, _)| *p)
            .map(|(_, v)| *v)
    }

    /// Per-cluster rows of an indicator within the scope.
    fn by_cluster(&self, indicator: &str, county: Option<&str>) -> BTreeMap<String, Vec<(Period, i64)>> {
        let mut m: BTreeMap<String, Vec<(Period, i64)>> = BTreeMap::new();
        for (c, p, v) in self.cluster_rows.get(indicator).into_iter().flatten() {
            if self.in_scope(c, county) {
                m.entry(c.clone()).or_default().push((*p, *v));
            }
        }
        m
    }

    /// Each scope cluster's yearly-flow value at a checkpoint (clusters without data left out).
    fn cluster_values(&self, indicator: &str, county: Option<&str>, cp: Checkpoint) -> BTreeMap<String, i64> {
        self.by_cluster(indicator, county)
            .into_iter()
            .filter_map(|(c, rows)| Self::cluster_flow(&rows, cp, false).map(|v| (c, v)))
            .collect()
    }

    /// The scope's value of an indicator at a checkpoint. `baseline_year` is where flows since
    /// the baseline start counting; `cumulative` asks for that sum.
    fn value(
        &self,
        indicator: &str,
        src: Source,
        county: Option<&str>,
        cp: Checkpoint,
        baseline_year: i32,
        cumulative: bool,
    ) -> Option<i64> {
        match src {
            Source::Cluster { time, units } => {
                let clusters = self.by_cluster(indicator, county);
                let per_cluster: Vec<i64> = clusters
                    .values()
                    .filter_map(|rows| match (time, cumulative) {
                        (Aggregation::Sum, true) => {
                            // Complete years after the baseline, then this year to date.
                            let mut total = None::<i64>;
                            for y in baseline_year + 1..cp.year {
                                if let Some(v) = Self::cluster_flow(rows, Checkpoint::year_end(y), false) {
                                    total = Some(total.unwrap_or(0) + v);
                                }
                            }
                            if cp.year > baseline_year {
                                let this = if cp.complete() {
                                    Self::cluster_flow(rows, cp, false)
                                } else {
                                    Self::cluster_flow(rows, cp, true)
                                };
                                if let Some(v) = this {
                                    total = Some(total.unwrap_or(0) + v);
                                }
                            }
                            total
                        }
                        (Aggregation::Sum, false) => Self::cluster_flow(rows, cp, false),
                        _ => Self::latest_in_year(rows, cp),
                    })
                    .collect();
                if cumulative && cp.year <= baseline_year {
                    // Nothing is counted yet at the baseline.
                    return Some(0);
                }
                if per_cluster.is_empty() {
                    return if cumulative { Some(0) } else { None };
                }
                match units {
                    Aggregation::Average => {
                        let n = per_cluster.len() as i128;
                        let s: i128 = per_cluster.iter().map(|v| *v as i128).sum();
                        Some(prog::div_round(s, n) as i64)
                    }
                    _ => Some(per_cluster.iter().sum()),
                }
            }
            Source::EnterpriseStock => {
                let per_cluster: Vec<i64> = self
                    .by_cluster(&members_key(indicator), county)
                    .values()
                    .filter_map(|rows| Self::latest_in_year(rows, cp))
                    .collect();
                (!per_cluster.is_empty()).then(|| per_cluster.iter().sum())
            }
            Source::QualCount { kinds, levels, rows } => {
                let day_after = cp.day_after();
                let mut seen = HashSet::new();
                let mut n = 0i64;
                for (u, _, level, from, to) in kinds.iter().flat_map(|k| self.quals_of(k)) {
                    if (!levels.is_empty() && !levels.contains(&level.as_str()))
                        || from.as_str() >= day_after.as_str()
                        || to.as_deref().is_some_and(|t| t < day_after.as_str())
                        || !self.member_at(u, &day_after, county)
                    {
                        continue;
                    }
                    if rows || seen.insert(u.as_str()) {
                        n += 1;
                    }
                }
                Some(n)
            }
            Source::QualFlow { kind } => {
                let day_after = cp.day_after();
                let start = format!("{:04}-01-01", baseline_year + 1);
                let mut n = 0i64;
                for (u, _, _, from, _) in self.quals_of(kind) {
                    if from.as_str() < start.as_str() || from.as_str() >= day_after.as_str() {
                        continue;
                    }
                    // A member at the recognition date: the day after it is from + 1 day; a
                    // membership starting on that very day counts, one ending on it does not.
                    let next = next_day(from);
                    if self.member_at(u, &next, county) {
                        n += 1;
                    }
                }
                Some(n)
            }
        }
    }
}

/// Where the per-cluster sums of an enterprise stock are kept in [`Raw::cluster_rows`].
fn members_key(indicator: &str) -> String {
    format!("{indicator}#members")
}

/// `YYYY-MM-DD` plus one day (text in, text out; a malformed date is returned unchanged).
fn next_day(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .and_then(|x| x.succ_opt())
        .map(|x| x.to_string())
        .unwrap_or_else(|| d.to_string())
}

/// A value for people, in its unit: money in 亿元 (two decimals), percent with two decimals,
/// counts with thousands separators; every rounding half away from zero.
pub fn show_value(v: &Decimal, unit: &str) -> String {
    let grouped = |d: Decimal| {
        let s = d.to_string();
        let (sign, digits) = s.strip_prefix('-').map(|x| ("-", x)).unwrap_or(("", s.as_str()));
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let int = clusterdesk_domain::money::group_thousands(int);
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    };
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

fn dec(v: i64, scale: u32) -> Decimal {
    Decimal::new(v, scale)
}

/// A forecast value in stored units, rounded half away from zero to the unit.
fn dec_f(v: f64, scale: u32) -> Decimal {
    let r = v.round();
    let r = if r.is_finite() {
        r.clamp(i64::MIN as f64, i64::MAX as f64) as i64
    } else {
        0
    };
    Decimal::new(r, scale)
}

fn meets(cmp: Comparison, value: i64, target: i64) -> bool {
    match cmp {
        Comparison::Gt => value > target,
        _ => value >= target,
    }
}

impl Store {
    /// Progress of every target row as of the end of `as_of` (a month), for the city or one
    /// county the actor may read. An enterprise account and the 三员 get 403.
    pub async fn target_progress(
        &self,
        actor: &Actor,
        as_of: Period,
        county: Option<&str>,
    ) -> Result<ProgressReport> {
        let Period::Month { year, month } = as_of else {
            return Err(StoreError::Invalid(format!(
                "截至期间应为月份(如 2025-12),而不是“{as_of}”"
            )));
        };
        let county: Option<String> = match (actor.scope(), county) {
            (Scope::City, None) => None,
            (Scope::County(own), None) => Some(own),
            (Scope::City | Scope::County(_), Some(c)) => {
                self.check_county(actor, c)?;
                Some(c.to_string())
            }
            _ => return Err(StoreError::Forbidden("该账户不能查看目标进度".into())),
        };
        let t0 = std::time::Instant::now();
        let raw = self.load_raw(year, month, false).await?;
        tracing::debug!(elapsed = ?t0.elapsed(), "progress: data loaded");
        let plan = self.plan();
        let cp_as_of = Checkpoint { year, month };
        let (scope_code, scope_name) = match &county {
            Some(c) => (
                c.clone(),
                plan.org_unit(c).map(|u| u.name.clone()).unwrap_or_default(),
            ),
            None => (plan.city().code.clone(), plan.city().name.clone()),
        };
        let counties: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
        let mut targets = Vec::new();
        for t in &plan.targets {
            targets.push(self.one_target(&raw, t, cp_as_of, county.as_deref(), &counties));
        }
        tracing::debug!(elapsed = ?t0.elapsed(), "progress: targets computed");
        let quotas = plan
            .quotas
            .iter()
            .map(|q| self.one_quota(&raw, q, cp_as_of, county.as_deref()))
            .collect();
        Ok(ProgressReport {
            quotas,
            as_of: as_of.to_string(),
            as_of_label: as_of.label_zh(),
            scope_code,
            scope_name,
            county,
            targets,
        })
    }

    /// An enterprise stock (yearly values) summed per cluster and year over the enterprises that
    /// are members of the cluster at the year's end: (cluster, year, sum) for every cluster-year
    /// in which some member has a value. One query a year, each reading only that year's
    /// non-zero values from the partial covering index data_values_yearly (indicator, period,
    /// num_value, unit; migration 0010) as two ranges (> 0 and < 0): zeros add nothing, and most
    /// enterprises hold no invention patent (88% of the demo's, 99% of the benchmark's). Only
    /// when some cluster got no sum is the year's zeros read, so that a cluster whose members
    /// report only zeros is still 0 rather than missing.
    async fn stock_sums(&self, indicator: &str) -> Result<Vec<(String, String, i64)>> {
        const MEMBER: &str = "m.valid_from < CAST(CAST(v.period AS INTEGER) + 1 AS TEXT) || '-01-01'
             AND (m.valid_to IS NULL OR m.valid_to >= CAST(CAST(v.period AS INTEGER) + 1 AS TEXT) || '-01-01')";
        let from = format!(
            "FROM data_values v JOIN memberships m ON m.uscc = v.unit_code
             WHERE v.indicator_code = $1 AND v.period = $2 AND length(v.period) = 4 AND {MEMBER}"
        );
        let sums_sql = format!(
            "SELECT c, CAST(SUM(x) AS BIGINT) FROM (
                SELECT m.cluster_code AS c, v.num_value AS x {from} AND v.num_value > 0
                UNION ALL
                SELECT m.cluster_code AS c, v.num_value AS x {from} AND v.num_value < 0
             ) t GROUP BY c"
        );
        let zeros_sql = format!("SELECT DISTINCT m.cluster_code {from} AND v.num_value = 0");
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            // The next year with any value: one index seek (a skip scan; a DISTINCT would read
            // every enterprise's yearly value).
            let year: Option<String> = sqlx::query_scalar(
                "SELECT MIN(period) FROM data_values
                 WHERE indicator_code = $1 AND length(period) = 4 AND period > $2 AND num_value IS NOT NULL",
            )
            .bind(indicator)
            .bind(&after)
            .fetch_one(self.pool())
            .await?;
            let Some(year) = year else { break };
            let args = [indicator, &year];
            let mut seen: HashSet<String> = HashSet::new();
            for r in self.read_rows(&sums_sql, &args).await? {
                if let Some(n) = r.opt_int(1)? {
                    let c = r.text(0)?;
                    seen.insert(c.clone());
                    out.push((c, year.clone(), n));
                }
            }
            if seen.len() < self.plan().clusters.len() {
                for r in self.read_rows(&zeros_sql, &args).await? {
                    let c = r.text(0)?;
                    if seen.insert(c.clone()) {
                        out.push((c, year.clone(), 0));
                    }
                }
            }
            after = year;
        }
        Ok(out)
    }

    /// `metrics` also loads enterprises' revenue and the 规上 qualifications.
    async fn load_raw(&self, year: i32, month: u32, metrics: bool) -> Result<Raw> {
        self.load_raw_for(year, month, metrics, metrics).await
    }

    /// As [`Store::load_raw`]. Without `concentration` the enterprises' revenue (every
    /// enterprise's months of the year, the largest read of the metrics) is not loaded.
    async fn load_raw_for(&self, year: i32, month: u32, metrics: bool, concentration: bool) -> Result<Raw> {
        let plan = self.plan();
        let cluster_county: HashMap<String, String> = plan
            .clusters
            .iter()
            .map(|c| (c.code.clone(), c.county.clone()))
            .collect();
        // Data after the as-of month is not read: a report as of 2025-12 is the same tomorrow.
        let last = Checkpoint { year, month }.index();
        let mut cluster_rows: HashMap<String, Vec<(String, Period, i64)>> = HashMap::new();
        let mut wanted: Vec<&clusterdesk_plan::Indicator> = Vec::new();
        for t in &plan.targets {
            if let Some(i) = plan.indicator(&t.indicator)
                && !wanted.iter().any(|w| w.code == i.code)
            {
                wanted.push(i);
            }
        }
        if metrics {
            for code in [
                "revenue",
                "rd_expense",
                "standards",
                "digitalization_rate",
                "invention_patents",
            ] {
                if let Some(i) = plan.indicator(code)
                    && !wanted.iter().any(|w| w.code == i.code)
                {
                    wanted.push(i);
                }
            }
        }
        // Metrics: each enterprise's revenue in the year (a year's own figure, else its months
        // summed, else its quarters), summed in the database per kind of period so that one to
        // three rows an enterprise cross over instead of its twelve months. Metrics are for a
        // complete year (`month` 12), so every period of the year is within the as-of month.
        let mut ent_year_revenue: Vec<(String, i64)> = Vec::new();
        if metrics && concentration {
            let rows = self
                .read_rows(
                    // `unit_code IN (…)` walks the primary key enterprise by enterprise, where each
                    // one's months sit together (0.43 s at 20,000 enterprises reporting monthly;
                    // a join read the months through the (indicator, period) index: 1.0 s).
                    "SELECT v.unit_code, length(v.period), CAST(SUM(v.num_value) AS BIGINT) FROM data_values v
                     WHERE v.unit_code IN (SELECT uscc FROM enterprises)
                       AND v.indicator_code = 'revenue' AND v.num_value IS NOT NULL
                       AND v.period >= $1 AND v.period < $2
                     GROUP BY v.unit_code, length(v.period)",
                    &[
                        &format!("{year:04}"),
                        &format!("{:04}", year + 1),
                    ],
                )
                .await?;
            // Per enterprise: (year, months, quarters) sums; the first present wins.
            let mut by_ent: BTreeMap<String, [Option<i64>; 3]> = BTreeMap::new();
            for r in rows {
                let slot = match r.int(1)? {
                    4 => 0,
                    7 => 1,
                    _ => 2,
                };
                by_ent.entry(r.text(0)?).or_default()[slot] = r.opt_int(2)?;
            }
            ent_year_revenue = by_ent
                .into_iter()
                .filter_map(|(u, [y, m, q])| y.or(m).or(q).map(|v| (u, v)))
                .collect();
        }
        for ind in wanted {
            match source_of(ind) {
                Source::Cluster { .. } => {
                    let rows = self
                        .read_rows(
                            // `unit_code IN (…)` lets SQLite use the primary key (unit, indicator,
                            // period) instead of scanning every enterprise's value of the indicator.
                            "SELECT v.unit_code, v.period, v.num_value FROM data_values v
                             WHERE v.unit_code IN (SELECT code FROM clusters)
                               AND v.indicator_code = $1 AND v.num_value IS NOT NULL",
                            &[&ind.code],
                        )
                        .await?;
                    let v = cluster_rows.entry(ind.code.clone()).or_default();
                    for r in rows {
                        if let Ok(p) = Period::parse(&r.text(1)?)
                            && p.end_index() <= last
                        {
                            v.push((r.text(0)?, p, r.int(2)?));
                        }
                    }
                }
                Source::EnterpriseStock => {
                    let v = cluster_rows.entry(members_key(&ind.code)).or_default();
                    for (c, y, n) in self.stock_sums(&ind.code).await? {
                        if let Ok(p) = Period::parse(&y)
                            && p.end_index() <= last
                        {
                            v.push((c, p, n));
                        }
                    }
                }
                _ => {}
            }
        }
        // Quota indicators: values on cluster or county units.
        for qt in &plan.quotas {
            if cluster_rows.contains_key(&qt.indicator) {
                continue;
            }
            let rows = self
                .read_rows(
                    "SELECT unit_code, period, num_value FROM data_values
                     WHERE (unit_code IN (SELECT code FROM clusters)
                            OR unit_code IN (SELECT code FROM org_units WHERE kind = 'county'))
                       AND indicator_code = $1 AND num_value IS NOT NULL",
                    &[&qt.indicator],
                )
                .await?;
            let v = cluster_rows.entry(qt.indicator.clone()).or_default();
            for r in rows {
                let unit = r.text(0)?;
                let county_unit = plan
                    .org_unit(&unit)
                    .is_some_and(|u| u.kind == clusterdesk_plan::OrgKind::County);
                if !cluster_county.contains_key(&unit) && !county_unit {
                    continue;
                }
                if let Ok(p) = Period::parse(&r.text(1)?)
                    && p.end_index() <= last
                {
                    v.push((unit, p, r.int(2)?));
                }
            }
        }
        let mut members: HashMap<String, Vec<(String, String, Option<String>)>> = HashMap::new();
        // Memberships matter only for enterprises holding a qualification counted here (and,
        // for cluster metrics, for every enterprise).
        // The qualification kinds counted here: nearly every qualification row, so the table is
        // read whole and filtered here (through the kind index SQLite would look each row up in
        // the table: 56 against 17 ms at 46,000 rows). Memberships matter only for enterprises
        // holding a qualification (and, for cluster metrics, for every enterprise).
        const KINDS: [&str; 9] = [
            "innovation_platform",
            "high_tech",
            "innovative_sme",
            "specialized_sme",
            "little_giant",
            "listed",
            "well_known_trademark",
            "leading_enterprise",
            "listing_pool",
        ];
        let sql = if metrics {
            "SELECT uscc, cluster_code, valid_from, valid_to FROM memberships"
        } else {
            "SELECT uscc, cluster_code, valid_from, valid_to FROM memberships
             WHERE uscc IN (SELECT uscc FROM qualifications)"
        };
        for r in self.read_rows(sql, &[]).await? {
            members
                .entry(r.text(0)?)
                .or_default()
                .push((r.text(1)?, r.text(2)?, r.opt_text(3)?));
        }
        let mut quals = Vec::new();
        let sql = "SELECT uscc, kind, level, valid_from, valid_to FROM qualifications";
        for r in self.read_rows(sql, &[]).await? {
            let kind = r.text(1)?;
            if KINDS.contains(&kind.as_str()) || (metrics && kind == "above_scale") {
                quals.push((r.text(0)?, kind, r.text(2)?, r.text(3)?, r.opt_text(4)?));
            }
        }
        quals.sort_by(|a, b| a.1.cmp(&b.1));
        let mut milestones: HashMap<(String, String), BTreeMap<i32, i64>> = HashMap::new();
        for r in sqlx::query("SELECT target_id, county_code, year, value FROM target_milestones")
            .fetch_all(self.pool())
            .await?
        {
            let year: i64 = r.try_get(2)?;
            milestones
                .entry((r.try_get(0)?, r.try_get(1)?))
                .or_default()
                .insert(year as i32, r.try_get(3)?);
        }
        Ok(Raw {
            cluster_county,
            cluster_rows,
            ent_year_revenue,
            members,
            quals,
            milestones,
        })
    }

    fn one_target(
        &self,
        raw: &Raw,
        t: &Target,
        as_of: Checkpoint,
        county: Option<&str>,
        counties: &[String],
    ) -> TargetProgress {
        let plan = self.plan();
        let ind = plan.indicator(&t.indicator).expect("checked at plan load");
        let src = source_of(ind);
        let baseline_year = t.baseline_year.unwrap_or(plan.meta.baseline_year);
        let deadline = Checkpoint::year_end(t.deadline_year);
        // Judge at the deadline once it has passed: the final attainment.
        let eval = as_of.min(deadline);
        let is_count = t.measure == Measure::CountOfClustersAbove;
        let cumulative = t.measure == Measure::FlowSinceBaseline;
        let scale = if is_count { 0 } else { ind.scale };
        let unit = if is_count {
            "个".to_string()
        } else {
            ind.unit.clone()
        };

        // The checkpoints: year ends from the baseline, then the evaluation point.
        let mut cps: Vec<Checkpoint> = (baseline_year..eval.year).map(Checkpoint::year_end).collect();
        cps.push(eval);
        let value_at = |cp: Checkpoint, k: Option<&str>| -> Option<i64> {
            if is_count {
                let vals = raw.cluster_values(&t.indicator, k, cp);
                if vals.is_empty() {
                    return None;
                }
                Some(
                    vals.values()
                        .filter(|v| t.in_band(clusterdesk_domain::Fen(**v)))
                        .count() as i64,
                )
            } else {
                raw.value(&t.indicator, src, k, cp, baseline_year, cumulative)
            }
        };
        let mut points: Vec<(Checkpoint, i64)> = cps
            .iter()
            .filter_map(|cp| value_at(*cp, county).map(|v| (*cp, v)))
            .collect();
        points.sort_by_key(|(cp, _)| *cp);
        let baseline = points
            .iter()
            .find(|(cp, _)| *cp == Checkpoint::year_end(baseline_year))
            .map(|(_, v)| *v);
        let current = points.last().copied().filter(|(cp, _)| cp.year > baseline_year);

        // The target in stored units; for a county, its share of the city's.
        let city_target: Option<i64> = match t.measure {
            Measure::Growth => None,
            _ if is_count => t.target_value.and_then(|d| i64::try_from(d.trunc()).ok()),
            _ => t.target_value.and_then(|d| ind.to_stored(d)),
        };
        let growth_bp: Option<i64> = t
            .annual_growth_pct
            .and_then(|g| i64::try_from((g * Decimal::from(100)).round()).ok());
        let years = (t.deadline_year - baseline_year).max(0) as u32;
        let share = |total: i64| -> i64 {
            let Some(k) = county else { return total };
            if ind.aggregation == Aggregation::Average {
                return total; // a rate: every county aims at the same rate
            }
            // Weights (the default county split): for 二.1's cluster counts, each county's
            // count in the band at the baseline; for every other level or flow, each county's
            // share of the clusters' revenue in the baseline year (its economic weight: a county
            // with none of the thing yet still gets its part). All zero → number of clusters.
            let base = Checkpoint::year_end(baseline_year);
            let mut w: Vec<i64> = counties
                .iter()
                .map(|c| {
                    let v = if is_count {
                        value_at(base, Some(c))
                    } else {
                        let r = raw.cluster_values("revenue", Some(c), base);
                        (!r.is_empty()).then(|| r.values().sum())
                    };
                    v.unwrap_or(0).max(0)
                })
                .collect();
            if w.iter().all(|x| *x == 0) {
                w = counties
                    .iter()
                    .map(|c| plan.clusters_of(c).len() as i64)
                    .collect();
            }
            let parts = split_by_weights(total, &w);
            counties
                .iter()
                .position(|c| c == k)
                .map(|i| parts[i])
                .unwrap_or(0)
        };
        let target: Option<i64> = match (t.measure, baseline, growth_bp) {
            (Measure::Growth, Some(b), Some(g)) => phase_compound(b, g, years).last().copied().or(Some(b)),
            (Measure::Growth, ..) => None,
            // A county's share of a strict count (超150 = at least 151) is split from the
            // smallest total that meets it, and is then met at its share (≥).
            _ if county.is_some() && t.comparison == Comparison::Gt && scale == 0 => {
                city_target.map(|v| share(v + 1))
            }
            _ => city_target.map(share),
        };
        // Edited phasing for this target and scope; a county's edited deadline-year milestone
        // is its share of the city's target.
        let edited = raw
            .milestones
            .get(&(t.id.clone(), county.unwrap_or("").to_string()));
        let target = match edited.and_then(|m| m.get(&t.deadline_year)) {
            Some(v) if county.is_some() => Some(*v),
            _ => target,
        };
        let comparison = if county.is_some() && t.comparison == Comparison::Gt && scale == 0 {
            Comparison::Ge
        } else {
            t.comparison
        };
        let target_max = t.target_max.filter(|_| county.is_none()).and_then(|d| {
            if is_count {
                i64::try_from(d.trunc()).ok()
            } else {
                ind.to_stored(d)
            }
        });

        // Milestones by year (compound for growth, linear otherwise) from the baseline.
        let milestones: BTreeMap<i32, i64> = match (baseline, target) {
            (Some(b), Some(tv)) if years > 0 => {
                let start = if cumulative { 0 } else { b };
                let path = match (t.measure, growth_bp) {
                    (Measure::Growth, Some(g)) => phase_compound(b, g, years),
                    _ => phase_linear(start, tv, years),
                };
                let mut m: BTreeMap<i32, i64> = path
                    .into_iter()
                    .enumerate()
                    .map(|(k, v)| (baseline_year + 1 + k as i32, v))
                    .collect();
                m.insert(baseline_year, start);
                m
            }
            _ => BTreeMap::new(),
        };
        let mut milestones = milestones;
        if let Some(e) = edited {
            milestones.extend(e.iter().map(|(y, v)| (*y, *v)));
        }
        let milestone_at = |cp: Checkpoint| -> Option<i64> {
            if cp.complete() {
                return milestones.get(&cp.year).copied();
            }
            let a = *milestones.get(&(cp.year - 1))?;
            let b = *milestones.get(&cp.year)?;
            Some(a + prog::div_round((b - a) as i128 * cp.month as i128, 12) as i64)
        };

        let goal = |tv: i64| -> Goal {
            match t.measure {
                Measure::Growth => Goal::Growth {
                    annual: growth_bp.unwrap_or(0) as f64 / 10_000.0,
                },
                Measure::FlowSinceBaseline => Goal::Flow {
                    target: tv as f64,
                    strict: comparison == Comparison::Gt,
                },
                _ => Goal::Level {
                    target: tv as f64,
                    strict: comparison == Comparison::Gt,
                },
            }
        };
        let progress = match (baseline, current, target) {
            (Some(b), Some((cp, v)), Some(tv)) => Some(prog::measure_progress(
                Observation {
                    baseline: b as f64,
                    baseline_t: baseline_year as f64,
                    current: v as f64,
                    current_t: cp.t(),
                    deadline_t: t.deadline_year as f64,
                },
                goal(tv),
            )),
            _ => None,
        };
        let status = progress.map(|p| p.status).unwrap_or(Status::InsufficientData);
        let attainment = match (t.measure, progress, current, target) {
            (Measure::Growth, Some(p), ..) => p.observed.zip(p.required).map(|(o, r)| o / r),
            (_, _, Some((_, v)), Some(tv)) if tv > 0 => Some(v as f64 / tv as f64),
            _ => None,
        };

        // Year to date against the pro-rated yearly milestone, for flows mid-year.
        let ytd = match src {
            Source::Cluster {
                time: Aggregation::Sum,
                ..
            } if !is_count && !eval.complete() => {
                let v: Option<i64> = {
                    let vals: Vec<i64> = raw
                        .by_cluster(&t.indicator, county)
                        .values()
                        .filter_map(|rows| Raw::cluster_flow(rows, eval, true))
                        .collect();
                    (!vals.is_empty()).then(|| vals.iter().sum())
                };
                let year_quota = match t.measure {
                    Measure::FlowSinceBaseline => milestones
                        .get(&eval.year)
                        .zip(milestones.get(&(eval.year - 1)))
                        .map(|(a, b)| a - b),
                    _ => milestones.get(&eval.year).copied(),
                };
                v.zip(year_quota).map(|(v, q)| YearToDate {
                    period: format!("{}-{:02}", eval.year, eval.month),
                    months: eval.month,
                    value: dec(v, scale),
                    prorated_target: dec(prog::prorate(q, eval.month), scale),
                })
            }
            _ => None,
        };

        let forecast = self.forecast(
            raw, t, comparison, src, county, &points, eval, deadline, target, progress, scale,
        );

        let series = points
            .iter()
            .map(|(cp, v)| SeriesPoint {
                period: cp.label(),
                basis: if cp.complete() {
                    "year"
                } else if cumulative {
                    // Flows since the baseline: complete years plus this year so far.
                    "year_to_date"
                } else if is_count
                    || matches!(
                        src,
                        Source::Cluster {
                            time: Aggregation::Sum,
                            ..
                        }
                    )
                {
                    "trailing_12_months"
                } else {
                    "end_of_month"
                }
                .into(),
                value: dec(*v, scale),
                milestone: milestone_at(*cp).map(|m| dec(m, scale)),
            })
            .collect();

        TargetProgress {
            id: t.id.clone(),
            clause: t.clause.clone(),
            name: t.name.clone(),
            indicator: t.indicator.clone(),
            measure: t.measure.code().into(),
            comparison: comparison.code().into(),
            unit,
            strive: t.strive,
            baseline_year,
            baseline: dec(baseline.unwrap_or(0), scale),
            value: dec(current.map(|(_, v)| v).or(baseline).unwrap_or(0), scale),
            value_period: current
                .map(|(cp, _)| cp.label())
                .unwrap_or_else(|| baseline_year.to_string()),
            target: target.map(|v| dec(v, scale)),
            target_max: target_max.map(|v| dec(v, scale)),
            target_city: county.and(city_target).map(|v| dec(v, scale)),
            target_growth_pct: t.annual_growth_pct,
            deadline_year: t.deadline_year,
            // Where the value should be at the point it was measured (a yearly stock measured
            // last December is compared with last December's milestone).
            expected: milestone_at(current.map(|(cp, _)| cp).unwrap_or(eval)).map(|m| dec(m, scale)),
            status: status.code().into(),
            status_label: status.label_zh().into(),
            is_final: eval == deadline && as_of >= deadline,
            method: progress
                .map(|p| match p.method {
                    Method::Cagr => "cagr",
                    Method::Linear => "linear",
                })
                .unwrap_or("linear")
                .into(),
            observed_rate: progress.and_then(|p| p.observed),
            required_rate: progress.and_then(|p| p.required),
            ratio: progress.and_then(|p| p.ratio),
            attainment,
            ytd,
            forecast,
            series,
            phasing: milestones
                .iter()
                .map(|(y, v)| PhaseStep {
                    year: *y,
                    value: dec(*v, scale),
                    edited: edited.is_some_and(|e| e.contains_key(y)),
                })
                .collect(),
            basis_note: basis_note(src, t.measure).into(),
        }
    }

    fn one_quota(
        &self,
        raw: &Raw,
        q: &clusterdesk_plan::Quota,
        as_of: Checkpoint,
        county: Option<&str>,
    ) -> QuotaProgress {
        use clusterdesk_plan::{Per, Scope as QScope};
        let plan = self.plan();
        let unit = plan
            .indicator(&q.indicator)
            .map(|i| i.unit.clone())
            .unwrap_or_default();
        let int = |d: Option<Decimal>| d.and_then(|d| i64::try_from(d.round()).ok());
        let (min, max, approx) = (int(q.min), int(q.max), int(q.approx));
        let months = if q.per == Per::Year { as_of.month } else { 12 };
        let day_after = as_of.day_after();
        // The figure of one part of the city: `None` = the whole city, `Some(county)`, or a
        // single cluster.
        let figure = |county: Option<&str>, cluster: Option<&str>| -> Option<i64> {
            match q.indicator.as_str() {
                "leading_enterprises" | "listing_pool" | "listing_key_pool" => {
                    let (kind, level) = match q.indicator.as_str() {
                        "leading_enterprises" => ("leading_enterprise", None),
                        "listing_pool" => ("listing_pool", None),
                        _ => ("listing_pool", Some("city_key")),
                    };
                    let mut seen = HashSet::new();
                    for (u, _, l, from, to) in raw.quals_of(kind) {
                        if level.is_some_and(|x| x != l)
                            || from.as_str() >= day_after.as_str()
                            || to.as_deref().is_some_and(|t| t < day_after.as_str())
                        {
                            continue;
                        }
                        let member = match cluster {
                            Some(c) => raw.members.get(u).is_some_and(|ms| {
                                ms.iter().any(|(mc, f, t)| {
                                    mc == c
                                        && f.as_str() < day_after.as_str()
                                        && t.as_deref().is_none_or(|t| t >= day_after.as_str())
                                })
                            }),
                            None => raw.member_at(u, &day_after, county),
                        };
                        if member {
                            seen.insert(u.as_str());
                        }
                    }
                    Some(seen.len() as i64)
                }
                ind => {
                    // A flow counted from January to the as-of month: each unit's months (or
                    // quarters, or the year's own value once the year is complete).
                    let mut by_unit: BTreeMap<&str, Vec<(Period, i64)>> = BTreeMap::new();
                    for (u, p, v) in raw.cluster_rows.get(ind).into_iter().flatten() {
                        let ours = match cluster {
                            Some(c) => u == c,
                            None => raw.in_scope(u, county),
                        };
                        if ours {
                            by_unit.entry(u.as_str()).or_default().push((*p, *v));
                        }
                    }
                    let rows: Vec<i64> = by_unit
                        .values()
                        .filter_map(|r| Raw::cluster_flow(r, as_of, !as_of.complete()))
                        .collect();
                    if !rows.is_empty() {
                        return Some(rows.iter().sum());
                    }
                    if ind == "new_platforms" {
                        // No reported figure: count recognitions of provincial-or-higher
                        // platforms this year in the registry.
                        let start = format!("{:04}-01-01", as_of.year);
                        let n = raw
                            .quals_of("innovation_platform")
                            .iter()
                            .filter(|(u, _, l, from, _)| {
                                (l == "provincial" || l == "national")
                                    && from.as_str() >= start.as_str()
                                    && from.as_str() < day_after.as_str()
                                    && raw.member_at(u, &next_day(from), county)
                            })
                            .count();
                        return Some(n as i64);
                    }
                    None
                }
            }
        };
        let mut units = Vec::new();
        match q.scope {
            QScope::County => {
                for c in plan.counties() {
                    if county.is_some_and(|k| k != c.code) {
                        continue;
                    }
                    let v = figure(Some(&c.code), None);
                    let (st, label) = quota_status(v, min, max, approx, months);
                    units.push(QuotaUnit {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        value: v.unwrap_or(0),
                        status: st.into(),
                        status_label: label.into(),
                    });
                }
            }
            QScope::Cluster => {
                for c in &plan.clusters {
                    if county.is_some_and(|k| k != c.county) {
                        continue;
                    }
                    let v = figure(None, Some(&c.code));
                    let (st, label) = quota_status(v, min, max, approx, months);
                    units.push(QuotaUnit {
                        code: c.code.clone(),
                        name: c.full_name.clone(),
                        value: v.unwrap_or(0),
                        status: st.into(),
                        status_label: label.into(),
                    });
                }
            }
            QScope::City => {}
        }
        let value = figure(county, None);
        let (status, status_label): (String, &str) = if units.is_empty() {
            let (st, label) = quota_status(value, min, max, approx, months);
            (st.to_string(), label)
        } else {
            // The worst unit speaks for the quota.
            let rank = |s: &str| match s {
                "no_data" => 0,
                "behind" => 1,
                "above_max" => 2,
                "on_track" => 3,
                _ => 4,
            };
            let worst = units.iter().min_by_key(|u| rank(&u.status)).expect("non-empty");
            let met = units.iter().filter(|u| u.status == "met").count();
            let label = if met == units.len() {
                "全部完成"
            } else if units.iter().all(|u| u.status == "no_data") {
                "无数据"
            } else {
                "部分未完成"
            };
            (worst.status.clone(), label)
        };
        let per_label = match q.scope {
            QScope::County => "每县(市)",
            QScope::Cluster => "每个集群",
            QScope::City => "全市",
        };
        QuotaProgress {
            id: q.id.clone(),
            clause: q.clause.clone(),
            name: q.name.clone(),
            indicator: q.indicator.clone(),
            unit,
            per: q.per.code().into(),
            scope: q.scope.code().into(),
            period: if q.per == Per::Year && as_of.month < 12 {
                format!("{}-{:02}", as_of.year, as_of.month)
            } else {
                as_of.label()
            },
            months,
            min: q.min,
            max: q.max,
            approx: q.approx,
            value,
            status,
            status_label: status_label.into(),
            units,
            basis_note: match q.per {
                Per::Year => format!("{per_label};当年1月至截至月累计"),
                Per::Standing => format!("{per_label};截至月末在库/在任企业数"),
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn forecast(
        &self,
        raw: &Raw,
        t: &Target,
        comparison: Comparison,
        src: Source,
        county: Option<&str>,
        points: &[(Checkpoint, i64)],
        eval: Checkpoint,
        deadline: Checkpoint,
        target: Option<i64>,
        progress: Option<prog::Progress>,
        scale: u32,
    ) -> Option<ForecastOut> {
        let met_of = |v: f64| -> Option<bool> {
            let tv = target?;
            let v = v.round() as i64;
            Some(meets(comparison, v, tv))
        };
        let out = |method: &str, label: &str, f: (f64, f64, f64), met: Option<bool>| ForecastOut {
            method: method.into(),
            method_label: label.into(),
            deadline_year: t.deadline_year,
            value: dec_f(f.0, scale),
            low: dec_f(f.1, scale),
            high: dec_f(f.2, scale),
            met,
            alternative: None,
        };
        // The deadline has passed (or is this very month): the forecast is the actual value.
        if eval == deadline {
            let (_, v) = points.last()?;
            let v = *v as f64;
            return Some(out(
                "actual",
                "实际值(期限已到)",
                (v, v, v),
                progress.map(|p| p.achieved).or(met_of(v)),
            ));
        }
        let horizon_t = deadline.t();
        let last_year = points
            .iter()
            .filter(|(cp, _)| cp.complete())
            .map(|(cp, _)| cp.year)
            .max();
        if t.measure == Measure::CountOfClustersAbove {
            // Forecast each cluster's revenue, then count the clusters in the band.
            let clusters = raw.by_cluster(&t.indicator, county);
            let mut ll = (0i64, 0i64, 0i64);
            let mut hw = (0i64, 0i64, 0i64);
            let mut any_ll = false;
            let mut any_hw = false;
            let band = |v: f64| t.in_band(clusterdesk_domain::Fen(v.round() as i64)) as i64;
            for rows in clusters.values() {
                let mut pts = Vec::new();
                let mut ys = Vec::new();
                for (cp, _) in points {
                    if let Some(v) = Raw::cluster_flow(rows, *cp, false) {
                        pts.push((cp.t(), v as f64));
                        if cp.complete() {
                            ys.push(v as f64);
                        }
                    }
                }
                if let Some(f) = forecast::log_linear(&pts, horizon_t) {
                    any_ll = true;
                    let (a, b) = (band(f.low), band(f.high));
                    ll = (ll.0 + band(f.point), ll.1 + a.min(b), ll.2 + a.max(b));
                }
                if let Some(ly) = last_year
                    && let Some(f) =
                        forecast::damped_holt(&ys, (t.deadline_year - ly).max(1) as u32, ly as f64)
                {
                    any_hw = true;
                    let (a, b) = (band(f.low), band(f.high));
                    hw = (hw.0 + band(f.point), hw.1 + a.min(b), hw.2 + a.max(b));
                }
            }
            let conv = |x: (i64, i64, i64)| (x.0 as f64, x.1 as f64, x.2 as f64);
            let mut main = any_ll.then(|| {
                out(
                    "log_linear",
                    "对数线性趋势(逐集群外推后计数)",
                    conv(ll),
                    met_of(ll.0 as f64),
                )
            });
            let alt = any_hw.then(|| {
                out(
                    "damped_holt",
                    "阻尼Holt趋势(逐集群外推后计数)",
                    conv(hw),
                    met_of(hw.0 as f64),
                )
            });
            return match (main.take(), alt) {
                (Some(mut m), a) => {
                    m.alternative = a.map(Box::new);
                    Some(m)
                }
                (None, a) => a,
            };
        }
        let pts: Vec<(f64, f64)> = points.iter().map(|(cp, v)| (cp.t(), *v as f64)).collect();
        let ys: Vec<f64> = points
            .iter()
            .filter(|(cp, _)| cp.complete())
            .map(|(_, v)| *v as f64)
            .collect();
        let holt = last_year.and_then(|ly| {
            forecast::damped_holt(&ys, (t.deadline_year - ly).max(1) as u32, ly as f64).map(|f: Forecast| {
                out(
                    "damped_holt",
                    "阻尼Holt趋势",
                    (f.point, f.low, f.high),
                    met_of(f.point),
                )
            })
        });
        let main = if t.measure == Measure::FlowSinceBaseline || matches!(src, Source::QualFlow { .. }) {
            // A flow counted from zero: the current total plus the average yearly flow for the
            // remaining time; the interval from the spread of the yearly flows.
            let (cp, v) = *points.last()?;
            let flows: Vec<f64> = {
                let mut prev = 0.0;
                let mut f = Vec::new();
                for (_, x) in points.iter().filter(|(c, _)| c.complete()) {
                    f.push(*x as f64 - prev);
                    prev = *x as f64;
                }
                // The first point is the baseline year (zero), not a flow.
                if !f.is_empty() {
                    f.remove(0);
                }
                f
            };
            let elapsed = cp.t() - t.baseline_year.unwrap_or(self.plan().meta.baseline_year) as f64;
            if elapsed <= 0.0 {
                return holt;
            }
            let pace = v as f64 / elapsed;
            let remaining = horizon_t - cp.t();
            let point = v as f64 + pace * remaining;
            let n = flows.len();
            let half = if n >= 2 {
                let m = flows.iter().sum::<f64>() / n as f64;
                let sd = (flows.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
                forecast::t975(n - 1) * sd * remaining.sqrt()
            } else {
                0.0
            };
            Some(out(
                "linear_pace",
                "按已实现年均增量外推",
                (point, (point - half).max(v as f64), point + half),
                met_of(point),
            ))
        } else {
            forecast::log_linear(&pts, horizon_t).map(|f| {
                out(
                    "log_linear",
                    "对数线性趋势",
                    (f.point, f.low, f.high),
                    met_of(f.point),
                )
            })
        };
        match (main, holt) {
            (Some(mut m), h) => {
                m.alternative = h.map(Box::new);
                Some(m)
            }
            (None, h) => h,
        }
    }
}

/// One cluster's figures for a complete year (二.1 tiers, growth, R&D, qualifications,
/// digitalisation, concentration, specialisation, shift-share).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClusterMetrics {
    pub code: String,
    pub full_name: String,
    pub county_code: String,
    pub county_name: String,
    /// GB/T 4754 division (two digits) of the cluster's first industry: the LQ's industry.
    pub division: String,
    pub year: i32,
    /// Cluster revenue of the year in fen (the year's value, else the sum of its months).
    pub revenue: Option<i64>,
    /// under100, over100, from200_to500, over500 (二.1's tiers).
    pub tier: Option<String>,
    pub tier_label: String,
    /// Growth on the previous year in hundredths of a percent (1500 = 15.00%).
    pub revenue_growth_bp: Option<i64>,
    pub rd_expense: Option<i64>,
    pub rd_growth_bp: Option<i64>,
    /// R&D over revenue in hundredths of a percent.
    pub rd_intensity_bp: Option<i64>,
    /// Member enterprises' invention patents at the year end.
    pub invention_patents: Option<i64>,
    pub patents_growth_bp: Option<i64>,
    /// Member enterprises at the year end.
    pub enterprises: i64,
    pub above_scale: i64,
    pub high_tech: i64,
    /// 创新型 ∪ 专精特新 ∪ 小巨人, one enterprise once.
    pub innovative_or_specialized: i64,
    pub specialized: i64,
    pub listed: i64,
    /// Provincial-or-higher innovation platforms (every platform counts).
    pub platforms: i64,
    /// Standards co-drafted in the year (a flow).
    pub standards: Option<i64>,
    /// Percent × 100.
    pub digitalization_rate: Option<i64>,
    /// HHI (0–10,000) of member enterprises' revenue shares in the year.
    pub hhi: Option<f64>,
    /// Share of the three largest member enterprises in their revenue total (fraction).
    pub top3_share: Option<f64>,
    /// Location quotient against the reference (see the report's `reference`).
    pub lq: Option<f64>,
    /// What the LQ compared with: `河北省2025年` (reference.csv) or `全市(参照表缺该行业)`.
    pub lq_reference: String,
    /// The reference figure is a placeholder to be replaced with the yearbook's.
    pub lq_placeholder: bool,
    /// Strong cluster: LQ ≥ 1, in the top quarter of the city's clusters by LQ, revenue > 100亿.
    pub strong: bool,
    /// Shift-share of the revenue change on the previous year, in fen.
    #[schema(value_type = Option<Object>)]
    pub shift_share: Option<clusterdesk_analytics::cluster::ShiftShare>,
    /// The reference of the shift-share (the outside region, or 全市).
    pub shift_share_reference: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClusterMetricsReport {
    pub year: i32,
    pub county: Option<String>,
    /// What the location quotient and the shift-share compare with.
    pub reference: String,
    /// Some figure used is a placeholder (`示例数据，须以统计年鉴替换`): say so beside the LQ.
    pub reference_placeholder: bool,
    pub clusters: Vec<ClusterMetrics>,
}

impl Store {
    /// Every cluster's metrics for a complete year, for the city or one county the actor may
    /// read. The location quotient's reference is the city: a cluster's share of its county's
    /// cluster revenue over the share of its GB/T 4754 division in the city's cluster revenue
    /// (the plan files hold no outside reference yet); the shift-share compares the cluster's
    /// revenue change with the city's (reference) and its division's in the city (industry mix).
    pub async fn cluster_metrics(
        &self,
        actor: &Actor,
        year: i32,
        county: Option<&str>,
    ) -> Result<ClusterMetricsReport> {
        self.cluster_metrics_with(actor, year, county, true).await
    }

    /// As [`Store::cluster_metrics`] without the concentration figures (HHI and top-3 share are
    /// left empty): they need every enterprise's revenue of the year, which is most of the
    /// time once enterprises report monthly, and a county map of another metric does not.
    pub async fn cluster_metrics_without_concentration(
        &self,
        actor: &Actor,
        year: i32,
        county: Option<&str>,
    ) -> Result<ClusterMetricsReport> {
        self.cluster_metrics_with(actor, year, county, false).await
    }

    async fn cluster_metrics_with(
        &self,
        actor: &Actor,
        year: i32,
        county: Option<&str>,
        concentration: bool,
    ) -> Result<ClusterMetricsReport> {
        use clusterdesk_analytics::cluster as cm;
        let county: Option<String> = match (actor.scope(), county) {
            (Scope::City, None) => None,
            (Scope::County(own), None) => Some(own),
            (Scope::City | Scope::County(_), Some(c)) => {
                self.check_county(actor, c)?;
                Some(c.to_string())
            }
            _ => return Err(StoreError::Forbidden("该账户不能查看集群分析".into())),
        };
        if !(1949..=2100).contains(&year) {
            return Err(StoreError::Invalid(format!("年份“{year}”无效")));
        }
        let raw = self.load_raw_for(year, 12, true, concentration).await?;
        let plan = self.plan();
        let cp = Checkpoint::year_end(year);
        let prev = Checkpoint::year_end(year - 1);
        let day_after = cp.day_after();
        let division = |c: &clusterdesk_plan::Cluster| {
            c.industries
                .first()
                .map(|i| i.division().to_string())
                .unwrap_or_default()
        };
        let rev_of = |code: &str, at: Checkpoint| -> Option<i64> {
            raw.by_cluster("revenue", None)
                .get(code)
                .and_then(|rows| Raw::cluster_flow(rows, at, false))
        };
        let revenue: HashMap<&str, i64> = plan
            .clusters
            .iter()
            .filter_map(|c| rev_of(&c.code, cp).map(|v| (c.code.as_str(), v)))
            .collect();
        let revenue_prev: HashMap<&str, i64> = plan
            .clusters
            .iter()
            .filter_map(|c| rev_of(&c.code, prev).map(|v| (c.code.as_str(), v)))
            .collect();
        let city_total: i64 = revenue.values().sum();
        let sum_where = |m: &HashMap<&str, i64>, f: &dyn Fn(&clusterdesk_plan::Cluster) -> bool| -> i64 {
            plan.clusters
                .iter()
                .filter(|c| f(c))
                .filter_map(|c| m.get(c.code.as_str()))
                .sum()
        };
        // The outside reference (reference.csv) of a division for a year, in fen: (division,
        // total, the rows used). 亿元 × 10¹⁰ = fen, exact for the file's decimals up to 10 places.
        use clusterdesk_plan::reference::{RefMeasure, ReferenceFigure, reference_for};
        let yi_fen = |d: rust_decimal::Decimal| -> Option<i64> {
            i64::try_from((d * rust_decimal::Decimal::from(10_000_000_000i64)).round()).ok()
        };
        let outside = |div: &str, y: i32| -> Option<(i64, i64, &ReferenceFigure)> {
            let (d, t) = reference_for(&plan.reference, RefMeasure::Revenue, div, y)?;
            Some((yi_fen(d.value)?, yi_fen(t.value)?, d))
        };
        // LQ: the cluster's share of its county's cluster revenue over its division's share of
        // the reference region's industry; the city's clusters when the file lacks the division.
        let lq_of = |c: &clusterdesk_plan::Cluster| -> (Option<f64>, String, bool) {
            let div = division(c);
            let Some(local) = revenue.get(c.code.as_str()).copied() else {
                return (None, String::new(), false);
            };
            let county_total = sum_where(&revenue, &|k| k.county == c.county);
            match outside(&div, year) {
                Some((ref_i, ref_total, fig)) => (
                    cm::location_quotient(local, county_total, ref_i, ref_total),
                    format!("{}{}年", fig.region, fig.year),
                    fig.is_placeholder(),
                ),
                None => {
                    let ref_i = sum_where(&revenue, &|k| division(k) == div);
                    (
                        cm::location_quotient(local, county_total, ref_i, city_total),
                        "全市(参照表缺该行业)".into(),
                        false,
                    )
                }
            }
        };
        let lqs: Vec<(Option<f64>, String, bool)> = plan.clusters.iter().map(lq_of).collect();
        let all: Vec<(Option<f64>, i64)> = plan
            .clusters
            .iter()
            .zip(&lqs)
            .map(|(c, l)| (l.0, revenue.get(c.code.as_str()).copied().unwrap_or(0)))
            .collect();
        let strong = cm::strong_clusters(
            &all,
            cm::StrongRule {
                min_lq: 1.0,
                top_fraction: 0.25,
                min_size: 100 * 10_000_000_000 + 1,
            },
        );
        let city_prev: i64 = revenue_prev.values().sum();
        // Members at the year end and their valid qualifications, indexed once by cluster (not
        // scanned once per cluster and kind).
        let mut clusters_of: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut members_at: HashMap<&str, i64> = HashMap::new();
        for (u, ms) in &raw.members {
            for (c, from, to) in ms {
                if from.as_str() < day_after.as_str() && to.as_deref().is_none_or(|t| t >= day_after.as_str())
                {
                    let v = clusters_of.entry(u.as_str()).or_default();
                    if !v.contains(&c.as_str()) {
                        v.push(c.as_str());
                        *members_at.entry(c.as_str()).or_default() += 1;
                    }
                }
            }
        }
        let mut quals_of: HashMap<&str, Vec<(&str, &str, &str)>> = HashMap::new();
        for (u, k, l, from, to) in &raw.quals {
            if from.as_str() >= day_after.as_str() || to.as_deref().is_some_and(|t| t < day_after.as_str()) {
                continue;
            }
            for c in clusters_of.get(u.as_str()).into_iter().flatten() {
                quals_of
                    .entry(c)
                    .or_default()
                    .push((k.as_str(), l.as_str(), u.as_str()));
            }
        }
        // Distinct member enterprises of a cluster holding a valid qualification of `kinds`
        // (every qualification when `rows`).
        let qcount = |cluster: &str, kinds: &[&str], levels: &[&str], rows: bool| -> i64 {
            let mut seen = HashSet::new();
            let mut n = 0;
            for (k, l, u) in quals_of.get(cluster).into_iter().flatten() {
                if kinds.contains(k) && (levels.is_empty() || levels.contains(l)) && (rows || seen.insert(*u))
                {
                    n += 1;
                }
            }
            n
        };
        // Each member's revenue of the year, gathered by the clusters it belongs to at the year
        // end (one pass over the enterprises, not one per cluster).
        let mut ent_rev_of: HashMap<&str, Vec<i64>> = HashMap::new();
        for (u, v) in &raw.ent_year_revenue {
            for c in clusters_of.get(u.as_str()).into_iter().flatten() {
                ent_rev_of.entry(c).or_default().push(*v);
            }
        }
        let rd_rows = raw.by_cluster("rd_expense", None);
        let pat_rows = raw.by_cluster(&members_key("invention_patents"), None);
        let standards_rows = raw.by_cluster("standards", None);
        let digital_rows = raw.by_cluster("digitalization_rate", None);
        let growth = |a: i64, b: i64| (a > 0).then(|| b as f64 / a as f64 - 1.0);
        let mut out = Vec::new();
        for (i, c) in plan.clusters.iter().enumerate() {
            if county.as_deref().is_some_and(|k| k != c.county) {
                continue;
            }
            let rev = revenue.get(c.code.as_str()).copied();
            let rev0 = revenue_prev.get(c.code.as_str()).copied();
            let rd = rd_rows.get(&c.code).and_then(|r| Raw::cluster_flow(r, cp, false));
            let rd0 = rd_rows
                .get(&c.code)
                .and_then(|r| Raw::cluster_flow(r, prev, false));
            let pat = pat_rows.get(&c.code).and_then(|r| Raw::latest_in_year(r, cp));
            let pat0 = pat_rows.get(&c.code).and_then(|r| Raw::latest_in_year(r, prev));
            let ent_rev = ent_rev_of.get(c.code.as_str()).cloned().unwrap_or_default();
            let div = division(c);
            // Growth of the reference (the whole, and the division) from the previous year: the
            // outside reference when it has both years, else the city's clusters.
            let outside_growth = match (outside(&div, year), outside(&div, year - 1)) {
                (Some((i1, t1, f1)), Some((i0, t0, f0))) if f1.year == year && f0.year == year - 1 => {
                    growth(t0, t1).zip(growth(i0, i1))
                }
                _ => None,
            };
            let shift_basis = if outside_growth.is_some() {
                lqs[i].1.clone()
            } else {
                "全市".to_string()
            };
            let shift = match (rev0, rev) {
                (Some(a), Some(b)) => outside_growth
                    .or_else(|| {
                        growth(city_prev, city_total).zip(growth(
                            sum_where(&revenue_prev, &|k| division(k) == div),
                            sum_where(&revenue, &|k| division(k) == div),
                        ))
                    })
                    .map(|(r, g)| cm::shift_share(a, b, r, g)),
                _ => None,
            };
            let tier = rev.map(|v| cm::RevenueTier::of(clusterdesk_domain::Fen(v)));
            let standards = standards_rows
                .get(&c.code)
                .and_then(|r| Raw::cluster_flow(r, cp, false));
            let digital = digital_rows.get(&c.code).and_then(|r| Raw::latest_in_year(r, cp));
            let enterprises = members_at.get(c.code.as_str()).copied().unwrap_or(0);
            out.push(ClusterMetrics {
                code: c.code.clone(),
                full_name: c.full_name.clone(),
                county_code: c.county.clone(),
                county_name: plan
                    .org_unit(&c.county)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                division: div.clone(),
                year,
                revenue: rev,
                tier: tier.map(|t| {
                    serde_json::to_value(t)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                }),
                tier_label: tier
                    .map(|t| t.label_zh().to_string())
                    .unwrap_or_else(|| "无数据".into()),
                revenue_growth_bp: rev0.zip(rev).and_then(|(a, b)| cm::growth_bp(a, b)),
                rd_expense: rd,
                rd_growth_bp: rd0.zip(rd).and_then(|(a, b)| cm::growth_bp(a, b)),
                rd_intensity_bp: rd.zip(rev).and_then(|(a, b)| cm::share_bp(a, b)),
                invention_patents: pat,
                patents_growth_bp: pat0.zip(pat).and_then(|(a, b)| cm::growth_bp(a, b)),
                enterprises,
                above_scale: qcount(&c.code, &["above_scale"], &[], false),
                high_tech: qcount(&c.code, &["high_tech"], &[], false),
                innovative_or_specialized: qcount(
                    &c.code,
                    &["innovative_sme", "specialized_sme", "little_giant"],
                    &[],
                    false,
                ),
                specialized: qcount(&c.code, &["specialized_sme", "little_giant"], &[], false),
                listed: qcount(&c.code, &["listed"], &[], false),
                platforms: qcount(
                    &c.code,
                    &["innovation_platform"],
                    &["provincial", "national"],
                    true,
                ),
                standards,
                digitalization_rate: digital,
                hhi: cm::hhi(&ent_rev),
                top3_share: cm::top_share(&ent_rev, 3),
                lq: all[i].0,
                lq_reference: lqs[i].1.clone(),
                lq_placeholder: lqs[i].2,
                strong: strong[i],
                shift_share: shift,
                shift_share_reference: shift_basis,
            });
        }
        Ok(ClusterMetricsReport {
            year,
            county,
            reference: if plan.reference.is_empty() {
                "区位商与偏离-份额以全市集群为参照:集群占所在县(市)集群营业收入的比重 ÷ 其国民经济行业大类占全市集群营业收入的比重;强集群=区位商≥1、位列全市前25%且营业收入超100亿元".into()
            } else {
                "区位商=集群占所在县(市)集群营业收入的比重 ÷ 其国民经济行业大类(GB/T 4754)占参照地区规模以上工业营业收入的比重;参照取计划文件 reference.csv(优先河北省,取不晚于当年的最近年份),缺该行业时以全市集群为参照(见“参照”列);偏离-份额以参照地区合计及该行业的上年至当年增速分解;强集群=区位商≥1、位列全市前25%且营业收入超100亿元".into()
            },
            reference_placeholder: lqs.iter().any(|l| l.2),
            clusters: out,
        })
    }
}

/// One edited milestone: a year and its value in the target's unit (as shown: 家, 元, %); `None`
/// returns the year to the default phasing.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct MilestoneEdit {
    pub year: i32,
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
}

impl Store {
    /// Edit a target's yearly phasing for the city (`county` None) or one county (its county
    /// split: the deadline year's value is the county's share). Only the city bureau may. The
    /// city's deadline-year value is the plan's target and cannot be edited here.
    pub async fn set_target_milestones(
        &self,
        actor: &Actor,
        target_id: &str,
        county: Option<&str>,
        edits: &[MilestoneEdit],
    ) -> Result<()> {
        if actor.role != clusterdesk_domain::Role::CityAdmin {
            return Err(StoreError::Forbidden("只有市工信局可以调整目标分解".into()));
        }
        let plan = self.plan();
        let t = plan
            .target(target_id)
            .ok_or_else(|| StoreError::NotFound(format!("目标“{target_id}”")))?;
        if let Some(c) = county {
            self.check_county(actor, c)?;
        }
        let ind = plan.indicator(&t.indicator).expect("checked at plan load");
        let baseline_year = t.baseline_year.unwrap_or(plan.meta.baseline_year);
        let mut rows = Vec::new();
        for e in edits {
            if e.year <= baseline_year || e.year > t.deadline_year {
                return Err(StoreError::Invalid(format!(
                    "{}:年份{}不在{}–{}年之间",
                    t.id,
                    e.year,
                    baseline_year + 1,
                    t.deadline_year
                )));
            }
            if county.is_none() && e.year == t.deadline_year {
                return Err(StoreError::Invalid(format!(
                    "{}:{}年的全市目标以方案为准,不能在此修改",
                    t.id, t.deadline_year
                )));
            }
            let stored = match e.value {
                None => None,
                Some(d) if d < Decimal::ZERO => {
                    return Err(StoreError::Invalid(format!(
                        "{}:{}年的值不能为负数",
                        t.id, e.year
                    )));
                }
                Some(d) => {
                    let v = if t.measure == Measure::CountOfClustersAbove {
                        (d.fract().is_zero()).then(|| i64::try_from(d).ok()).flatten()
                    } else {
                        ind.to_stored(d)
                    };
                    Some(v.ok_or_else(|| {
                        StoreError::Invalid(format!("{}:{}年的值“{d}”小数位过多或超出范围", t.id, e.year))
                    })?)
                }
            };
            rows.push((e.year, stored));
        }
        let county_code = county.unwrap_or("").to_string();
        let mut tx = self.pool().begin().await?;
        let ts = self.now();
        for (year, value) in rows {
            let key = format!(
                "{}/{}/{year}",
                t.id,
                if county_code.is_empty() {
                    "city"
                } else {
                    &county_code
                }
            );
            let old: Option<i64> = sqlx::query_scalar(
                "SELECT value FROM target_milestones WHERE target_id = $1 AND county_code = $2 AND year = $3",
            )
            .bind(&t.id)
            .bind(&county_code)
            .bind(year as i64)
            .fetch_optional(&mut *tx)
            .await?;
            if old == value {
                continue;
            }
            match value {
                Some(v) => {
                    sqlx::query(
                        "INSERT INTO target_milestones (target_id, county_code, year, value, updated_by, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (target_id, county_code, year) DO UPDATE SET value = excluded.value,
                         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    )
                    .bind(&t.id)
                    .bind(&county_code)
                    .bind(year as i64)
                    .bind(v)
                    .bind(&actor.username)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "DELETE FROM target_milestones WHERE target_id = $1 AND county_code = $2 AND year = $3",
                    )
                    .bind(&t.id)
                    .bind(&county_code)
                    .bind(year as i64)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            self.log_change(
                &mut tx,
                actor,
                "target_milestone",
                &key,
                if old.is_none() {
                    "create"
                } else if value.is_none() {
                    "delete"
                } else {
                    "update"
                },
                old.map(|v| v.to_string()),
                value.map(|v| v.to_string()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// One scope's phasing of a target, for the editing page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScopePhasing {
    /// None for the city.
    pub county: Option<String>,
    pub name: String,
    pub progress: TargetProgress,
}

impl Store {
    /// A target's phasing for the city and every county at once (city readers only).
    pub async fn target_phasing(
        &self,
        actor: &Actor,
        target_id: &str,
        as_of: Period,
    ) -> Result<Vec<ScopePhasing>> {
        if actor.scope() != Scope::City {
            return Err(StoreError::Forbidden("目标分解只对市级用户开放".into()));
        }
        let plan = self.plan();
        let t = plan
            .target(target_id)
            .ok_or_else(|| StoreError::NotFound(format!("目标“{target_id}”")))?;
        let Period::Month { year, month } = as_of else {
            return Err(StoreError::Invalid("截至期间应为月份".into()));
        };
        let raw = self.load_raw(year, month, false).await?;
        let counties: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
        let cp = Checkpoint { year, month };
        let mut out = vec![ScopePhasing {
            county: None,
            name: plan.city().name.clone(),
            progress: self.one_target(&raw, t, cp, None, &counties),
        }];
        for c in plan.counties() {
            out.push(ScopePhasing {
                county: Some(c.code.clone()),
                name: c.name.clone(),
                progress: self.one_target(&raw, t, cp, Some(&c.code), &counties),
            });
        }
        Ok(out)
    }
}
