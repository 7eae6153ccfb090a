//! The Open SDG progress measure, pro-rating, yearly phasing and county split of targets.
//!
//! Progress compares the rate observed since the baseline with the rate the target requires
//! (Open SDG "progress status", https://open-sdg.org/): for a level with a positive baseline
//! both rates are compound annual growth rates (CAGR); for a flow counted from zero since the
//! baseline, or a level whose baseline is zero, both are linear paces (units a year); for a
//! growth target ("年均增长15%以上") the required rate is the stated growth.
//!
//! Status from `ratio = observed / required` when the target is not (yet) met:
//! ≥ 0.95 进度正常 (on track), 0.6–0.95 需加快 (needs acceleration), 0–0.6 进展有限 (limited
//! progress), < 0 倒退 (deteriorating). A met target is 已达成. At or after the deadline a
//! target that was missed cannot be "on track": a ratio ≥ 0.95 then reads 需加快. Ratios are
//! compared unrounded.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Achieved,
    OnTrack,
    NeedsAcceleration,
    LimitedProgress,
    Deteriorating,
    /// No baseline, no current value, or no time elapsed: nothing to measure yet.
    InsufficientData,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Achieved,
        Status::OnTrack,
        Status::NeedsAcceleration,
        Status::LimitedProgress,
        Status::Deteriorating,
        Status::InsufficientData,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::NeedsAcceleration => "needs_acceleration",
            Status::LimitedProgress => "limited_progress",
            Status::Deteriorating => "deteriorating",
            Status::InsufficientData => "insufficient_data",
        }
    }

    /// The word shown beside the colour (DESIGN.md: 已达成 / 进度正常 / 需加快 / 进展有限 / 倒退).
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Achieved => "已达成",
            Status::OnTrack => "进度正常",
            Status::NeedsAcceleration => "需加快",
            Status::LimitedProgress => "进展有限",
            Status::Deteriorating => "倒退",
            Status::InsufficientData => "数据不足",
        }
    }

    /// An icon that survives printing in grey.
    pub fn icon(self) -> &'static str {
        match self {
            Status::Achieved => "✓",
            Status::OnTrack => "↗",
            Status::NeedsAcceleration => "→",
            Status::LimitedProgress => "↘",
            Status::Deteriorating => "✗",
            Status::InsufficientData => "?",
        }
    }

    /// The status for a ratio of observed to required rate (target not met).
    pub fn from_ratio(ratio: f64) -> Status {
        if ratio >= 0.95 {
            Status::OnTrack
        } else if ratio >= 0.6 {
            Status::NeedsAcceleration
        } else if ratio >= 0.0 {
            Status::LimitedProgress
        } else {
            Status::Deteriorating
        }
    }
}

/// How the observed and required rates were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Compound annual growth rates, as fractions (0.15 = 15% a year).
    Cagr,
    /// Linear paces, in the value's unit per year.
    Linear,
}

/// What a target asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Reach a level by the deadline; `strict` for 超/突破 (strictly greater).
    Level { target: f64, strict: bool },
    /// Grow on average by at least `annual` (0.15 = 15%) a year from the baseline.
    Growth { annual: f64 },
    /// A flow summed since the baseline (zero at the baseline) reaching `target`.
    Flow { target: f64, strict: bool },
}

/// One measurement: the baseline and the current value, at times in years (fractions allowed:
/// the end of October 2025 is 2025 - 2/12 when the end of December Y is Y).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub baseline: f64,
    pub baseline_t: f64,
    pub current: f64,
    pub current_t: f64,
    pub deadline_t: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    pub status: Status,
    pub method: Method,
    /// Observed rate since the baseline (fraction a year for CAGR, units a year for linear).
    pub observed: Option<f64>,
    /// Rate needed from the baseline to the deadline.
    pub required: Option<f64>,
    /// observed / required.
    pub ratio: Option<f64>,
    pub achieved: bool,
    /// The current value is at or after the deadline: the status is the final attainment.
    pub is_final: bool,
}

/// Compound annual growth rate from `from` to `to` over `years`; `None` unless both are
/// positive and time has passed.
pub fn cagr(from: f64, to: f64, years: f64) -> Option<f64> {
    if from > 0.0 && to > 0.0 && years > 0.0 {
        Some((to / from).powf(1.0 / years) - 1.0)
    } else {
        None
    }
}

fn meets(value: f64, target: f64, strict: bool) -> bool {
    if strict { value > target } else { value >= target }
}

/// The Open SDG progress measure for one target; see the module documentation.
pub fn measure_progress(obs: Observation, goal: Goal) -> Progress {
    let elapsed = obs.current_t - obs.baseline_t;
    let total = obs.deadline_t - obs.baseline_t;
    // A tolerance of a minute's worth of a year, so that 2025-12 against 2025 counts as final.
    let is_final = obs.current_t >= obs.deadline_t - 1e-9;
    let none = |method| Progress {
        status: Status::InsufficientData,
        method,
        observed: None,
        required: None,
        ratio: None,
        achieved: false,
        is_final,
    };
    if !obs.baseline.is_finite() || !obs.current.is_finite() || elapsed <= 0.0 || total <= 0.0 {
        return none(Method::Linear);
    }
    let (method, observed, required, achieved) = match goal {
        Goal::Growth { annual } => {
            let Some(observed) = cagr(obs.baseline, obs.current, elapsed) else {
                return none(Method::Cagr);
            };
            (Method::Cagr, observed, annual, is_final && observed >= annual)
        }
        Goal::Level { target, strict } => {
            let achieved = meets(obs.current, target, strict);
            if obs.baseline > 0.0 && obs.current > 0.0 && target > 0.0 {
                let observed = cagr(obs.baseline, obs.current, elapsed).expect("positive");
                let required = cagr(obs.baseline, target, total).expect("positive");
                (Method::Cagr, observed, required, achieved)
            } else {
                let observed = (obs.current - obs.baseline) / elapsed;
                let required = (target - obs.baseline) / total;
                (Method::Linear, observed, required, achieved)
            }
        }
        Goal::Flow { target, strict } => {
            let achieved = meets(obs.current, target, strict);
            let observed = (obs.current - obs.baseline) / elapsed;
            let required = (target - obs.baseline) / total;
            (Method::Linear, observed, required, achieved)
        }
    };
    let ratio = if required > 0.0 {
        Some(observed / required)
    } else {
        None
    };
    let status = if achieved {
        Status::Achieved
    } else {
        match ratio {
            Some(r) => match Status::from_ratio(r) {
                Status::OnTrack if is_final => Status::NeedsAcceleration,
                s => s,
            },
            // The target needed no growth (it was met at the baseline) and is not met now.
            None if observed < 0.0 => Status::Deteriorating,
            None => Status::LimitedProgress,
        }
    };
    Progress {
        status,
        method,
        observed: Some(observed),
        required: Some(required),
        ratio,
        achieved,
        is_final,
    }
}

/// `num / den` rounded half away from zero (integers only).
pub fn div_round(num: i128, den: i128) -> i128 {
    assert!(den != 0, "division by zero");
    let (n, d) = if den < 0 { (-num, -den) } else { (num, den) };
    if n >= 0 {
        (n + d / 2) / d
    } else {
        -((-n + d / 2) / d)
    }
}

/// A yearly amount pro-rated to the first `months` months (half away from zero, exact).
/// `prorate(1_000, 10)` = 1000 × 10 / 12 = 833.33… → 833.
pub fn prorate(annual: i64, months: u32) -> i64 {
    div_round(annual as i128 * months as i128, 12) as i64
}

/// Linear yearly milestones from `base` (year 0) to `target` (year `years`): the value for
/// years 1..=years, each rounded half away from zero; the last equals `target`.
pub fn phase_linear(base: i64, target: i64, years: u32) -> Vec<i64> {
    (1..=years as i128)
        .map(|k| base as i128 + div_round((target as i128 - base as i128) * k, years as i128))
        .map(|v| v as i64)
        .collect()
}

/// Compound yearly milestones: `base × (1 + rate_bp/10000)^k` for k = 1..=years, computed
/// exactly in integers and rounded half away from zero to the unit of `base` (rates are given
/// in hundredths of a percent: 15% = 1500). Falls back to `f64` only if the exact product
/// would overflow 128 bits.
pub fn phase_compound(base: i64, rate_bp: i64, years: u32) -> Vec<i64> {
    let mut out = Vec::new();
    let mut num: Option<i128> = Some(base as i128);
    let mut den: Option<i128> = Some(1);
    for k in 1..=years as i32 {
        num = num.and_then(|n| n.checked_mul(10_000 + rate_bp as i128));
        den = den.and_then(|d| d.checked_mul(10_000));
        let v = match (num, den) {
            (Some(n), Some(d)) => div_round(n, d) as i64,
            _ => (base as f64 * (1.0 + rate_bp as f64 / 10_000.0).powi(k)).round() as i64,
        };
        out.push(v);
    }
    out
}

/// Split `total` in proportion to `weights` so that the parts add up to `total` exactly
/// (largest remainder; ties go to the earlier weight). All-zero weights split evenly.
pub fn split_by_weights(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: i128 = weights.iter().map(|w| (*w).max(0) as i128).sum();
    let w: Vec<i128> = if sum == 0 {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|w| (*w).max(0) as i128).collect()
    };
    let sum: i128 = w.iter().sum();
    let t = total as i128;
    let mut parts: Vec<i128> = w.iter().map(|x| (t * x).div_euclid(sum)).collect();
    let rems: Vec<i128> = w.iter().map(|x| (t * x).rem_euclid(sum)).collect();
    let mut left = t - parts.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..w.len()).collect();
    order.sort_by(|a, b| rems[*b].cmp(&rems[*a]).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts.into_iter().map(|p| p as i64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(baseline: f64, current: f64, current_t: f64) -> Observation {
        Observation {
            baseline,
            baseline_t: 2021.0,
            current,
            current_t,
            deadline_t: 2025.0,
        }
    }

    #[test]
    fn status_words_and_thresholds() {
        assert_eq!(Status::from_ratio(0.95), Status::OnTrack);
        assert_eq!(Status::from_ratio(0.9499), Status::NeedsAcceleration);
        assert_eq!(Status::from_ratio(0.6), Status::NeedsAcceleration);
        assert_eq!(Status::from_ratio(0.5999), Status::LimitedProgress);
        assert_eq!(Status::from_ratio(0.0), Status::LimitedProgress);
        assert_eq!(Status::from_ratio(-0.01), Status::Deteriorating);
        let words: Vec<_> = Status::ALL.iter().map(|s| s.label_zh()).collect();
        assert_eq!(words[..5], ["已达成", "进度正常", "需加快", "进展有限", "倒退"]);
    }

    #[test]
    fn level_target_by_cagr() {
        // Baseline 100 (2021), target 146.41 (2025) requires (146.41/100)^(1/4) - 1 = 10% a year.
        // At 2023 the value is 115: observed (1.15)^(1/2) - 1 = 0.072381; ratio 0.72381 → 需加快.
        let p = measure_progress(
            obs(100.0, 115.0, 2023.0),
            Goal::Level {
                target: 146.41,
                strict: false,
            },
        );
        assert_eq!(p.method, Method::Cagr);
        assert!((p.required.unwrap() - 0.10).abs() < 1e-12);
        assert!((p.observed.unwrap() - 0.072_380_529).abs() < 1e-8);
        assert_eq!(p.status, Status::NeedsAcceleration);
        assert!(!p.is_final);
        // 121 at 2023: observed 10% = required → ratio 1 → 进度正常.
        let p = measure_progress(
            obs(100.0, 121.0, 2023.0),
            Goal::Level {
                target: 146.41,
                strict: false,
            },
        );
        assert_eq!(p.status, Status::OnTrack);
        // 90 at 2023: observed negative → 倒退.
        let p = measure_progress(
            obs(100.0, 90.0, 2023.0),
            Goal::Level {
                target: 146.41,
                strict: false,
            },
        );
        assert_eq!(p.status, Status::Deteriorating);
        // 150 reached: 已达成, whatever the date.
        let p = measure_progress(
            obs(100.0, 150.0, 2024.0),
            Goal::Level {
                target: 146.41,
                strict: false,
            },
        );
        assert_eq!(p.status, Status::Achieved);
    }

    #[test]
    fn strict_targets_and_final_attainment() {
        // 突破150: exactly 150 at the deadline is not met. Baseline 120: required
        // (150/120)^(1/4) - 1 = 5.737%; observed over 4 years the same → ratio 1, but final:
        // a missed target reads 需加快, not 进度正常.
        let p = measure_progress(
            obs(120.0, 150.0, 2025.0),
            Goal::Level {
                target: 150.0,
                strict: true,
            },
        );
        assert!(p.is_final);
        assert!(!p.achieved);
        assert_eq!(p.status, Status::NeedsAcceleration);
        let p = measure_progress(
            obs(120.0, 151.0, 2025.0),
            Goal::Level {
                target: 150.0,
                strict: true,
            },
        );
        assert_eq!(p.status, Status::Achieved);
    }

    #[test]
    fn growth_target() {
        // 年均增长15%: 100 → 174.9 over 4 years: (1.749)^(1/4) = 1.14999… < 1.15 → not achieved;
        // ratio 0.149992/0.15 = 0.99995 → 需加快 at the deadline.
        let g = Goal::Growth { annual: 0.15 };
        let p = measure_progress(obs(100.0, 174.9, 2025.0), g);
        assert!(!p.achieved);
        assert_eq!(p.status, Status::NeedsAcceleration);
        // 1.15^4 = 1.74900625 → 174.90063 meets it.
        let p = measure_progress(obs(100.0, 174.900_63, 2025.0), g);
        assert_eq!(p.status, Status::Achieved);
        // Mid-way, 2 years at 12% a year: 125.44; ratio 0.8 → 需加快.
        let p = measure_progress(obs(100.0, 125.44, 2023.0), g);
        assert!((p.ratio.unwrap() - 0.8).abs() < 1e-9);
        assert_eq!(p.status, Status::NeedsAcceleration);
        // No baseline: nothing to measure.
        let p = measure_progress(obs(0.0, 125.44, 2023.0), g);
        assert_eq!(p.status, Status::InsufficientData);
    }

    #[test]
    fn flows_and_zero_baselines_are_linear() {
        // 新增30项 from 2021 to 2025: required 30/4 = 7.5 a year. By the end of 2023, 9 new:
        // 9/2 = 4.5 a year, ratio 0.6 → 需加快 (0.6 is in the 0.6–0.95 band).
        let p = measure_progress(
            obs(0.0, 9.0, 2023.0),
            Goal::Flow {
                target: 30.0,
                strict: false,
            },
        );
        assert_eq!(p.method, Method::Linear);
        assert!((p.ratio.unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(p.status, Status::NeedsAcceleration);
        // A level with baseline 0: 10 listed by mid-2023 (t = 2023.5) against 45 by 2025:
        // observed 10/2.5 = 4/yr, required 45/4 = 11.25/yr, ratio 0.3556 → 进展有限.
        let p = measure_progress(
            obs(0.0, 10.0, 2023.5),
            Goal::Level {
                target: 45.0,
                strict: false,
            },
        );
        assert_eq!(p.method, Method::Linear);
        assert_eq!(p.status, Status::LimitedProgress);
    }

    #[test]
    fn prorating_phasing_and_split() {
        // 1000 × 10/12 = 833.33 → 833; 1000 × 9/12 = 750; 7 × 6/12 = 3.5 → 4 (half away).
        assert_eq!(prorate(1000, 10), 833);
        assert_eq!(prorate(1000, 9), 750);
        assert_eq!(prorate(7, 6), 4);
        assert_eq!(prorate(-7, 6), -4);
        // 20 → 45 over 4 years: 26.25 → 26, 32.5 → 33, 38.75 → 39, 45.
        assert_eq!(phase_linear(20, 45, 4), vec![26, 33, 39, 45]);
        // 1000 at 15%: 1150, 1322.5 → 1323, 1520.875 → 1521, 1749.00625 → 1749.
        assert_eq!(phase_compound(1000, 1500, 4), vec![1150, 1323, 1521, 1749]);
        // 600 split 5:3:2 → 300, 180, 120; 10 split 1:1:1 → 3.33 each, the remainder 1 to the
        // first: 4, 3, 3.
        assert_eq!(split_by_weights(600, &[5, 3, 2]), vec![300, 180, 120]);
        assert_eq!(split_by_weights(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(split_by_weights(10, &[0, 0]), vec![5, 5]);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(5, -2), -3);
    }
}
