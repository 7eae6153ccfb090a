//! Each county's share of a target, its attainment and its rank among the counties (the
//! drill-down of a target, and the 本县排名 of a county's progress page), and the clusters per
//! revenue tier.

use super::{TargetProgress, target_progress};
use crate::cluster::RevenueTier;
use crate::progress::Status;
use crate::progress_data::{Checkpoint, ProgressData};
use clusterdesk_plan::{Plan, Target};
use rust_decimal::Decimal;

/// One county's line of a target's county table.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CountyShare {
    pub code: String,
    pub name: String,
    /// The county's share of the city's target (the default split or the bureau's edit).
    /// `None` for another county when the reader is a county (only its rank is shown).
    #[schema(value_type = Option<String>)]
    pub target: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    pub value_period: String,
    /// Value over the county's target (for growth targets: observed over required growth).
    pub attainment: Option<f64>,
    #[schema(value_type = String)]
    pub status: Status,
    pub status_label: String,
    /// 1 = the highest attainment; equal attainments share a rank (1, 2, 2, 4);
    /// `None` when there is nothing to rank (no target or no data).
    pub rank: Option<u32>,
    /// The caller's own county.
    pub own: bool,
}

/// A target for the reader's scope and its table of counties.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TargetDetail {
    pub as_of: String,
    pub as_of_label: String,
    /// The city's (or, for a county reader, the county's own) progress on the target.
    pub progress: TargetProgress,
    /// The city's progress when the reader is a county (its share is judged against this).
    pub city: Option<TargetProgress>,
    pub counties: Vec<CountyShare>,
    /// Counties that have a rank.
    pub ranked: u32,
}

/// A county's rank on one target row.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CountyRank {
    pub target: String,
    pub rank: Option<u32>,
    pub of: u32,
    pub attainment: Option<f64>,
}

/// Competition ranking by attainment, highest first; equal values share a rank.
pub fn rank_by_attainment(values: &[Option<f64>]) -> Vec<Option<u32>> {
    values
        .iter()
        .map(|v| {
            v.filter(|x| x.is_finite()).map(|x| {
                1 + values
                    .iter()
                    .filter(|o| o.is_some_and(|o| o.is_finite() && o > x))
                    .count() as u32
            })
        })
        .collect()
}

/// A target as of a month with every county's share, attainment and rank. `own` is the
/// reader's county (None for the city): it gets its own progress and sees the other counties'
/// names, statuses and ranks but not their figures.
pub fn target_detail(
    plan: &Plan,
    raw: &ProgressData,
    t: &Target,
    cp: Checkpoint,
    own: Option<&str>,
) -> TargetDetail {
    let codes: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
    let city = target_progress(plan, raw, t, cp, None);
    let per: Vec<TargetProgress> = codes
        .iter()
        .map(|c| target_progress(plan, raw, t, cp, Some(c)))
        .collect();
    let ranks = rank_by_attainment(&per.iter().map(|p| p.attainment).collect::<Vec<_>>());
    let counties = plan
        .counties()
        .zip(per.iter())
        .zip(ranks)
        .map(|((c, p), rank)| {
            let mine = own == Some(c.code.as_str());
            let open = own.is_none() || mine;
            CountyShare {
                code: c.code.clone(),
                name: c.name.clone(),
                target: p.target.filter(|_| open),
                value: open.then_some(p.value),
                value_period: p.value_period.clone(),
                attainment: p.attainment,
                status: p.status,
                status_label: p.status_label.clone(),
                rank,
                own: mine,
            }
        })
        .collect::<Vec<_>>();
    let ranked = counties.iter().filter(|c| c.rank.is_some()).count() as u32;
    let (progress, city) = match own.and_then(|c| codes.iter().position(|x| x == c)) {
        None => (city, None),
        Some(i) => (per[i].clone(), Some(city)),
    };
    let period = clusterdesk_domain::Period::Month {
        year: cp.year,
        month: cp.month,
    };
    TargetDetail {
        as_of: period.to_string(),
        as_of_label: period.label_zh(),
        progress,
        city,
        counties,
        ranked,
    }
}

/// A county's rank among the counties on every target row as of a month; `None` for a code
/// that is not a county of the plan.
pub fn county_ranks(
    plan: &Plan,
    raw: &ProgressData,
    county: &str,
    cp: Checkpoint,
) -> Option<Vec<CountyRank>> {
    let codes: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
    let i = codes.iter().position(|c| c == county)?;
    Some(
        plan.targets
            .iter()
            .map(|t| {
                let att: Vec<Option<f64>> = codes
                    .iter()
                    .map(|c| target_progress(plan, raw, t, cp, Some(c)).attainment)
                    .collect();
                let ranks = rank_by_attainment(&att);
                CountyRank {
                    target: t.id.clone(),
                    rank: ranks[i],
                    of: ranks.iter().filter(|r| r.is_some()).count() as u32,
                    attainment: att[i],
                }
            })
            .collect(),
    )
}

/// Clusters per revenue tier of 二.1 (超500亿, 200–500亿, 100–200亿, 百亿以下) for each complete
/// year from `from` to `to`, over a county (or the city). A cluster's yearly revenue is
/// reckoned as for 二.1; clusters without data that year are not counted.
pub fn tier_counts(raw: &ProgressData, county: Option<&str>, from: i32, to: i32) -> Vec<(i32, [u32; 4])> {
    (from..=to)
        .map(|y| {
            let mut n = [0u32; 4];
            for v in raw
                .cluster_values("revenue", county, Checkpoint::year_end(y))
                .values()
            {
                let k = match RevenueTier::of(clusterdesk_domain::Fen(*v)) {
                    RevenueTier::Over500 => 0,
                    RevenueTier::From200To500 => 1,
                    RevenueTier::Over100 => 2,
                    RevenueTier::Under100 => 3,
                };
                n[k] += 1;
            }
            (y, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::rank_by_attainment;

    #[test]
    fn competition_ranking() {
        // 0.5, 0.9, 0.9, none, 1.2 → 1.2 first; the two 0.9 share 2nd; 0.5 is 4th.
        let r = rank_by_attainment(&[Some(0.5), Some(0.9), Some(0.9), None, Some(1.2)]);
        assert_eq!(r, vec![Some(4), Some(2), Some(2), None, Some(1)]);
        assert_eq!(rank_by_attainment(&[Some(f64::NAN)]), vec![None]);
    }
}
