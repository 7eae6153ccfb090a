//! The progress page's table (`/progress`): one row per target with its status, bar and
//! trend, the count of targets per status and the quota rows. The home page shows the same.

use crate::progress::{STATUSES, bar_svg, icon, trend_svg};
use clusterdesk_analytics::targets::{ProgressReport, TargetProgress, show_value};
use clusterdesk_analytics::{Basis, ForecastMethod, QuotaStatus};

pub struct Row {
    pub id: String,
    pub clause: String,
    pub name: String,
    pub strive: bool,
    pub value: String,
    pub value_period: String,
    pub target: String,
    pub target_note: String,
    pub expected: String,
    pub status: String,
    pub status_label: String,
    pub icon: &'static str,
    pub is_final: bool,
    pub rate: String,
    pub forecast: String,
    pub bar: String,
    pub trend: String,
    pub basis_note: String,
    pub series: Vec<(String, String, String)>,
}

pub struct StatusCount {
    pub status: &'static str,
    pub label: &'static str,
    pub icon: &'static str,
    pub n: usize,
}

pub struct QuotaRow {
    pub id: String,
    pub name: String,
    pub need: String,
    pub value: String,
    pub note: String,
    /// The status class shared with the targets (met → achieved, behind → limited_progress …).
    pub class: &'static str,
    pub icon: &'static str,
    pub status_label: String,
    pub behind: String,
}

/// The quotas of 三 as table rows.
pub fn quota_rows(r: &ProgressReport) -> Vec<QuotaRow> {
    r.quotas
        .iter()
        .map(|q| {
            let mut need = Vec::new();
            if let Some(m) = &q.min {
                need.push(format!("不少于{m}"));
            }
            if let Some(m) = &q.max {
                need.push(format!("不超过{m}"));
            }
            if let Some(a) = &q.approx {
                need.push(format!("{a}左右"));
            }
            let class = match q.status {
                QuotaStatus::Met => "achieved",
                QuotaStatus::OnTrack => "on_track",
                QuotaStatus::Behind => "limited_progress",
                QuotaStatus::AboveMax => "needs_acceleration",
                QuotaStatus::NoData => "insufficient_data",
            };
            let behind: Vec<String> = q
                .units
                .iter()
                .filter(|u| u.status != QuotaStatus::Met)
                .map(|u| format!("{} {}", u.name, u.value))
                .collect();
            QuotaRow {
                id: q.id.clone(),
                name: q.name.clone(),
                need: format!("{}{}", need.join("、"), q.unit),
                value: q
                    .value
                    .map(|v| {
                        format!(
                            "{}{}",
                            clusterdesk_domain::money::group_thousands(&v.to_string()),
                            q.unit
                        )
                    })
                    .unwrap_or_else(|| "—".into()),
                note: q.basis_note.clone(),
                class,
                icon: icon(class),
                status_label: q.status_label.clone(),
                behind: if behind.is_empty() {
                    String::new()
                } else {
                    format!("未完成:{}", behind.join("、"))
                },
            }
        })
        .collect()
}

/// One target as the table shows it.
pub fn row(t: &TargetProgress) -> Row {
    let (target, target_note) = target_text(t);
    let rate = match (&t.target_growth_pct, t.observed_rate) {
        (Some(_), Some(o)) => format!("年均增长{:.1}%", o * 100.0),
        _ => String::new(),
    };
    Row {
        id: t.id.clone(),
        clause: t.clause.clone(),
        name: t.name.clone(),
        strive: t.strive,
        value: show_value(&t.value, &t.unit),
        value_period: t.value_period.clone(),
        target,
        target_note,
        expected: t
            .expected
            .as_ref()
            .filter(|_| !t.is_final)
            .map(|v| show_value(v, &t.unit))
            .unwrap_or_default(),
        status: t.status.code().into(),
        status_label: t.status_label.clone(),
        icon: t.status.icon(),
        is_final: t.is_final,
        rate,
        forecast: forecast_text(t),
        bar: bar_svg(t),
        trend: trend_svg(t),
        basis_note: t.basis_note.clone(),
        series: t
            .series
            .iter()
            .map(|p| {
                (
                    if p.basis == Basis::Year {
                        format!("{}年", p.period)
                    } else {
                        clusterdesk_domain::Period::parse(&p.period)
                            .map(|x| match p.basis {
                                Basis::Trailing12Months => format!("截至{}近12个月", x.label_zh()),
                                Basis::YearToDate => format!("截至{}累计", x.label_zh()),
                                _ => format!("{}末", x.label_zh()),
                            })
                            .unwrap_or_else(|_| p.period.clone())
                    },
                    show_value(&p.value, &t.unit),
                    p.milestone
                        .as_ref()
                        .map(|m| show_value(m, &t.unit))
                        .unwrap_or_else(|| "—".into()),
                )
            })
            .collect(),
    }
}

/// How many targets have each status, in the order of [`STATUSES`] (zero counts included).
pub fn status_counts(targets: &[TargetProgress]) -> Vec<StatusCount> {
    STATUSES
        .into_iter()
        .map(|(s, label)| StatusCount {
            status: s,
            label,
            icon: icon(s),
            n: targets.iter().filter(|t| t.status.code() == s).count(),
        })
        .collect()
}

/// The target in words and its note (the deadline value of a growth target, the city target).
pub fn target_text(t: &TargetProgress) -> (String, String) {
    let main = match (&t.target_growth_pct, &t.target) {
        (Some(g), _) => format!("年均增长≥{g}%"),
        (None, Some(v)) => t.level_text(v, ""),
        (None, None) => "—".into(),
    };
    let mut note = Vec::new();
    if let (Some(_), Some(v)) = (&t.target_growth_pct, &t.target) {
        note.push(format!("{}年应达{}", t.deadline_year, show_value(v, &t.unit)));
    }
    if let Some(c) = &t.target_city {
        note.push(format!("全市目标{}", show_value(c, &t.unit)));
    }
    (main, note.join(";"))
}

/// The forecast in one sentence, for the table and its download.
pub fn forecast_text(t: &TargetProgress) -> String {
    match &t.forecast {
        None => "数据不足,无法预测".into(),
        Some(fc) if fc.method == ForecastMethod::Actual => "期限已到,以实际值为准".into(),
        Some(fc) => {
            let met = match fc.met {
                Some(true) => "按当前趋势可达成",
                Some(false) => "按当前趋势难以达成",
                None => "",
            };
            let [value, low, high] = fc.shown(&t.unit);
            let (year, method) = (fc.deadline_year, &fc.method_label);
            format!("{year}年预测 {value}(95%区间 {low}–{high},{method});{met}")
        }
    }
}
