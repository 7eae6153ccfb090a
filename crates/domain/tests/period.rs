//! Periods as the plan writes them (2025-03, 2025Q1, 2025) and the months they cover.

use clusterdesk_domain::period::PeriodType;
use clusterdesk_domain::{IndustryCode, Period};

fn p(s: &str) -> Period {
    Period::parse(s).unwrap()
}

#[test]
fn period_types() {
    assert_eq!(PeriodType::parse("month").unwrap(), PeriodType::Month);
    assert_eq!(PeriodType::parse("quarter").unwrap(), PeriodType::Quarter);
    assert_eq!(PeriodType::parse(" year ").unwrap(), PeriodType::Year);
    assert!(PeriodType::parse("week").is_err());
}

#[test]
fn months_are_one_or_two_digits_only() {
    assert_eq!(p("2025-3"), Period::month(2025, 3));
    // Three digits or a sign are refused, even when they would parse as a number.
    assert!(Period::parse("2025-003").is_err());
    assert!(Period::parse("2025-+3").is_err());
    assert!(Period::parse("2025-").is_err());
}

#[test]
fn the_months_a_period_covers() {
    // Quarter q covers months 3q − 2 … 3q: Q1 1–3, Q2 4–6, Q4 10–12.
    assert_eq!(p("2025Q1").month_range(), (1, 3));
    assert_eq!(p("2025Q2").month_range(), (4, 6));
    assert_eq!(p("2025Q4").month_range(), (10, 12));
    assert_eq!(p("2025").month_range(), (1, 12));
    // The sort key is the last month, counted from year 0: 2025 × 12 + 3 − 1 = 24,302 for
    // 2025-03; the fourth quarter and the year end in December: 2025 × 12 + 12 − 1 = 24,311.
    assert_eq!(p("2025-03").end_index(), 24_302);
    assert_eq!(p("2025Q4").end_index(), 24_311);
    assert_eq!(p("2025").end_index(), 24_311);
    assert_eq!(p("2025Q1").end_index(), 24_302);
}

#[test]
fn next_and_previous() {
    assert_eq!(p("2025-12").next(), p("2026-01"));
    assert_eq!(p("2025-03").next(), p("2025-04"));
    assert_eq!(p("2025Q2").next(), p("2025Q3"));
    assert_eq!(p("2025Q4").next(), p("2026Q1"));
    assert_eq!(p("2025").next(), p("2026"));
    assert_eq!(p("2026-01").prev(), p("2025-12"));
    assert_eq!(p("2025-04").prev(), p("2025-03"));
    assert_eq!(p("2026Q1").prev(), p("2025Q4"));
    assert_eq!(p("2025Q3").prev(), p("2025Q2"));
    assert_eq!(p("2025").prev(), p("2024"));
    // 比上年同期: the same month, quarter or year one year back.
    assert_eq!(p("2025-03").same_period_last_year(), p("2024-03"));
    assert_eq!(p("2025Q2").same_period_last_year(), p("2024Q2"));
    assert_eq!(p("2025").same_period_last_year(), p("2024"));
    // 2025-11 … 2026-02: four months across the year end.
    let m: Vec<String> = Period::months_between(p("2025-11"), p("2026-02"))
        .iter()
        .map(|x| x.to_string())
        .collect();
    assert_eq!(m, ["2025-11", "2025-12", "2026-01", "2026-02"]);
    // How people read them.
    assert_eq!(p("2025-03").label_zh(), "2025年3月");
    assert_eq!(p("2025Q1").label_zh(), "2025年一季度");
    assert_eq!(p("2025-03").cumulative_label_zh(), "2025年1–3月");
    assert_eq!(p("2025-01").cumulative_label_zh(), "2025年1月");
}

#[test]
fn industry_division_and_manufacturing() {
    // C17 泊头 环保设备 is GB/T 4754 3591: division 35, section C (manufacturing, counted as 规上工业).
    let c = IndustryCode::parse("C3591").unwrap();
    assert_eq!(c.division(), "35");
    assert!(c.is_manufacturing());
    // Division 51 (wholesale) is section F, not manufacturing.
    let f = IndustryCode::parse("5191").unwrap();
    assert_eq!(f.division(), "51");
    assert!(!f.is_manufacturing());
}
