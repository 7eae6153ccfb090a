//! Forecasts to a target's deadline: a log-linear trend and a damped Holt trend, each with a
//! 95% prediction interval. Plain `f64`: these are estimates, rounded by the caller.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastMethod {
    /// ln y = a + b t by least squares; the point is exp of the fitted line (the median).
    LogLinear,
    /// Additive damped trend (ETS(A,Ad,N)), α, β, φ chosen by a grid search on the one-step SSE.
    DampedHolt,
}

impl ForecastMethod {
    pub fn label_zh(self) -> &'static str {
        match self {
            ForecastMethod::LogLinear => "对数线性趋势",
            ForecastMethod::DampedHolt => "阻尼Holt趋势",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Forecast {
    pub method: ForecastMethod,
    /// Where the forecast is for (a time in years for the log-linear trend; for Holt the last
    /// observation's time plus the horizon in steps).
    pub at: f64,
    pub point: f64,
    /// 95% prediction interval; equal to the point when the data leave no degrees of freedom.
    pub low: f64,
    pub high: f64,
    /// Observations used.
    pub n: usize,
    /// Holt's parameters (α, β, φ), for the log-linear trend the slope as growth a year.
    pub params: [f64; 3],
}

/// Two-sided 95% quantile of Student's t for `df` degrees of freedom (table to 30, then 1.96).
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        _ => 1.96,
    }
}

/// Fit ln y = a + b t to `points` (t, y) and forecast at `at`. Needs at least two points, all
/// with y > 0 and distinct times; the interval needs three.
///
/// Prediction interval in log space: ŷ ± t₀.₉₇₅(n−2) · s · √(1 + 1/n + (t* − t̄)²/Sₜₜ), with s²
/// the residual variance on n − 2 degrees of freedom; the bounds are exponentiated.
pub fn log_linear(points: &[(f64, f64)], at: f64) -> Option<Forecast> {
    let n = points.len();
    if n < 2
        || points
            .iter()
            .any(|(_, y)| y.is_nan() || *y <= 0.0 || !y.is_finite())
    {
        return None;
    }
    let nf = n as f64;
    let tbar = points.iter().map(|(t, _)| t).sum::<f64>() / nf;
    let ly: Vec<f64> = points.iter().map(|(_, y)| y.ln()).collect();
    let ybar = ly.iter().sum::<f64>() / nf;
    let stt: f64 = points.iter().map(|(t, _)| (t - tbar).powi(2)).sum();
    if stt <= 0.0 {
        return None;
    }
    let sty: f64 = points
        .iter()
        .zip(&ly)
        .map(|((t, _), y)| (t - tbar) * (y - ybar))
        .sum();
    let b = sty / stt;
    let a = ybar - b * tbar;
    let fit = a + b * at;
    let point = fit.exp();
    let (low, high) = if n > 2 {
        let sse: f64 = points
            .iter()
            .zip(&ly)
            .map(|((t, _), y)| (y - (a + b * t)).powi(2))
            .sum();
        let s = (sse / (nf - 2.0)).sqrt();
        let se = s * (1.0 + 1.0 / nf + (at - tbar).powi(2) / stt).sqrt();
        let q = t975(n - 2);
        ((fit - q * se).exp(), (fit + q * se).exp())
    } else {
        (point, point)
    };
    Some(Forecast {
        method: ForecastMethod::LogLinear,
        at,
        point,
        low,
        high,
        n,
        params: [b.exp() - 1.0, a, b],
    })
}

/// One-step errors of the damped trend on `ys`, and the final level and trend.
fn holt_run(ys: &[f64], alpha: f64, beta: f64, phi: f64) -> (f64, f64, f64) {
    let mut level = ys[0];
    let mut trend = ys[1] - ys[0];
    let mut sse = 0.0;
    for y in &ys[1..] {
        let f = level + phi * trend;
        let e = y - f;
        sse += e * e;
        let new_level = alpha * y + (1.0 - alpha) * (level + phi * trend);
        trend = beta * (new_level - level) + (1.0 - beta) * phi * trend;
        level = new_level;
    }
    (sse, level, trend)
}

/// Damped Holt trend forecast `h` steps after the last of the equally spaced `ys` (at least
/// three). Initial level y₀, initial trend y₁ − y₀; α ∈ {0.1 … 0.9}, β ∈ {0.05, 0.1, 0.2, 0.3,
/// 0.5}, φ ∈ {0.8, 0.85, 0.9, 0.95, 0.98} by least one-step SSE (first minimum wins).
///
/// Point: ℓ + (φ + … + φʰ) b. Interval: ± 1.96 σ √(1 + Σⱼ₌₁ʰ⁻¹ (α(1 + β φⱼ))²), with
/// φⱼ = φ + … + φʲ and σ² = SSE / (n − 1) (Hyndman et al., ETS(A,Ad,N)).
pub fn damped_holt(ys: &[f64], h: u32, last_t: f64) -> Option<Forecast> {
    if ys.len() < 3 || ys.iter().any(|y| !y.is_finite()) {
        return None;
    }
    const ALPHAS: [f64; 9] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const BETAS: [f64; 5] = [0.05, 0.1, 0.2, 0.3, 0.5];
    const PHIS: [f64; 5] = [0.8, 0.85, 0.9, 0.95, 0.98];
    let mut best: Option<(f64, f64, f64, f64)> = None;
    for a in ALPHAS {
        for b in BETAS {
            for p in PHIS {
                let (sse, _, _) = holt_run(ys, a, b, p);
                if best.is_none_or(|(s, ..)| sse < s - 1e-12 * s.abs().max(1.0)) {
                    best = Some((sse, a, b, p));
                }
            }
        }
    }
    let (sse, alpha, beta, phi) = best?;
    let (_, level, trend) = holt_run(ys, alpha, beta, phi);
    let phi_sum = |j: u32| (1..=j).map(|k| phi.powi(k as i32)).sum::<f64>();
    let point = level + phi_sum(h) * trend;
    let sigma2 = sse / (ys.len() - 1) as f64;
    let var: f64 = 1.0
        + (1..h)
            .map(|j| (alpha * (1.0 + beta * phi_sum(j))).powi(2))
            .sum::<f64>();
    let half = 1.96 * (sigma2 * var).sqrt();
    Some(Forecast {
        method: ForecastMethod::DampedHolt,
        at: last_t + h as f64,
        point,
        low: point - half,
        high: point + half,
        n: ys.len(),
        params: [alpha, beta, phi],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_linear_recovers_exact_growth() {
        // 100, 110, 121, 133.1 at 2021..2024: ln y is exactly linear with slope ln 1.1, so the
        // 2025 point is 146.41 and the residuals are zero (the interval collapses to the point).
        let pts = [(2021.0, 100.0), (2022.0, 110.0), (2023.0, 121.0), (2024.0, 133.1)];
        let f = log_linear(&pts, 2025.0).unwrap();
        assert!((f.point - 146.41).abs() < 1e-6, "{}", f.point);
        assert!((f.params[0] - 0.10).abs() < 1e-12);
        assert!((f.high - f.low).abs() < 1e-6);
    }

    #[test]
    fn log_linear_interval_by_hand() {
        // t = 0, 1, 2; y = e⁰, e¹, e³ (ln y = 0, 1, 3). t̄ = 1, ȳ = 4/3, Stt = 2,
        // Sty = (−1)(−4/3) + 0 + (1)(5/3) = 3, b = 1.5, a = 4/3 − 1.5 = −1/6.
        // Fitted: −1/6, 4/3, 17/6; residuals 1/6, −1/3, 1/6; SSE = 1/36 + 4/36 + 1/36 = 1/6.
        // s = √(1/6 / 1) = 0.408248; at t = 3: fit = −1/6 + 4.5 = 4.333333;
        // se = s √(1 + 1/3 + 4/2) = 0.408248 × 1.825742 = 0.745356; q = t(1) = 12.706.
        // low = exp(4.333333 − 9.470494), high = exp(4.333333 + 9.470494).
        let pts = [(0.0, 1f64.exp().powi(0)), (1.0, 1f64.exp()), (2.0, 3f64.exp())];
        let f = log_linear(&pts, 3.0).unwrap();
        assert!((f.point.ln() - 4.333_333_333).abs() < 1e-9);
        assert!((f.low.ln() - (4.333_333_333 - 12.706 * 0.745_355_992)).abs() < 1e-6);
        assert!((f.high.ln() - (4.333_333_333 + 12.706 * 0.745_355_992)).abs() < 1e-6);
        assert_eq!(f.n, 3);
        assert!(log_linear(&[(0.0, 1.0)], 1.0).is_none());
        assert!(log_linear(&[(0.0, 1.0), (1.0, 0.0)], 1.0).is_none());
    }

    #[test]
    fn damped_holt_on_a_straight_line() {
        // 10, 12, 14, 16, 18: the grid's best has zero-ish error only if φ = 1; with φ ≤ 0.98 the
        // forecast one step on is a little under 20 and over the last value, and the interval
        // contains it.
        let ys = [10.0, 12.0, 14.0, 16.0, 18.0];
        let f = damped_holt(&ys, 1, 2025.0).unwrap();
        assert!(f.point > 18.0 && f.point < 20.5, "{}", f.point);
        assert!(f.low <= f.point && f.point <= f.high);
        assert_eq!(f.at, 2026.0);
        assert!(damped_holt(&ys[..2], 1, 2025.0).is_none());
    }

    #[test]
    fn damped_holt_one_step_by_hand() {
        // ys = 1, 2, 4 with α = 0.5, β = 0.5, φ = 0.8 (checks holt_run, not the grid):
        // ℓ₀ = 1, b₀ = 1. t=1: f = 1.8, e = 0.2; ℓ = 0.5·2 + 0.5·1.8 = 1.9;
        // b = 0.5·0.9 + 0.5·0.8 = 0.85. t=2: f = 1.9 + 0.68 = 2.58, e = 1.42;
        // ℓ = 0.5·4 + 0.5·2.58 = 3.29; b = 0.5·1.39 + 0.5·0.68 = 1.035. SSE = 0.04 + 2.0164.
        let (sse, l, b) = holt_run(&[1.0, 2.0, 4.0], 0.5, 0.5, 0.8);
        assert!((sse - 2.0564).abs() < 1e-12);
        assert!((l - 3.29).abs() < 1e-12);
        assert!((b - 1.035).abs() < 1e-12);
    }
}
