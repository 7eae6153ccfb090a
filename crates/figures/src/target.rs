//! The figures of one target's page (`/progress/{target}`): its trend chart, the verdict on
//! whether the current trend meets the target, the target in words and the number formats.

use crate::charts;
use crate::progress::f;
use clusterdesk_analytics::targets::{TargetProgress, show_value};
use clusterdesk_analytics::{ForecastMethod, Status};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;

/// Time in years of a series label: `2025` is the end of 2025; `2026-10` is 2026 − 2/12.
pub fn time_of(period: &str) -> Option<f64> {
    match clusterdesk_domain::Period::parse(period).ok()? {
        clusterdesk_domain::Period::Year { year } => Some(year as f64),
        clusterdesk_domain::Period::Month { year, month } => Some(year as f64 - 1.0 + month as f64 / 12.0),
        _ => None,
    }
}

/// Axis labels: money in 亿 without decimals, other units as counts or percent.
pub fn axis_fmt(unit: &str) -> impl Fn(f64) -> String + '_ {
    move |v: f64| match unit {
        "元" => format!("{}亿", group(v / 1e8, 0)),
        "%" => format!("{v:.0}%"),
        _ => group(v, 0),
    }
}

/// A number with thousands separators and `decimals` places, half away from zero.
pub fn group(v: f64, decimals: u32) -> String {
    let d = Decimal::from_f64(v)
        .unwrap_or_default()
        .round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{d:.prec$}", prec = decimals as usize);
    clusterdesk_domain::money::group_number(&s)
}

/// The trend chart of a target's progress for a scope.
pub fn trend_chart(t: &TargetProgress, scope: &str) -> String {
    let unit = t.unit.clone();
    let show = |v: f64| show_value(&Decimal::from_f64(v).unwrap_or_default(), &unit);
    let actual: Vec<(f64, f64, String)> = t
        .series
        .iter()
        .filter_map(|p| {
            time_of(&p.period).map(|x| {
                let label = if p.period.len() == 4 {
                    format!("{}年", p.period)
                } else {
                    p.period.clone()
                };
                (x, f(&p.value), label)
            })
        })
        .collect();
    let path: Vec<(f64, f64)> = t.phasing.iter().map(|s| (s.year as f64, f(&s.value))).collect();
    let forecast = t
        .forecast
        .as_ref()
        .filter(|fc| fc.method != ForecastMethod::Actual)
        .map(|fc| (f(&fc.value), f(&fc.low), f(&fc.high)));
    let axis = axis_fmt(&unit);
    let both = |v: f64| {
        // Grid values are round (whole 亿 for money): short; targets and forecasts: exact.
        let round = if unit == "元" {
            (v / 1e8).fract() == 0.0
        } else {
            v.fract() == 0.0
        };
        if round { axis(v) } else { show(v) }
    };
    let title = format!("{} {} · {scope}历年走势", t.id, t.name);
    let c = charts::Trend {
        title: &title,
        actual,
        path,
        target: t.target.as_ref().map(f),
        deadline: t.deadline_year as f64,
        forecast,
        fmt: &both,
        integer: t.unit != "元" && t.unit != "%",
    };
    charts::trend(&c)
}

/// 按当前趋势能否完成: a sentence, and a status class for its colour.
pub fn verdict(t: &TargetProgress) -> (String, &'static str) {
    match &t.forecast {
        Some(fc) if fc.method == ForecastMethod::Actual || t.is_final => {
            if t.status == Status::Achieved {
                (format!("期限已到:{}年已完成目标", t.deadline_year), "achieved")
            } else {
                (
                    format!("期限已到:{}年未完成目标", t.deadline_year),
                    "deteriorating",
                )
            }
        }
        Some(fc) => {
            let [value, low, high] = fc.shown(&t.unit);
            let (year, method) = (fc.deadline_year, &fc.method_label);
            let range = format!("{year}年预测{value}(95%区间 {low}–{high},{method})");
            match fc.met {
                Some(true) => (format!("按当前趋势能够完成。{range}"), "on_track"),
                Some(false) => (format!("按当前趋势难以完成。{range}"), "limited_progress"),
                None => (format!("按当前趋势无法判断。{range}"), "insufficient_data"),
            }
        }
        None => ("数据不足,无法预测能否完成".into(), "insufficient_data"),
    }
}

pub fn pct(a: Option<f64>) -> String {
    a.map(|x| format!("{}%", group(x * 100.0, 1)))
        .unwrap_or_else(|| "—".into())
}

pub fn target_text(t: &TargetProgress) -> String {
    match (&t.target_growth_pct, &t.target) {
        (Some(g), Some(v)) => format!(
            "年均增长≥{g}%({}年应达{})",
            t.deadline_year,
            show_value(v, &t.unit)
        ),
        (Some(g), None) => format!("年均增长≥{g}%"),
        (None, Some(v)) => t.level_text(v, ""),
        (None, None) => "—".into(),
    }
}
