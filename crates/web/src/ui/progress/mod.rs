//! 目标进度: the twelve targets of 二 with clause id, value, target, status (word + colour +
//! icon) and a progress bar drawn here as SVG; the numbers one click away.

use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use crate::api::progress::{ProgressQuery, resolve};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterdesk_store::Scope;
use clusterdesk_store::progress::{TargetProgress, show_value};
use rust_decimal::prelude::ToPrimitive;

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
fn download(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    r: &clusterdesk_store::progress::ProgressReport,
    format: &str,
) -> Result<Response, PageError> {
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
    super::table_download(st, u, format, &name, &headers, &rows)
}

/// The Open SDG statuses in the order they are counted on a page.
pub(super) const STATUSES: [(&str, &str); 5] = [
    ("achieved", "已达成"),
    ("on_track", "进度正常"),
    ("needs_acceleration", "需加快"),
    ("limited_progress", "进展有限"),
    ("deteriorating", "倒退"),
];

pub(super) fn icon(status: &str) -> &'static str {
    match status {
        "achieved" => "✓",
        "on_track" => "↗",
        "needs_acceleration" => "→",
        "limited_progress" => "↘",
        "deteriorating" => "✗",
        _ => "?",
    }
}

/// Fill colour of a status; the word and the icon go with it everywhere.
fn colour(status: &str) -> &'static str {
    match status {
        "achieved" => "#1e7b34",
        "on_track" => "#1d4f91",
        "needs_acceleration" => "#9a6700",
        "limited_progress" => "#c2410c",
        "deteriorating" => "#b42318",
        _ => "#7b8794",
    }
}

fn f(d: &rust_decimal::Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn esc(s: &str) -> String {
    super::html_escape(s)
}

/// A horizontal bar: the value filled in the status colour, the target as a solid line, where
/// the value should be by now (the phased target) as a dashed line, the forecast as a diamond
/// with its interval. 0 is the left edge; the scale runs to the largest of them × 1.08.
pub fn bar_svg(t: &TargetProgress) -> String {
    let (w, h, x0, bw) = (420.0, 34.0, 4.0, 412.0);
    let value = f(&t.value);
    let target = t.target.as_ref().map(f);
    let expected = t.expected.as_ref().map(f);
    let fc = t.forecast.as_ref().filter(|x| x.method != "actual");
    let mut top = value.max(target.unwrap_or(0.0)).max(expected.unwrap_or(0.0));
    if let Some(fc) = fc {
        top = top.max(f(&fc.value)).max(f(&fc.high).min(top * 1.6));
    }
    let top = if top <= 0.0 { 1.0 } else { top * 1.08 };
    let x = |v: f64| x0 + (v.max(0.0) / top).min(1.0) * bw;
    let col = colour(&t.status);
    let mut s = format!(
        r##"<svg class="pbar" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}"><title>{label}</title><rect x="{x0}" y="8" width="{bw}" height="16" fill="#eef2f6" stroke="#9aa5b1" stroke-width="0.5"/><rect x="{x0}" y="8" width="{vw:.1}" height="16" fill="{col}"/>"##,
        label = esc(&format!(
            "{} {}:当前 {},目标 {},{}",
            t.id,
            t.name,
            show_value(&t.value, &t.unit),
            t.target
                .as_ref()
                .map(|v| show_value(v, &t.unit))
                .unwrap_or_else(|| "—".into()),
            t.status_label
        )),
        vw = x(value) - x0,
    );
    if let Some(e) = expected
        && !t.is_final
    {
        let ex = x(e);
        s.push_str(&format!(
            r##"<line x1="{ex:.1}" y1="4" x2="{ex:.1}" y2="28" stroke="#323f4b" stroke-width="1.2" stroke-dasharray="3 2"/>"##
        ));
    }
    if let Some(tv) = target {
        let tx = x(tv);
        s.push_str(&format!(
            r##"<line x1="{tx:.1}" y1="2" x2="{tx:.1}" y2="30" stroke="#1f2933" stroke-width="2.5"/>"##
        ));
    }
    if let Some(fc) = fc {
        let (lo, mid, hi) = (x(f(&fc.low)), x(f(&fc.value)), x(f(&fc.high)));
        s.push_str(&format!(
            r##"<line x1="{lo:.1}" y1="16" x2="{hi:.1}" y2="16" stroke="#1f2933" stroke-width="1"/><path d="M{mid:.1} 10 L{r:.1} 16 L{mid:.1} 22 L{l:.1} 16 Z" fill="#ffffff" stroke="#1f2933" stroke-width="1.2"/>"##,
            l = mid - 6.0,
            r = mid + 6.0
        ));
    }
    s.push_str("</svg>");
    s
}

/// A small trend chart: the yearly series (solid, dots), the phased target path (dashed) and,
/// before the deadline, the forecast with its interval.
pub fn trend_svg(t: &TargetProgress) -> String {
    let (w, h) = (420.0, 150.0);
    let (l, r, top, bottom) = (56.0, 12.0, 12.0, 26.0);
    let pts: Vec<(String, f64, Option<f64>)> = t
        .series
        .iter()
        .map(|p| (p.period.clone(), f(&p.value), p.milestone.as_ref().map(f)))
        .collect();
    if pts.is_empty() {
        return String::new();
    }
    let fc = t
        .forecast
        .as_ref()
        .filter(|x| x.method != "actual")
        .map(|x| (f(&x.value), f(&x.low), f(&x.high)));
    // x positions: one slot per point, plus the deadline when a forecast is drawn.
    let slots = pts.len() + usize::from(fc.is_some());
    let step = if slots > 1 {
        (w - l - r) / (slots - 1) as f64
    } else {
        0.0
    };
    let xs = |i: usize| l + step * i as f64;
    let mut ymax = pts
        .iter()
        .map(|(_, v, m)| v.max(m.unwrap_or(0.0)))
        .fold(0.0, f64::max);
    if let Some(tv) = t.target.as_ref().map(f) {
        ymax = ymax.max(tv);
    }
    if let Some((p, _, hi)) = fc {
        ymax = ymax.max(p).max(hi.min(ymax * 1.6));
    }
    let ymax = if ymax <= 0.0 { 1.0 } else { ymax * 1.1 };
    let y = |v: f64| top + (1.0 - (v.max(0.0) / ymax).min(1.0)) * (h - top - bottom);
    let mut s = format!(
        r##"<svg class="ptrend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{a}"><title>{a}</title><line x1="{l}" y1="{yb}" x2="{xr}" y2="{yb}" stroke="#9aa5b1"/>"##,
        a = esc(&format!("{} 历年走势", t.id)),
        yb = h - bottom,
        xr = w - r
    );
    // Axis labels: 0 and the top, in the target's unit.
    let unit_max = rust_decimal::Decimal::from_f64_retain(ymax).unwrap_or_default();
    s.push_str(&format!(
        r##"<text x="{tx}" y="{y0}" font-size="10" text-anchor="end" fill="#616e7c">0</text><text x="{tx}" y="{y1}" font-size="10" text-anchor="end" fill="#616e7c">{m}</text>"##,
        tx = l - 4.0,
        y0 = h - bottom + 3.0,
        y1 = top + 8.0,
        m = esc(&show_value(&unit_max, &t.unit))
    ));
    let line = |vals: Vec<(usize, f64)>| -> String {
        vals.iter()
            .enumerate()
            .map(|(k, (i, v))| format!("{}{:.1} {:.1}", if k == 0 { "M" } else { " L" }, xs(*i), y(*v)))
            .collect()
    };
    let ms: Vec<(usize, f64)> = pts
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, m))| m.map(|m| (i, m)))
        .collect();
    if ms.len() > 1 {
        s.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="#616e7c" stroke-width="1.2" stroke-dasharray="4 3"/>"##,
            line(ms)
        ));
    }
    let vals: Vec<(usize, f64)> = pts.iter().enumerate().map(|(i, (_, v, _))| (i, *v)).collect();
    let col = colour(&t.status);
    if vals.len() > 1 {
        s.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{col}" stroke-width="2"/>"##,
            line(vals.clone())
        ));
    }
    for (i, v) in &vals {
        s.push_str(&format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{col}"/>"##,
            xs(*i),
            y(*v)
        ));
    }
    for (i, (label, _, _)) in pts.iter().enumerate() {
        s.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle" fill="#616e7c">{}</text>"##,
            xs(i),
            h - 8.0,
            esc(label)
        ));
    }
    if let Some((p, lo, hi)) = fc {
        let i = pts.len();
        let (last_i, last_v) = (pts.len() - 1, pts[pts.len() - 1].1);
        s.push_str(&format!(
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#1f2933" stroke-dasharray="2 2"/><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#1f2933"/><path d="M{x:.1} {a:.1} L{xr:.1} {yp:.1} L{x:.1} {b:.1} L{xl:.1} {yp:.1} Z" fill="#ffffff" stroke="#1f2933"/><text x="{tx:.1}" y="{}" font-size="10" text-anchor="end" fill="#616e7c">{}预测</text>"##,
            xs(last_i),
            y(last_v),
            xs(i),
            y(p),
            y(hi),
            y(lo),
            h - 8.0,
            t.deadline_year,
            x = xs(i),
            a = y(p) - 5.0,
            b = y(p) + 5.0,
            xl = xs(i) - 5.0,
            xr = xs(i) + 5.0,
            yp = y(p),
            tx = xs(i) + 6.0
        ));
    }
    if let Some(tv) = t.target.as_ref().map(f) {
        let yt = y(tv);
        s.push_str(&format!(
            r##"<line x1="{l}" y1="{yt:.1}" x2="{xr}" y2="{yt:.1}" stroke="#1f2933" stroke-width="1"/><text x="{xr}" y="{ty:.1}" font-size="10" text-anchor="end" fill="#1f2933">目标</text>"##,
            xr = w - r,
            ty = yt - 3.0
        ));
    }
    s.push_str("</svg>");
    s
}

pub(super) fn target_text(t: &TargetProgress) -> (String, String) {
    let main = match (&t.target_growth_pct, &t.target) {
        (Some(g), _) => format!("年均增长≥{g}%"),
        (None, Some(v)) => {
            let cmp = if t.comparison == "gt" { "超" } else { "" };
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

#[derive(Debug, Default, serde::Deserialize)]
pub struct MapQuery {
    /// The metric the county map is coloured by (see [`MAP_METRICS`]) or `att:{target}`.
    map: Option<String>,
    /// csv or xlsx: the progress table as a download.
    format: Option<String>,
}

/// The metrics a county map can show, from the cluster metrics of a complete year.
pub const MAP_METRICS: [(&str, &str); 6] = [
    ("revenue", "集群营业收入(亿元)"),
    ("growth", "营业收入增速(%)"),
    ("above_scale", "规上企业数(家)"),
    ("high_tech", "高新技术企业数(家)"),
    ("rd", "研发投入强度(%)"),
    ("digital", "数字化率(%)"),
];

/// The county map: real boundaries when the plan folder holds `counties.geojson` (features
/// named by county name or code), else the schematic grid.
pub fn county_map(
    title: &str,
    metric: &str,
    tiles: &[crate::charts::Tile],
    st: &AppState,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let plan = st.store.plan();
    plan.extra_file("counties.geojson")
        .and_then(|g| crate::charts::geo_map(title, metric, &g.text, tiles, fmt))
        .unwrap_or_else(|| crate::charts::tile_map(title, metric, tiles, fmt))
}

/// The caption under a county map: says whether it is the schematic grid or real boundaries.
pub fn map_note(st: &AppState) -> &'static str {
    if st.store.plan().extra_file("counties.geojson").is_some() {
        "按运营方提供的县界文件(counties.geojson)绘制"
    } else {
        "示意图:方格大致按各县(市)地理方位排列,不代表真实边界(计划目录提供 counties.geojson 时按真实边界绘制)"
    }
}

/// Per-county tiles of a cluster-metrics measure (sums over a county's clusters; growth and
/// intensity from the sums; the digitalisation rate averaged over reporting clusters).
fn metric_tiles(
    st: &AppState,
    r: &clusterdesk_store::progress::ClusterMetricsReport,
    metric: &str,
    own: Option<&str>,
) -> Vec<crate::charts::Tile> {
    use super::target::group;
    st.store
        .plan()
        .counties()
        .map(|c| {
            let mine: Vec<_> = r.clusters.iter().filter(|k| k.county_code == c.code).collect();
            let sum = |f: &dyn Fn(&clusterdesk_store::progress::ClusterMetrics) -> Option<i64>| {
                let v: Vec<i64> = mine.iter().filter_map(|k| f(k)).collect();
                (!v.is_empty()).then(|| v.iter().sum::<i64>())
            };
            let value: Option<f64> = match metric {
                "growth" => {
                    let now = sum(&|k| k.shift_share.map(|_| k.revenue.unwrap_or(0)));
                    let before = sum(&|k| k.shift_share.map(|s| k.revenue.unwrap_or(0) - s.change));
                    match (now, before) {
                        (Some(a), Some(b)) if b > 0 => Some((a as f64 / b as f64 - 1.0) * 100.0),
                        _ => None,
                    }
                }
                "above_scale" => sum(&|k| Some(k.above_scale)).map(|v| v as f64),
                "high_tech" => sum(&|k| Some(k.high_tech)).map(|v| v as f64),
                "rd" => match (
                    sum(&|k| k.rd_expense.and(k.revenue)),
                    sum(&|k| k.revenue.and(k.rd_expense)),
                ) {
                    (Some(rev), Some(rd)) if rev > 0 => Some(rd as f64 / rev as f64 * 100.0),
                    _ => None,
                },
                "digital" => {
                    let v: Vec<i64> = mine.iter().filter_map(|k| k.digitalization_rate).collect();
                    (!v.is_empty()).then(|| v.iter().sum::<i64>() as f64 / v.len() as f64 / 100.0)
                }
                _ => sum(&|k| k.revenue).map(|v| v as f64 / 1e10),
            };
            let label = match (metric, value) {
                (_, None) => String::new(),
                ("growth", Some(v)) => format!("{}%", group(v, 1)),
                ("rd" | "digital", Some(v)) => format!("{}%", group(v, 2)),
                ("above_scale" | "high_tech", Some(v)) => format!("{}家", group(v, 0)),
                (_, Some(v)) => format!("{}亿元", group(v, 1)),
            };
            crate::charts::Tile {
                code: c.code.clone(),
                name: c.name.clone(),
                value,
                label,
                href: format!("/counties/{}", c.code),
                own: own == Some(c.code.as_str()),
            }
        })
        .collect()
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ProgressQuery>,
    Query(mq): Query<MapQuery>,
) -> Result<Response, PageError> {
    let (as_of, county) = resolve(&st.store, &q)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    let report = st
        .store
        .target_progress(&u.actor, as_of, county.as_deref())
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    if let Some(fmt) = mq.format.as_deref() {
        return download(&st, &u, &report, fmt);
    }
    let city_view = matches!(u.actor.scope(), Scope::City);
    // A county reader: its rank among the counties on each target row.
    let ranks: Vec<(String, String)> = match &report.county {
        Some(c) if !city_view => st
            .store
            .county_ranks(&u.actor, c, as_of)
            .await
            .map_err(|e| PageError::with(&st, &u, e))?
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
        let d = st
            .store
            .target_detail(&u.actor, id, as_of)
            .await
            .map_err(|e| PageError::with(&st, &u, e))?;
        let tiles: Vec<crate::charts::Tile> = d
            .counties
            .iter()
            .map(|c| crate::charts::Tile {
                code: c.code.clone(),
                name: c.name.clone(),
                value: c.attainment.map(|a| a * 100.0),
                label: super::target::pct(c.attainment),
                href: format!("/progress/{}", super::urlencode(id)),
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
            .await
            .map_err(|e| PageError::with(&st, &u, e))?;
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
        let fmt = |v: f64| super::target::group(v, places);
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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/progress", get(page))
        .route("/progress/phasing", get(phasing).post(phasing_submit))
        .route("/progress/{target}", get(super::target::page))
}

pub struct PhasingCell {
    pub year: i32,
    pub value: String,
    pub placeholder: String,
    pub locked: bool,
}

pub struct PhasingLine {
    pub county: String,
    pub name: String,
    pub form_id: String,
    pub target: String,
    pub cells: Vec<PhasingCell>,
}

#[derive(Template)]
#[template(path = "progress_phasing.html")]
struct PhasingPage {
    title: String,
    layout: Layout,
    id: String,
    name: String,
    unit: String,
    years: Vec<i32>,
    lines: Vec<PhasingLine>,
    can_edit: bool,
    message: String,
    error: String,
    csrf: String,
}

#[derive(serde::Deserialize)]
pub struct PhasingQuery {
    target: Option<String>,
    saved: Option<String>,
}

fn plain(v: &rust_decimal::Decimal) -> String {
    v.normalize().to_string()
}

async fn phasing_page(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    target: &str,
    message: String,
    error: String,
) -> Result<Response, PageError> {
    let plan = st.store.plan();
    let as_of = clusterdesk_domain::Period::month(plan.meta.target_year, 12);
    let scopes = st
        .store
        .target_phasing(&u.actor, target, as_of)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let t = plan.target(target).expect("found by the store");
    let city = &scopes[0].progress;
    let years: Vec<i32> = city
        .phasing
        .iter()
        .map(|p| p.year)
        .filter(|y| *y > city.baseline_year)
        .collect();
    let lines = scopes
        .iter()
        .map(|s| {
            let p = &s.progress;
            let cells = years
                .iter()
                .map(|y| {
                    let step = p.phasing.iter().find(|x| x.year == *y);
                    PhasingCell {
                        year: *y,
                        value: step
                            .filter(|x| x.edited)
                            .map(|x| plain(&x.value))
                            .unwrap_or_default(),
                        placeholder: step.map(|x| plain(&x.value)).unwrap_or_default(),
                        locked: s.county.is_none() && *y == t.deadline_year,
                    }
                })
                .collect();
            PhasingLine {
                county: s.county.clone().unwrap_or_default(),
                name: s.name.clone(),
                form_id: format!("f-{}", s.county.as_deref().unwrap_or("city")),
                target: p
                    .target
                    .as_ref()
                    .map(|v| show_value(v, &p.unit))
                    .unwrap_or_else(|| "—".into()),
                cells,
            }
        })
        .collect();
    let page = PhasingPage {
        title: format!("目标分解 {}", t.id),
        layout: Layout::new(
            st,
            u,
            "/progress",
            vec![
                ("/progress".into(), "目标进度".into()),
                (
                    format!("/progress/phasing?target={}", super::urlencode(&t.id)),
                    format!("{} 分解", t.id),
                ),
            ],
        ),
        id: t.id.clone(),
        name: t.name.clone(),
        unit: city.unit.clone(),
        years,
        lines,
        can_edit: u.actor.role == clusterdesk_domain::Role::CityAdmin,
        message,
        error,
        csrf: u.csrf.clone(),
    };
    Ok(render(&page))
}

pub async fn phasing(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<PhasingQuery>,
) -> Result<Response, PageError> {
    let target = q.target.unwrap_or_default();
    let message = if q.saved.is_some() {
        "已保存。留空的年份按默认分解(增长目标按复合增速,其余按线性;县级目标按基年比重)。".to_string()
    } else {
        String::new()
    };
    phasing_page(&st, &u, &target, message, String::new()).await
}

pub async fn phasing_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    super::check_csrf(&u, &get("csrf")).map_err(|e| PageError::with(&st, &u, e))?;
    let target = get("target");
    let county = get("county");
    let mut edits = Vec::new();
    for (k, v) in &form {
        let Some(y) = k.strip_prefix('y').and_then(|y| y.parse::<i32>().ok()) else {
            continue;
        };
        let v = v.trim().replace([',', ','], "");
        let value = if v.is_empty() {
            None
        } else {
            match v.parse::<rust_decimal::Decimal>() {
                Ok(d) => Some(d),
                Err(_) => {
                    let msg = format!("{y}年的值“{v}”不是数字");
                    return phasing_page(&st, &u, &target, String::new(), msg).await;
                }
            }
        };
        edits.push(clusterdesk_store::progress::MilestoneEdit { year: y, value });
    }
    let county = (!county.is_empty()).then_some(county);
    match st
        .store
        .set_target_milestones(&u.actor, &target, county.as_deref(), &edits)
        .await
    {
        Ok(()) => Ok(axum::response::Redirect::to(&format!(
            "/progress/phasing?target={}&saved=1",
            super::urlencode(&target)
        ))
        .into_response()),
        Err(clusterdesk_store::StoreError::Invalid(m)) => {
            phasing_page(&st, &u, &target, String::new(), m).await
        }
        Err(e) => Err(PageError::with(&st, &u, e)),
    }
}
