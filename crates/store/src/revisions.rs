//! Revisions of a reported period: a snapshot of its values at every submit and every unlock,
//! and the comparison of any two of them (or of one with the values as they are now).
//!
//! Snapshots rather than a replay of `change_log`: bulk loads (the demo, first imports) write
//! values without a change-log entry, so a replay cannot rebuild what was submitted; a snapshot
//! is exactly what the reviewer saw, costs one row per submit, and reads back in one query.

use crate::reporting::Action;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_plan::datasets::RowUnit;
use sqlx::Row;
use std::collections::BTreeMap;

/// One stored version of a period.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct RevisionInfo {
    /// 1, 2, … in the order they were taken.
    pub revision: i64,
    /// `submit` or `unlock`: what the values were kept for.
    pub event: String,
    pub actor: String,
    pub at: String,
    pub value_count: i64,
}

/// Which side of a comparison: a numbered revision or the values as stored now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Revision(i64),
    Current,
}

impl Side {
    /// `current` (or empty) for the live values, else a revision number.
    pub fn parse(s: &str) -> Option<Side> {
        match s.trim() {
            "" | "current" => Some(Side::Current),
            n => n.parse().ok().filter(|n| *n > 0).map(Side::Revision),
        }
    }

    pub fn code(self) -> String {
        match self {
            Side::Revision(n) => n.to_string(),
            Side::Current => "current".into(),
        }
    }
}

/// A stored value: the integer in the indicator's scale, or text.
pub type Cell = (Option<i64>, Option<String>);

/// One (unit, indicator) of a comparison.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DiffRow {
    pub unit_code: String,
    pub indicator_code: String,
    pub a_num: Option<i64>,
    pub a_text: Option<String>,
    pub b_num: Option<i64>,
    pub b_text: Option<String>,
    /// b − a when both are numbers (in the indicator's scale).
    pub change: Option<i64>,
    pub changed: bool,
}

impl Store {
    /// Called by `transition` inside its transaction: keep the period's `values` (read there
    /// under the write lock) at a submit or an unlock. Other actions keep nothing.
    pub(crate) async fn snapshot_revision(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        (dataset, county, period): (&str, &str, &str),
        action: Action,
        values: &BTreeMap<(String, String), Cell>,
    ) -> Result<()> {
        let event = match action {
            Action::Submit => "submit",
            Action::Unlock => "unlock",
            _ => return Ok(()),
        };
        let snapshot: Vec<(&String, &String, &Option<i64>, &Option<String>)> =
            values.iter().map(|((u, i), (n, t))| (u, i, n, t)).collect();
        let next: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(MAX(revision), 0) + 1 AS BIGINT) FROM submission_revisions
             WHERE dataset = $1 AND county_code = $2 AND period = $3",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO submission_revisions (dataset, county_code, period, revision, event, actor, at, value_count, snapshot)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .bind(next)
        .bind(event)
        .bind(&actor.username)
        .bind(self.now())
        .bind(values.len() as i64)
        .bind(serde_json::to_string(&snapshot).map_err(|e| StoreError::Invalid(e.to_string()))?)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }

    /// The revisions of a period, oldest first.
    pub async fn revisions(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
    ) -> Result<Vec<RevisionInfo>> {
        self.submission(actor, dataset, county, period).await?;
        Ok(sqlx::query_as(
            "SELECT revision, event, actor, at, value_count FROM submission_revisions
             WHERE dataset = $1 AND county_code = $2 AND period = $3 ORDER BY revision",
        )
        .bind(dataset)
        .bind(county)
        .bind(period)
        .fetch_all(self.pool())
        .await?)
    }

    /// The values of one side: a revision's snapshot, or what is stored now.
    pub async fn revision_values(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        side: Side,
    ) -> Result<BTreeMap<(String, String), Cell>> {
        self.submission(actor, dataset, county, period).await?;
        match side {
            Side::Current => {
                let mut conn = self.pool().acquire().await?;
                read_values(&mut conn, self, dataset, county, period).await
            }
            Side::Revision(n) => {
                let text: Option<String> = sqlx::query_scalar(
                    "SELECT snapshot FROM submission_revisions
                     WHERE dataset = $1 AND county_code = $2 AND period = $3 AND revision = $4",
                )
                .bind(dataset)
                .bind(county)
                .bind(period)
                .bind(n)
                .fetch_optional(self.pool())
                .await?;
                let text = text.ok_or_else(|| StoreError::NotFound(format!("第 {n} 版")))?;
                let rows: Vec<(String, String, Option<i64>, Option<String>)> =
                    serde_json::from_str(&text).map_err(|e| StoreError::Invalid(e.to_string()))?;
                Ok(rows.into_iter().map(|(u, i, n, t)| ((u, i), (n, t))).collect())
            }
        }
    }

    /// Every (unit, indicator) present on either side, in the data set's indicator order.
    pub async fn compare_revisions(
        &self,
        actor: &Actor,
        dataset: &str,
        county: &str,
        period: &str,
        a: Side,
        b: Side,
    ) -> Result<Vec<DiffRow>> {
        let va = self.revision_values(actor, dataset, county, period, a).await?;
        let vb = self.revision_values(actor, dataset, county, period, b).await?;
        let order: Vec<String> = self
            .plan()
            .datasets
            .iter()
            .find(|d| d.code == dataset)
            .map(|d| d.indicators.clone())
            .unwrap_or_default();
        Ok(diff(&va, &vb, &order))
    }
}

/// Compare two sets of values; rows ordered by unit, then by `order` of indicators.
pub fn diff(
    a: &BTreeMap<(String, String), Cell>,
    b: &BTreeMap<(String, String), Cell>,
    order: &[String],
) -> Vec<DiffRow> {
    let mut keys: Vec<&(String, String)> = a.keys().chain(b.keys()).collect();
    let rank = |i: &str| order.iter().position(|o| o == i).unwrap_or(usize::MAX);
    keys.sort_by(|x, y| (&x.0, rank(&x.1), &x.1).cmp(&(&y.0, rank(&y.1), &y.1)));
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let (an, at) = a.get(k).cloned().unwrap_or((None, None));
            let (bn, bt) = b.get(k).cloned().unwrap_or((None, None));
            let change = match (an, bn) {
                (Some(x), Some(y)) => Some(y - x),
                _ => None,
            };
            DiffRow {
                unit_code: k.0.clone(),
                indicator_code: k.1.clone(),
                changed: an != bn || at != bt,
                a_num: an,
                a_text: at,
                b_num: bn,
                b_text: bt,
                change,
            }
        })
        .collect()
}

/// The values of a data set's indicators for the county's units in one period.
/// A period's values of one data set in one county, by (unit, indicator).
pub(crate) async fn read_values(
    conn: &mut sqlx::AnyConnection,
    store: &Store,
    dataset: &str,
    county: &str,
    period: &str,
) -> Result<BTreeMap<(String, String), Cell>> {
    let ds = store
        .plan()
        .datasets
        .iter()
        .find(|d| d.code == dataset)
        .ok_or_else(|| StoreError::NotFound(format!("数据集“{dataset}”")))?;
    let units = match ds.level {
        RowUnit::Enterprise => "SELECT uscc FROM enterprises WHERE county_code = $1",
        RowUnit::Cluster => "SELECT code FROM clusters WHERE county_code = $1",
    };
    let rows = sqlx::query(&format!(
        "SELECT unit_code, indicator_code, num_value, text_value FROM data_values
         WHERE period = $2 AND unit_code IN ({units})"
    ))
    .bind(county)
    .bind(period)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let ind: String = r.try_get(1)?;
        if ds.indicators.contains(&ind) {
            out.insert((r.try_get(0)?, ind), (r.try_get(2)?, r.try_get(3)?));
        }
    }
    Ok(out)
}
