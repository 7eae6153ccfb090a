//! The progress page: the targets' table with status and bar, the quotas and the county map,
//! and the table as a download.

use super::map::{MAP_METRICS, MapQuery, county_map, map_note, metric_tiles};
use crate::AppState;
use crate::api::progress::{ProgressQuery, resolve};
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_figures::table::{
    QuotaRow, Row, StatusCount, forecast_text, quota_rows, row, status_counts, target_text,
};
use clusterdesk_store::Scope;
use clusterdesk_store::progress::show_value;

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    title: String,
    layout: Layout,
    scope_name: String,
    as_of: String,
    as_of_label: String,
    county: String,
    counties: Vec<(String, String)>,
    city_view: bool,
    clause_count: usize,
    counts: Vec<StatusCount>,
    rows: Vec<Row>,
    quotas: Vec<QuotaRow>,
    json_href: String,
    /// (target id, 第k/n名) for a county reader.
    ranks: Vec<(String, String)>,
    map: String,
    map_label: String,
    map_note: &'static str,
    metric: String,
    map_options: Vec<(String, String)>,
    /// as_of (and county) for links that keep the view.
    query: String,
}

impl ProgressPage {
    fn rank_of(&self, id: &str) -> String {
        self.ranks
            .iter()
            .find(|(t, _)| t == id)
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }
}

/// The progress table as CSV or xlsx, one row per target row, with the header people read.
fn download(r: &clusterdesk_store::progress::ProgressReport, format: &str) -> Result<Response, PageError> {
    let headers = [
        "条款",
        "目标",
        "当前值",
        "期间",
        "目标值",
        "按进度应达",
        "状态",
        "最终结果",
        "预测",
        "口径",
    ];
    let rows: Vec<Vec<String>> = r
        .targets
        .iter()
        .map(|t| {
            let (target, note) = target_text(t);
            vec![
                t.id.clone(),
                format!("{}{}", t.name, if t.strive { "(力争)" } else { "" }),
                show_value(&t.value, &t.unit),
                t.value_period.clone(),
                if note.is_empty() {
                    target
                } else {
                    format!("{target}({note})")
                },
                t.expected
                    .as_ref()
                    .filter(|_| !t.is_final)
                    .map(|v| show_value(v, &t.unit))
                    .unwrap_or_default(),
                t.status_label.clone(),
                if t.is_final { "是" } else { "否" }.into(),
                forecast_text(t),
                t.basis_note.clone(),
            ]
        })
        .collect();
    let name = format!("目标进度_{}_{}", r.scope_name, r.as_of);
    crate::ui::table_download(format, &name, &headers, &rows)
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ProgressQuery>,
    Query(mq): Query<MapQuery>,
) -> Result<Response, PageError> {
    let (as_of, county) = resolve(&st.store, &q).await?;
    let report = st
        .store
        .target_progress(&u.actor, as_of, county.as_deref())
        .await?;
    if let Some(fmt) = mq.format.as_deref() {
        return download(&report, fmt);
    }
    let city_view = matches!(u.actor.scope(), Scope::City);
    // A county reader: its rank among the counties on each target row.
    let ranks: Vec<(String, String)> = match &report.county {
        Some(c) if !city_view => st
            .store
            .county_ranks(&u.actor, c, as_of)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.target,
                    r.rank
                        .map(|k| format!("第{k}/{}名", r.of))
                        .unwrap_or_else(|| "—".into()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    // The county map, coloured by the chosen metric.
    let own = match u.actor.scope() {
        Scope::County(c) => Some(c),
        _ => None,
    };
    let first = report
        .targets
        .first()
        .map(|t| format!("att:{}", t.id))
        .unwrap_or_default();
    let metric = mq
        .map
        .clone()
        .filter(|m| {
            (city_view && MAP_METRICS.iter().any(|(k, _)| k == m))
                || m.strip_prefix("att:")
                    .is_some_and(|id| report.targets.iter().any(|t| t.id == id))
        })
        .unwrap_or_else(|| if city_view { "revenue".into() } else { first });
    let map_year = if report.as_of.ends_with("-12") {
        as_of.year()
    } else {
        as_of.year() - 1
    };
    let (map, map_label) = if let Some(id) = metric.strip_prefix("att:") {
        let d = st.store.target_detail(&u.actor, id, as_of).await?;
        let tiles: Vec<crate::charts::Tile> = d
            .counties
            .iter()
            .map(|c| crate::charts::Tile {
                code: c.code.clone(),
                name: c.name.clone(),
                value: c.attainment.map(|a| a * 100.0),
                label: crate::ui::target::pct(c.attainment),
                href: format!("/progress/{}", crate::ui::urlencode(id)),
                own: c.own,
            })
            .collect();
        let label = format!("{id} 完成度(%)");
        let fmt = |v: f64| format!("{v:.0}");
        (county_map("各县(市)", &label, &tiles, &st, &fmt), label)
    } else {
        let r = st
            .store
            .cluster_metrics_without_concentration(&u.actor, map_year, None)
            .await?;
        let tiles = metric_tiles(&st, &r, &metric, own.as_deref());
        let name = MAP_METRICS
            .iter()
            .find(|(k, _)| *k == metric)
            .map(|(_, n)| *n)
            .unwrap_or("");
        let label = format!("{map_year}年{name}");
        let places = match metric.as_str() {
            "growth" => 1,
            "rd" | "digital" => 2,
            _ => 0,
        };
        let fmt = |v: f64| crate::ui::target::group(v, places);
        (county_map("各县(市)", &label, &tiles, &st, &fmt), label)
    };
    let mut map_options: Vec<(String, String)> = Vec::new();
    if city_view {
        map_options.extend(MAP_METRICS.iter().map(|(k, n)| (k.to_string(), n.to_string())));
    }
    map_options.extend(
        report
            .targets
            .iter()
            .map(|t| (format!("att:{}", t.id), format!("{} {} 完成度", t.id, t.name))),
    );
    let counties = if city_view {
        st.store
            .plan()
            .counties()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let rows: Vec<Row> = report.targets.iter().map(row).collect();
    let counts = status_counts(&report.targets);
    let mut clauses: Vec<&str> = report.targets.iter().map(|t| t.clause.as_str()).collect();
    clauses.dedup();
    let json_href = match &report.county {
        Some(c) => format!("/api/v1/progress?as_of={}&county={c}", report.as_of),
        None => format!("/api/v1/progress?as_of={}", report.as_of),
    };
    let mut crumbs: Vec<(String, String)> = Vec::new();
    if let Some(c) = &report.county {
        crumbs.push((format!("/counties/{c}"), report.scope_name.clone()));
    }
    crumbs.push(("/progress".into(), "目标进度".into()));
    let query = format!(
        "as_of={}{}",
        report.as_of,
        report
            .county
            .as_ref()
            .filter(|_| city_view)
            .map(|c| format!("&county={c}"))
            .unwrap_or_default()
    );
    let page = ProgressPage {
        ranks,
        map,
        map_label,
        map_note: map_note(&st),
        metric,
        map_options,
        query,
        title: "目标进度".into(),
        layout: Layout::new(&st, &u, "/progress", crumbs),
        scope_name: report.scope_name.clone(),
        as_of: report.as_of.clone(),
        as_of_label: report.as_of_label.clone(),
        county: report.county.clone().unwrap_or_default(),
        counties,
        city_view,
        clause_count: clauses.len(),
        counts,
        rows,
        quotas: quota_rows(&report),
        json_href,
    };
    Ok(render(&page))
}
