//! 目标详情 `/progress/{target}`: the trend with the target path and the forecast, whether the
//! current trend meets the target, and each county's share, attainment and rank; the county
//! tile map; downloads of the progress table.

use super::{Layout, PageError, PageUser, render, urlencode};
use crate::AppState;
use crate::api::progress::{ProgressQuery, resolve};
use crate::charts;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use clusterdesk_store::Scope;
use clusterdesk_store::progress::{Basis, ForecastMethod, Status, TargetProgress, show_value};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};

fn f(d: &Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

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
            let range = format!(
                "{}年预测{}(95%区间 {}–{},{})",
                fc.deadline_year,
                show_value(&fc.value, &t.unit),
                show_value(&fc.low, &t.unit),
                show_value(&fc.high, &t.unit),
                fc.method_label
            );
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

/// Link to the values behind a figure.
pub fn values_href(unit: &str, indicator: &str, period: &str) -> String {
    format!(
        "/values?unit={}&indicator={}&period={}",
        urlencode(unit),
        urlencode(indicator),
        urlencode(period)
    )
}

/// The year a series point's values live in (`2026-10` → `2026`).
fn period_year(p: &str) -> &str {
    p.get(..4).unwrap_or(p)
}

pub struct SeriesLine {
    pub label: String,
    pub value: String,
    pub href: String,
    pub milestone: String,
}

pub struct CountyLine {
    pub code: String,
    pub name: String,
    pub target: String,
    pub value: String,
    pub href: String,
    pub attainment: String,
    pub status: String,
    pub status_label: String,
    pub icon: &'static str,
    pub rank: String,
    pub own: bool,
}

#[derive(Template)]
#[template(path = "target.html")]
struct TargetPage {
    title: String,
    layout: Layout,
    t: TargetProgress,
    scope_name: String,
    as_of: String,
    as_of_label: String,
    value: String,
    target: String,
    icon: &'static str,
    verdict: String,
    verdict_class: &'static str,
    chart: String,
    series: Vec<SeriesLine>,
    counties: Vec<CountyLine>,
    own_rank: String,
    city_note: String,
    map: String,
    map_note: &'static str,
    city_view: bool,
}

fn target_text(t: &TargetProgress) -> String {
    match (&t.target_growth_pct, &t.target) {
        (Some(g), Some(v)) => format!(
            "年均增长≥{g}%({}年应达{})",
            t.deadline_year,
            show_value(v, &t.unit)
        ),
        (Some(g), None) => format!("年均增长≥{g}%"),
        (None, Some(v)) => {
            // The report carries the plan's comparison by its code.
            let gt = t.comparison == clusterdesk_plan::Comparison::Gt;
            let cmp = if gt { "超" } else { "" };
            match &t.target_max {
                Some(m) => format!("{}–{}", show_value(v, &t.unit), show_value(m, &t.unit)),
                None => format!("{cmp}{}", show_value(v, &t.unit)),
            }
        }
        (None, None) => "—".into(),
    }
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Query(q): Query<ProgressQuery>,
) -> Result<Response, PageError> {
    let (as_of, _) = resolve(
        &st.store,
        &ProgressQuery {
            as_of: q.as_of.clone(),
            county: None,
        },
    )
    .await?;
    let d = st.store.target_detail(&u.actor, &id, as_of).await?;
    let t = d.progress.clone();
    let plan = st.store.plan();
    let (scope_code, scope_name) = match u.actor.scope() {
        Scope::County(c) => (c.clone(), plan.org_unit(&c).map(|x| x.name.clone()).unwrap_or(c)),
        _ => (plan.city().code.clone(), plan.city().name.clone()),
    };
    let city_view = matches!(u.actor.scope(), Scope::City);
    let series = t
        .series
        .iter()
        .map(|p| SeriesLine {
            label: match p.basis {
                Basis::Year => format!("{}年", p.period),
                Basis::Trailing12Months => format!("截至{}近12个月", p.period),
                Basis::YearToDate => format!("截至{}累计", p.period),
                _ => format!("{}末", p.period),
            },
            value: show_value(&p.value, &t.unit),
            href: values_href(&scope_code, &t.indicator, period_year(&p.period)),
            milestone: p
                .milestone
                .as_ref()
                .map(|m| show_value(m, &t.unit))
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    // Ranked counties first, by rank; then the unranked in the plan's order.
    let mut ordered: Vec<&clusterdesk_store::progress::CountyShare> = d.counties.iter().collect();
    ordered.sort_by_key(|c| c.rank.unwrap_or(u32::MAX));
    let counties: Vec<CountyLine> = ordered
        .into_iter()
        .map(|c| CountyLine {
            code: c.code.clone(),
            name: c.name.clone(),
            target: c
                .target
                .as_ref()
                .map(|v| show_value(v, &t.unit))
                .unwrap_or_else(|| "—".into()),
            value: c
                .value
                .as_ref()
                .map(|v| show_value(v, &t.unit))
                .unwrap_or_else(|| "—".into()),
            href: if c.value.is_some() {
                values_href(&c.code, &t.indicator, period_year(&c.value_period))
            } else {
                String::new()
            },
            attainment: pct(c.attainment),
            status: c.status.code().into(),
            status_label: c.status_label.clone(),
            icon: c.status.icon(),
            rank: c
                .rank
                .map(|r| format!("{r}/{}", d.ranked))
                .unwrap_or_else(|| "—".into()),
            own: c.own,
        })
        .collect();
    let own_rank = d
        .counties
        .iter()
        .find(|c| c.own)
        .map(|c| match c.rank {
            Some(r) => format!(
                "本县排名:第{r}名(共{}个县(市)参与排名),完成度{}",
                d.ranked,
                pct(c.attainment)
            ),
            None => "本县排名:暂无(缺少目标或数据)".into(),
        })
        .unwrap_or_default();
    let city_note = d
        .city
        .as_ref()
        .map(|c| {
            format!(
                "全市:当前{},目标{},{}",
                show_value(&c.value, &c.unit),
                target_text(c),
                c.status_label
            )
        })
        .unwrap_or_default();
    let tiles: Vec<charts::Tile> = d
        .counties
        .iter()
        .map(|c| charts::Tile {
            code: c.code.clone(),
            name: c.name.clone(),
            value: c.attainment.map(|a| a * 100.0),
            label: pct(c.attainment),
            href: format!("/counties/{}", c.code),
            own: c.own,
        })
        .collect();
    let pct_axis = |v: f64| format!("{v:.0}");
    let map = super::progress::county_map("各县(市)完成度", "完成度(%)", &tiles, &st, &pct_axis);
    let (verdict, verdict_class) = verdict(&t);
    let page = TargetPage {
        title: format!("{} {}", t.id, t.name),
        layout: Layout::new(
            &st,
            &u,
            "/progress",
            vec![
                ("/progress".into(), "目标进度".into()),
                (String::new(), t.id.clone()),
            ],
        ),
        scope_name: scope_name.clone(),
        as_of: d.as_of.clone(),
        as_of_label: d.as_of_label.clone(),
        value: show_value(&t.value, &t.unit),
        target: target_text(&t),
        icon: t.status.icon(),
        verdict,
        verdict_class,
        chart: trend_chart(&t, &scope_name),
        series,
        counties,
        own_rank,
        city_note,
        map,
        map_note: super::progress::map_note(&st),
        city_view,
        t,
    };
    Ok(render(&page))
}
