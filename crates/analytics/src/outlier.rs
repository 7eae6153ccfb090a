//! Robust outlier checks for reported figures: median, MAD, the modified z-score of Iglewicz and
//! Hoaglin (1993), and period-on-period change ratios judged against the unit's own history.
//!
//! Month-on-month changes are seasonal (the February dip of the Spring Festival), so a month's
//! change is compared with the same calendar month's changes in earlier years, never with the
//! changes of other months. Year-on-year changes already remove the season and are compared
//! with every earlier year-on-year change.

use clusterdesk_domain::Period;
use std::collections::HashMap;

/// Iglewicz–Hoaglin: |modified z| above 3.5 is a potential outlier.
pub const DEFAULT_THRESHOLD: f64 = 3.5;
/// 0.6745 = the 0.75 quantile of the standard normal: MAD/0.6745 estimates σ.
const K_MAD: f64 = 0.6745;
/// When MAD is 0: 1.253314 · mean absolute deviation estimates σ (√(π/2)).
const K_MEAN_AD: f64 = 1.253314;
/// How far back a history reaches.
const MAX_YEARS: usize = 10;

pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Median absolute deviation from the median (unscaled).
pub fn mad(xs: &[f64]) -> Option<f64> {
    let m = median(xs)?;
    let dev: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    median(&dev)
}

/// The modified z-score of `x` against `history`: 0.6745·(x − median)/MAD. When MAD is 0 (more
/// than half the history is one value) the mean absolute deviation scaled by 1.253314 stands in;
/// when that is 0 too the history has no spread to judge by and the answer is `None`.
pub fn modified_z(x: f64, history: &[f64]) -> Option<f64> {
    let m = median(history)?;
    let mad = mad(history)?;
    if mad > 0.0 {
        return Some(K_MAD * (x - m) / mad);
    }
    let mean_ad = history.iter().map(|h| (h - m).abs()).sum::<f64>() / history.len() as f64;
    if mean_ad > 0.0 {
        Some((x - m) / (K_MEAN_AD * mean_ad))
    } else {
        None
    }
}

/// `cur / base`; `None` when the base is missing, zero or negative (no meaningful ratio).
pub fn change_ratio(cur: Option<f64>, base: Option<f64>) -> Option<f64> {
    match (cur, base) {
        (Some(c), Some(b)) if b > 0.0 && c >= 0.0 => Some(c / b),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Against the period before (month on month, quarter on quarter).
    PeriodBefore,
    /// Against the same period a year before.
    YearBefore,
}

/// What a change check found.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeCheck {
    /// This period's change ratio.
    pub ratio: f64,
    /// The median of the comparable earlier ratios.
    pub median: f64,
    pub z: f64,
    /// How many earlier ratios were compared.
    pub history: usize,
}

impl ChangeCheck {
    /// An outlier: robust z beyond `threshold` and a change at least `min_change` (as a ratio,
    /// 0.10 = ten percentage points) away from the usual one. The floor keeps a very steady
    /// history, whose MAD is tiny, from flagging changes nobody would call unusual.
    pub fn is_outlier(&self, threshold: f64, min_change: f64) -> bool {
        self.z.abs() > threshold && (self.ratio - self.median).abs() >= min_change
    }
}

fn base_of(p: Period, change: Change) -> Period {
    match change {
        Change::PeriodBefore => p.prev(),
        Change::YearBefore => p.same_period_last_year(),
    }
}

/// The change of `series` at `at` judged against the unit's own comparable earlier changes:
/// for [`Change::PeriodBefore`] the same calendar period's changes in earlier years (seasonal),
/// for [`Change::YearBefore`] every earlier period's change in the last ten years. `None` when
/// this period has no ratio, when fewer than `min_history` comparable ratios exist, or when
/// the history has no spread.
pub fn change_check(
    series: &HashMap<Period, f64>,
    at: Period,
    change: Change,
    min_history: usize,
) -> Option<ChangeCheck> {
    let ratio_at =
        |p: Period| change_ratio(series.get(&p).copied(), series.get(&base_of(p, change)).copied());
    let ratio = ratio_at(at)?;
    let mut history = Vec::new();
    match change {
        Change::PeriodBefore => {
            let mut q = at;
            for _ in 0..MAX_YEARS {
                q = q.same_period_last_year();
                history.extend(ratio_at(q));
            }
        }
        Change::YearBefore => {
            let per_year = match at {
                Period::Month { .. } => 12,
                Period::Quarter { .. } => 4,
                Period::Year { .. } => 1,
            };
            let mut q = at;
            for _ in 0..MAX_YEARS * per_year {
                q = q.prev();
                history.extend(ratio_at(q));
            }
        }
    }
    if history.len() < min_history.max(1) {
        return None;
    }
    Some(ChangeCheck {
        ratio,
        median: median(&history)?,
        z: modified_z(ratio, &history)?,
        history: history.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn median_and_mad() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        // Even count: the mean of the two middle values, (2 + 3) / 2.
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // [1, 2, 3, 4, 100]: median 3; |x − 3| = [2, 1, 0, 1, 97] → sorted [0, 1, 1, 2, 97] → 1.
        // One wild value moves neither.
        assert_eq!(mad(&[1.0, 2.0, 3.0, 4.0, 100.0]), Some(1.0));
    }

    #[test]
    fn modified_z_scores() {
        // History [1..5]: median 3, MAD 1; x = 10 → 0.6745 × (10 − 3) / 1 = 4.7215.
        let z = modified_z(10.0, &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert!(close(z, 4.7215), "{z}");
        assert!(z > DEFAULT_THRESHOLD);
        // x = 2 → 0.6745 × (2 − 3) = −0.6745.
        assert!(close(
            modified_z(2.0, &[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap(),
            -0.6745
        ));
        // MAD 0: history [1, 1, 1, 2] has median 1 and |x − 1| = [0, 0, 0, 1] → MAD 0; the mean
        // absolute deviation is 1/4, so x = 2 → (2 − 1) / (1.253314 × 0.25) = 3.191538…
        let z = modified_z(2.0, &[1.0, 1.0, 1.0, 2.0]).unwrap();
        assert!(close(z, 1.0 / 0.3133285), "{z}");
        // No spread at all: nothing to judge by.
        assert_eq!(modified_z(2.0, &[1.0, 1.0, 1.0]), None);
        assert_eq!(modified_z(2.0, &[]), None);
    }

    #[test]
    fn ratios_need_a_positive_base() {
        assert_eq!(change_ratio(Some(6.0), Some(4.0)), Some(1.5));
        assert_eq!(change_ratio(Some(6.0), Some(0.0)), None);
        assert_eq!(change_ratio(None, Some(4.0)), None);
        assert_eq!(change_ratio(Some(6.0), None), None);
    }

    fn m(y: i32, mo: u32) -> Period {
        Period::Month { year: y, month: mo }
    }

    #[test]
    fn the_february_dip_is_not_an_outlier_but_a_missing_dip_is() {
        // January 100 each year; February 60, 62, 58 in 2021–2023: Feb/Jan ratios 0.60, 0.62,
        // 0.58 → median 0.60, deviations [0, 0.02, 0.02] → MAD 0.02.
        let mut s = HashMap::new();
        for (y, feb) in [(2021, 60.0), (2022, 62.0), (2023, 58.0), (2024, 61.0)] {
            s.insert(m(y, 1), 100.0);
            s.insert(m(y, 2), feb);
        }
        // 2024: 61/100 = 0.61 → 0.6745 × 0.01 / 0.02 = 0.33725: a normal Spring Festival.
        let c = change_check(&s, m(2024, 2), Change::PeriodBefore, 3).unwrap();
        assert!(
            close(c.ratio, 0.61) && close(c.median, 0.60) && c.history == 3,
            "{c:?}"
        );
        assert!(close(c.z, 0.33725), "{c:?}");
        assert!(!c.is_outlier(3.5, 0.0));
        // No dip in 2024 (Feb = 100, ratio 1.0): 0.6745 × 0.40 / 0.02 = 13.49 → flagged.
        s.insert(m(2024, 2), 100.0);
        let c = change_check(&s, m(2024, 2), Change::PeriodBefore, 3).unwrap();
        assert!(close(c.z, 13.49), "{c:?}");
        assert!(c.is_outlier(3.5, 0.10));
        // A floor of 50 percentage points: 1.0 − 0.60 = 0.40 is below it.
        assert!(!c.is_outlier(3.5, 0.50));
        // Too little history: with min_history 4 the three earlier Februaries are not enough.
        assert_eq!(change_check(&s, m(2024, 2), Change::PeriodBefore, 4), None);
        // No ratio this period: January 2024 has no December 2023.
        assert_eq!(change_check(&s, m(2024, 1), Change::PeriodBefore, 1), None);
    }

    #[test]
    fn year_on_year_against_every_earlier_year_on_year_change() {
        // Quarters of 2021 at 100; 2022 at 110, 108, 112, 110 → yoy ratios 1.10, 1.08, 1.12,
        // 1.10 → median 1.10, deviations [0, 0.02, 0.02, 0] → sorted [0, 0, 0.02, 0.02] → MAD 0.01.
        let q = |y, n| Period::Quarter { year: y, quarter: n };
        let mut s = HashMap::new();
        for (n, v) in [(1, 110.0), (2, 108.0), (3, 112.0), (4, 110.0)] {
            s.insert(q(2021, n), 100.0);
            s.insert(q(2022, n), v);
        }
        // 2023Q1 = 165: ratio 165/110 = 1.5 → 0.6745 × 0.40 / 0.01 = 26.98.
        s.insert(q(2023, 1), 165.0);
        let c = change_check(&s, q(2023, 1), Change::YearBefore, 3).unwrap();
        assert_eq!(c.history, 4);
        assert!(close(c.ratio, 1.5) && close(c.z, 26.98), "{c:?}");
        // 2023Q1 = 121: ratio 1.1 = the median → z 0.
        s.insert(q(2023, 1), 121.0);
        let c = change_check(&s, q(2023, 1), Change::YearBefore, 3).unwrap();
        assert!(close(c.z, 0.0), "{c:?}");
    }
}
