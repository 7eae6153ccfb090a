//! Editing a target's yearly phasing, and reading it for every scope.

use super::TargetProgress;
use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_analytics::progress_data::Checkpoint;
use clusterdesk_analytics::targets::{milestone_rows, target_progress};
use clusterdesk_domain::Period;
use rust_decimal::Decimal;

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
        let edits: Vec<(i32, Option<Decimal>)> = edits.iter().map(|e| (e.year, e.value)).collect();
        let rows = milestone_rows(plan, t, county.is_some(), &edits).map_err(StoreError::Invalid)?;
        let county_code = county.unwrap_or("").to_string();
        let mut tx = self.begin_write().await?;
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
        let key = format!("phasing|{target_id}|{year}-{month}");
        self.cached(key, self.compute_phasing(t, year, month)).await
    }

    async fn compute_phasing(
        &self,
        t: &clusterdesk_plan::Target,
        year: i32,
        month: u32,
    ) -> Result<Vec<ScopePhasing>> {
        let plan = self.plan();
        let raw = self.load_raw(year, month, false).await?;
        let cp = Checkpoint { year, month };
        let mut out = vec![ScopePhasing {
            county: None,
            name: plan.city().name.clone(),
            progress: target_progress(plan, &raw, t, cp, None),
        }];
        for c in plan.counties() {
            out.push(ScopePhasing {
                county: Some(c.code.clone()),
                name: c.name.clone(),
                progress: target_progress(plan, &raw, t, cp, Some(&c.code)),
            });
        }
        Ok(out)
    }
}
