//! County assessment (考核) arithmetic: indicator scores of 0–100, the weighted composite and
//! the rank with a tie-break. Exact decimals; every rounding is to `dp` places, half away from
//! zero, and done where the published table shows a number, so the table recomputes.

use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// 100 × (n − rank) / (n − 1) over the n counties with a value; ties share the better
    /// (competition) rank; one county alone gets 100.
    RankPoints,
    /// 100 × (v − min) / (max − min), reversed when lower is better; all equal → 100.
    MinMax,
    /// 100 × min(max(v / target, 0), cap) / cap, cap in percent.
    TargetRatio { cap_pct: Decimal },
    /// The value as a percentage clamped to 0–100 (100 − v when lower is better).
    Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub scoring: Scoring,
    pub higher_better: bool,
}

fn round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// Competition ranks (1 = best) of the present values; `None` stays `None`.
pub fn competition_ranks(values: &[Option<Decimal>], higher_better: bool) -> Vec<Option<usize>> {
    values
        .iter()
        .map(|v| {
            let v = (*v)?;
            let better = values
                .iter()
                .flatten()
                .filter(|o| if higher_better { **o > v } else { **o < v })
                .count();
            Some(better + 1)
        })
        .collect()
}

/// The scores of one indicator, rounded to `dp`, for each county (`None` where the county has
/// no value, or for `TargetRatio` no target). `None` as a whole when no county has a score:
/// the indicator is then left out of the composite.
pub fn score_indicator(
    spec: &Spec,
    values: &[Option<Decimal>],
    targets: &[Option<Decimal>],
    dp: u32,
) -> Option<Vec<Option<Decimal>>> {
    let out: Vec<Option<Decimal>> = match spec.scoring {
        Scoring::RankPoints => {
            let n = values.iter().flatten().count();
            competition_ranks(values, spec.higher_better)
                .into_iter()
                .map(|r| {
                    let r = r?;
                    Some(if n <= 1 {
                        HUNDRED
                    } else {
                        HUNDRED * Decimal::from(n - r) / Decimal::from(n - 1)
                    })
                })
                .collect()
        }
        Scoring::MinMax => {
            let min = values.iter().flatten().min().copied();
            let max = values.iter().flatten().max().copied();
            values
                .iter()
                .map(|v| {
                    let (v, min, max) = ((*v)?, min?, max?);
                    Some(if max == min {
                        HUNDRED
                    } else if spec.higher_better {
                        HUNDRED * (v - min) / (max - min)
                    } else {
                        HUNDRED * (max - v) / (max - min)
                    })
                })
                .collect()
        }
        Scoring::TargetRatio { cap_pct } => values
            .iter()
            .zip(targets.iter().chain(std::iter::repeat(&None)))
            .map(|(v, t)| {
                let (v, t) = ((*v)?, (*t)?);
                if t < Decimal::ZERO {
                    return None;
                }
                // A target of 0 (no net growth asked): met, with full marks, unless the count fell.
                if t.is_zero() {
                    return Some(if v < Decimal::ZERO { Decimal::ZERO } else { HUNDRED });
                }
                let cap = cap_pct / HUNDRED;
                let ratio = (v / t).max(Decimal::ZERO).min(cap);
                Some(HUNDRED * ratio / cap)
            })
            .collect(),
        Scoring::Percent => values
            .iter()
            .map(|v| {
                let v = (*v)?.max(Decimal::ZERO).min(HUNDRED);
                Some(if spec.higher_better { v } else { HUNDRED - v })
            })
            .collect(),
    };
    if out.iter().all(Option::is_none) {
        return None;
    }
    Some(out.into_iter().map(|s| s.map(|s| round(s, dp))).collect())
}

/// Σ weight × score / Σ weight over the indicators that are available (`Some`), rounded to
/// `dp`. A county without a score on an available indicator gets 0 for it. The weights of the
/// available indicators are thereby re-normalised to 100.
pub fn composite(
    weights: &[u32],
    scores: &[Option<Vec<Option<Decimal>>>],
    county: usize,
    dp: u32,
) -> Decimal {
    let mut num = Decimal::ZERO;
    let mut den = Decimal::ZERO;
    for (w, s) in weights.iter().zip(scores) {
        let Some(s) = s else { continue };
        let w = Decimal::from(*w);
        num += w * s[county].unwrap_or(Decimal::ZERO);
        den += w;
    }
    if den.is_zero() {
        Decimal::ZERO
    } else {
        round(num / den, dp)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Competition rank (1 = best); counties equal on the composite and every tie-break share it.
    pub rank: usize,
    /// Another county has the same composite and the same tie-break scores.
    pub tied: bool,
    /// Another county has the same composite and the tie-break separated them.
    pub tie_broken: bool,
}

/// Rank by composite (higher first), then by the tie-break scores in order (higher first).
/// `tie_scores[c]` holds county c's scores on the tie-break indicators (0 where missing).
pub fn rank(composites: &[Decimal], tie_scores: &[Vec<Decimal>]) -> Vec<Place> {
    let key = |c: usize| (composites[c], &tie_scores[c]);
    (0..composites.len())
        .map(|c| {
            let better = (0..composites.len()).filter(|&o| key(o) > key(c)).count();
            let same_comp: Vec<usize> = (0..composites.len())
                .filter(|&o| o != c && composites[o] == composites[c])
                .collect();
            Place {
                rank: better + 1,
                tied: same_comp.iter().any(|&o| tie_scores[o] == tie_scores[c]),
                tie_broken: same_comp.iter().any(|&o| tie_scores[o] != tie_scores[c]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn ds(v: &[&str]) -> Vec<Option<Decimal>> {
        v.iter()
            .map(|s| if s.is_empty() { None } else { Some(d(s)) })
            .collect()
    }
    const HI: bool = true;

    #[test]
    fn rank_points_share_the_better_rank() {
        // Values 10, 7, 7, 3, 1 → ranks 1, 2, 2, 4, 5 of n = 5; points 100 × (5 − r) / 4:
        // 100, 75, 75, 25, 0.
        let s = score_indicator(
            &Spec {
                scoring: Scoring::RankPoints,
                higher_better: HI,
            },
            &ds(&["10", "7", "7", "3", "1"]),
            &[],
            2,
        )
        .unwrap();
        assert_eq!(s, ds(&["100", "75", "75", "25", "0"]));
        // Six counties: 100 × (6 − 2) / 5 = 80; rank 3 → 60 … ; a missing value has no score
        // and does not count in n (here n = 6).
        let s = score_indicator(
            &Spec {
                scoring: Scoring::RankPoints,
                higher_better: HI,
            },
            &ds(&["6", "5", "", "4", "3", "2", "1"]),
            &[],
            2,
        )
        .unwrap();
        assert_eq!(s, ds(&["100", "80", "", "60", "40", "20", "0"]));
    }

    #[test]
    fn min_max_both_directions_and_all_equal() {
        let hi = Spec {
            scoring: Scoring::MinMax,
            higher_better: true,
        };
        // (12.5 − (−2.5)) / (17.5 − (−2.5)) = 15 / 20 → 75.
        assert_eq!(
            score_indicator(&hi, &ds(&["17.5", "12.5", "-2.5"]), &[], 2).unwrap(),
            ds(&["100", "75", "0"])
        );
        // Lower is better: (17.5 − 12.5) / 20 → 25. 1/3 rounds to 33.33.
        let lo = Spec {
            scoring: Scoring::MinMax,
            higher_better: false,
        };
        assert_eq!(
            score_indicator(&lo, &ds(&["17.5", "12.5", "-2.5"]), &[], 2).unwrap(),
            ds(&["0", "25", "100"])
        );
        assert_eq!(
            score_indicator(&hi, &ds(&["0", "1", "3"]), &[], 2).unwrap(),
            ds(&["0", "33.33", "100"])
        );
        assert_eq!(
            score_indicator(&hi, &ds(&["4", "4"]), &[], 2).unwrap(),
            ds(&["100", "100"])
        );
    }

    #[test]
    fn target_ratio_is_capped_and_floored() {
        let s = Spec {
            scoring: Scoring::TargetRatio { cap_pct: d("120") },
            higher_better: true,
        };
        // 12/10 = 120% → 100; 15/10 capped at 120% → 100; 6/10 = 60% → 60/120 = 50;
        // 7/9 = 77.77…% → 100 × 0.777…/1.2 = 64.814… → 64.81; −2/10 → 0; no target → None.
        let got = score_indicator(
            &s,
            &ds(&["12", "15", "6", "7", "-2", "5"]),
            &ds(&["10", "10", "10", "9", "10", ""]),
            2,
        )
        .unwrap();
        assert_eq!(got, ds(&["100", "100", "50", "64.81", "0", ""]));
        // A target of 0: 0 or more net new meets it (100); a fall does not (0).
        let got = score_indicator(&s, &ds(&["0", "3", "-1"]), &ds(&["0", "0", "0"]), 2).unwrap();
        assert_eq!(got, ds(&["100", "100", "0"]));
    }

    #[test]
    fn percent_clamps_and_an_indicator_without_data_is_none() {
        let s = Spec {
            scoring: Scoring::Percent,
            higher_better: true,
        };
        assert_eq!(
            score_indicator(&s, &ds(&["91.67", "105", "-1"]), &[], 2).unwrap(),
            ds(&["91.67", "100", "0"])
        );
        assert_eq!(score_indicator(&s, &ds(&["", ""]), &[], 2), None);
    }

    #[test]
    fn composite_renormalises_over_available_indicators() {
        // Weights 30/30/25/15; the third indicator has no data anywhere.
        // County 0: (30×80 + 30×50 + 15×100) / 75 = (2400 + 1500 + 1500) / 75 = 72.
        // County 1: (30×100 + 30×0 [missing] + 15×33.33) / 75 = (3000 + 499.95) / 75 = 46.666 → 46.67.
        let scores = vec![
            Some(ds(&["80", "100"])),
            Some(ds(&["50", ""])),
            None,
            Some(ds(&["100", "33.33"])),
        ];
        let w = [30, 30, 25, 15];
        assert_eq!(composite(&w, &scores, 0, 2), d("72"));
        assert_eq!(composite(&w, &scores, 1, 2), d("46.67"));
        assert_eq!(composite(&[0], &[None], 0, 2), Decimal::ZERO);
    }

    #[test]
    fn ranks_use_the_tie_break_then_share() {
        // A 80 (tb 60), B 80 (tb 75), C 90, D 80 (tb 60), E 70:
        // C first; B beats A and D on the tie-break → 2; A and D equal throughout → both 3; E 5.
        let comp = [d("80"), d("80"), d("90"), d("80"), d("70")];
        let tb = vec![
            vec![d("60")],
            vec![d("75")],
            vec![d("10")],
            vec![d("60")],
            vec![d("99")],
        ];
        let r = rank(&comp, &tb);
        let ranks: Vec<usize> = r.iter().map(|p| p.rank).collect();
        assert_eq!(ranks, [3, 2, 1, 3, 5]);
        assert!(r[0].tied && r[3].tied && !r[1].tied);
        assert!(r[0].tie_broken && r[1].tie_broken && !r[2].tie_broken && !r[4].tie_broken);
    }
}
