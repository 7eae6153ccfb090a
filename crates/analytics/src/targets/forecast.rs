//! A target's forecast to its deadline.

use super::{ForecastOut, dec_f, meets};
use crate::forecast::{self, Forecast};
use crate::progress::{self as prog};
use crate::progress_data::{Checkpoint, ProgressData, Source};
use crate::states::ForecastMethod;
use clusterdesk_plan::{Comparison, Measure, Plan, Target};

/// The forecast of one target's value at its deadline (see `target_progress`).
#[allow(clippy::too_many_arguments)]
pub(super) fn forecast(
    plan: &Plan,
    raw: &ProgressData,
    t: &Target,
    comparison: Comparison,
    src: Source<'_>,
    county: Option<&str>,
    points: &[(Checkpoint, i64)],
    eval: Checkpoint,
    deadline: Checkpoint,
    target: Option<i64>,
    progress: Option<prog::Progress>,
    scale: u32,
) -> Option<ForecastOut> {
    let met_of = |v: f64| -> Option<bool> {
        let tv = target?;
        let v = v.round() as i64;
        Some(meets(comparison, v, tv))
    };
    let out = |method: ForecastMethod, label: &str, f: (f64, f64, f64), met: Option<bool>| ForecastOut {
        method,
        method_label: label.into(),
        deadline_year: t.deadline_year,
        value: dec_f(f.0, scale),
        low: dec_f(f.1, scale),
        high: dec_f(f.2, scale),
        met,
        alternative: None,
    };
    // The deadline has passed (or is this very month): the forecast is the actual value.
    if eval == deadline {
        let (_, v) = points.last()?;
        let v = *v as f64;
        return Some(out(
            ForecastMethod::Actual,
            "实际值(期限已到)",
            (v, v, v),
            progress.map(|p| p.achieved).or(met_of(v)),
        ));
    }
    let horizon_t = deadline.t();
    let last_year = points
        .iter()
        .filter(|(cp, _)| cp.complete())
        .map(|(cp, _)| cp.year)
        .max();
    if t.measure == Measure::CountOfClustersAbove {
        // Forecast each cluster's revenue, then count the clusters in the band.
        let clusters = raw.by_cluster(&t.indicator, county);
        let mut ll = (0i64, 0i64, 0i64);
        let mut hw = (0i64, 0i64, 0i64);
        let mut any_ll = false;
        let mut any_hw = false;
        let band = |v: f64| t.in_band(clusterdesk_domain::Fen(v.round() as i64)) as i64;
        for rows in clusters.values() {
            let mut pts = Vec::new();
            let mut ys = Vec::new();
            for (cp, _) in points {
                if let Some(v) = ProgressData::cluster_flow(rows, *cp, false) {
                    pts.push((cp.t(), v as f64));
                    if cp.complete() {
                        ys.push(v as f64);
                    }
                }
            }
            if let Some(f) = forecast::log_linear(&pts, horizon_t) {
                any_ll = true;
                let (a, b) = (band(f.low), band(f.high));
                ll = (ll.0 + band(f.point), ll.1 + a.min(b), ll.2 + a.max(b));
            }
            if let Some(ly) = last_year
                && let Some(f) = forecast::damped_holt(&ys, (t.deadline_year - ly).max(1) as u32, ly as f64)
            {
                any_hw = true;
                let (a, b) = (band(f.low), band(f.high));
                hw = (hw.0 + band(f.point), hw.1 + a.min(b), hw.2 + a.max(b));
            }
        }
        let conv = |x: (i64, i64, i64)| (x.0 as f64, x.1 as f64, x.2 as f64);
        let mut main = any_ll.then(|| {
            out(
                ForecastMethod::LogLinear,
                "对数线性趋势(逐集群外推后计数)",
                conv(ll),
                met_of(ll.0 as f64),
            )
        });
        let alt = any_hw.then(|| {
            out(
                ForecastMethod::DampedHolt,
                "阻尼Holt趋势(逐集群外推后计数)",
                conv(hw),
                met_of(hw.0 as f64),
            )
        });
        return match (main.take(), alt) {
            (Some(mut m), a) => {
                m.alternative = a.map(Box::new);
                Some(m)
            }
            (None, a) => a,
        };
    }
    let pts: Vec<(f64, f64)> = points.iter().map(|(cp, v)| (cp.t(), *v as f64)).collect();
    let ys: Vec<f64> = points
        .iter()
        .filter(|(cp, _)| cp.complete())
        .map(|(_, v)| *v as f64)
        .collect();
    let holt = last_year.and_then(|ly| {
        forecast::damped_holt(&ys, (t.deadline_year - ly).max(1) as u32, ly as f64).map(|f: Forecast| {
            out(
                ForecastMethod::DampedHolt,
                "阻尼Holt趋势",
                (f.point, f.low, f.high),
                met_of(f.point),
            )
        })
    });
    let main = if t.measure == Measure::FlowSinceBaseline || matches!(src, Source::QualFlow { .. }) {
        // A flow counted from zero: the current total plus the average yearly flow for the
        // remaining time; the interval from the spread of the yearly flows.
        let (cp, v) = *points.last()?;
        let flows: Vec<f64> = {
            let mut prev = 0.0;
            let mut f = Vec::new();
            for (_, x) in points.iter().filter(|(c, _)| c.complete()) {
                f.push(*x as f64 - prev);
                prev = *x as f64;
            }
            // The first point is the baseline year (zero), not a flow.
            if !f.is_empty() {
                f.remove(0);
            }
            f
        };
        let elapsed = cp.t() - t.baseline_year.unwrap_or(plan.meta.baseline_year) as f64;
        if elapsed <= 0.0 {
            return holt;
        }
        let pace = v as f64 / elapsed;
        let remaining = horizon_t - cp.t();
        let point = v as f64 + pace * remaining;
        let n = flows.len();
        let half = if n >= 2 {
            let m = flows.iter().sum::<f64>() / n as f64;
            let sd = (flows.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
            forecast::t975(n - 1) * sd * remaining.sqrt()
        } else {
            0.0
        };
        Some(out(
            ForecastMethod::LinearPace,
            "按已实现年均增量外推",
            (point, (point - half).max(v as f64), point + half),
            met_of(point),
        ))
    } else {
        forecast::log_linear(&pts, horizon_t).map(|f| {
            out(
                ForecastMethod::LogLinear,
                "对数线性趋势",
                (f.point, f.low, f.high),
                met_of(f.point),
            )
        })
    };
    match (main, holt) {
        (Some(mut m), h) => {
            m.alternative = h.map(Box::new);
            Some(m)
        }
        (None, h) => h,
    }
}
