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
pub use clusterdesk_figures::target::{group, pct};
use clusterdesk_figures::target::{target_text, trend_chart, verdict};
use clusterdesk_store::Scope;
use clusterdesk_store::progress::{Basis, TargetProgress, show_value};

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
