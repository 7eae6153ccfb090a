//! The county assessment (考核, plan file `assessment.yaml`): for a year (as of a month in the
//! current year) each county's raw value per indicator, its score, the composite, the rank with
//! the tie-break and what was counted; the 三(二)1 ranking on enterprises entering parks turned
//! into the zero-sum transfer by the policy engine; the 三(二)2 table of net new above-scale
//! enterprises against each county's target.
//!
//! | indicator | raw value |
//! |---|---|
//! | revenue_growth | Σ monthly `revenue` of the county's clusters, months 1..M of the year, against the same months of the year before (%) |
//! | net_new_above_scale | `above_scale` qualifications of the county's enterprises: in force at the end of month M minus in force on 1 January (`valid_to` is the first day no longer held) |
//! | park_entries | Σ monthly `park_entries` of the county's clusters, months 1..M |
//! | reporting_timeliness | of the months 1..M whose deadline has passed, the share submitted by the deadline (Beijing date) |
//! | problems_closed_on_time | no module records problems yet: no data |
//!
//! Scope: the ranking is published city-wide, so a county sees every county's scores and rank;
//! what was counted (enterprise lists, per-cluster figures) only for its own county.

use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
pub use clusterdesk_analytics::TargetSource;
pub use clusterdesk_analytics::above_scale::{AboveScaleEvent, AboveScaleRow};
use clusterdesk_analytics::county_assessment::{Assembled, Shaped, beijing_date, shape};
pub use clusterdesk_analytics::county_assessment::{CountyResult, IndicatorInfo, IndicatorValue};
use clusterdesk_analytics::park_transfer::park_entry_transfer;
pub use clusterdesk_analytics::park_transfer::{ParkEntryTransfer, TransferRow};
use clusterdesk_domain::Period;
use clusterdesk_plan::assessment::Assessment;
use clusterdesk_policy::PolicySet;

mod above_scale;
mod compute;
mod decisions;
pub use decisions::{
    AboveScaleTarget, AboveScaleTargets, FinalizedRow, FinalizedTransfer, MAX_ABOVE_SCALE_TARGET, TargetEdit,
    TransferDecision, TransferRevocation, TransferStatus, check_target, parse_target,
};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentReport {
    pub name: String,
    pub clause: String,
    pub clause_text: String,
    pub year: i32,
    /// The month the figures run to, e.g. `2025-12`.
    pub as_of: String,
    /// The year is complete (as of December).
    pub complete: bool,
    pub indicators: Vec<IndicatorInfo>,
    /// Names of the tie-break indicators, in order.
    pub tie_break: Vec<String>,
    /// Every county, best first.
    pub rows: Vec<CountyResult>,
    pub park_entry: ParkEntryTransfer,
    pub above_scale: Vec<AboveScaleRow>,
    pub above_scale_target_note: String,
    /// 三(二)1: the finalized (定稿) transfer of the year, if any, against today's computation.
    pub transfer_decision: TransferDecision,
    pub notes: Vec<String>,
    /// The caller's county when the caller is a county.
    pub own_county: Option<String>,
}

/// One year's assembled figures and its 三(二)2 rows, before the report is shaped.
#[derive(Clone)]
struct Computed {
    done: Assembled,
    above: Vec<AboveScaleRow>,
}

impl Store {
    /// One year's figures for every county, reused until the data changes or the day turns
    /// (which submissions are due depends on `today`).
    async fn assessment_of(&self, a: &Assessment, year: i32, m: u32, today: NaiveDate) -> Result<Computed> {
        let key = format!("assessment|{year}-{m}|{today}");
        self.cached(key, self.compute_assessment(a, year, m, today)).await
    }

    fn assessment_plan(&self) -> Result<&Assessment> {
        self.plan()
            .assessment
            .as_ref()
            .ok_or_else(|| StoreError::NotFound("本方案的考核办法(assessment.yaml)".into()))
    }

    /// The assessment plan, for a year it covers and a month 1–12.
    fn assessment_plan_for(&self, year: i32, as_of_month: u32) -> Result<&Assessment> {
        let a = self.assessment_plan()?;
        if year < a.first_year || year > 2100 {
            return Err(StoreError::Invalid(format!(
                "考核年度 {year} 不在方案范围内(自 {} 年起)",
                a.first_year
            )));
        }
        if !(1..=12).contains(&as_of_month) {
            return Err(StoreError::Invalid(format!("月份 {as_of_month} 应为 1–12")));
        }
        Ok(a)
    }

    /// The latest month with cluster data on enterprises entering parks (or revenue): the
    /// default as-of month of the assessment.
    pub async fn assessment_default_month(&self) -> Result<Option<Period>> {
        let m = match self.latest_month("park_entries").await? {
            Some(m) => Some(m),
            None => self.latest_month("revenue").await?,
        };
        Ok(m.and_then(|m| Period::parse(&m).ok()))
    }

    /// The assessment of `year` as of month `as_of_month` (12 for a complete year); `today`
    /// decides which monthly submissions are already due.
    pub async fn assessment(
        &self,
        actor: &Actor,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        today: NaiveDate,
    ) -> Result<AssessmentReport> {
        let own = match actor.scope() {
            Scope::City => None,
            Scope::County(c) => Some(c),
            _ => {
                return Err(StoreError::Forbidden("考核排名只对市、县(市)用户开放".into()));
            }
        };
        let a = self.assessment_plan_for(year, as_of_month)?;
        // The whole report, per reader (its county sees its own provenance; the bureau may
        // finalize), reused until the data, the day or the policies change.
        let key = format!(
            "assessment_report|{year}-{as_of_month}|{today}|{:?}|{}|{:x}",
            actor.role,
            actor.org_code,
            policies.fingerprint()
        );
        self.cached(key, async {
            let cur = self.assessment_of(a, year, as_of_month, today).await?;
            let last = if year > a.first_year {
                Some(self.assessment_of(a, year - 1, 12, today).await?)
            } else {
                None
            };
            let sees = |county: &str| own.as_deref().is_none_or(|o| o == county);
            let Shaped {
                indicators,
                notes,
                rows,
            } = shape(a, &cur.done, last.as_ref().map(|l| &l.done), own.as_deref());
            let park_entry =
                park_entry_transfer(a, policies, year, as_of_month, &cur.done.counties, &cur.done.park);
            let transfer_decision = self.transfer_decision(actor, year, &park_entry).await?;
            let mut above = cur.above.clone();
            for r in &mut above {
                if !sees(&r.county) {
                    r.events.clear();
                }
            }
            Ok(AssessmentReport {
                name: a.name.clone(),
                clause: a.clause.clone(),
                clause_text: a.clause_text.clone(),
                year,
                as_of: Period::month(year, as_of_month).to_string(),
                complete: as_of_month == 12,
                indicators,
                tie_break: a
                    .tie_break
                    .iter()
                    .filter_map(|c| a.indicator(c))
                    .map(|i| i.name.clone())
                    .collect(),
                rows,
                park_entry,
                above_scale_target_note: clusterdesk_analytics::above_scale::target_note(
                    &a.above_scale_targets_note,
                    &above,
                ),
                above_scale: above,
                transfer_decision,
                notes,
                own_county: own,
            })
        })
        .await
    }
}

/// The default (year, month) of the assessment: the latest month with data, else December of
/// the plan's target year.
pub async fn default_period(store: &Store) -> Result<(i32, u32)> {
    Ok(match store.assessment_default_month().await? {
        Some(p) => (p.year(), p.month_range().1),
        None => (store.plan().meta.target_year, 12),
    })
}
