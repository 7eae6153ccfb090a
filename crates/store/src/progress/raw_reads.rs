//! What the progress computation reads: where a target's value comes from (`Source`), the
//! in-memory `Raw` snapshot and the queries that load it.

use super::Checkpoint;
use crate::{Result, Store};
use clusterdesk_analytics::progress::{self as prog};
use clusterdesk_domain::Period;
use clusterdesk_plan::{Aggregation, Measure};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a target's value is made of.
#[derive(Debug, Clone, Copy)]
pub(super) enum Source {
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

pub(super) fn source_of(indicator: &clusterdesk_plan::Indicator) -> Source {
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

pub(super) fn basis_note(src: Source, measure: Measure) -> &'static str {
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
pub(super) struct Raw {
    /// cluster code → county code
    pub(super) cluster_county: HashMap<String, String>,
    /// indicator → rows (cluster, period, value) on cluster units
    pub(super) cluster_rows: HashMap<String, Vec<(String, Period, i64)>>,
    /// Metrics only: each enterprise's revenue in the metrics' year (uscc, fen).
    pub(super) ent_year_revenue: Vec<(String, i64)>,
    /// uscc → memberships (cluster, from, to)
    pub(super) members: HashMap<String, Vec<(String, String, Option<String>)>>,
    /// (uscc, kind, level, from, to), sorted by kind (see [`Raw::quals_of`]).
    pub(super) quals: Vec<(String, String, String, String, Option<String>)>,
    /// Edited milestones: (target id, county code or '') → year → value (stored scale).
    pub(super) milestones: HashMap<(String, String), BTreeMap<i32, i64>>,
}

impl Raw {
    /// The qualifications of one kind: a slice of the kind-sorted list, so that counting a rare
    /// kind (龙头, 上市培育库) per cluster does not walk every qualification of the city.
    pub(super) fn quals_of(&self, kind: &str) -> &[(String, String, String, String, Option<String>)] {
        let lo = self.quals.partition_point(|q| q.1.as_str() < kind);
        let hi = self.quals.partition_point(|q| q.1.as_str() <= kind);
        &self.quals[lo..hi]
    }

    /// Whether the enterprise is in a cluster of the scope on the day before `day_after`.
    pub(super) fn member_at(&self, uscc: &str, day_after: &str, county: Option<&str>) -> bool {
        self.members.get(uscc).is_some_and(|ms| {
            ms.iter().any(|(c, from, to)| {
                from.as_str() < day_after
                    && to.as_deref().is_none_or(|t| t >= day_after)
                    && county.is_none_or(|k| self.cluster_county.get(c).map(String::as_str) == Some(k))
            })
        })
    }

    /// A cluster of the scope, or (for values reported on a county unit) the county itself.
    pub(super) fn in_scope(&self, unit: &str, county: Option<&str>) -> bool {
        county.is_none_or(|k| unit == k || self.cluster_county.get(unit).map(String::as_str) == Some(k))
    }

    /// One cluster's value of a flow indicator at a checkpoint: the complete year, or the
    /// trailing twelve months mid-year; with `ytd`, from January of the checkpoint's year.
    pub(super) fn cluster_flow(rows: &[(Period, i64)], cp: Checkpoint, ytd: bool) -> Option<i64> {
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
    pub(super) fn latest_in_year(rows: &[(Period, i64)], cp: Checkpoint) -> Option<i64> {
        rows.iter()
            .filter(|(p, _)| p.year() == cp.year && p.end_index() <= cp.index())
            .max_by_key(|(p, _)| *p)
            .map(|(_, v)| *v)
    }

    /// Per-cluster rows of an indicator within the scope.
    pub(super) fn by_cluster(
        &self,
        indicator: &str,
        county: Option<&str>,
    ) -> BTreeMap<String, Vec<(Period, i64)>> {
        let mut m: BTreeMap<String, Vec<(Period, i64)>> = BTreeMap::new();
        for (c, p, v) in self.cluster_rows.get(indicator).into_iter().flatten() {
            if self.in_scope(c, county) {
                m.entry(c.clone()).or_default().push((*p, *v));
            }
        }
        m
    }

    /// Each scope cluster's yearly-flow value at a checkpoint (clusters without data left out).
    pub(super) fn cluster_values(
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
    pub(super) fn value(
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
pub(super) fn members_key(indicator: &str) -> String {
    format!("{indicator}#members")
}

/// `YYYY-MM-DD` plus one day (text in, text out; a malformed date is returned unchanged).
pub(super) fn next_day(d: &str) -> String {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .ok()
        .and_then(|x| x.succ_opt())
        .map(|x| x.to_string())
        .unwrap_or_else(|| d.to_string())
}

impl Store {
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
    pub(super) async fn load_raw(&self, year: i32, month: u32, metrics: bool) -> Result<Raw> {
        self.load_raw_for(year, month, metrics, metrics).await
    }

    /// As [`Store::load_raw`]. Without `concentration` the enterprises' revenue (every
    /// enterprise's months of the year, the largest read of the metrics) is not loaded.
    pub(super) async fn load_raw_for(
        &self,
        year: i32,
        month: u32,
        metrics: bool,
        concentration: bool,
    ) -> Result<Raw> {
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
}
