//! The queries that load what the progress computations read, once for the whole city, into
//! `clusterdesk_analytics::progress_data::ProgressData`.

use crate::{Result, Store};
use clusterdesk_analytics::metrics::METRIC_KINDS;
use clusterdesk_analytics::progress_data::{Checkpoint, ProgressData, Source, members_key, source_of};
use clusterdesk_domain::Period;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

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
    pub(super) async fn load_raw(&self, year: i32, month: u32, metrics: bool) -> Result<Arc<ProgressData>> {
        self.load_raw_for(year, month, metrics, metrics).await
    }

    /// As [`Store::load_raw`]. Without `concentration` the enterprises' revenue (every
    /// enterprise's months of the year, the largest read of the metrics) is not loaded. The
    /// rows are the whole city's, so every county's computation reuses one load until the data
    /// changes.
    pub(super) async fn load_raw_for(
        &self,
        year: i32,
        month: u32,
        metrics: bool,
        concentration: bool,
    ) -> Result<Arc<ProgressData>> {
        let key = format!("raw|{year}-{month}|{metrics}|{concentration}");
        self.cached(key, async {
            self.read_raw(year, month, metrics, concentration)
                .await
                .map(Arc::new)
        })
        .await
    }

    async fn read_raw(
        &self,
        year: i32,
        month: u32,
        metrics: bool,
        concentration: bool,
    ) -> Result<ProgressData> {
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
        // The qualification kinds counted: those the plan's indicator and quota sources name,
        // and for cluster metrics the kinds their columns count. Nearly every qualification row,
        // so the table is read whole and filtered here (through the kind index SQLite would look
        // each row up in the table: 56 against 17 ms at 46,000 rows). Memberships matter only for
        // enterprises holding a qualification (and, for cluster metrics, for every enterprise).
        let mut kinds: HashSet<&str> = plan.qualification_kinds().into_iter().collect();
        if metrics {
            kinds.extend(METRIC_KINDS);
        }
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
            if kinds.contains(kind.as_str()) {
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
        Ok(ProgressData {
            cluster_county,
            cluster_rows,
            ent_year_revenue,
            members,
            quals,
            milestones,
        })
    }
}
