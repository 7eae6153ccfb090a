//! Progress of the plan's targets (二) and quotas (三) as of a month, for the city or one
//! county: the store reads the rows ([`raw_reads`]) and checks the reader's scope; what the
//! rows mean is decided in `clusterdesk_analytics::targets` and `::quotas`.

mod metrics;
mod milestones;
mod raw_reads;
mod shares;
pub use clusterdesk_analytics::quotas::{QuotaProgress, QuotaUnit, quota_status};
pub use clusterdesk_analytics::targets::{
    CountyRank, CountyShare, ForecastOut, PhaseStep, ProgressReport, SeriesPoint, TargetDetail,
    TargetProgress, YearToDate, rank_by_attainment, show_value,
};
pub use clusterdesk_analytics::{Basis, ForecastMethod, QuotaStatus, Status};
pub use clusterdesk_plan::Comparison;
pub use metrics::{ClusterMetrics, ClusterMetricsReport};
pub use milestones::{MilestoneEdit, ScopePhasing};

use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_analytics::progress_data::Checkpoint;
use clusterdesk_analytics::targets::progress_report;
use clusterdesk_domain::Period;

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
        let key = format!("progress|{year}-{month}|{}", county.as_deref().unwrap_or("*"));
        self.cached(key, async {
            let t0 = std::time::Instant::now();
            let raw = self.load_raw(year, month, false).await?;
            tracing::debug!(elapsed = ?t0.elapsed(), "progress: data loaded");
            let report = progress_report(self.plan(), &raw, Checkpoint { year, month }, county.as_deref());
            tracing::debug!(elapsed = ?t0.elapsed(), "progress: targets computed");
            Ok(report)
        })
        .await
    }
}
