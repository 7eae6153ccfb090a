//! The progress page: the targets' table with status and bar, the quotas and the county map,
//! and the table as a download.

use super::map::{MAP_METRICS, MapQuery, county_map, map_note, metric_tiles};
use clusterdesk_figures::progress::{bar_svg, trend_svg};
use super::{STATUSES, icon};
use crate::AppState;
use crate::api::progress::{ProgressQuery, resolve};
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_store::Scope;
use clusterdesk_store::progress::{TargetProgress, show_value};

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

fn quota_rows(r: &clusterdesk_store::progress::ProgressReport) -> Vec<QuotaRow> {
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
            let class = match q.status.as_str() {
                "met" => "achieved",
                "on_track" => "on_track",
                "behind" => "limited_progress",
                "above_max" => "needs_acceleration",
                _ => "insufficient_data",
            };
            let behind: Vec<String> = q
                .units
                .iter()
                .filter(|u| u.status != "met")
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

pub(crate) fn target_text(t: &TargetProgress) -> (String, String) {
    let main = match (&t.target_growth_pct, &t.target) {
        (Some(g), _) => format!("年均增长≥{g}%"),
        (None, Some(v)) => {
            // The report carries the plan's comparison by its code.
            let gt =
                clusterdesk_plan::Comparison::parse(&t.comparison) == Some(clusterdesk_plan::Comparison::Gt);
            let cmp = if gt { "超" } else { "" };
            match &t.target_max {
                Some(m) => format!("{}–{}", show_value(v, &t.unit), show_value(m, &t.unit)),
                None => format!("{cmp}{}", show_value(v, &t.unit)),
            }
        }
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

fn forecast_text(t: &TargetProgress) -> String {
    match &t.forecast {
        None => "数据不足,无法预测".into(),
        Some(fc) if fc.method == "actual" => "期限已到,以实际值为准".into(),
        Some(fc) => {
            let met = match fc.met {
                Some(true) => "按当前趋势可达成",
                Some(false) => "按当前趋势难以达成",
                None => "",
            };
            format!(
                "{}年预测 {}(95%区间 {}–{},{});{met}",
                fc.deadline_year,
                show_value(&fc.value, &t.unit),
                show_value(&fc.low, &t.unit),
                show_value(&fc.high, &t.unit),
                fc.method_label
            )
        }
    }
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
    let rows: Vec<Row> = report
        .targets
        .iter()
        .map(|t| {
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
                status: t.status.clone(),
                status_label: t.status_label.clone(),
                icon: icon(&t.status),
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
                            if p.basis == "year" {
                                format!("{}年", p.period)
                            } else {
                                clusterdesk_domain::Period::parse(&p.period)
                                    .map(|x| match p.basis.as_str() {
                                        "trailing_12_months" => format!("截至{}近12个月", x.label_zh()),
                                        "year_to_date" => format!("截至{}累计", x.label_zh()),
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
        })
        .collect();
    let counts = STATUSES
        .into_iter()
        .map(|(s, label)| StatusCount {
            status: s,
            label,
            icon: icon(s),
            n: report.targets.iter().filter(|t| t.status == s).count(),
        })
        .collect();
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
