//! The home page's figures (`/`): the headline amounts, the change on a year earlier, the
//! labels of the latest month and the targets as the dashboard lists them; and the cluster
//! page's change of a year's revenue on the year before.

use crate::progress::bar_svg;
use crate::table::target_text;
use clusterdesk_analytics::targets::{TargetProgress, show_value};
use clusterdesk_domain::money::format_scaled;
use clusterdesk_domain::{Fen, Period};

/// 亿元 with two decimals from fen.
pub fn yi(fen: i64) -> String {
    Fen(fen).yi_yuan(2)
}

/// A year-on-year change in percent with one decimal, signed; empty without a base.
pub fn yoy(now: i64, before: i64) -> String {
    if before <= 0 {
        return String::new();
    }
    let pct = (now as f64 / before as f64 - 1.0) * 100.0;
    format!("{pct:+.1}%")
}

/// A year's revenue on the year before, for the cluster page: `同比 12.5%`, to a tenth of a
/// percent rounded half away from zero, in integers; empty without a positive base.
pub fn year_growth(prev: Option<i64>, now: Option<i64>) -> String {
    match (prev, now) {
        (Some(p), Some(v)) if p > 0 => format!("同比 {}%", format_scaled((v - p) * 1000, p * 10, 1)),
        _ => String::new(),
    }
}

/// One target on the home page: its status by word and icon, value against target, the bar.
pub struct HomeTarget {
    pub id: String,
    pub name: String,
    pub value: String,
    pub target: String,
    pub status: String,
    pub status_label: String,
    pub icon: &'static str,
    pub is_final: bool,
    pub bar: String,
}

/// One target as the dashboard lists it.
pub fn home_target(t: &TargetProgress) -> HomeTarget {
    HomeTarget {
        id: t.id.clone(),
        name: t.name.clone(),
        value: show_value(&t.value, &t.unit),
        target: target_text(t).0,
        status: t.status.code().into(),
        status_label: t.status_label.clone(),
        icon: t.status.icon(),
        is_final: t.is_final,
        bar: bar_svg(t),
    }
}

/// The labels of the latest month's figure and of January to it: (当月, 累计).
pub fn month_labels(latest: Option<Period>) -> (String, String) {
    match latest {
        Some(p @ Period::Month { year, month }) => (
            format!("{}集群营业收入", p.label_zh()),
            if month == 1 {
                format!("{year}年1月累计")
            } else {
                format!("{year}年1–{month}月累计")
            },
        ),
        _ => ("当月集群营业收入".into(), "本年累计".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_on_a_year_earlier() {
        // 1,150 on 1,000 is +15.0%; 950 on 1,000 is −5.0%; 2,000 on 3,000 is −33.33… → −33.3%.
        assert_eq!(yoy(1_150, 1_000), "+15.0%");
        assert_eq!(yoy(950, 1_000), "-5.0%");
        assert_eq!(yoy(2_000, 3_000), "-33.3%");
        assert_eq!(yoy(1_000, 1_000), "+0.0%");
        // No base, no change.
        assert_eq!(yoy(500, 0), "");
    }

    #[test]
    fn headline_amounts_in_yi() {
        // 1 亿元 = 10⁸ 元 = 10¹⁰ fen; 123,456,789,000 fen = 12.3456789 亿 → 12.35.
        assert_eq!(yi(10_000_000_000), "1.00");
        assert_eq!(yi(123_456_789_000), "12.35");
    }

    #[test]
    fn latest_month_labels() {
        let (m, y) = month_labels(Some(Period::Month {
            year: 2026,
            month: 10,
        }));
        assert_eq!(
            (m.as_str(), y.as_str()),
            ("2026年10月集群营业收入", "2026年1–10月累计")
        );
        let (_, y) = month_labels(Some(Period::Month { year: 2026, month: 1 }));
        assert_eq!(y, "2026年1月累计");
        let (m, y) = month_labels(None);
        assert_eq!((m.as_str(), y.as_str()), ("当月集群营业收入", "本年累计"));
    }
}
