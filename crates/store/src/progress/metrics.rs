//! Every cluster's metrics for a complete year: the scope check and the reads; the figures are
//! `clusterdesk_analytics::metrics`.

use crate::{Actor, Result, Store, StoreError};
pub use clusterdesk_analytics::metrics::{ClusterMetrics, ClusterMetricsReport};

impl Store {
    /// Every cluster's metrics for a complete year, for the city or one county the actor may
    /// read (see `clusterdesk_analytics::metrics::cluster_metrics`).
    pub async fn cluster_metrics(
        &self,
        actor: &Actor,
        year: i32,
        county: Option<&str>,
    ) -> Result<ClusterMetricsReport> {
        self.cluster_metrics_with(actor, year, county, true).await
    }

    /// As [`Store::cluster_metrics`] without the concentration figures (HHI and top-3 share are
    /// left empty): they need every enterprise's revenue of the year, which is most of the
    /// time once enterprises report monthly, and a county map of another metric does not.
    pub async fn cluster_metrics_without_concentration(
        &self,
        actor: &Actor,
        year: i32,
        county: Option<&str>,
    ) -> Result<ClusterMetricsReport> {
        self.cluster_metrics_with(actor, year, county, false).await
    }

    async fn cluster_metrics_with(
        &self,
        actor: &Actor,
        year: i32,
        county: Option<&str>,
        concentration: bool,
    ) -> Result<ClusterMetricsReport> {
        let county = self.reader_county(actor, county, "该账户不能查看集群分析")?;
        if !(1949..=2100).contains(&year) {
            return Err(StoreError::Invalid(format!("年份“{year}”无效")));
        }
        let key = format!(
            "metrics|{year}|{}|{concentration}",
            county.as_deref().unwrap_or("*")
        );
        self.cached(key, async {
            let raw = self.load_raw_for(year, 12, true, concentration).await?;
            Ok(clusterdesk_analytics::metrics::cluster_metrics(
                self.plan(),
                &raw,
                year,
                county,
            ))
        })
        .await
    }
}
