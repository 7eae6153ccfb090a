//! Figures checked against values worked out by hand from small fixtures (the arithmetic is in
//! the comments), without a database.

use clusterdesk_analytics::Status;
use clusterdesk_analytics::county_assessment::{CountyResult, IndicatorInfo, IndicatorValue};
use clusterdesk_analytics::targets::TargetProgress;
use clusterdesk_figures::assessment::{
    change_text, gap_text, indicator_place, own_panel, place_text, ranking_table, sign_class, signed_yuan,
    span, transfer_text,
};
use clusterdesk_figures::home::year_growth;
use clusterdesk_figures::progress::bar_svg;
use clusterdesk_figures::table::status_counts;
use clusterdesk_figures::target::pct;
use rust_decimal::Decimal;

fn target(value: i64, target: Option<i64>, expected: Option<i64>, status: Status) -> TargetProgress {
    TargetProgress {
        id: "二.2".into(),
        clause: "二.2".into(),
        name: "高新技术企业".into(),
        indicator: "high_tech".into(),
        measure: "count".into(),
        comparison: clusterdesk_plan::Comparison::Ge,
        unit: "家".into(),
        strive: false,
        baseline_year: 2024,
        baseline: Decimal::from(40),
        value: Decimal::from(value),
        value_period: "2026".into(),
        target: target.map(Decimal::from),
        target_max: None,
        target_city: None,
        target_growth_pct: None,
        deadline_year: 2027,
        expected: expected.map(Decimal::from),
        status,
        status_label: status.label_zh().into(),
        is_final: false,
        method: "linear".into(),
        observed_rate: None,
        required_rate: None,
        ratio: None,
        attainment: None,
        ytd: None,
        forecast: None,
        series: Vec::new(),
        phasing: Vec::new(),
        basis_note: String::new(),
    }
}

#[test]
fn progress_bar_widths() {
    // Value 60, target 100, expected 50: the scale runs to 100 × 1.08 = 108 over 412 units
    // starting at x = 4. Filled width 60 / 108 × 412 = 228.888… → 228.9; the target line at
    // 4 + 100 / 108 × 412 = 385.481… → 385.5; the phased line at 4 + 50 / 108 × 412 =
    // 194.740… → 194.7. On track is drawn in #1d4f91.
    let svg = bar_svg(&target(60, Some(100), Some(50), Status::OnTrack));
    assert!(
        svg.contains(r##"width="228.9" height="16" fill="#1d4f91""##),
        "{svg}"
    );
    assert!(svg.contains(r#"<line x1="385.5" y1="2" x2="385.5""#), "{svg}");
    assert!(svg.contains(r#"<line x1="194.7" y1="4" x2="194.7""#), "{svg}");
    // Value 150 over a target of 100: the scale is 150 × 1.08 = 162, the bar 150 / 162 × 412
    // = 381.481… → 381.5 and the target at 4 + 100 / 162 × 412 = 258.320… → 258.3.
    let svg = bar_svg(&target(150, Some(100), None, Status::Achieved));
    assert!(
        svg.contains(r##"width="381.5" height="16" fill="#1e7b34""##),
        "{svg}"
    );
    assert!(svg.contains(r#"<line x1="258.3""#), "{svg}");
}

#[test]
fn attainment_as_a_percent() {
    // 0.8125 × 100 = 81.25 → one decimal half away from zero: 81.3%; 0.99949 → 99.949 → 99.9%.
    assert_eq!(pct(Some(0.8125)), "81.3%");
    assert_eq!(pct(Some(0.99949)), "99.9%");
    assert_eq!(pct(Some(1.0)), "100.0%");
    assert_eq!(pct(None), "—");
}

#[test]
fn year_growth_rounds_half_away_from_zero() {
    // 400 → 401: +1 / 400 = +0.25% → +0.3% (half away from zero, not to even 0.2).
    assert_eq!(year_growth(Some(400), Some(401)), "同比 0.3%");
    // 400 → 399: −0.25% → −0.3%.
    assert_eq!(year_growth(Some(400), Some(399)), "同比 -0.3%");
    // 800 → 900: +100 / 800 = 12.5%; 3 → 4: 33.33…% → 33.3%; 3 → 2: −33.33…% → −33.3%.
    assert_eq!(year_growth(Some(800), Some(900)), "同比 12.5%");
    assert_eq!(year_growth(Some(3), Some(4)), "同比 33.3%");
    assert_eq!(year_growth(Some(3), Some(2)), "同比 -33.3%");
    // No base, or none this year: nothing.
    assert_eq!(year_growth(Some(0), Some(5)), "");
    assert_eq!(year_growth(None, Some(5)), "");
    assert_eq!(year_growth(Some(5), None), "");
}

#[test]
fn status_counts_in_order() {
    // Two achieved, one on track, one deteriorating, one without data: the five statuses in
    // their order count 2, 1, 0, 0, 1 (the one without data is not a status counted).
    let ts = [
        target(1, None, None, Status::Achieved),
        target(1, None, None, Status::Deteriorating),
        target(1, None, None, Status::Achieved),
        target(1, None, None, Status::InsufficientData),
        target(1, None, None, Status::OnTrack),
    ];
    let c = status_counts(&ts);
    let got: Vec<(&str, &str, usize)> = c.iter().map(|c| (c.status, c.icon, c.n)).collect();
    assert_eq!(
        got,
        [
            ("achieved", "✓", 2),
            ("on_track", "↗", 1),
            ("needs_acceleration", "→", 0),
            ("limited_progress", "↘", 0),
            ("deteriorating", "✗", 1),
        ]
    );
}

fn indicator(code: &str, weight: u32) -> IndicatorInfo {
    IndicatorInfo {
        code: code.into(),
        name: format!("指标{code}"),
        clause: "三(二)".into(),
        unit: "%".into(),
        weight,
        effective_weight: format!("{weight}.00"),
        scoring: String::new(),
        available: true,
        note: String::new(),
    }
}

fn county(
    code: &str,
    rank: usize,
    tied: bool,
    scores: [Option<&str>; 2],
    change: Option<i64>,
) -> CountyResult {
    CountyResult {
        county: code.into(),
        name: format!("{code}县"),
        values: ["A", "B"]
            .iter()
            .zip(scores)
            .map(|(c, s)| IndicatorValue {
                code: (*c).into(),
                raw: s.map(String::from),
                raw_text: s.map(|s| format!("{s}%")).unwrap_or_else(|| "暂无数据".into()),
                score: s.map(String::from),
            })
            .collect(),
        composite: "80.00".into(),
        rank,
        tied,
        tie_broken: false,
        last_rank: Some(3),
        rank_change: change,
        provenance: Vec::new(),
    }
}

fn counties() -> Vec<CountyResult> {
    vec![
        county("c1", 1, true, [Some("90.00"), Some("10")], Some(2)),
        county("c3", 1, true, [Some("90.0"), Some("20")], Some(0)),
        county("c2", 3, false, [Some("85.50"), None], Some(-1)),
        county("c4", 4, false, [None, Some("30")], None),
    ]
}

#[test]
fn place_on_one_indicator_with_ties() {
    // Scores on A: c1 90.00, c3 90.0 (the same number), c2 85.50, c4 none.
    // c3: no other county higher → 1st, one other (c1) equal → tied with 1.
    // c2: two higher (90, 90) → 1 + 2 = 3rd, none equal. c4 has no score: no place.
    let r = counties();
    assert_eq!(indicator_place(&r, "c3", "A"), Some((1, 1)));
    assert_eq!(indicator_place(&r, "c1", "A"), Some((1, 1)));
    assert_eq!(indicator_place(&r, "c2", "A"), Some((3, 0)));
    assert_eq!(indicator_place(&r, "c4", "A"), None);
    // On B: 30 (c4), 20 (c3), 10 (c1): c1 has two above it → 3rd; c2 has none.
    assert_eq!(indicator_place(&r, "c1", "B"), Some((3, 0)));
    assert_eq!(indicator_place(&r, "c2", "B"), None);
    assert_eq!(place_text(Some((1, 1))), "单项第 1 名(与 1 个县(市)并列)");
    assert_eq!(place_text(Some((3, 0))), "单项第 3 名");
    assert_eq!(place_text(None), "");
}

#[test]
fn own_panel_lines() {
    // A weighs 60, B nothing: the panel lists A only. c2 on A: 3rd (see above); its transfer
    // is not finalized, today −150,000,000 fen = 1,500,000.00 元 paid.
    let inds = [indicator("A", 60), indicator("B", 0)];
    let r = counties();
    let transfers = [clusterdesk_analytics::park_transfer::TransferRow {
        county: "c2".into(),
        name: "c2县".into(),
        park_entries: 3,
        place: 4,
        amount_fen: -150_000_000,
        tied: false,
        flags: Vec::new(),
        trace: Vec::new(),
    }];
    let p = own_panel(&inds, &r, &transfers, &[], "c2", None).expect("c2 is ranked");
    assert_eq!((p.rank, p.total, p.change.as_str()), (3, 4, "↓ 降1位"));
    assert_eq!(
        p.lines,
        [(
            "指标A(三(二))".to_string(),
            "85.50% · 得分 85.50".to_string(),
            "单项第 3 名".to_string()
        )]
    );
    assert_eq!(p.transfer, "承担 1,500,000.00 元");
    // Finalized at +2,500.50 元 (250,050 fen): the finalized amount wins.
    let p = own_panel(&inds, &r, &transfers, &[], "c2", Some(250_050)).unwrap();
    assert_eq!(p.transfer, "获得 2,500.50 元(已定稿)");
    assert!(own_panel(&inds, &r, &transfers, &[], "c9", None).is_none());
}

#[test]
fn ranking_table_with_ties() {
    // One weighted column (A, weight 60): 3 + 2 + 2 = 7 headers; tied counties carry (并列).
    let inds = [indicator("A", 60), indicator("B", 0)];
    let t = ranking_table(2026, &inds, &counties());
    assert_eq!(t.name, "县(市)考核排名_2026");
    assert_eq!(
        t.headers,
        [
            "名次",
            "县(市)",
            "综合得分",
            "指标A(%)",
            "指标A得分(权重60)",
            "上年名次",
            "名次变化"
        ]
    );
    let firsts: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(firsts, ["1(并列)", "1(并列)", "3", "4"]);
    assert_eq!(t.rows[2], ["3", "c2县", "80.00", "85.50", "85.50", "3", "-1"]);
    assert_eq!(t.rows[3][3..5], ["", ""]);
}

#[test]
fn signed_amounts_changes_and_spans() {
    // 123,456 fen = 1,234.56 元 received; −5 fen = −0.05 元; 0 → 0.00 without a sign.
    assert_eq!(signed_yuan(123_456), "+1,234.56");
    assert_eq!(signed_yuan(-5), "-0.05");
    assert_eq!(signed_yuan(0), "0.00");
    assert_eq!((sign_class(1), sign_class(-1), sign_class(0)), ("up", "down", ""));
    assert_eq!(transfer_text(Some(0), Some(9)), "无收付(已定稿)");
    assert_eq!(transfer_text(None, None), "—");
    assert_eq!(change_text(Some(2)), ("↑ 升2位".to_string(), "up"));
    assert_eq!(change_text(Some(0)), ("→ 持平".to_string(), ""));
    assert_eq!(change_text(None), ("—".to_string(), ""));
    assert_eq!(gap_text(Some(3)), ("超 3".to_string(), "up"));
    assert_eq!(gap_text(Some(-2)), ("差 2".to_string(), "down"));
    assert_eq!(gap_text(Some(0)), ("恰好完成".to_string(), "up"));
    assert_eq!(span(2026, "2026-10", false), "2026年1–10月(暂定)");
    assert_eq!(span(2026, "2026-01", false), "2026年1月(暂定)");
    assert_eq!(span(2025, "2025-12", true), "2025年度");
}
