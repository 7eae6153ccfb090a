//! Each county's share of a target, its attainment and its rank among the counties (the
//! drill-down of a target, and the 本县排名 of a county's progress page).

use super::{Checkpoint, TargetProgress};
use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_domain::Period;
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
    pub status: String,
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

impl Store {
    fn reader_scope(&self, actor: &Actor) -> Result<Option<String>> {
        match actor.scope() {
            Scope::City => Ok(None),
            Scope::County(c) => Ok(Some(c)),
            _ => Err(StoreError::Forbidden("该账户不能查看目标进度".into())),
        }
    }

    /// A target row (`二.3a`, or a clause id: its first row) as of a month, with every county's
    /// share, attainment and rank. A county reader gets its own progress and sees the other
    /// counties' names, statuses and ranks but not their figures.
    pub async fn target_detail(&self, actor: &Actor, target: &str, as_of: Period) -> Result<TargetDetail> {
        let own = self.reader_scope(actor)?;
        let plan = self.plan();
        let t = plan
            .target(target)
            .or_else(|| plan.targets.iter().find(|t| t.clause == target))
            .ok_or_else(|| StoreError::NotFound(format!("目标“{target}”")))?;
        let Period::Month { year, month } = as_of else {
            return Err(StoreError::Invalid(format!(
                "截至期间应为月份(如 2025-12),而不是“{as_of}”"
            )));
        };
        let raw = self.load_raw(year, month, false).await?;
        let cp = Checkpoint { year, month };
        let codes: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
        let city = self.one_target(&raw, t, cp, None, &codes);
        let per: Vec<TargetProgress> = codes
            .iter()
            .map(|c| self.one_target(&raw, t, cp, Some(c), &codes))
            .collect();
        let ranks = rank_by_attainment(&per.iter().map(|p| p.attainment).collect::<Vec<_>>());
        let counties = plan
            .counties()
            .zip(per.iter())
            .zip(ranks)
            .map(|((c, p), rank)| {
                let mine = own.as_deref() == Some(c.code.as_str());
                let open = own.is_none() || mine;
                CountyShare {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    target: p.target.filter(|_| open),
                    value: open.then_some(p.value),
                    value_period: p.value_period.clone(),
                    attainment: p.attainment,
                    status: p.status.clone(),
                    status_label: p.status_label.clone(),
                    rank,
                    own: mine,
                }
            })
            .collect::<Vec<_>>();
        let ranked = counties.iter().filter(|c| c.rank.is_some()).count() as u32;
        let (progress, city) = match &own {
            None => (city, None),
            Some(c) => {
                let i = codes.iter().position(|x| x == c).expect("a county of the plan");
                (per[i].clone(), Some(city))
            }
        };
        Ok(TargetDetail {
            as_of: as_of.to_string(),
            as_of_label: as_of.label_zh(),
            progress,
            city,
            counties,
            ranked,
        })
    }

    /// A county's rank among the counties on every target row as of a month (its own county
    /// for a county reader; any county for the city).
    pub async fn county_ranks(&self, actor: &Actor, county: &str, as_of: Period) -> Result<Vec<CountyRank>> {
        self.reader_scope(actor)?;
        self.check_county(actor, county)?;
        let Period::Month { year, month } = as_of else {
            return Err(StoreError::Invalid(format!(
                "截至期间应为月份(如 2025-12),而不是“{as_of}”"
            )));
        };
        let plan = self.plan();
        let raw = self.load_raw(year, month, false).await?;
        let cp = Checkpoint { year, month };
        let codes: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
        let i = codes.iter().position(|c| c == county).expect("checked");
        Ok(plan
            .targets
            .iter()
            .map(|t| {
                let att: Vec<Option<f64>> = codes
                    .iter()
                    .map(|c| self.one_target(&raw, t, cp, Some(c), &codes).attainment)
                    .collect();
                let ranks = rank_by_attainment(&att);
                CountyRank {
                    target: t.id.clone(),
                    rank: ranks[i],
                    of: ranks.iter().filter(|r| r.is_some()).count() as u32,
                    attainment: att[i],
                }
            })
            .collect())
    }
}

impl Store {
    /// Clusters per revenue tier of 二.1 (超500亿, 200–500亿, 100–200亿, 百亿以下) for each complete
    /// year from `from` to `to`, over the reader's scope (its county, or the city). A cluster's
    /// yearly revenue is reckoned as for 二.1; clusters without data that year are not counted.
    pub async fn tier_counts(&self, actor: &Actor, from: i32, to: i32) -> Result<Vec<(i32, [u32; 4])>> {
        let own = self.reader_scope(actor)?;
        if from > to || !(1949..=2100).contains(&from) || !(1949..=2100).contains(&to) {
            return Err(StoreError::Invalid(format!("年份范围{from}–{to}无效")));
        }
        use clusterdesk_analytics::cluster::RevenueTier;
        let raw = self.load_raw(to, 12, false).await?;
        Ok((from..=to)
            .map(|y| {
                let mut n = [0u32; 4];
                for v in raw
                    .cluster_values("revenue", own.as_deref(), Checkpoint::year_end(y))
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
            .collect())
    }
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
