//! The hand-computed fixture of the store's `tests/progress.rs`, handed to the pure functions
//! as the rows the store would read: no database. Every figure is computed by hand in the
//! comments.
//!
//! Fixture (亿元 = 10¹⁰ fen):
//! - clusters C11 任丘 石油化工, C17 泊头 环保设备, C19 泊头 铸造;
//! - enterprises E1 (泊头, C17), E2 (任丘, C11), E3 (泊头, C19 from 2020-01-01 to 2023-07-01,
//!   then in no cluster), E4 (泊头, C17; only its 2025 revenue is known).

use clusterdesk_analytics::metrics::cluster_metrics;
use clusterdesk_analytics::progress_data::{Checkpoint, ProgressData, members_key};
use clusterdesk_analytics::targets::{
    ProgressReport, TargetProgress, county_ranks, progress_report, target_detail,
};
use clusterdesk_domain::Period;
use clusterdesk_plan::Plan;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

const YI: i64 = 10_000_000_000;
const E1: &str = "E1";
const E2: &str = "E2";
const E3: &str = "E3";
const E4: &str = "E4";

fn plan() -> Plan {
    Plan::embedded().unwrap()
}

/// The rows the store reads as of the end of `year`-`month`: nothing after that month.
fn data(plan: &Plan, year: i32, month: u32) -> ProgressData {
    let last = Checkpoint { year, month }.index();
    let mut d = ProgressData {
        cluster_county: plan
            .clusters
            .iter()
            .map(|c| (c.code.clone(), c.county.clone()))
            .collect(),
        ..Default::default()
    };
    let mut put = |ind: &str, unit: &str, period: &str, v: i64| {
        let p = Period::parse(period).unwrap();
        if p.end_index() <= last {
            d.cluster_rows
                .entry(ind.to_string())
                .or_default()
                .push((unit.to_string(), p, v));
        }
    };
    // Revenue. C11: year values 450亿 (2021), 520亿 (2025). C17: twelve months of 10亿 in 2021
    // (120亿) and of 25亿 in 2025 (300亿). C19: exactly 100亿 (2021) and exactly 500亿 (2025).
    put("revenue", "C11", "2021", 450 * YI);
    put("revenue", "C11", "2025", 520 * YI);
    for m in 1..=12 {
        put("revenue", "C17", &format!("2021-{m:02}"), 10 * YI);
        put("revenue", "C17", &format!("2025-{m:02}"), 25 * YI);
    }
    put("revenue", "C19", "2021", 100 * YI);
    put("revenue", "C19", "2025", 500 * YI);
    // R&D: C11 10亿 (2021) → 17.49亿 (2025).
    put("rd_expense", "C11", "2021", 10 * YI);
    put("rd_expense", "C11", "2025", 1749 * YI / 100);
    // Invention patents summed per cluster over its members at each year end: E1 100 → 200
    // (C17), E2 50 → 200 (C11), E3 40 in 2021 (C19); E3 left in 2023, so C19 has no 2025 sum.
    let pk = members_key("invention_patents");
    for (c, y, n) in [
        ("C17", "2021", 100),
        ("C17", "2025", 200),
        ("C11", "2021", 50),
        ("C11", "2025", 200),
        ("C19", "2021", 40),
    ] {
        put(&pk, c, y, n);
    }
    // Standards (flow): C17 5 (2021, the baseline: not counted), 3 (2022), 4 (2023), 8 (2025);
    // C11 20 (2024).
    for (c, y, n) in [
        ("C17", "2021", 5),
        ("C17", "2022", 3),
        ("C17", "2023", 4),
        ("C17", "2025", 8),
        ("C11", "2024", 20),
    ] {
        put("standards", c, y, n);
    }
    // Digitalisation rate (percent × 100).
    for (c, y, n) in [
        ("C17", "2021", 4000),
        ("C11", "2021", 5000),
        ("C17", "2025", 6100),
        ("C11", "2025", 5950),
        ("C19", "2025", 6000),
    ] {
        put("digitalization_rate", c, y, n);
    }
    // 工业巡诊 (三(二)3, ≥600 a year): 100 a month on the 泊头 county unit in 2025-01..03, and
    // 200 on C11 in 2025-06 → the city 500 in 2025.
    for m in 1..=3 {
        put("diagnosis_visits", "130981", &format!("2025-{m:02}"), 100);
    }
    put("diagnosis_visits", "C11", "2025-06", 200);
    for (u, c, to) in [
        (E1, "C17", None),
        (E2, "C11", None),
        (E3, "C19", Some("2023-07-01")),
        (E4, "C17", None),
    ] {
        d.members.entry(u.to_string()).or_default().push((
            c.to_string(),
            "2020-01-01".to_string(),
            to.map(str::to_string),
        ));
    }
    let q = |u: &str, kind: &str, level: &str, from: &str, to: Option<&str>| {
        (
            u.to_string(),
            kind.to_string(),
            level.to_string(),
            from.to_string(),
            to.map(str::to_string),
        )
    };
    d.quals = vec![
        q(E1, "high_tech", "", "2020-01-01", Some("2023-01-01")),
        q(E1, "high_tech", "", "2023-06-01", Some("2026-06-01")),
        q(E2, "high_tech", "", "2022-03-01", Some("2025-03-01")),
        q(E3, "high_tech", "", "2019-01-01", None),
        q(E1, "innovative_sme", "", "2022-05-01", None),
        q(E1, "specialized_sme", "", "2023-01-01", None),
        q(E2, "little_giant", "national", "2024-01-01", None),
        q(E2, "listed", "main_board", "2019-01-01", None),
        q(E1, "listed", "neeq", "2024-01-01", None),
        q(E1, "innovation_platform", "provincial", "2021-06-01", None),
        q(E1, "innovation_platform", "national", "2024-01-01", None),
        q(
            E2,
            "innovation_platform",
            "provincial",
            "2020-01-01",
            Some("2022-01-01"),
        ),
        q(E1, "well_known_trademark", "", "2023-05-01", None),
        q(E2, "well_known_trademark", "", "2021-06-01", None),
        q(E3, "well_known_trademark", "", "2024-02-01", None),
        q(E1, "leading_enterprise", "", "2022-10-01", None),
    ];
    // The store hands them sorted by kind.
    d.quals.sort_by(|a, b| a.1.cmp(&b.1));
    d
}

fn report(year: i32, month: u32, county: Option<&str>) -> ProgressReport {
    let plan = plan();
    progress_report(
        &plan,
        &data(&plan, year, month),
        Checkpoint { year, month },
        county,
    )
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn row<'a>(r: &'a ProgressReport, id: &str) -> &'a TargetProgress {
    r.targets
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("{id}"))
}

/// Equal to the six decimals the comments give (their rounding is at most 5e-7).
fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[test]
fn every_target_agrees_with_the_hand_computation() {
    let r = report(2025, 12, None);
    assert_eq!(r.as_of, "2025-12");
    let mut clauses: Vec<&str> = r.targets.iter().map(|t| t.clause.as_str()).collect();
    clauses.dedup();
    assert_eq!(
        clauses,
        [
            "二.1a", "二.1b", "二.1c", "二.2a", "二.2b", "二.2c", "二.3a", "二.3b", "二.3c", "二.4a",
            "二.4b", "二.4c"
        ]
    );
    assert_eq!(r.targets.len(), 13, "二.3c has its main-board row too");
    for t in &r.targets {
        assert!(t.is_final, "{}: 2025 is past at 2025-12", t.id);
        assert_eq!(t.value_period, "2025", "{}", t.id);
    }

    // 二.1a 超100亿 (strictly). 2021: C11 450 yes, C17 12×10 = 120 yes, C19 exactly 100 no → 2.
    // 2025: C11 520, C17 12×25 = 300, C19 500 → 3. Target 25: required (25/2)^(1/4) − 1 =
    // 0.880302, observed (3/2)^(1/4) − 1 = 0.106682, ratio 0.121188 → 进展有限.
    let t = row(&r, "二.1a");
    assert_eq!((t.baseline, t.value, t.target), (d("2"), d("3"), Some(d("25"))));
    assert_eq!(t.unit, "个");
    assert_eq!(
        (t.status.code(), t.status_label.as_str()),
        ("limited_progress", "进展有限")
    );
    assert_eq!(t.method, "cagr");
    assert!(close(t.required_rate, 0.880302), "{:?}", t.required_rate);
    assert!(close(t.observed_rate, 0.106682), "{:?}", t.observed_rate);
    assert!(close(t.ratio, 0.121188), "{:?}", t.ratio);
    // The series: the baseline year and the deadline year (no revenue stored in 2022–2024).
    let periods: Vec<&str> = t.series.iter().map(|p| p.period.as_str()).collect();
    assert_eq!(periods, ["2021", "2025"]);
    // Linear phasing 2 → 25 over 4 years: 7.75 → 8, 13.5 → 14, 19.25 → 19, 25.
    assert_eq!(t.series[1].milestone, Some(d("25")));

    // 二.1b 超500亿: 2021 none; 2025 C11 520 (C19 at exactly 500 is not 超500) → 1; the 600亿
    // of 2026-01 is after the as-of month. Baseline 0 → linear: required 2/4 = 0.5 a year,
    // observed 1/4 = 0.25, ratio 0.5 → 进展有限.
    let t = row(&r, "二.1b");
    assert_eq!((t.baseline, t.value), (d("0"), d("1")));
    assert_eq!(t.method, "linear");
    assert!(close(t.ratio, 0.5));
    assert_eq!(t.status.code(), "limited_progress");

    // 二.1c 200–500亿 inclusive: 2021 C11 450 → 1; 2025 C17 300, C19 500 → 2. Target 8:
    // required 8^(1/4) − 1 = 0.681793, observed 2^(1/4) − 1 = 0.189207, ratio 0.277514.
    let t = row(&r, "二.1c");
    assert_eq!((t.baseline, t.value), (d("1"), d("2")));
    assert!(close(t.ratio, 0.277514), "{:?}", t.ratio);
    assert_eq!(t.status.code(), "limited_progress");

    // 二.2a R&D 年均增长15%: 10亿 → 17.49亿 in 4 years; 1.749^(1/4) − 1 = 0.149999 < 0.15.
    // Target level 10亿 × 1.15⁴ = 17.4900625亿 = 174,900,625,000 fen = 1,749,006,250.00 元.
    // Not achieved at the deadline; ratio 0.99999 would be 进度正常 but a missed deadline
    // reads 需加快.
    let t = row(&r, "二.2a");
    assert_eq!(t.unit, "元");
    assert_eq!(t.baseline, d("1000000000.00"));
    assert_eq!(t.value, d("1749000000.00"));
    assert_eq!(t.target, Some(d("1749006250.00")));
    assert_eq!(t.target_growth_pct, Some(d("15")));
    assert!(close(t.observed_rate, 0.149999), "{:?}", t.observed_rate);
    assert_eq!(t.status.code(), "needs_acceleration");
    // Compound phasing: 11.5亿, 13.225亿, 15.20875亿, 17.4900625亿 (all exact in fen).
    let ms: Vec<Decimal> = t.series.iter().filter_map(|p| p.milestone).collect();
    assert_eq!(ms, [d("1000000000.00"), d("1749006250.00")]);

    // 二.2b patents 年均增长20%: 2021 E1 100 + E2 50 + E3 40 (a member then) = 190; 2025 E1 200
    // + E2 200 = 400 (E3 left in 2023: its 1000 do not count). Target 190 × 1.2⁴ = 393.984 →
    // 394. Observed (400/190)^(1/4) − 1 = 0.204555 ≥ 0.2 → 已达成.
    let t = row(&r, "二.2b");
    assert_eq!(
        (t.baseline, t.value, t.target),
        (d("190"), d("400"), Some(d("394")))
    );
    assert!(close(t.observed_rate, 0.204555), "{:?}", t.observed_rate);
    assert_eq!((t.status.code(), t.status_label.as_str()), ("achieved", "已达成"));

    // 二.2c platforms (every platform counts): 2021-12-31 E1 provincial + E2 provincial (until
    // 2022-01-01) = 2; 2025 E1 provincial + E1 national = 2. 突破150: observed 0 → ratio 0 →
    // 进展有限.
    let t = row(&r, "二.2c");
    assert_eq!((t.baseline, t.value, t.target), (d("2"), d("2"), Some(d("150"))));
    assert_eq!(t.comparison.code(), "gt");
    assert!(close(t.ratio, 0.0));
    assert_eq!(t.status.code(), "limited_progress");

    // 二.3a 高企: 2021 E1 (first certificate) + E3 = 2; 2025 E1 (second certificate) only — E2's
    // expired 2025-03-01, E3 left its cluster → 1. Observed (1/2)^(1/4) − 1 < 0 → 倒退.
    let t = row(&r, "二.3a");
    assert_eq!((t.baseline, t.value), (d("2"), d("1")));
    assert_eq!(
        (t.status.code(), t.status_label.as_str()),
        ("deteriorating", "倒退")
    );

    // 二.3b 创新型 ∪ 专精特新 (incl. 小巨人), one enterprise once: 2021 none; 2025 E1 (both kinds)
    // and E2 (little giant) → 2. Linear: 2/4 = 0.5 a year against 600/4 = 150 → 0.00333.
    let t = row(&r, "二.3b");
    assert_eq!((t.baseline, t.value), (d("0"), d("2")));
    assert!(close(t.ratio, 0.5 / 150.0));
    assert_eq!(t.status.code(), "limited_progress");

    // 二.3c listed or quoted: 2021 E2 (main board) → 1; 2025 E2 + E1 (NEEQ) → 2. Target 45:
    // required 45^(1/4) − 1 = 1.590020, observed 2^(1/4) − 1 = 0.189207.
    let t = row(&r, "二.3c");
    assert_eq!((t.baseline, t.value, t.target), (d("1"), d("2"), Some(d("45"))));
    assert!(close(t.ratio, 0.189207 / 1.590020), "{:?}", t.ratio);
    // 二.3c-main: 1 → 1 against 超10.
    let t = row(&r, "二.3c-main");
    assert_eq!(
        (t.clause.as_str(), t.baseline, t.value),
        ("二.3c", d("1"), d("1"))
    );
    assert_eq!(t.status.code(), "limited_progress");

    // 二.4a new well-known trademarks 2022–2025: E1 2023 yes; E2 2021 is the baseline year; E3
    // 2024 was no longer a member → 1 against 2–3 (met at 2). Linear 0.25/0.5 → 进展有限.
    let t = row(&r, "二.4a");
    assert_eq!(
        (t.baseline, t.value, t.target, t.target_max),
        (d("0"), d("1"), Some(d("2")), Some(d("3")))
    );
    assert!(close(t.ratio, 0.5));
    assert_eq!(t.status.code(), "limited_progress");

    // 二.4b standards since 2021: 3 + 4 + 20 + 8 = 35 ≥ 30 → 已达成; cumulative series
    // 2021 0, 2022 3, 2023 7, 2024 27, 2025 35.
    let t = row(&r, "二.4b");
    assert_eq!((t.baseline, t.value), (d("0"), d("35")));
    assert_eq!(t.status.code(), "achieved");
    let s: Vec<(String, Decimal)> = t.series.iter().map(|p| (p.period.clone(), p.value)).collect();
    assert_eq!(
        s,
        [
            ("2021".to_string(), d("0")),
            ("2022".into(), d("3")),
            ("2023".into(), d("7")),
            ("2024".into(), d("27")),
            ("2025".into(), d("35"))
        ]
    );
    // Linear milestones 7.5 → 8 (half away), 15, 22.5 → 23, 30.
    let ms: Vec<Decimal> = t.series.iter().filter_map(|p| p.milestone).collect();
    assert_eq!(ms, [d("0"), d("8"), d("15"), d("23"), d("30")]);

    // 二.4c digitalisation: 2021 (40.00 + 50.00)/2 = 45.00%; 2025 (61.00 + 59.50 + 60.00)/3 =
    // 60.1666… → 60.17% ≥ 60% → 已达成.
    let t = row(&r, "二.4c");
    assert_eq!(
        (t.baseline, t.value, t.target),
        (d("45.00"), d("60.17"), Some(d("60.00")))
    );
    assert_eq!(t.unit, "%");
    assert_eq!(t.status.code(), "achieved");
}

#[test]
fn mid_year_uses_only_data_up_to_the_month_and_forecasts() {
    let r = report(2025, 6, None);
    // 二.4b as of 2025-06: the 2025 yearly value (period 2025 ends in December) is not in yet:
    // 3 + 4 + 20 = 27 by 2025-06 (t = 2024.5). Required 30/4 = 7.5 a year; observed 27/3.5 =
    // 7.714; ratio 1.0286 → 进度正常; not final.
    let t = row(&r, "二.4b");
    assert_eq!(t.value, d("27"));
    assert_eq!(t.value_period, "2025-06");
    assert!(!t.is_final);
    assert!(close(t.ratio, 27.0 / 3.5 / 7.5), "{:?}", t.ratio);
    assert_eq!(
        (t.status.code(), t.status_label.as_str()),
        ("on_track", "进度正常")
    );
    // Forecast by the pace achieved: 27 + 7.714 × 0.5 = 30.857 → 31 ≥ 30: met on this trend.
    let f = t.forecast.as_ref().unwrap();
    assert_eq!(f.method.code(), "linear_pace");
    assert_eq!(f.value, d("31"));
    assert_eq!(f.met, Some(true));
    // Every target has a forecast field and the twelve clauses are there.
    let mut clauses: Vec<&str> = r.targets.iter().map(|t| t.clause.as_str()).collect();
    clauses.dedup();
    assert_eq!(clauses.len(), 12);
    // After the deadline the value judged is 2025's, whatever the as-of month.
    let r = report(2026, 10, None);
    let t = row(&r, "二.1b");
    assert_eq!((t.value_period.as_str(), t.value), ("2025", d("1")));
    assert!(t.is_final);
}

#[test]
fn quotas_for_the_year_and_standing_ones() {
    let quota = |r: &ProgressReport, id: &str| r.quotas.iter().find(|q| q.id == id).unwrap().clone();
    // 2025 complete: 300 + 200 = 500 < 600 → 未完成.
    let r = report(2025, 12, None);
    assert_eq!(r.quotas.len(), 9);
    let q = quota(&r, "三(二)3");
    assert_eq!(
        (q.value, q.status.code(), q.status_label.as_str()),
        (Some(500), "behind", "未完成")
    );
    // As of 2025-06: 500 already; ≥ 600 × 6/12 = 300 → 进度正常 (not yet 已完成).
    let r = report(2025, 6, None);
    let q = quota(&r, "三(二)3");
    assert_eq!((q.value, q.status.code(), q.months), (Some(500), "on_track", 6));
    // As of 2025-02 for 泊头: 200 ≥ 600 × 2/12 = 100 → on track; 任丘's 200 is not counted.
    let r = report(2025, 2, Some("130981"));
    assert_eq!(quota(&r, "三(二)3").value, Some(200));
    // 三(五)1 each cluster 2–3 leading enterprises: C17 has E1 (1) → behind; the 泊头 view lists
    // its three clusters (C17, C18, C19) only.
    let q = quota(&r, "三(五)1");
    assert_eq!(q.units.len(), 3);
    let c17 = q.units.iter().find(|u| u.code == "C17").unwrap();
    assert_eq!((c17.value, c17.status.code()), (1, "behind"));
    assert_eq!(q.status_label, "部分未完成");
}

#[test]
fn a_county_gets_its_share_of_the_city_target() {
    let r = report(2025, 12, Some("130981"));
    assert_eq!(r.county.as_deref(), Some("130981"));
    assert_eq!(r.scope_name, "泊头市");
    // 二.1a for 泊头 (C17, C19): 2021 C17 120 → 1; 2025 C17 300, C19 500 → 2. Its share of 25:
    // weights are the counties' 2021 counts (泊头 1, 任丘 1, others 0): 12.5 each, the
    // remainder to the lower code → 泊头 13.
    let t = row(&r, "二.1a");
    assert_eq!(
        (t.baseline, t.value, t.target, t.target_city),
        (d("1"), d("2"), Some(d("13")), Some(d("25")))
    );
    // Other levels are split by the counties' 2021 cluster revenue: 泊头 120 + 100 = 220亿,
    // 任丘 450亿, the rest none. 二.3a 1300: 泊头 1300 × 220/670 = 426.87, 任丘 873.13 → 426 +
    // 873 = 1299; the one left goes to the larger remainder (泊头 .87) → 427.
    let t = row(&r, "二.3a");
    assert_eq!((t.target, t.target_city), (Some(d("427")), Some(d("1300"))));
    // 二.2c 突破150 = at least 151: 151 × 220/670 = 49.58, 151 × 450/670 = 101.42 → 49 + 101,
    // the one left to 泊头 → 50, met at 50 (≥).
    let t = row(&r, "二.2c");
    assert_eq!((t.target, t.comparison.code()), (Some(d("50")), "ge"));
    // 二.2b for 泊头: 2021 E1 100 + E3 40 = 140; 2025 E1 200 (E3 left).
    let t = row(&r, "二.2b");
    assert_eq!((t.baseline, t.value), (d("140"), d("200")));
    // 二.4c: a rate: the county aims at the city's 60%. 2025 (61.00 + 60.00)/2 = 60.50%.
    let t = row(&r, "二.4c");
    assert_eq!((t.value, t.target), (d("60.50"), Some(d("60.00"))));
}

#[test]
fn edited_milestones_replace_the_default_phasing() {
    let plan = plan();
    let mut data = data(&plan, 2025, 12);
    // The city's 二.4b path: 2023 set to 10 (default 15); 泊头's share of 二.3a set to 500
    // (default 427): its target follows; the city's target stays the plan's.
    data.milestones
        .insert(("二.4b".into(), String::new()), BTreeMap::from([(2023, 10)]));
    data.milestones
        .insert(("二.3a".into(), "130981".into()), BTreeMap::from([(2025, 500)]));
    let cp = Checkpoint::year_end(2025);
    let r = progress_report(&plan, &data, cp, None);
    let t = row(&r, "二.4b");
    let m2023 = t.series.iter().find(|p| p.period == "2023").unwrap().milestone;
    assert_eq!(m2023, Some(d("10")));
    assert_eq!(t.target, Some(d("30")));
    assert!(t.phasing.iter().any(|p| p.year == 2023 && p.edited));
    assert_eq!(row(&r, "二.3a").target, Some(d("1300")));
    let r = progress_report(&plan, &data, cp, Some("130981"));
    assert_eq!(row(&r, "二.3a").target, Some(d("500")));
}

#[test]
fn target_detail_ranks_the_counties_by_attainment() {
    let plan = plan();
    let data = data(&plan, 2025, 12);
    let cp = Checkpoint::year_end(2025);
    let t = plan.target("二.1a").unwrap();
    // 二.1a in 2025: 泊头 C17 300亿 and C19 500亿 → 2 of its share 13 (see the county test):
    // 2/13 = 15.4%; 任丘 C11 520亿 → 1 of 12: 8.3%. The other twelve have no target share (0)
    // and no data: unranked.
    let det = target_detail(&plan, &data, t, cp, None);
    assert_eq!(det.counties.len(), 14);
    let c = |code: &str| det.counties.iter().find(|c| c.code == code).unwrap().clone();
    let (botou, renqiu) = (c("130981"), c("130982"));
    assert!((botou.attainment.unwrap() - 2.0 / 13.0).abs() < 1e-12);
    assert!((renqiu.attainment.unwrap() - 1.0 / 12.0).abs() < 1e-12);
    assert_eq!(
        (botou.rank, renqiu.rank, c("130983").rank),
        (Some(1), Some(2), None)
    );
    assert_eq!(det.ranked, 2);
    // The city has 3 clusters over 100亿 (C11, C17, C19).
    assert_eq!(det.progress.value, d("3"));

    // 泊头's reader: its own progress, the city's beside it, 任丘's figures withheld.
    let det = target_detail(&plan, &data, t, cp, Some("130981"));
    assert_eq!(det.progress.target, Some(d("13")));
    assert_eq!(det.city.as_ref().unwrap().target, Some(d("25")));
    assert_eq!(det.counties.iter().filter(|c| c.own).count(), 1);
    let renqiu = det.counties.iter().find(|c| c.code == "130982").unwrap();
    assert_eq!((renqiu.value, renqiu.target, renqiu.rank), (None, None, Some(2)));
    let ranks = county_ranks(&plan, &data, "130981", cp).unwrap();
    let r = ranks.iter().find(|r| r.target == "二.1a").unwrap();
    assert_eq!((r.rank, r.of), (Some(1), 2));
    assert!(county_ranks(&plan, &data, "999999", cp).is_none());
}

// The cluster metrics over the same fixture (moved from the store's tests/progress.rs).

/// The embedded plan with `reference.csv` replaced by `reference` (or left out: the city is then
/// its own reference, whatever placeholder figures the shipped file holds).
fn plan_with_reference(reference: Option<&str>) -> Plan {
    let mut files: Vec<_> = Plan::embedded_files()
        .into_iter()
        .filter(|f| f.path != "reference.csv")
        .collect();
    if let Some(text) = reference {
        files.push(clusterdesk_plan::SourceFile {
            path: "reference.csv".into(),
            text: text.into(),
        });
    }
    Plan::from_files(files).unwrap()
}

/// The rows the store reads for the metrics of 2025: the fixture, and the enterprises' 2025
/// revenue (for concentration): E1 30亿, E4 10亿 in C17.
fn metrics_data(plan: &Plan) -> ProgressData {
    let mut d = data(plan, 2025, 12);
    d.ent_year_revenue = vec![(E1.into(), 30 * YI), (E4.into(), 10 * YI)];
    d
}

#[test]
fn cluster_metrics_by_hand() {
    let plan = plan_with_reference(None);
    let r = cluster_metrics(&plan, &metrics_data(&plan), 2025, None);
    assert_eq!(r.clusters.len(), 45);
    let c = |code: &str| r.clusters.iter().find(|c| c.code == code).unwrap().clone();
    // C11 520亿 > 500亿 → over500; R&D 17.49亿 / 520亿 = 3.3635% → 336 (hundredths of a percent).
    let c11 = c("C11");
    assert_eq!(c11.revenue, Some(520 * YI));
    assert_eq!(c11.tier.as_deref(), Some("over500"));
    assert_eq!(c11.rd_intensity_bp, Some(336));
    // No 2024 figures: no growth and no shift-share.
    assert_eq!((c11.revenue_growth_bp, c11.shift_share), (None, None));
    // C19 exactly 500亿 is in the 200–500亿 tier.
    assert_eq!(c("C19").tier.as_deref(), Some("from200_to500"));
    // C17: members E1 and E4 at the end of 2025; revenue shares 30/40 and 10/40:
    // HHI = 75² + 25² = 6250; top-3 share 100%.
    let c17 = c("C17");
    assert_eq!(c17.enterprises, 2);
    assert!((c17.hhi.unwrap() - 6250.0).abs() < 1e-9);
    assert!((c17.top3_share.unwrap() - 1.0).abs() < 1e-12);
    // Qualifications held at 2025-12-31 by C17's members: 高企 E1; 创新型/专精特新 E1 once;
    // listed E1 (NEEQ); platforms E1's two; patents E1 200; standards 8; digitalisation 61.00%.
    assert_eq!(
        (
            c17.high_tech,
            c17.innovative_or_specialized,
            c17.specialized,
            c17.listed,
            c17.platforms
        ),
        (1, 1, 1, 1, 2)
    );
    assert_eq!(
        (c17.invention_patents, c17.standards, c17.digitalization_rate),
        (Some(200), Some(8), Some(6100))
    );
    // LQ against the city (divisions 25, 35, 33 are all different, city total 1320亿):
    // C17 (300/800)/(300/1320) = 1.65; C19 (500/800)/(500/1320) = 1.65; C11 (520/520)/(520/1320)
    // = 2.5385. Three clusters with an LQ → the top quarter is ⌈0.75⌉ = 1 → only C11 is strong.
    assert!((c17.lq.unwrap() - 1.65).abs() < 1e-12);
    assert!((c11.lq.unwrap() - 1320.0 / 520.0).abs() < 1e-12);
    assert!(c11.strong && !c17.strong);
    // One county: its own clusters.
    let r = cluster_metrics(&plan, &metrics_data(&plan), 2025, Some("130981".into()));
    let codes: Vec<&str> = r.clusters.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["C17", "C18", "C19"]);
    // Without the enterprises' revenue, no concentration.
    let r = cluster_metrics(&plan, &data(&plan, 2025, 12), 2025, None);
    let c17 = r.clusters.iter().find(|c| c.code == "C17").unwrap();
    assert_eq!((c17.hhi, c17.top3_share, c17.enterprises), (None, None, 2));
}

#[test]
fn cluster_metrics_against_the_reference_file() {
    // Hebei: total 50,000亿 (2024) → 55,000亿 (2025), +10%; division 35 (C17, 专用设备)
    // 1,000亿 → 1,200亿, +20%; division 25 (C11) only for 2025, a placeholder; no 33 (C19).
    let reference = "division,division_name,region,year,measure,value,unit,source,note
total,合计,河北省,2024,revenue,50000,亿元,河北统计年鉴2025,
total,合计,河北省,2025,revenue,55000,亿元,河北统计年鉴2026,
35,专用设备制造业,河北省,2024,revenue,1000,亿元,河北统计年鉴2025,
35,专用设备制造业,河北省,2025,revenue,1200,亿元,河北统计年鉴2026,
25,石油、煤炭及其他燃料加工业,河北省,2025,revenue,5500,亿元,示例数据，须以统计年鉴替换,
";
    let plan = plan_with_reference(Some(reference));
    let mut d = metrics_data(&plan);
    // C17 in 2024: twelve months of 20亿 = 240亿.
    for m in 1..=12 {
        d.cluster_rows.get_mut("revenue").unwrap().push((
            "C17".into(),
            Period::Month { year: 2024, month: m },
            20 * YI,
        ));
    }
    let r = cluster_metrics(&plan, &d, 2025, None);
    let c = |code: &str| r.clusters.iter().find(|c| c.code == code).unwrap().clone();
    // C17: (300/800) / (1200/55000) = 0.375 × 45.8333… = 17.1875.
    let c17 = c("C17");
    assert!((c17.lq.unwrap() - 17.1875).abs() < 1e-9, "{:?}", c17.lq);
    assert_eq!(
        (c17.lq_reference.as_str(), c17.lq_placeholder),
        ("河北省2025年", false)
    );
    // C11: (520/520) / (5500/55000) = 10, from a placeholder row.
    let c11 = c("C11");
    assert!((c11.lq.unwrap() - 10.0).abs() < 1e-9);
    assert!(c11.lq_placeholder);
    // C19 (division 33) is not in the file: the city, as before: (500/800)/(500/1320) = 1.65.
    let c19 = c("C19");
    assert!((c19.lq.unwrap() - 1.65).abs() < 1e-12);
    assert_eq!(c19.lq_reference, "全市(参照表缺该行业)");
    assert!(r.reference_placeholder);
    // Strong: three LQs → the top one (C17, 17.19), revenue 300亿 > 100亿.
    assert!(c17.strong && !c11.strong && !c19.strong);
    // Shift-share of C17's 240亿 → 300亿 against Hebei: reference 240 × 10% = 24亿; industry
    // mix 240 × (20% − 10%) = 24亿; the local shift is the rest, 60 − 24 − 24 = 12亿.
    let s = c17.shift_share.unwrap();
    assert_eq!(
        (s.reference, s.industry_mix, s.local_shift, s.change),
        (24 * YI, 24 * YI, 12 * YI, 60 * YI)
    );
    assert_eq!(c17.shift_share_reference, "河北省2025年");
}

#[test]
fn milestone_edits_are_checked_and_stored_in_the_unit() {
    use clusterdesk_analytics::targets::milestone_rows;
    let plan = plan();
    let t = |id: &str| plan.target(id).unwrap();
    // 二.4b standards (项, scale 0), baseline 2021, deadline 2025: 2022–2025 may be edited.
    assert_eq!(
        milestone_rows(&plan, t("二.4b"), false, &[(2023, Some(d("15"))), (2024, None)]),
        Ok(vec![(2023, Some(15)), (2024, None)])
    );
    let err = |id: &str, county: bool, year: i32, v: &str| {
        milestone_rows(&plan, t(id), county, &[(year, Some(d(v)))]).unwrap_err()
    };
    assert_eq!(
        err("二.4b", false, 2021, "1"),
        "二.4b:年份2021不在2022–2025年之间"
    );
    assert_eq!(err("二.4b", true, 2026, "1"), "二.4b:年份2026不在2022–2025年之间");
    // The city's deadline year is the plan's target; a county's is its share and may change.
    assert_eq!(
        err("二.4b", false, 2025, "30"),
        "二.4b:2025年的全市目标以方案为准,不能在此修改"
    );
    assert_eq!(
        milestone_rows(&plan, t("二.4b"), true, &[(2025, Some(d("12")))]),
        Ok(vec![(2025, Some(12))])
    );
    assert_eq!(err("二.4b", false, 2023, "-1"), "二.4b:2023年的值不能为负数");
    assert_eq!(
        err("二.4b", false, 2023, "1.5"),
        "二.4b:2023年的值“1.5”小数位过多或超出范围"
    );
    // 二.4c digitalisation (%, scale 2): 55.5% is stored as 5550; 二.1a counts clusters: whole.
    assert_eq!(
        milestone_rows(&plan, t("二.4c"), false, &[(2023, Some(d("55.5")))]),
        Ok(vec![(2023, Some(5550))])
    );
    assert_eq!(
        milestone_rows(&plan, t("二.1a"), false, &[(2023, Some(d("3")))]),
        Ok(vec![(2023, Some(3))])
    );
    assert_eq!(
        err("二.1a", false, 2023, "2.5"),
        "二.1a:2023年的值“2.5”小数位过多或超出范围"
    );
}
