//! Every cluster's metrics for a complete year, over the rows the store read.

use crate::cluster as cm;
use crate::progress_data::{Checkpoint, ProgressData as Raw, members_key};
use clusterdesk_plan::Plan;
use std::collections::{HashMap, HashSet};

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
    pub shift_share: Option<cm::ShiftShare>,
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

/// The qualification kinds the metrics' columns count (规上, 高新, 专精特新, 上市, 平台).
pub const METRIC_KINDS: [&str; 7] = [
    "above_scale",
    "high_tech",
    "innovative_sme",
    "specialized_sme",
    "little_giant",
    "listed",
    "innovation_platform",
];

/// Every cluster's metrics for a complete year, for the city (`county` None) or one county.
/// `raw` holds the year and the one before, the memberships and the [`METRIC_KINDS`]; without
/// its enterprises' revenue (`ent_year_revenue`) HHI and top-3 share are left empty. The
/// location quotient's reference is `reference.csv` (else the city's clusters): a cluster's
/// share of its county's cluster revenue over its GB/T 4754 division's share of the reference;
/// the shift-share compares the cluster's revenue change with the reference's and its
/// division's (industry mix).
pub fn cluster_metrics(plan: &Plan, raw: &Raw, year: i32, county: Option<String>) -> ClusterMetricsReport {
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
            if from.as_str() < day_after.as_str() && to.as_deref().is_none_or(|t| t >= day_after.as_str()) {
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
            if kinds.contains(k) && (levels.is_empty() || levels.contains(l)) && (rows || seen.insert(*u)) {
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
            tier: tier.map(|t| t.code().to_string()),
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
    ClusterMetricsReport {
        year,
        county,
        reference: if plan.reference.is_empty() {
            "区位商与偏离-份额以全市集群为参照:集群占所在县(市)集群营业收入的比重 ÷ 其国民经济行业大类占全市集群营业收入的比重;强集群=区位商≥1、位列全市前25%且营业收入超100亿元".into()
        } else {
            "区位商=集群占所在县(市)集群营业收入的比重 ÷ 其国民经济行业大类(GB/T 4754)占参照地区规模以上工业营业收入的比重;参照取规划中的参照数据(优先河北省,取不晚于当年的最近年份),缺该行业时以全市集群为参照(见“参照”列);偏离-份额以参照地区合计及该行业的上年至当年增速分解;强集群=区位商≥1、位列全市前25%且营业收入超100亿元".into()
        },
        reference_placeholder: lqs.iter().any(|l| l.2),
        clusters: out,
    }
}
