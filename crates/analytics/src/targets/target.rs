//! One target's progress: its series, status and milestones.

use super::{PhaseStep, SeriesPoint, TargetProgress, YearToDate, dec};
use crate::progress::{
    self as prog, Goal, Method, Observation, Status, phase_compound, phase_linear, split_by_weights,
};
use crate::progress_data::{Checkpoint, ProgressData, Source, basis_note, source_of};
use crate::states::Basis;
use clusterdesk_plan::{Aggregation, Comparison, Measure, Plan, Target};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One target row's progress as of `as_of`, for the city (`county` None) or one county.
pub fn target_progress(
    plan: &Plan,
    raw: &ProgressData,
    t: &Target,
    as_of: Checkpoint,
    county: Option<&str>,
) -> TargetProgress {
    let counties: Vec<String> = plan.counties().map(|c| c.code.clone()).collect();
    {
        let ind = plan.indicator(&t.indicator).expect("checked at plan load");
        let src = source_of(ind);
        let baseline_year = t.baseline_year.unwrap_or(plan.meta.baseline_year);
        let deadline = Checkpoint::year_end(t.deadline_year);
        // Judge at the deadline once it has passed: the final attainment.
        let eval = as_of.min(deadline);
        let is_count = t.measure == Measure::CountOfClustersAbove;
        let cumulative = t.measure == Measure::FlowSinceBaseline;
        let scale = if is_count { 0 } else { ind.scale };
        let unit = if is_count {
            "个".to_string()
        } else {
            ind.unit.clone()
        };

        // The checkpoints: year ends from the baseline, then the evaluation point.
        let mut cps: Vec<Checkpoint> = (baseline_year..eval.year).map(Checkpoint::year_end).collect();
        cps.push(eval);
        let value_at = |cp: Checkpoint, k: Option<&str>| -> Option<i64> {
            if is_count {
                let vals = raw.cluster_values(&t.indicator, k, cp);
                if vals.is_empty() {
                    return None;
                }
                Some(
                    vals.values()
                        .filter(|v| t.in_band(clusterdesk_domain::Fen(**v)))
                        .count() as i64,
                )
            } else {
                raw.value(&t.indicator, src, k, cp, baseline_year, cumulative)
            }
        };
        let mut points: Vec<(Checkpoint, i64)> = cps
            .iter()
            .filter_map(|cp| value_at(*cp, county).map(|v| (*cp, v)))
            .collect();
        points.sort_by_key(|(cp, _)| *cp);
        let baseline = points
            .iter()
            .find(|(cp, _)| *cp == Checkpoint::year_end(baseline_year))
            .map(|(_, v)| *v);
        let current = points.last().copied().filter(|(cp, _)| cp.year > baseline_year);

        // The target in stored units; for a county, its share of the city's.
        let city_target: Option<i64> = match t.measure {
            Measure::Growth => None,
            _ if is_count => t.target_value.and_then(|d| i64::try_from(d.trunc()).ok()),
            _ => t.target_value.and_then(|d| ind.to_stored(d)),
        };
        let growth_bp: Option<i64> = t
            .annual_growth_pct
            .and_then(|g| i64::try_from((g * Decimal::from(100)).round()).ok());
        let years = (t.deadline_year - baseline_year).max(0) as u32;
        let share = |total: i64| -> i64 {
            let Some(k) = county else { return total };
            if ind.aggregation == Aggregation::Average {
                return total; // a rate: every county aims at the same rate
            }
            // Weights (the default county split): for 二.1's cluster counts, each county's
            // count in the band at the baseline; for every other level or flow, each county's
            // share of the clusters' revenue in the baseline year (its economic weight: a county
            // with none of the thing yet still gets its part). All zero → number of clusters.
            let base = Checkpoint::year_end(baseline_year);
            let mut w: Vec<i64> = counties
                .iter()
                .map(|c| {
                    let v = if is_count {
                        value_at(base, Some(c))
                    } else {
                        let r = raw.cluster_values("revenue", Some(c), base);
                        (!r.is_empty()).then(|| r.values().sum())
                    };
                    v.unwrap_or(0).max(0)
                })
                .collect();
            if w.iter().all(|x| *x == 0) {
                w = counties
                    .iter()
                    .map(|c| plan.clusters_of(c).len() as i64)
                    .collect();
            }
            let parts = split_by_weights(total, &w);
            counties
                .iter()
                .position(|c| c == k)
                .map(|i| parts[i])
                .unwrap_or(0)
        };
        let target: Option<i64> = match (t.measure, baseline, growth_bp) {
            (Measure::Growth, Some(b), Some(g)) => phase_compound(b, g, years).last().copied().or(Some(b)),
            (Measure::Growth, ..) => None,
            // A county's share of a strict count (超150 = at least 151) is split from the
            // smallest total that meets it, and is then met at its share (≥).
            _ if county.is_some() && t.comparison == Comparison::Gt && scale == 0 => {
                city_target.map(|v| share(v + 1))
            }
            _ => city_target.map(share),
        };
        // Edited phasing for this target and scope; a county's edited deadline-year milestone
        // is its share of the city's target.
        let edited = raw
            .milestones
            .get(&(t.id.clone(), county.unwrap_or("").to_string()));
        let target = match edited.and_then(|m| m.get(&t.deadline_year)) {
            Some(v) if county.is_some() => Some(*v),
            _ => target,
        };
        let comparison = if county.is_some() && t.comparison == Comparison::Gt && scale == 0 {
            Comparison::Ge
        } else {
            t.comparison
        };
        let target_max = t.target_max.filter(|_| county.is_none()).and_then(|d| {
            if is_count {
                i64::try_from(d.trunc()).ok()
            } else {
                ind.to_stored(d)
            }
        });

        // Milestones by year (compound for growth, linear otherwise) from the baseline.
        let milestones: BTreeMap<i32, i64> = match (baseline, target) {
            (Some(b), Some(tv)) if years > 0 => {
                let start = if cumulative { 0 } else { b };
                let path = match (t.measure, growth_bp) {
                    (Measure::Growth, Some(g)) => phase_compound(b, g, years),
                    _ => phase_linear(start, tv, years),
                };
                let mut m: BTreeMap<i32, i64> = path
                    .into_iter()
                    .enumerate()
                    .map(|(k, v)| (baseline_year + 1 + k as i32, v))
                    .collect();
                m.insert(baseline_year, start);
                m
            }
            _ => BTreeMap::new(),
        };
        let mut milestones = milestones;
        if let Some(e) = edited {
            milestones.extend(e.iter().map(|(y, v)| (*y, *v)));
        }
        let milestone_at = |cp: Checkpoint| -> Option<i64> {
            if cp.complete() {
                return milestones.get(&cp.year).copied();
            }
            let a = *milestones.get(&(cp.year - 1))?;
            let b = *milestones.get(&cp.year)?;
            Some(a + prog::div_round((b - a) as i128 * cp.month as i128, 12) as i64)
        };

        let goal = |tv: i64| -> Goal {
            match t.measure {
                Measure::Growth => Goal::Growth {
                    annual: growth_bp.unwrap_or(0) as f64 / 10_000.0,
                },
                Measure::FlowSinceBaseline => Goal::Flow {
                    target: tv as f64,
                    strict: comparison == Comparison::Gt,
                },
                _ => Goal::Level {
                    target: tv as f64,
                    strict: comparison == Comparison::Gt,
                },
            }
        };
        let progress = match (baseline, current, target) {
            (Some(b), Some((cp, v)), Some(tv)) => Some(prog::measure_progress(
                Observation {
                    baseline: b as f64,
                    baseline_t: baseline_year as f64,
                    current: v as f64,
                    current_t: cp.t(),
                    deadline_t: t.deadline_year as f64,
                },
                goal(tv),
            )),
            _ => None,
        };
        let status = progress.map(|p| p.status).unwrap_or(Status::InsufficientData);
        let attainment = match (t.measure, progress, current, target) {
            (Measure::Growth, Some(p), ..) => p.observed.zip(p.required).map(|(o, r)| o / r),
            (_, _, Some((_, v)), Some(tv)) if tv > 0 => Some(v as f64 / tv as f64),
            _ => None,
        };

        // Year to date against the pro-rated yearly milestone, for flows mid-year.
        let ytd = match src {
            Source::Cluster {
                time: Aggregation::Sum,
                ..
            } if !is_count && !eval.complete() => {
                let v: Option<i64> = {
                    let vals: Vec<i64> = raw
                        .by_cluster(&t.indicator, county)
                        .values()
                        .filter_map(|rows| ProgressData::cluster_flow(rows, eval, true))
                        .collect();
                    (!vals.is_empty()).then(|| vals.iter().sum())
                };
                let year_quota = match t.measure {
                    Measure::FlowSinceBaseline => milestones
                        .get(&eval.year)
                        .zip(milestones.get(&(eval.year - 1)))
                        .map(|(a, b)| a - b),
                    _ => milestones.get(&eval.year).copied(),
                };
                v.zip(year_quota).map(|(v, q)| YearToDate {
                    period: format!("{}-{:02}", eval.year, eval.month),
                    months: eval.month,
                    value: dec(v, scale),
                    prorated_target: dec(prog::prorate(q, eval.month), scale),
                })
            }
            _ => None,
        };

        let forecast = super::forecast::forecast(
            plan, raw, t, comparison, src, county, &points, eval, deadline, target, progress, scale,
        );

        let series = points
            .iter()
            .map(|(cp, v)| SeriesPoint {
                period: cp.label(),
                basis: if cp.complete() {
                    Basis::Year
                } else if cumulative {
                    // Flows since the baseline: complete years plus this year so far.
                    Basis::YearToDate
                } else if is_count
                    || matches!(
                        src,
                        Source::Cluster {
                            time: Aggregation::Sum,
                            ..
                        }
                    )
                {
                    Basis::Trailing12Months
                } else {
                    Basis::EndOfMonth
                },
                value: dec(*v, scale),
                milestone: milestone_at(*cp).map(|m| dec(m, scale)),
            })
            .collect();

        TargetProgress {
            id: t.id.clone(),
            clause: t.clause.clone(),
            name: t.name.clone(),
            indicator: t.indicator.clone(),
            measure: t.measure.code().into(),
            comparison,
            unit,
            strive: t.strive,
            baseline_year,
            baseline: dec(baseline.unwrap_or(0), scale),
            value: dec(current.map(|(_, v)| v).or(baseline).unwrap_or(0), scale),
            value_period: current
                .map(|(cp, _)| cp.label())
                .unwrap_or_else(|| baseline_year.to_string()),
            target: target.map(|v| dec(v, scale)),
            target_max: target_max.map(|v| dec(v, scale)),
            target_city: county.and(city_target).map(|v| dec(v, scale)),
            target_growth_pct: t.annual_growth_pct,
            deadline_year: t.deadline_year,
            // Where the value should be at the point it was measured (a yearly stock measured
            // last December is compared with last December's milestone).
            expected: milestone_at(current.map(|(cp, _)| cp).unwrap_or(eval)).map(|m| dec(m, scale)),
            status,
            status_label: status.label_zh().into(),
            is_final: eval == deadline && as_of >= deadline,
            method: progress
                .map(|p| match p.method {
                    Method::Cagr => "cagr",
                    Method::Linear => "linear",
                })
                .unwrap_or("linear")
                .into(),
            observed_rate: progress.and_then(|p| p.observed),
            required_rate: progress.and_then(|p| p.required),
            ratio: progress.and_then(|p| p.ratio),
            attainment,
            ytd,
            forecast,
            series,
            phasing: milestones
                .iter()
                .map(|(y, v)| PhaseStep {
                    year: *y,
                    value: dec(*v, scale),
                    edited: edited.is_some_and(|e| e.contains_key(y)),
                })
                .collect(),
            basis_note: basis_note(src, t.measure).into(),
        }
    }
}
