//! 三(二)2: the reads behind the net new above-scale enterprises per county against the targets
//! (the counting is `clusterdesk_analytics::above_scale`).

use super::AboveScaleRow;
use crate::{Result, Store};
use chrono::NaiveDate;
use clusterdesk_analytics::TargetSource;
use clusterdesk_analytics::above_scale::{AboveScaleQual, tally};
use sqlx::Row;
use std::collections::HashMap;

impl Store {
    /// 三(二)2: per county, above-scale enterprises on 1 January, entries and exits to the end
    /// of month `m`, net new and the target.
    pub(super) async fn above_scale_rows(
        &self,
        year: i32,
        m: u32,
        counties: &[(String, String)],
    ) -> Result<Vec<AboveScaleRow>> {
        let start = format!("{year}-01-01");
        let end = {
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, m + 1, 1)
            };
            (next.expect("valid date") - chrono::Duration::days(1)).to_string()
        };
        let rows = sqlx::query(
            "SELECT q.uscc, e.name, e.county_code, q.valid_from, q.valid_to FROM qualifications q
             JOIN enterprises e ON e.uscc = q.uscc
             WHERE q.kind = 'above_scale' AND q.valid_from <= $2 AND (q.valid_to IS NULL OR q.valid_to > $1)
             ORDER BY e.county_code, q.valid_from, q.uscc",
        )
        .bind(&start)
        .bind(&end)
        .fetch_all(self.pool())
        .await?;
        // The first month each enterprise entering in the year reported revenue: figures from a
        // year before the one it crossed the line mean it existed as a small enterprise (小升规),
        // the rule of the incentive scan.
        let first: HashMap<String, String> = sqlx::query(
            "SELECT v.unit_code, MIN(v.period) FROM data_values v
             WHERE v.indicator_code = 'revenue' AND v.unit_code IN (
                SELECT q.uscc FROM qualifications q
                WHERE q.kind = 'above_scale' AND q.valid_from >= $1 AND q.valid_from <= $2)
             GROUP BY v.unit_code",
        )
        .bind(&start)
        .bind(&end)
        .fetch_all(self.pool())
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get::<Option<String>, _>(1).ok()??)))
        .collect();
        let targets = self.effective_above_scale_targets(year).await?;
        let mut out: Vec<AboveScaleRow> = counties
            .iter()
            .map(|(c, name)| AboveScaleRow {
                county: c.clone(),
                name: name.clone(),
                start: 0,
                entered: 0,
                small_to_above: 0,
                newly_built_or_unknown: 0,
                exits: 0,
                net_new: 0,
                end: 0,
                target: targets.iter().find(|t| &t.county == c).and_then(|t| t.target),
                target_source: targets
                    .iter()
                    .find(|t| &t.county == c)
                    .map(|t| t.source)
                    .unwrap_or(TargetSource::None),
                target_source_text: targets
                    .iter()
                    .find(|t| &t.county == c)
                    .map(|t| t.source_text.clone())
                    .unwrap_or_else(|| "未下达".into()),
                attainment_pct: None,
                gap: None,
                events: Vec::new(),
            })
            .collect();
        let quals: Vec<AboveScaleQual> = rows
            .iter()
            .map(|r| {
                Ok(AboveScaleQual {
                    uscc: r.try_get(0)?,
                    name: r.try_get(1)?,
                    county: r.try_get(2)?,
                    valid_from: r.try_get(3)?,
                    valid_to: r.try_get(4)?,
                })
            })
            .collect::<Result<_>>()?;
        tally(year, &start, &end, &mut out, &quals, &first);
        Ok(out)
    }
}
