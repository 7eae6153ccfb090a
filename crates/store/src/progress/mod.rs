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
    /// The county a reader of progress asks for: `None` for the city's whole view, the
    /// reader's own county by default, or a county it may read; `refusal` for anyone else.
    fn reader_county(&self, actor: &Actor, county: Option<&str>, refusal: &str) -> Result<Option<String>> {
        match (actor.scope(), county) {
            (Scope::City, None) => Ok(None),
            (Scope::County(own), None) => Ok(Some(own)),
            (Scope::City | Scope::County(_), Some(c)) => {
                self.check_county(actor, c)?;
                Ok(Some(c.to_string()))
            }
            _ => Err(StoreError::Forbidden(refusal.into())),
        }
    }

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
        let county = self.reader_county(actor, county, "该账户不能查看目标进度")?;
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
