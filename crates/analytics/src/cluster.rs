//! Cluster metrics: revenue tiers (二.1), growth and R&D intensity in exact integers,
//! concentration (HHI, top-n share), location quotient, strong-cluster flag (U.S. Cluster
//! Mapping style) and shift-share of growth against a reference.

use crate::progress::div_round;
use clusterdesk_domain::Fen;
use serde::Serialize;

/// The revenue tiers of 二.1, with the plan's inclusivities: 超100亿 and 超500亿 are strictly
/// greater; 200–500亿 includes both ends (a cluster at exactly 500亿 is in this tier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RevenueTier {
    /// ≤ 100亿
    Under100,
    /// > 100亿 and < 200亿
    Over100,
    /// 200亿 ≤ r ≤ 500亿
    From200To500,
    /// > 500亿
    Over500,
}

impl RevenueTier {
    pub fn of(revenue: Fen) -> RevenueTier {
        let yi = 10_000_000_000i64; // 1亿元 in fen
        let r = revenue.fen();
        if r > 500 * yi {
            RevenueTier::Over500
        } else if r >= 200 * yi {
            RevenueTier::From200To500
        } else if r > 100 * yi {
            RevenueTier::Over100
        } else {
            RevenueTier::Under100
        }
    }

    /// The serde text: under100, over100, from200_to500, over500.
    pub fn code(self) -> &'static str {
        match self {
            RevenueTier::Under100 => "under100",
            RevenueTier::Over100 => "over100",
            RevenueTier::From200To500 => "from200_to500",
            RevenueTier::Over500 => "over500",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RevenueTier::Under100 => "百亿以下",
            RevenueTier::Over100 => "超百亿",
            RevenueTier::From200To500 => "200–500亿级",
            RevenueTier::Over500 => "超500亿级",
        }
    }

    /// Counts toward 二.1a (超百亿): every tier above 100亿.
    pub fn is_over_100(self) -> bool {
        self != RevenueTier::Under100
    }
}

/// Growth from `prev` to `cur` in hundredths of a percent (basis points), rounded half away
/// from zero; `None` when `prev` is not positive. 100 → 115 gives 1500 (15.00%).
pub fn growth_bp(prev: i64, cur: i64) -> Option<i64> {
    (prev > 0).then(|| div_round((cur as i128 - prev as i128) * 10_000, prev as i128) as i64)
}

/// `part / whole` in hundredths of a percent, half away from zero (R&D intensity, shares).
pub fn share_bp(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| div_round(part as i128 * 10_000, whole as i128) as i64)
}

/// Herfindahl–Hirschman index of the units' shares of the total, on the 0–10,000 scale
/// (shares in percent, squared, summed). Negative values count as zero; `None` for no total.
pub fn hhi(values: &[i64]) -> Option<f64> {
    let total: i128 = values.iter().map(|v| (*v).max(0) as i128).sum();
    if total <= 0 {
        return None;
    }
    let sq: i128 = values.iter().map(|v| ((*v).max(0) as i128).pow(2)).sum();
    // Σ (vᵢ/T)² × 10⁴ = Σ vᵢ² × 10⁴ / T²; the division is done in f64 from exact integers.
    Some(sq as f64 / (total as f64).powi(2) * 10_000.0)
}

/// Share of the `n` largest values in the total, as a fraction.
pub fn top_share(values: &[i64], n: usize) -> Option<f64> {
    let mut v: Vec<i64> = values.iter().map(|x| (*x).max(0)).collect();
    let total: i128 = v.iter().map(|x| *x as i128).sum();
    if total <= 0 {
        return None;
    }
    v.sort_unstable_by(|a, b| b.cmp(a));
    let top: i128 = v.iter().take(n).map(|x| *x as i128).sum();
    Some(top as f64 / total as f64)
}

/// Location quotient: the cluster's share of the local total over the reference's share of
/// the reference total, (lᵢ/L)/(rᵢ/R). `None` when a denominator is not positive.
pub fn location_quotient(local_i: i64, local_total: i64, ref_i: i64, ref_total: i64) -> Option<f64> {
    if local_total <= 0 || ref_i <= 0 || ref_total <= 0 {
        return None;
    }
    Some((local_i as f64 * ref_total as f64) / (local_total as f64 * ref_i as f64))
}

/// The rule for a strong cluster, after the U.S. Cluster Mapping project: specialised (LQ at
/// least `min_lq`), in the top `top_fraction` of the compared units by LQ, and of at least
/// `min_size` (employment, or revenue in fen).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrongRule {
    pub min_lq: f64,
    pub top_fraction: f64,
    pub min_size: i64,
}

impl Default for StrongRule {
    fn default() -> Self {
        StrongRule {
            min_lq: 1.0,
            top_fraction: 0.25,
            min_size: 0,
        }
    }
}

/// Flags the strong ones among `(lq, size)` pairs. The top fraction is ⌈n × top_fraction⌉
/// units by LQ (ties at the cut all count).
pub fn strong_clusters(units: &[(Option<f64>, i64)], rule: StrongRule) -> Vec<bool> {
    let mut lqs: Vec<f64> = units.iter().filter_map(|(lq, _)| *lq).collect();
    lqs.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    let k = ((lqs.len() as f64) * rule.top_fraction).ceil() as usize;
    let cut = if k == 0 { f64::INFINITY } else { lqs[k - 1] };
    units
        .iter()
        .map(|(lq, size)| match lq {
            Some(l) => *l >= rule.min_lq && *l >= cut && *size >= rule.min_size,
            None => false,
        })
        .collect()
}

/// Shift-share of a change from `local0` to `local1` (fen or counts) against a reference:
/// `reference_growth` of the whole economy (R₁/R₀ − 1) and `industry_growth` of the same
/// industry in the reference (Rᵢ₁/Rᵢ₀ − 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShiftShare {
    /// local0 × reference growth.
    pub reference: i64,
    /// local0 × (industry growth − reference growth).
    pub industry_mix: i64,
    /// The rest: the cluster's own competitive shift. The three parts sum to the change exactly.
    pub local_shift: i64,
    pub change: i64,
}

/// Each of the first two parts is rounded half away from zero to the unit; the local shift is
/// the residual, so the parts add up to `local1 − local0` exactly. Growth rates are `f64`
/// fractions (they are rates, not amounts).
pub fn shift_share(local0: i64, local1: i64, reference_growth: f64, industry_growth: f64) -> ShiftShare {
    let reference = (local0 as f64 * reference_growth).round() as i64;
    let industry_mix = (local0 as f64 * (industry_growth - reference_growth)).round() as i64;
    let change = local1 - local0;
    ShiftShare {
        reference,
        industry_mix,
        local_shift: change - reference - industry_mix,
        change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 10_000_000_000;

    #[test]
    fn tiers_follow_the_plan_inclusivities() {
        assert_eq!(RevenueTier::of(Fen(100 * YI)), RevenueTier::Under100);
        assert_eq!(RevenueTier::of(Fen(100 * YI + 1)), RevenueTier::Over100);
        assert_eq!(RevenueTier::of(Fen(200 * YI)), RevenueTier::From200To500);
        assert_eq!(RevenueTier::of(Fen(500 * YI)), RevenueTier::From200To500);
        assert_eq!(RevenueTier::of(Fen(500 * YI + 1)), RevenueTier::Over500);
        assert!(RevenueTier::Over500.is_over_100());
        // The code the metrics carry is the serde text.
        for t in [
            RevenueTier::Under100,
            RevenueTier::Over100,
            RevenueTier::From200To500,
            RevenueTier::Over500,
        ] {
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", t.code()));
        }
    }

    #[test]
    fn growth_and_shares_in_basis_points() {
        assert_eq!(growth_bp(100, 115), Some(1500));
        // 3 → 4: 33.333…% → 3333; 3 → 2: −33.33% → −3333; 6 → 7: 16.666…% → 1667.
        assert_eq!(growth_bp(3, 4), Some(3333));
        assert_eq!(growth_bp(3, 2), Some(-3333));
        assert_eq!(growth_bp(6, 7), Some(1667));
        assert_eq!(growth_bp(0, 7), None);
        // R&D 1.8亿 of 100亿 revenue: 1.80% → 180.
        assert_eq!(share_bp(18 * YI / 10, 100 * YI), Some(180));
    }

    #[test]
    fn concentration() {
        // Shares 50%, 30%, 20%: HHI = 2500 + 900 + 400 = 3800; top-2 = 80%.
        let v = [50, 30, 20];
        assert!((hhi(&v).unwrap() - 3800.0).abs() < 1e-9);
        assert!((top_share(&v, 2).unwrap() - 0.8).abs() < 1e-12);
        // Ten equal firms: HHI = 10 × 10² = 1000; top-3 = 30%.
        let e = [7; 10];
        assert!((hhi(&e).unwrap() - 1000.0).abs() < 1e-9);
        assert!((top_share(&e, 3).unwrap() - 0.3).abs() < 1e-12);
        assert!(hhi(&[]).is_none());
    }

    #[test]
    fn location_quotient_and_strong_clusters() {
        // Local: 30 of 200 (15%); reference: 50 of 1000 (5%) → LQ 3.
        assert!((location_quotient(30, 200, 50, 1000).unwrap() - 3.0).abs() < 1e-12);
        assert!(location_quotient(30, 200, 0, 1000).is_none());
        // Eight units; the top quarter is 2 units: LQ 3.0 and 2.0. The 2.0 one is too small.
        let units = [
            (Some(3.0), 100),
            (Some(2.0), 5),
            (Some(1.5), 100),
            (Some(0.5), 100),
            (Some(0.9), 100),
            (Some(1.1), 100),
            (None, 100),
            (Some(0.2), 100),
        ];
        let rule = StrongRule {
            min_size: 10,
            ..StrongRule::default()
        };
        // 7 LQs → ⌈7 × 0.25⌉ = 2 → cut at 2.0.
        assert_eq!(
            strong_clusters(&units, rule),
            vec![true, false, false, false, false, false, false, false]
        );
    }

    #[test]
    fn shift_share_adds_up() {
        // 100 → 130; reference +10%, industry +15%: reference 10, mix 100 × 5% = 5, local 15.
        let s = shift_share(100, 130, 0.10, 0.15);
        assert_eq!(
            (s.reference, s.industry_mix, s.local_shift, s.change),
            (10, 5, 15, 30)
        );
        // Rounding: 333 × 0.1 = 33.3 → 33; 333 × (0.125 − 0.1) = 8.325 → 8; residual 400−333−41.
        let s = shift_share(333, 400, 0.1, 0.125);
        assert_eq!((s.reference, s.industry_mix, s.local_shift), (33, 8, 26));
        assert_eq!(s.reference + s.industry_mix + s.local_shift, s.change);
    }
}
