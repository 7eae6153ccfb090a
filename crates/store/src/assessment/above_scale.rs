//! 三(二)2: net new above-scale enterprises per county against the targets.

use super::{AboveScaleEvent, AboveScaleRow, calc_round, fmt_dp};
use crate::{Result, Store};
use chrono::NaiveDate;
use clusterdesk_analytics::TargetSource;
use rust_decimal::Decimal;
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
        for r in rows {
            let uscc: String = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            let county: String = r.try_get(2)?;
            let from: String = r.try_get(3)?;
            let to: Option<String> = r.try_get(4)?;
            let Some(row) = out.iter_mut().find(|x| x.county == county) else {
                continue;
            };
            if from < start {
                row.start += 1;
            } else {
                row.entered += 1;
                let crossed = from.get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(year) - 1;
                let small = first
                    .get(&uscc)
                    .and_then(|p| p.get(..4))
                    .and_then(|y| y.parse::<i32>().ok())
                    .is_some_and(|y| y < crossed);
                if small {
                    row.small_to_above += 1;
                } else {
                    row.newly_built_or_unknown += 1;
                }
                row.events.push(AboveScaleEvent {
                    uscc: uscc.clone(),
                    name: name.clone(),
                    event: "entered".into(),
                    date: from.clone(),
                    class: if small {
                        "小升规".into()
                    } else {
                        "新建入统或无法区分".into()
                    },
                });
            }
            if let Some(t) = to.filter(|t| *t > start && *t <= end) {
                row.exits += 1;
                row.events.push(AboveScaleEvent {
                    uscc,
                    name,
                    event: "exited".into(),
                    date: t,
                    class: "退出".into(),
                });
            }
        }
        for r in &mut out {
            r.net_new = r.entered - r.exits;
            r.end = r.start + r.net_new;
            if let Some(t) = r.target {
                r.gap = Some(r.net_new - t);
            }
            if let Some(t) = r.target.filter(|t| *t > 0) {
                r.attainment_pct = Some(fmt_dp(
                    calc_round(
                        Decimal::from(r.net_new) * Decimal::ONE_HUNDRED / Decimal::from(t),
                        2,
                    ),
                    2,
                ));
            }
        }
        Ok(out)
    }
}
