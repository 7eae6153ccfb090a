//! Each county's share of a target and its rank among the counties (the drill-down of a
//! target, and the 本县排名 of a county's progress page): scope and reading here, the figures in
//! `clusterdesk_analytics::targets`.

use super::TargetDetail;
use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_analytics::progress_data::Checkpoint;
use clusterdesk_analytics::targets::{self, CountyRank};
use clusterdesk_domain::Period;

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
        let key = format!("detail|{}|{year}-{month}|{}", t.id, own.as_deref().unwrap_or("*"));
        self.cached(key, async {
            let raw = self.load_raw(year, month, false).await?;
            Ok(targets::target_detail(
                plan,
                &raw,
                t,
                Checkpoint { year, month },
                own.as_deref(),
            ))
        })
        .await
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
        let key = format!("ranks|{county}|{year}-{month}");
        self.cached(key, async {
            let raw = self.load_raw(year, month, false).await?;
            targets::county_ranks(plan, &raw, county, Checkpoint { year, month })
                .ok_or_else(|| StoreError::NotFound(format!("县(市)“{county}”")))
        })
        .await
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
        let key = format!("tiers|{from}-{to}|{}", own.as_deref().unwrap_or("*"));
        self.cached(key, async {
            let raw = self.load_raw(to, 12, false).await?;
            Ok(targets::tier_counts(&raw, own.as_deref(), from, to))
        })
        .await
    }
}
