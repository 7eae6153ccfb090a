//! The assembly of the county assessment (考核, `assessment.yaml`) for a year as of a month:
//! each county's raw value per indicator, what was counted, the scores, the composite and the
//! places, from the figures the store read ([`AssessmentInput`]). The scoring itself is
//! [`crate::assessment`].

use crate::assessment as calc;
use chrono::NaiveDate;
use clusterdesk_domain::clock::date_zh;
use clusterdesk_domain::{Fen, Period};
use clusterdesk_plan::Plan;
use clusterdesk_plan::assessment::{Assessment, AssessmentIndicator, Scoring, Source};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// One county's 三(二)2 figures for the year (see the store's `AboveScaleRow`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AboveScaleCounts {
    pub start: i64,
    pub entered: i64,
    pub small_to_above: i64,
    pub newly_built_or_unknown: i64,
    pub exits: i64,
    pub net_new: i64,
    pub target: Option<i64>,
}

/// What the store read for one year as of month `month`.
#[derive(Debug, Clone, Default)]
pub struct AssessmentInput {
    pub year: i32,
    pub month: u32,
    /// The Beijing date of today: a month counts for timeliness once its deadline has passed.
    pub today: Option<NaiveDate>,
    /// (code, name) of the counties, in code order.
    pub counties: Vec<(String, String)>,
    /// Σ monthly `park_entries` per cluster, months 1..M.
    pub park_by_cluster: Vec<(String, i64)>,
    /// Σ monthly `revenue` per cluster, months 1..M of the year and of the year before.
    pub revenue: Vec<(String, i64)>,
    pub revenue_prev: Vec<(String, i64)>,
    /// Per county, in the order of `counties`.
    pub above_scale: Vec<AboveScaleCounts>,
    /// Per data set the timeliness indicators read: each month's deadline (1..M) and the
    /// submissions, (county, period) → submitted at (RFC 3339, UTC).
    pub deadlines: HashMap<String, Vec<(Period, NaiveDate)>>,
    pub submissions: HashMap<String, HashMap<(String, String), Option<String>>>,
}

/// The assembled year: per county (the order of `counties`) and indicator.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// (code, name) of the counties, as in the input.
    pub counties: Vec<(String, String)>,
    pub raw: Vec<Vec<Option<Decimal>>>,
    pub raw_text: Vec<Vec<String>>,
    /// Per indicator: None when no county has data (left out of the composite).
    pub scores: Vec<Option<Vec<Option<Decimal>>>>,
    pub composites: Vec<Decimal>,
    pub places: Vec<calc::Place>,
    pub provenance: Vec<Vec<String>>,
    /// Park entries per county.
    pub park: Vec<i64>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorInfo {
    pub code: String,
    pub name: String,
    pub clause: String,
    pub unit: String,
    /// Weight as in the plan (of 100).
    pub weight: u32,
    /// Weight after leaving out indicators without data (of 100, two decimals).
    pub effective_weight: String,
    /// How the score is computed, in Chinese.
    pub scoring: String,
    /// False when no county has data: left out of the composite.
    pub available: bool,
    pub note: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorValue {
    pub code: String,
    /// The raw value (exact decimal), if any.
    pub raw: Option<String>,
    /// The raw value as people read it, e.g. `12.50%`, `净增 12 / 目标 15`, `暂无数据`.
    pub raw_text: String,
    /// Score of 0–100 as published (rounded to the plan's decimals).
    pub score: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CountyResult {
    pub county: String,
    pub name: String,
    pub values: Vec<IndicatorValue>,
    pub composite: String,
    pub rank: usize,
    /// Equal with another county on the composite and every tie-break score.
    pub tied: bool,
    /// Equal with another county on the composite, separated by the tie-break.
    pub tie_broken: bool,
    /// Rank in the previous year's full-year assessment.
    pub last_rank: Option<usize>,
    /// Places gained since last year (positive = up).
    pub rank_change: Option<i64>,
    /// What was counted (only for the caller's own county unless the caller sees the city).
    pub provenance: Vec<String>,
}

/// The data set a timeliness indicator reads (`cluster_monthly` unless the plan names one).
pub fn timeliness_dataset(ind: &clusterdesk_plan::assessment::AssessmentIndicator) -> &str {
    ind.dataset.as_deref().unwrap_or("cluster_monthly")
}

/// Rounded half away from zero to `dp` decimals.
pub fn calc_round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// A decimal with exactly `dp` decimals.
pub fn fmt_dp(d: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, d)
}

/// Fen as 万元 with two decimals.
pub fn wan(fen: i64) -> String {
    format!("{}万元", Fen(fen).wan_yuan(2))
}

/// The Beijing date of a stored UTC time.
pub fn beijing_date(rfc3339: &str) -> Option<NaiveDate> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    let bj = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(t.with_timezone(&bj).date_naive())
}

/// Each county's raw values, what was counted, scores, composite and places.
pub fn assemble(plan: &Plan, a: &Assessment, input: &AssessmentInput) -> Assembled {
    let counties = &input.counties;
    let (year, m) = (input.year, input.month);
    let idx: HashMap<&str, usize> = counties
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.as_str(), i))
        .collect();
    let n = counties.len();
    let dp = a.decimals;
    let months = if m == 1 {
        format!("{year}年1月")
    } else {
        format!("{year}年1–{m}月")
    };
    let mut raw = vec![vec![None; a.indicators.len()]; n];
    let mut raw_text = vec![vec![String::from("暂无数据"); a.indicators.len()]; n];
    let mut provenance: Vec<Vec<String>> = vec![Vec::new(); n];
    let mut targets: Vec<Vec<Option<Decimal>>> = vec![vec![None; n]; a.indicators.len()];
    let county_of = |cluster: &str| {
        plan.cluster(cluster)
            .and_then(|c| idx.get(c.county.as_str()).copied())
    };

    // Park entries and revenue: month sums per cluster, added up per county.
    let park_by_cluster = &input.park_by_cluster;
    let mut park = vec![0i64; n];
    let mut park_seen = vec![false; n];
    for (cluster, v) in park_by_cluster {
        if let Some(k) = county_of(cluster) {
            park[k] += v;
            park_seen[k] = true;
        }
    }
    let mut rev = vec![(0i64, 0i64, false, false); n];
    for (cluster, v) in &input.revenue {
        if let Some(k) = county_of(cluster) {
            rev[k].0 += v;
            rev[k].2 = true;
        }
    }
    for (cluster, v) in &input.revenue_prev {
        if let Some(k) = county_of(cluster) {
            rev[k].1 += v;
            rev[k].3 = true;
        }
    }
    let no_counts = AboveScaleCounts::default();

    for (k, ind) in a.indicators.iter().enumerate() {
        for c in 0..n {
            match ind.source {
                Source::ParkEntries => {
                    if park_seen[c] {
                        raw[c][k] = Some(Decimal::from(park[c]));
                        raw_text[c][k] = format!("{}家", park[c]);
                        let mut parts: Vec<String> = park_by_cluster
                            .iter()
                            .filter(|(cl, v)| {
                                *v > 0 && plan.cluster(cl).is_some_and(|x| x.county == counties[c].0)
                            })
                            .map(|(cl, v)| {
                                format!(
                                    "{} {v}家",
                                    plan.cluster(cl).map(|x| x.name.as_str()).unwrap_or(cl)
                                )
                            })
                            .collect();
                        parts.sort();
                        provenance[c].push(format!(
                            "入园进区({}):{months}集群月报“入园企业数”合计 {} 家{}",
                            ind.clause,
                            park[c],
                            if parts.is_empty() {
                                String::new()
                            } else {
                                format!("({})", parts.join("、"))
                            }
                        ));
                    }
                }
                Source::RevenueGrowth => {
                    let (now, before, has_now, has_before) = rev[c];
                    if has_now && has_before && before > 0 {
                        let g = calc_round(
                            Decimal::from(now - before) * Decimal::ONE_HUNDRED / Decimal::from(before),
                            dp,
                        );
                        raw[c][k] = Some(g);
                        raw_text[c][k] = format!("{}%", fmt_dp(g, dp));
                        provenance[c].push(format!(
                            "营业收入增速({}):{months}集群营业收入 {},上年同期 {},增长 {}%",
                            ind.clause,
                            wan(now),
                            wan(before),
                            fmt_dp(g, dp)
                        ));
                    }
                }
                Source::NetNewAboveScale => {
                    let r = input.above_scale.get(c).unwrap_or(&no_counts);
                    raw[c][k] = Some(Decimal::from(r.net_new));
                    targets[k][c] = r.target.map(Decimal::from);
                    raw_text[c][k] = match r.target {
                        Some(t) => format!("净增 {} / 目标 {t}", r.net_new),
                        None => format!("净增 {}(无目标)", r.net_new),
                    };
                    provenance[c].push(format!(
                        "净增规上({}):年初 {} 家,新入统 {} 家(小升规 {},新建入统或无法区分 {}),退出 {} 家,净增 {} 家;目标 {}",
                        ind.clause,
                        r.start,
                        r.entered,
                        r.small_to_above,
                        r.newly_built_or_unknown,
                        r.exits,
                        r.net_new,
                        r.target.map(|t| format!("{t} 家")).unwrap_or_else(|| "未下达".into())
                    ));
                }
                Source::ReportingTimeliness | Source::ProblemsClosedOnTime => {}
            }
        }
        if ind.source == Source::ReportingTimeliness {
            let dataset = timeliness_dataset(ind);
            let none = HashMap::new();
            let sub = input.submissions.get(dataset).unwrap_or(&none);
            let due: Vec<(Period, NaiveDate)> = input
                .deadlines
                .get(dataset)
                .into_iter()
                .flatten()
                .filter(|(_, d)| input.today.is_some_and(|t| *d < t))
                .copied()
                .collect();
            if due.is_empty() {
                continue;
            }
            for (c, (code, _)) in counties.iter().enumerate() {
                let mut on_time = 0usize;
                let mut late: Vec<String> = Vec::new();
                for (p, d) in &due {
                    match sub.get(&(code.clone(), p.to_string())).cloned().flatten() {
                        Some(at) => match beijing_date(&at) {
                            Some(day) if day <= *d => on_time += 1,
                            Some(day) => late.push(format!(
                                "{} 于 {} 提交(截止 {})",
                                p.label_zh(),
                                date_zh(day),
                                date_zh(*d)
                            )),
                            None => late.push(format!("{} 提交时间无法识别", p.label_zh())),
                        },
                        None => late.push(format!("{} 未提交(截止 {})", p.label_zh(), date_zh(*d))),
                    }
                }
                let rate = calc_round(
                    Decimal::from(on_time as i64) * Decimal::ONE_HUNDRED / Decimal::from(due.len() as i64),
                    dp,
                );
                raw[c][k] = Some(rate);
                raw_text[c][k] = format!("{}%({on_time}/{})", fmt_dp(rate, dp), due.len());
                provenance[c].push(format!(
                    "报送及时率({}):已到期 {} 个月,按期 {on_time} 个{}",
                    ind.clause,
                    due.len(),
                    if late.is_empty() {
                        String::new()
                    } else {
                        format!(";逾期或未报:{}", late.join(";"))
                    }
                ));
            }
        }
    }

    let scores: Vec<Option<Vec<Option<Decimal>>>> = a
        .indicators
        .iter()
        .enumerate()
        .map(|(k, ind)| {
            let scoring = match ind.scoring {
                Scoring::RankPoints => calc::Scoring::RankPoints,
                Scoring::MinMax => calc::Scoring::MinMax,
                Scoring::TargetRatio => calc::Scoring::TargetRatio {
                    cap_pct: ind.cap_pct.unwrap_or(Decimal::ONE_HUNDRED),
                },
                Scoring::Percent => calc::Scoring::Percent,
            };
            let values: Vec<Option<Decimal>> = (0..n).map(|c| raw[c][k]).collect();
            calc::score_indicator(
                &calc::Spec {
                    scoring,
                    higher_better: ind.higher_better,
                },
                &values,
                &targets[k],
                dp,
            )
        })
        .collect();
    let weights: Vec<u32> = a.indicators.iter().map(|i| i.weight).collect();
    let composites: Vec<Decimal> = (0..n)
        .map(|c| calc::composite(&weights, &scores, c, dp))
        .collect();
    let tb_idx: Vec<usize> = a
        .tie_break
        .iter()
        .filter_map(|code| a.indicators.iter().position(|i| &i.code == code))
        .collect();
    let tie_scores: Vec<Vec<Decimal>> = (0..n)
        .map(|c| {
            tb_idx
                .iter()
                .map(|k| scores[*k].as_ref().and_then(|s| s[c]).unwrap_or(Decimal::ZERO))
                .collect()
        })
        .collect();
    let places = calc::rank(&composites, &tie_scores);
    Assembled {
        counties: counties.clone(),
        raw,
        raw_text,
        scores,
        composites,
        places,
        provenance,
        park,
    }
}

/// The report's table of a year: each indicator (effective weight, how it is scored), the
/// notes, and every county's values, scores, composite and place, best first, with last
/// year's place when `last` (the previous full year) is given. What was counted is kept only
/// for the reader's county (`own`; every county for the city).
pub fn shape(a: &Assessment, cur: &Assembled, last: Option<&Assembled>, own: Option<&str>) -> Shaped {
    let sees = |county: &str| own.is_none_or(|o| o == county);
    let dp = a.decimals;

    let n_avail_weight: u32 = a
        .indicators
        .iter()
        .zip(&cur.scores)
        .filter(|(_, s)| s.is_some())
        .map(|(i, _)| i.weight)
        .sum();
    let indicators: Vec<IndicatorInfo> = a
        .indicators
        .iter()
        .zip(&cur.scores)
        .map(|(i, s)| IndicatorInfo {
            code: i.code.clone(),
            name: i.name.clone(),
            clause: i.clause.clone(),
            unit: i.unit.clone(),
            weight: i.weight,
            effective_weight: if s.is_some() && n_avail_weight > 0 {
                fmt_dp(
                    calc_round(
                        Decimal::from(i.weight) * Decimal::ONE_HUNDRED / Decimal::from(n_avail_weight),
                        2,
                    ),
                    2,
                )
            } else {
                "0.00".into()
            },
            scoring: scoring_text(i),
            available: s.is_some(),
            note: i.note.clone(),
        })
        .collect();
    let mut notes = Vec::new();
    for (i, s) in a.indicators.iter().zip(&cur.scores) {
        if s.is_none() && i.weight > 0 {
            notes.push(format!(
                "“{}”本期各县(市)均无数据,不计入综合得分,其余指标权重按比例折算为100。",
                i.name
            ));
        }
    }
    notes.push(format!(
            "综合得分 = Σ(权重 × 指标得分) ÷ Σ权重;指标得分与综合得分均四舍五入保留 {dp} 位小数,综合得分由表中公布的指标得分算出。"
        ));
    notes.push(format!(
        "综合得分相同时依次比较:{};仍相同则名次并列。",
        a.tie_break
            .iter()
            .filter_map(|c| a.indicator(c))
            .map(|i| i.name.clone())
            .collect::<Vec<_>>()
            .join("、")
    ));
    let mut rows: Vec<CountyResult> = Vec::new();
    for (c, (code, name)) in cur.counties.iter().enumerate() {
        let last_rank = last.and_then(|l| {
            l.counties
                .iter()
                .position(|(lc, _)| lc == code)
                .map(|k| l.places[k].rank)
        });
        rows.push(CountyResult {
            county: code.clone(),
            name: name.clone(),
            values: a
                .indicators
                .iter()
                .enumerate()
                .map(|(k, i)| IndicatorValue {
                    code: i.code.clone(),
                    raw: cur.raw[c][k].map(|d| d.to_string()),
                    raw_text: cur.raw_text[c][k].clone(),
                    score: cur.scores[k]
                        .as_ref()
                        .map(|s| fmt_dp(s[c].unwrap_or(Decimal::ZERO), dp)),
                })
                .collect(),
            composite: fmt_dp(cur.composites[c], dp),
            rank: cur.places[c].rank,
            tied: cur.places[c].tied,
            tie_broken: cur.places[c].tie_broken,
            last_rank,
            rank_change: last_rank.map(|l| l as i64 - cur.places[c].rank as i64),
            provenance: if sees(code) {
                cur.provenance[c].clone()
            } else {
                Vec::new()
            },
        });
    }
    rows.sort_by(|x, y| x.rank.cmp(&y.rank).then(x.county.cmp(&y.county)));
    Shaped {
        indicators,
        notes,
        rows,
    }
}

/// The shaped table of [`shape`].
#[derive(Debug, Clone)]
pub struct Shaped {
    pub indicators: Vec<IndicatorInfo>,
    pub notes: Vec<String>,
    pub rows: Vec<CountyResult>,
}

/// How an indicator is scored, for people.
pub fn scoring_text(i: &AssessmentIndicator) -> String {
    match i.scoring {
        Scoring::RankPoints => "按名次计分:第1名100分,末名0分,其间等差;并列取较好名次".into(),
        Scoring::MinMax => format!(
            "按极差计分:{}者100分,{}者0分,其间按比例",
            if i.higher_better { "最高" } else { "最低" },
            if i.higher_better { "最低" } else { "最高" }
        ),
        Scoring::TargetRatio => format!(
            "按目标完成率计分:完成率 ÷ {cap}% × 100,完成率超过 {cap}% 的按 {cap}% 计,负值计0分;目标为0时净增不为负即得满分",
            cap = i.cap_pct.unwrap_or_default()
        ),
        Scoring::Percent => {
            if i.higher_better {
                "百分率即得分(0–100)".into()
            } else {
                "100 − 百分率".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YI: i64 = 10_000_000_000;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// 泊头 (C17, C19), 任丘 (C11) and 河间 (C12) in 2026 to March, on 20 April.
    fn input() -> AssessmentInput {
        let s = |c: &str, v: i64| (c.to_string(), v);
        let counts = |net_new: i64, target: i64| AboveScaleCounts {
            start: 100,
            entered: net_new.max(0) + 1,
            small_to_above: 1,
            newly_built_or_unknown: net_new.max(0),
            exits: 1 - net_new.min(0),
            net_new,
            target: Some(target),
        };
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let deadlines = vec![
            (Period::month(2026, 1), date("2026-02-10")),
            (Period::month(2026, 2), date("2026-03-10")),
            (Period::month(2026, 3), date("2026-04-10")),
        ];
        let mut sub = HashMap::new();
        let at = |county: &str, p: &str, t: &str| ((county.to_string(), p.to_string()), Some(t.to_string()));
        // 泊头: January on the deadline day (23:00 Beijing), February half an hour after
        // midnight Beijing of the 11th (late), March early. 任丘: all early. 河间: none.
        sub.extend([
            at("130981", "2026-01", "2026-02-10T15:00:00Z"),
            at("130981", "2026-02", "2026-03-10T16:30:00Z"),
            at("130981", "2026-03", "2026-04-01T02:00:00Z"),
            at("130982", "2026-01", "2026-02-01T02:00:00Z"),
            at("130982", "2026-02", "2026-03-01T02:00:00Z"),
            at("130982", "2026-03", "2026-04-01T02:00:00Z"),
        ]);
        AssessmentInput {
            year: 2026,
            month: 3,
            today: Some(date("2026-04-20")),
            counties: vec![
                ("130981".into(), "泊头市".into()),
                ("130982".into(), "任丘市".into()),
                ("130984".into(), "河间市".into()),
            ],
            park_by_cluster: vec![s("C11", 4), s("C17", 5), s("C19", 3)],
            revenue: vec![s("C11", 200 * YI), s("C12", 50 * YI), s("C17", 110 * YI)],
            revenue_prev: vec![s("C11", 200 * YI), s("C17", 100 * YI)],
            above_scale: vec![counts(6, 12), counts(15, 10), counts(-2, 5)],
            deadlines: HashMap::from([("cluster_monthly".to_string(), deadlines)]),
            submissions: HashMap::from([("cluster_monthly".to_string(), sub)]),
        }
    }

    #[test]
    fn the_year_assembled_by_hand() {
        let plan = Plan::embedded().unwrap();
        let a = plan.assessment.as_ref().unwrap();
        let codes: Vec<&str> = a.indicators.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "revenue_growth",
                "net_new_above_scale",
                "park_entries",
                "reporting_timeliness",
                "problems_closed_on_time"
            ]
        );
        let r = assemble(&plan, a, &input());
        // Raw values. Growth: 泊头 110/100 − 1 = 10.00%, 任丘 0.00%, 河间 none (no 2025 figure).
        // Park entries: 泊头 5 + 3 = 8, 任丘 4, 河间 none. Timeliness: 泊头 2 of 3 = 66.67%,
        // 任丘 100.00%, 河间 0.00%.
        let raw = |c: usize| r.raw[c].clone();
        assert_eq!(
            raw(0),
            [
                Some(d("10.00")),
                Some(d("6")),
                Some(d("8")),
                Some(d("66.67")),
                None
            ]
        );
        assert_eq!(
            raw(1),
            [
                Some(d("0.00")),
                Some(d("15")),
                Some(d("4")),
                Some(d("100.00")),
                None
            ]
        );
        assert_eq!(raw(2), [None, Some(d("-2")), None, Some(d("0.00")), None]);
        assert_eq!(
            r.raw_text[0][..4],
            ["10.00%", "净增 6 / 目标 12", "8家", "66.67%(2/3)"]
        );
        assert_eq!(r.raw_text[2][0], "暂无数据");
        assert_eq!(r.park, [8, 4, 0]);
        // Scores. Growth min–max: 100, 0, none. Net new against target, capped at 120%:
        // 100 × 0.5/1.2 = 41.67; 1.5 → 1.2 → 100; negative → 0. Park entries by rank of the two
        // with a value: 100, 0. Timeliness as a percentage. Problems: no county has data.
        let sc = |k: usize| r.scores[k].clone();
        assert_eq!(sc(0), Some(vec![Some(d("100")), Some(d("0")), None]));
        assert_eq!(sc(1), Some(vec![Some(d("41.67")), Some(d("100")), Some(d("0"))]));
        assert_eq!(sc(2), Some(vec![Some(d("100")), Some(d("0")), None]));
        assert_eq!(
            sc(3),
            Some(vec![Some(d("66.67")), Some(d("100.00")), Some(d("0.00"))])
        );
        assert_eq!(sc(4), None);
        // Composite over the weights 30, 30, 25, 15: 泊头 (3000 + 1250.1 + 2500 + 1000.05)/100 =
        // 77.5015 → 77.50; 任丘 (3000 + 1500)/100 = 45.00; 河间 0.
        assert_eq!(r.composites, [d("77.50"), d("45.00"), d("0.00")]);
        let ranks: Vec<usize> = r.places.iter().map(|p| p.rank).collect();
        assert_eq!(ranks, [1, 2, 3]);
        // What was counted.
        assert!(r.provenance[0].contains(
            &"入园进区(三(二)1):2026年1–3月集群月报“入园企业数”合计 8 家(环保设备 5家、铸造 3家)".to_string()
        ));
        assert!(r.provenance[0].contains(
            &"报送及时率(四(四)):已到期 3 个月,按期 2 个;逾期或未报:2026年2月 于 2026年3月11日 提交(截止 2026年3月10日)"
                .to_string()
        ));
        assert!(r.provenance[2].iter().all(|p| !p.starts_with("营业收入增速")));
    }

    #[test]
    fn a_month_not_yet_due_does_not_count() {
        let plan = Plan::embedded().unwrap();
        let a = plan.assessment.as_ref().unwrap();
        // On 10 February nothing is past its deadline: no timeliness figure at all.
        let mut i = input();
        i.today = NaiveDate::from_ymd_opt(2026, 2, 10);
        let r = assemble(&plan, a, &i);
        assert!(r.raw.iter().all(|c| c[3].is_none()));
        assert_eq!(r.scores[3], None);
        // On 11 February January is due: 泊头 and 任丘 on time, 河间 not.
        i.today = NaiveDate::from_ymd_opt(2026, 2, 11);
        let r = assemble(&plan, a, &i);
        let t: Vec<Option<Decimal>> = r.raw.iter().map(|c| c[3]).collect();
        assert_eq!(t, [Some(d("100.00")), Some(d("100.00")), Some(d("0.00"))]);
    }

    #[test]
    fn the_table_is_shaped_for_the_reader() {
        let plan = Plan::embedded().unwrap();
        let a = plan.assessment.as_ref().unwrap();
        let cur = assemble(&plan, a, &input());
        // Last year 河间 was first and 泊头 third.
        let mut last = cur.clone();
        last.places[0].rank = 3;
        last.places[2].rank = 1;
        let t = shape(a, &cur, Some(&last), Some("130982"));
        // Problems have no data (and weight 0): the others keep 30/30/25/15 of 100.
        let w: Vec<(&str, bool)> = t
            .indicators
            .iter()
            .map(|i| (i.effective_weight.as_str(), i.available))
            .collect();
        assert_eq!(
            w,
            [
                ("30.00", true),
                ("30.00", true),
                ("25.00", true),
                ("15.00", true),
                ("0.00", false)
            ]
        );
        assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
        assert!(
            t.notes[1].ends_with(
                "入园进区、净增规上工业企业目标完成率、集群营业收入增速、按月报送及时率;仍相同则名次并列。"
            ),
            "{}",
            t.notes[1]
        );
        let rows: Vec<(&str, usize, Option<i64>, &str)> = t
            .rows
            .iter()
            .map(|r| (r.county.as_str(), r.rank, r.rank_change, r.composite.as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("130981", 1, Some(2), "77.50"),
                ("130982", 2, Some(0), "45.00"),
                ("130984", 3, Some(-2), "0.00")
            ]
        );
        // 任丘 reads what was counted for itself only; scores as published.
        assert!(t.rows[0].provenance.is_empty() && !t.rows[1].provenance.is_empty());
        let v = &t.rows[0].values[1];
        assert_eq!((v.raw.as_deref(), v.score.as_deref()), (Some("6"), Some("41.67")));
        assert_eq!(t.rows[0].values[4].score, None);
    }
}
