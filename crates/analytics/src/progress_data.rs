//! What the progress computations are handed: the rows the store read for the whole city
//! ([`ProgressData`]), the checkpoints they are judged at, and where an indicator's value
//! comes from ([`Source`]).

use crate::progress::div_round;
use clusterdesk_domain::Period;
use clusterdesk_domain::period::PeriodType;
use clusterdesk_plan::{Aggregation, Measure, ValueSource};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The end of a month: (year, month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Checkpoint {
    pub year: i32,
    pub month: u32,
}

impl Checkpoint {
    pub fn year_end(year: i32) -> Self {
        Checkpoint { year, month: 12 }
    }
    pub fn complete(self) -> bool {
        self.month == 12
    }
    /// Months since year 0 of this month.
    pub fn index(self) -> i64 {
        self.year as i64 * 12 + self.month as i64 - 1
    }
    /// Time in years, the end of December Y being Y.
    pub fn t(self) -> f64 {
        self.year as f64 - 1.0 + self.month as f64 / 12.0
    }
    /// The first day after the checkpoint, `YYYY-MM-DD`: a date D is on or before the
    /// checkpoint when D < this.
    pub fn day_after(self) -> String {
        if self.month == 12 {
            format!("{:04}-01-01", self.year + 1)
        } else {
            format!("{:04}-{:02}-01", self.year, self.month + 1)
        }
    }
    pub fn label(self) -> String {
        if self.complete() {
            self.year.to_string()
        } else {
            format!("{}-{:02}", self.year, self.month)
        }
    }
}

/// What a target's value is made of: the indicator's `source` in the plan, with the
/// indicator's own aggregations for reported values.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// Values on cluster units, combined over time and over clusters as the indicator says.
    Cluster { time: Aggregation, units: Aggregation },
    /// Stocks on enterprise units, summed over member enterprises.
    EnterpriseStock,
    /// Distinct member enterprises (or every qualification when `rows`) valid at the checkpoint.
    QualCount {
        kinds: &'a [String],
        levels: &'a [String],
        rows: bool,
    },
    /// Qualifications (at one of `levels`, any when empty) recognised after the baseline year
    /// up to the checkpoint.
    QualFlow { kind: &'a str, levels: &'a [String] },
}

pub fn source_of(indicator: &clusterdesk_plan::Indicator) -> Source<'_> {
    match &indicator.source {
        ValueSource::EnterpriseStock => Source::EnterpriseStock,
        ValueSource::Qualifications { kinds, levels, rows } => Source::QualCount {
            kinds,
            levels,
            rows: *rows,
        },
        ValueSource::Recognitions { kind, levels } => Source::QualFlow { kind, levels },
        ValueSource::Reported => Source::Cluster {
            time: indicator.time_aggregation,
            units: indicator.aggregation,
        },
    }
}

pub fn basis_note(src: Source<'_>, measure: Measure) -> &'static str {
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

/// A qualification row: (uscc, kind, level, valid_from, valid_to).
pub type QualRow = (String, String, String, String, Option<String>);

/// Everything the computation reads, loaded once for the whole city by the store and filtered
/// here in memory.
#[derive(Debug, Clone, Default)]
pub struct ProgressData {
    /// cluster code → county code
    pub cluster_county: HashMap<String, String>,
    /// indicator → rows (cluster or county unit, period, value); an enterprise stock's
    /// per-cluster sums under [`members_key`].
    pub cluster_rows: HashMap<String, Vec<(String, Period, i64)>>,
    /// Metrics only: each enterprise's revenue in the metrics' year (uscc, fen).
    pub ent_year_revenue: Vec<(String, i64)>,
    /// uscc → memberships (cluster, from, to)
    pub members: HashMap<String, Vec<(String, String, Option<String>)>>,
    /// Qualifications sorted by kind (see [`ProgressData::quals_of`]).
    pub quals: Vec<QualRow>,
    /// Edited milestones: (target id, county code or '') → year → value (stored scale).
    pub milestones: HashMap<(String, String), BTreeMap<i32, i64>>,
}

impl ProgressData {
    /// The qualifications of one kind: a slice of the kind-sorted list, so that counting a rare
    /// kind (龙头, 上市培育库) per cluster does not walk every qualification of the city.
    pub fn quals_of(&self, kind: &str) -> &[QualRow] {
        let lo = self.quals.partition_point(|q| q.1.as_str() < kind);
        let hi = self.quals.partition_point(|q| q.1.as_str() <= kind);
        &self.quals[lo..hi]
    }

    /// Whether the enterprise is in a cluster of the scope on the day before `day_after`.
    pub fn member_at(&self, uscc: &str, day_after: &str, county: Option<&str>) -> bool {
        self.members.get(uscc).is_some_and(|ms| {
            ms.iter().any(|(c, from, to)| {
                from.as_str() < day_after
                    && to.as_deref().is_none_or(|t| t >= day_after)
                    && county.is_none_or(|k| self.cluster_county.get(c).map(String::as_str) == Some(k))
            })
        })
    }

    /// A cluster of the scope, or (for values reported on a county unit) the county itself.
    pub fn in_scope(&self, unit: &str, county: Option<&str>) -> bool {
        county.is_none_or(|k| unit == k || self.cluster_county.get(unit).map(String::as_str) == Some(k))
    }

    /// One cluster's value of a flow indicator at a checkpoint: the complete year, or the
    /// trailing twelve months mid-year; with `ytd`, from January of the checkpoint's year.
    pub fn cluster_flow(rows: &[(Period, i64)], cp: Checkpoint, ytd: bool) -> Option<i64> {
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
            .filter(|(p, _)| p.kind() == PeriodType::Month)
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
                .filter(|(p, _)| p.kind() == PeriodType::Quarter)
                .filter(|(p, _)| (lo..=hi).contains(&p.end_index()))
                .map(|(_, v)| *v)
                .collect();
            return (!q.is_empty()).then(|| q.iter().sum());
        }
        None
    }

    /// The latest value of a stock within the checkpoint's year, up to the checkpoint.
    pub fn latest_in_year(rows: &[(Period, i64)], cp: Checkpoint) -> Option<i64> {
        rows.iter()
            .filter(|(p, _)| p.year() == cp.year && p.end_index() <= cp.index())
            .max_by_key(|(p, _)| *p)
            .map(|(_, v)| *v)
    }

    /// Per-cluster rows of an indicator within the scope.
    pub fn by_cluster(&self, indicator: &str, county: Option<&str>) -> BTreeMap<String, Vec<(Period, i64)>> {
        let mut m: BTreeMap<String, Vec<(Period, i64)>> = BTreeMap::new();
        for (c, p, v) in self.cluster_rows.get(indicator).into_iter().flatten() {
            if self.in_scope(c, county) {
                m.entry(c.clone()).or_default().push((*p, *v));
            }
        }
        m
    }

    /// Each scope cluster's yearly-flow value at a checkpoint (clusters without data left out).
    pub fn cluster_values(
        &self,
        indicator: &str,
        county: Option<&str>,
        cp: Checkpoint,
    ) -> BTreeMap<String, i64> {
        self.by_cluster(indicator, county)
            .into_iter()
            .filter_map(|(c, rows)| Self::cluster_flow(&rows, cp, false).map(|v| (c, v)))
            .collect()
    }

    /// The scope's value of an indicator at a checkpoint. `baseline_year` is where flows since
    /// the baseline start counting; `cumulative` asks for that sum.
    pub fn value(
        &self,
        indicator: &str,
        src: Source<'_>,
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
                        Some(div_round(s, n) as i64)
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
                    if (!levels.is_empty() && !levels.iter().any(|l| l == level))
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
            Source::QualFlow { kind, levels } => {
                let day_after = cp.day_after();
                let start = format!("{:04}-01-01", baseline_year + 1);
                let mut n = 0i64;
                for (u, _, level, from, _) in self.quals_of(kind) {
                    if (!levels.is_empty() && !levels.iter().any(|l| l == level))
                        || from.as_str() < start.as_str()
                        || from.as_str() >= day_after.as_str()
                    {
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

/// Where the per-cluster sums of an enterprise stock are kept in [`ProgressData::cluster_rows`].
pub fn members_key(indicator: &str) -> String {
    format!("{indicator}#members")
}

/// `YYYY-MM-DD` plus one day (text in, text out; a malformed date is returned unchanged).
pub fn next_day(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .and_then(|x| x.succ_opt())
        .map(|x| x.to_string())
        .unwrap_or_else(|| d.to_string())
}
