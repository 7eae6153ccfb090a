//! The quotas of 三 (quotas.csv): how a quota's figure is judged and each quota's progress.

use crate::progress::{self as prog};
use crate::progress_data::{Checkpoint, ProgressData, next_day};
use crate::states::QuotaStatus;
use clusterdesk_domain::Period;
use clusterdesk_plan::Plan;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashSet};

/// One unit's figure for a quota that each county or cluster must meet.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuotaUnit {
    pub code: String,
    pub name: String,
    pub value: i64,
    #[schema(value_type = String)]
    pub status: QuotaStatus,
    pub status_label: String,
}

/// A quota of 三 (e.g. 三(二)3 工业巡诊 ≥600家次 a year) for the as-of year.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct QuotaProgress {
    pub id: String,
    pub clause: String,
    pub name: String,
    pub indicator: String,
    pub unit: String,
    /// year (counted in the as-of year, January to the as-of month) or standing (a level).
    pub per: String,
    /// city, county (each county must meet it) or cluster (each cluster must).
    pub scope: String,
    pub period: String,
    /// Months of the year counted (12 for a complete year, for standing quotas too).
    pub months: u32,
    #[schema(value_type = Option<String>)]
    pub min: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub max: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub approx: Option<Decimal>,
    /// The total over the report's scope (the city or the county).
    pub value: Option<i64>,
    /// met, on_track, behind, above_max, no_data; for per-unit quotas the worst unit's.
    #[schema(value_type = String)]
    pub status: QuotaStatus,
    pub status_label: String,
    /// Per county or per cluster, for quotas each unit must meet.
    pub units: Vec<QuotaUnit>,
    pub basis_note: String,
}

/// How a quota's figure is judged. `approx` (左右) is met within ±20% (a reading the text
/// leaves open); `min` and `max` are inclusive (不少于, 3–5). Mid-year, a yearly quota's `min`
/// is pro-rated (half away from zero) and only `behind`/`on_track` can be said.
pub fn quota_status(
    value: Option<i64>,
    min: Option<i64>,
    max: Option<i64>,
    approx: Option<i64>,
    months: u32,
) -> (QuotaStatus, &'static str) {
    let Some(v) = value else {
        return (QuotaStatus::NoData, "无数据");
    };
    let complete = months >= 12;
    if let Some(m) = max
        && v > m
    {
        return (QuotaStatus::AboveMax, "超出上限");
    }
    let floor = min.or(approx.map(|a| prog::div_round(a as i128 * 8, 10) as i64));
    if let Some(a) = approx
        && complete
        && v > prog::div_round(a as i128 * 12, 10) as i64
    {
        return (QuotaStatus::AboveMax, "超出上限");
    }
    match floor {
        None => (QuotaStatus::Met, "已完成"),
        Some(f) if complete => {
            if v >= f {
                (QuotaStatus::Met, "已完成")
            } else {
                (QuotaStatus::Behind, "未完成")
            }
        }
        Some(f) => {
            if v >= f {
                (QuotaStatus::Met, "已完成")
            } else if v >= prog::prorate(f, months) {
                (QuotaStatus::OnTrack, "进度正常")
            } else {
                (QuotaStatus::Behind, "滞后")
            }
        }
    }
}

/// One quota's progress in the as-of year, for the city (`county` None) or one county.
pub fn quota_progress(
    plan: &Plan,
    raw: &ProgressData,
    q: &clusterdesk_plan::Quota,
    as_of: Checkpoint,
    county: Option<&str>,
) -> QuotaProgress {
    {
        use clusterdesk_plan::{Per, Scope as QScope};
        let unit = plan
            .indicator(&q.indicator)
            .map(|i| i.unit.clone())
            .unwrap_or_default();
        let int = |d: Option<Decimal>| d.and_then(|d| i64::try_from(d.round()).ok());
        let (min, max, approx) = (int(q.min), int(q.max), int(q.approx));
        let months = if q.per == Per::Year { as_of.month } else { 12 };
        let day_after = as_of.day_after();
        // The figure of one part of the city: `None` = the whole city, `Some(county)`, or a
        // single cluster.
        let figure = |county: Option<&str>, cluster: Option<&str>| -> Option<i64> {
            match q.indicator.as_str() {
                "leading_enterprises" | "listing_pool" | "listing_key_pool" => {
                    let (kind, level) = match q.indicator.as_str() {
                        "leading_enterprises" => ("leading_enterprise", None),
                        "listing_pool" => ("listing_pool", None),
                        _ => ("listing_pool", Some("city_key")),
                    };
                    let mut seen = HashSet::new();
                    for (u, _, l, from, to) in raw.quals_of(kind) {
                        if level.is_some_and(|x| x != l)
                            || from.as_str() >= day_after.as_str()
                            || to.as_deref().is_some_and(|t| t < day_after.as_str())
                        {
                            continue;
                        }
                        let member = match cluster {
                            Some(c) => raw.members.get(u).is_some_and(|ms| {
                                ms.iter().any(|(mc, f, t)| {
                                    mc == c
                                        && f.as_str() < day_after.as_str()
                                        && t.as_deref().is_none_or(|t| t >= day_after.as_str())
                                })
                            }),
                            None => raw.member_at(u, &day_after, county),
                        };
                        if member {
                            seen.insert(u.as_str());
                        }
                    }
                    Some(seen.len() as i64)
                }
                ind => {
                    // A flow counted from January to the as-of month: each unit's months (or
                    // quarters, or the year's own value once the year is complete).
                    let mut by_unit: BTreeMap<&str, Vec<(Period, i64)>> = BTreeMap::new();
                    for (u, p, v) in raw.cluster_rows.get(ind).into_iter().flatten() {
                        let ours = match cluster {
                            Some(c) => u == c,
                            None => raw.in_scope(u, county),
                        };
                        if ours {
                            by_unit.entry(u.as_str()).or_default().push((*p, *v));
                        }
                    }
                    let rows: Vec<i64> = by_unit
                        .values()
                        .filter_map(|r| ProgressData::cluster_flow(r, as_of, !as_of.complete()))
                        .collect();
                    if !rows.is_empty() {
                        return Some(rows.iter().sum());
                    }
                    if ind == "new_platforms" {
                        // No reported figure: count recognitions of provincial-or-higher
                        // platforms this year in the registry.
                        let start = format!("{:04}-01-01", as_of.year);
                        let n = raw
                            .quals_of("innovation_platform")
                            .iter()
                            .filter(|(u, _, l, from, _)| {
                                (l == "provincial" || l == "national")
                                    && from.as_str() >= start.as_str()
                                    && from.as_str() < day_after.as_str()
                                    && raw.member_at(u, &next_day(from), county)
                            })
                            .count();
                        return Some(n as i64);
                    }
                    None
                }
            }
        };
        let mut units = Vec::new();
        match q.scope {
            QScope::County => {
                for c in plan.counties() {
                    if county.is_some_and(|k| k != c.code) {
                        continue;
                    }
                    let v = figure(Some(&c.code), None);
                    let (st, label) = quota_status(v, min, max, approx, months);
                    units.push(QuotaUnit {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        value: v.unwrap_or(0),
                        status: st,
                        status_label: label.into(),
                    });
                }
            }
            QScope::Cluster => {
                for c in &plan.clusters {
                    if county.is_some_and(|k| k != c.county) {
                        continue;
                    }
                    let v = figure(None, Some(&c.code));
                    let (st, label) = quota_status(v, min, max, approx, months);
                    units.push(QuotaUnit {
                        code: c.code.clone(),
                        name: c.full_name.clone(),
                        value: v.unwrap_or(0),
                        status: st,
                        status_label: label.into(),
                    });
                }
            }
            QScope::City => {}
        }
        let value = figure(county, None);
        let (status, status_label) = if units.is_empty() {
            quota_status(value, min, max, approx, months)
        } else {
            // The worst unit speaks for the quota.
            let worst = units.iter().min_by_key(|u| u.status.severity()).expect("non-empty");
            let met = units.iter().filter(|u| u.status == QuotaStatus::Met).count();
            let label = if met == units.len() {
                "全部完成"
            } else if units.iter().all(|u| u.status == QuotaStatus::NoData) {
                "无数据"
            } else {
                "部分未完成"
            };
            (worst.status, label)
        };
        let per_label = match q.scope {
            QScope::County => "每县(市)",
            QScope::Cluster => "每个集群",
            QScope::City => "全市",
        };
        QuotaProgress {
            id: q.id.clone(),
            clause: q.clause.clone(),
            name: q.name.clone(),
            indicator: q.indicator.clone(),
            unit,
            per: q.per.code().into(),
            scope: q.scope.code().into(),
            period: if q.per == Per::Year && as_of.month < 12 {
                format!("{}-{:02}", as_of.year, as_of.month)
            } else {
                as_of.label()
            },
            months,
            min: q.min,
            max: q.max,
            approx: q.approx,
            value,
            status,
            status_label: status_label.into(),
            units,
            basis_note: match q.per {
                Per::Year => format!("{per_label};当年1月至截至月累计"),
                Per::Standing => format!("{per_label};截至月末在库/在任企业数"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quota_status;
    use crate::states::QuotaStatus;

    #[test]
    fn quota_judgement() {
        let st = |v, min, max, approx, months| quota_status(v, min, max, approx, months).0;
        assert_eq!(st(None, Some(600), None, None, 12), QuotaStatus::NoData);
        // 不少于600 a year: 500 at the year end is behind, 600 met.
        assert_eq!(st(Some(500), Some(600), None, None, 12), QuotaStatus::Behind);
        assert_eq!(st(Some(600), Some(600), None, None, 12), QuotaStatus::Met);
        // Mid-year: 600 × 6/12 = 300 is on track, 299 is behind (滞后).
        assert_eq!(
            quota_status(Some(300), Some(600), None, None, 6),
            (QuotaStatus::OnTrack, "进度正常")
        );
        assert_eq!(
            quota_status(Some(299), Some(600), None, None, 6),
            (QuotaStatus::Behind, "滞后")
        );
        // 3–5: 6 is above the maximum.
        assert_eq!(st(Some(6), Some(3), Some(5), None, 12), QuotaStatus::AboveMax);
        // 10 左右: met within ±20% (8..=12).
        assert_eq!(st(Some(7), None, None, Some(10), 12), QuotaStatus::Behind);
        assert_eq!(st(Some(8), None, None, Some(10), 12), QuotaStatus::Met);
        assert_eq!(st(Some(12), None, None, Some(10), 12), QuotaStatus::Met);
        assert_eq!(st(Some(13), None, None, Some(10), 12), QuotaStatus::AboveMax);
    }
}
