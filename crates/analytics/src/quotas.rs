//! The quotas of 三 (quotas.csv): how a quota's figure is judged and each quota's progress.

use crate::progress::{self as prog};
use crate::progress_data::{Checkpoint, ProgressData, next_day};
use crate::states::QuotaStatus;
use clusterdesk_domain::Period;
use clusterdesk_plan::{Plan, ValueSource};
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
        // The figure of one part of the city: `None` = the whole city, `Some(county)`, or a
        // single cluster.
        let figure = |county: Option<&str>, cluster: Option<&str>| -> Option<i64> {
            match &q.source {
                ValueSource::Reported | ValueSource::EnterpriseStock => {
                    reported_flow(raw, &q.indicator, as_of, county, cluster).or_else(|| {
                        q.fallback
                            .as_ref()
                            .and_then(|f| registry_count(raw, f, as_of, county, cluster))
                    })
                }
                src => registry_count(raw, src, as_of, county, cluster),
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
            let worst = units
                .iter()
                .min_by_key(|u| u.status.severity())
                .expect("non-empty");
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

/// A flow counted from January to the as-of month over the reported rows of one part of the
/// city: each unit's months (or quarters, or the year's own value once the year is complete).
fn reported_flow(
    raw: &ProgressData,
    indicator: &str,
    as_of: Checkpoint,
    county: Option<&str>,
    cluster: Option<&str>,
) -> Option<i64> {
    let mut by_unit: BTreeMap<&str, Vec<(Period, i64)>> = BTreeMap::new();
    for (u, p, v) in raw.cluster_rows.get(indicator).into_iter().flatten() {
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
    (!rows.is_empty()).then(|| rows.iter().sum())
}

/// A count from the registry for one part of the city: distinct member enterprises holding a
/// valid qualification at the as-of month end (`qualifications`), or recognitions in the
/// as-of year of enterprises that were members on the day (`recognitions`).
fn registry_count(
    raw: &ProgressData,
    src: &ValueSource,
    as_of: Checkpoint,
    county: Option<&str>,
    cluster: Option<&str>,
) -> Option<i64> {
    let day_after = as_of.day_after();
    let member = |u: &str, day: &str| match cluster {
        Some(c) => raw.members.get(u).is_some_and(|ms| {
            ms.iter()
                .any(|(mc, f, t)| mc == c && f.as_str() < day && t.as_deref().is_none_or(|t| t >= day))
        }),
        None => raw.member_at(u, day, county),
    };
    let level_ok = |levels: &[String], l: &str| levels.is_empty() || levels.iter().any(|x| x == l);
    match src {
        ValueSource::Qualifications { kinds, levels, rows } => {
            let mut seen = HashSet::new();
            let mut n = 0i64;
            for (u, _, l, from, to) in kinds.iter().flat_map(|k| raw.quals_of(k)) {
                if !level_ok(levels, l)
                    || from.as_str() >= day_after.as_str()
                    || to.as_deref().is_some_and(|t| t < day_after.as_str())
                    || !member(u, &day_after)
                {
                    continue;
                }
                if *rows || seen.insert(u.as_str()) {
                    n += 1;
                }
            }
            Some(n)
        }
        ValueSource::Recognitions { kind, levels } => {
            let start = format!("{:04}-01-01", as_of.year);
            let n = raw
                .quals_of(kind)
                .iter()
                .filter(|(u, _, l, from, _)| {
                    level_ok(levels, l)
                        && from.as_str() >= start.as_str()
                        && from.as_str() < day_after.as_str()
                        && member(u, &next_day(from))
                })
                .count();
            Some(n as i64)
        }
        ValueSource::Reported | ValueSource::EnterpriseStock => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{quota_status, registry_count, reported_flow};
    use crate::progress_data::{Checkpoint, ProgressData};
    use crate::states::QuotaStatus;
    use clusterdesk_domain::Period;
    use clusterdesk_plan::ValueSource;

    /// Two clusters (C01 in county A, C02 in county B); enterprise e1 in C01 all year, e2 in C02
    /// from 2026-03-01, e3 in C01 until 2026-05-01 (left on that day).
    fn registry() -> ProgressData {
        let mut d = ProgressData::default();
        d.cluster_county.insert("C01".into(), "A".into());
        d.cluster_county.insert("C02".into(), "B".into());
        let m = |c: &str, from: &str, to: Option<&str>| {
            vec![(c.to_string(), from.to_string(), to.map(str::to_string))]
        };
        d.members.insert("e1".into(), m("C01", "2020-01-01", None));
        d.members.insert("e2".into(), m("C02", "2026-03-01", None));
        d.members
            .insert("e3".into(), m("C01", "2020-01-01", Some("2026-05-01")));
        let q = |u: &str, k: &str, l: &str, from: &str, to: Option<&str>| {
            (
                u.to_string(),
                k.to_string(),
                l.to_string(),
                from.to_string(),
                to.map(str::to_string),
            )
        };
        d.quals = vec![
            // e1 holds two platforms (one a county-level one), e2 one recognised before joining.
            q("e1", "innovation_platform", "provincial", "2026-02-10", None),
            q("e1", "innovation_platform", "municipal", "2026-04-01", None),
            q("e2", "innovation_platform", "national", "2026-02-01", None),
            q("e3", "innovation_platform", "national", "2026-04-30", None),
            q("e1", "listing_pool", "city_key", "2025-06-01", None),
            q("e2", "listing_pool", "county", "2026-01-15", Some("2026-07-01")),
            q("e3", "listing_pool", "city_key", "2025-06-01", None),
        ];
        d.quals.sort_by(|a, b| a.1.cmp(&b.1));
        d
    }

    #[test]
    fn quota_figures_from_the_registry() {
        let d = registry();
        let june = Checkpoint { year: 2026, month: 6 };
        let quals = |levels: &[&str]| ValueSource::Qualifications {
            kinds: vec!["listing_pool".into()],
            levels: levels.iter().map(|l| l.to_string()).collect(),
            rows: false,
        };
        // End of June: e1 and e2 are members holding a pool entry; e3 left on 1 May.
        assert_eq!(registry_count(&d, &quals(&[]), june, None, None), Some(2));
        assert_eq!(
            registry_count(&d, &quals(&["city_key"]), june, None, None),
            Some(1)
        );
        assert_eq!(registry_count(&d, &quals(&[]), june, Some("B"), None), Some(1));
        assert_eq!(registry_count(&d, &quals(&[]), june, None, Some("C01")), Some(1));
        // End of July: e2's entry ended on 1 July.
        let july = Checkpoint { year: 2026, month: 7 };
        assert_eq!(registry_count(&d, &quals(&[]), july, Some("B"), None), Some(0));
        // End of April 2025, before any entry: e1 and e3 held none yet.
        let early = Checkpoint { year: 2025, month: 4 };
        assert_eq!(registry_count(&d, &quals(&[]), early, None, None), Some(0));
        // Provincial-or-higher recognitions in 2026 to June of members on the day: e1's
        // provincial (2-10) and e3's national (4-30, still a member); not e1's municipal one,
        // nor e2's (recognised 2-01, a member only from 3-01).
        let rec = ValueSource::Recognitions {
            kind: "innovation_platform".into(),
            levels: vec!["provincial".into(), "national".into()],
        };
        assert_eq!(registry_count(&d, &rec, june, None, None), Some(2));
        assert_eq!(registry_count(&d, &rec, june, Some("B"), None), Some(0));
        // To March: e1's alone.
        assert_eq!(
            registry_count(&d, &rec, Checkpoint { year: 2026, month: 3 }, None, None),
            Some(1)
        );
        assert_eq!(registry_count(&d, &ValueSource::Reported, june, None, None), None);
    }

    #[test]
    fn reported_quota_figures_add_up_the_year_to_the_month() {
        let mut d = registry();
        let mo = |month| Period::Month { year: 2026, month };
        d.cluster_rows.insert(
            "design_results".into(),
            vec![
                ("C01".into(), mo(1), 2),
                ("C01".into(), mo(2), 3),
                ("C02".into(), mo(2), 4),
            ],
        );
        let feb = Checkpoint { year: 2026, month: 2 };
        // 2 + 3 + 4 = 9 for the city, 4 for county B, 5 for C01; nothing reported elsewhere.
        assert_eq!(reported_flow(&d, "design_results", feb, None, None), Some(9));
        assert_eq!(reported_flow(&d, "design_results", feb, Some("B"), None), Some(4));
        assert_eq!(
            reported_flow(&d, "design_results", feb, None, Some("C01")),
            Some(5)
        );
        assert_eq!(reported_flow(&d, "design_sessions", feb, None, None), None);
    }

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
