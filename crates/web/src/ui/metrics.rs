//! 集群分析 `/clusters/metrics?year=`: every cluster's metrics for a complete year (二.1 tiers,
//! growth, R&D, qualifications, digitalisation, concentration, location quotient, strong-cluster
//! flag, shift-share), sortable by column, downloadable, with the tier chart and the portfolio
//! bubble chart; every figure links to the values behind it.

use super::target::values_href;
use super::{Layout, PageError, PageUser, render, urlencode};
use crate::AppState;
use crate::api::progress::metrics_scope;
use crate::charts;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_figures::metrics::{Share, cell_texts, portfolio_chart};
use clusterdesk_store::Scope;
use clusterdesk_store::progress::ClusterMetrics;

#[derive(Debug, Default, serde::Deserialize)]
pub struct MetricsPageQuery {
    year: Option<String>,
    county: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    format: Option<String>,
}

/// A cell: its text and, when it has one, the link to the values behind it.
pub struct Cell {
    pub text: String,
    pub href: String,
}

pub struct Line {
    pub code: String,
    pub name: String,
    pub county: String,
    pub county_code: String,
    pub strong: bool,
    pub cells: Vec<Cell>,
}

pub struct Head {
    pub label: &'static str,
    pub href: String,
    pub sorted: bool,
    pub arrow: &'static str,
}

#[derive(Template)]
#[template(path = "cluster_metrics.html")]
struct MetricsPage {
    title: String,
    layout: Layout,
    year: i32,
    county: String,
    counties: Vec<(String, String)>,
    city_view: bool,
    heads: Vec<Head>,
    lines: Vec<Line>,
    reference: String,
    placeholder: bool,
    tiers: String,
    bubbles: String,
    bubble_note: String,
    query: String,
    json_href: String,
}

/// Columns: key, header (with unit), whether it is a number.
const COLUMNS: [(&str, &str); 24] = [
    ("revenue", "营业收入(亿元)"),
    ("tier", "档位(二.1)"),
    ("growth", "营收增速"),
    ("rd", "研发投入(亿元)"),
    ("rd_growth", "研发增速"),
    ("rd_intensity", "研发强度"),
    ("patents", "发明专利(件)"),
    ("patents_growth", "专利增速"),
    ("enterprises", "企业(家)"),
    ("above_scale", "规上(家)"),
    ("high_tech", "高企(家)"),
    ("innovative", "创新型+专精特新(家)"),
    ("specialized", "专精特新(家)"),
    ("listed", "挂牌上市(家)"),
    ("platforms", "省级以上平台(个)"),
    ("standards", "参与制修订标准(项)"),
    ("digital", "数字化率"),
    ("hhi", "集中度(HHI)"),
    ("top3", "前3企业份额"),
    ("lq", "区位商"),
    ("lq_ref", "区位商参照"),
    ("strong", "强集群"),
    ("ss_local", "偏离-份额:本地竞争(亿元)"),
    ("ss_mix", "偏离-份额:行业结构(亿元)"),
];

/// The sort key of a column (numbers; text columns by their text).
fn key(c: &ClusterMetrics, col: &str) -> (Option<f64>, String) {
    let n = |v: Option<i64>| v.map(|x| x as f64);
    let v = match col {
        "revenue" | "tier" => n(c.revenue),
        "growth" => n(c.revenue_growth_bp),
        "rd" => n(c.rd_expense),
        "rd_growth" => n(c.rd_growth_bp),
        "rd_intensity" => n(c.rd_intensity_bp),
        "patents" => n(c.invention_patents),
        "patents_growth" => n(c.patents_growth_bp),
        "enterprises" => Some(c.enterprises as f64),
        "above_scale" => Some(c.above_scale as f64),
        "high_tech" => Some(c.high_tech as f64),
        "innovative" => Some(c.innovative_or_specialized as f64),
        "specialized" => Some(c.specialized as f64),
        "listed" => Some(c.listed as f64),
        "platforms" => Some(c.platforms as f64),
        "standards" => n(c.standards),
        "digital" => n(c.digitalization_rate),
        "hhi" => c.hhi,
        "top3" => c.top3_share,
        "lq" => c.lq,
        "strong" => Some(c.strong as u8 as f64),
        "ss_local" => c.shift_share.map(|s| s.local_shift as f64),
        "ss_mix" => c.shift_share.map(|s| s.industry_mix as f64),
        _ => None,
    };
    let text = match col {
        "name" => c.code.clone(),
        "county" => c.county_code.clone(),
        "lq_ref" => c.lq_reference.clone(),
        _ => String::new(),
    };
    (v, text)
}

fn cells(c: &ClusterMetrics) -> Vec<Cell> {
    let y = c.year.to_string();
    let link = |ind: &str| values_href(&c.code, ind, &y);
    let ents = format!("/enterprises?cluster={}", urlencode(&c.code));
    let hrefs = [
        link("revenue"),
        String::new(),
        link("revenue"),
        link("rd_expense"),
        link("rd_expense"),
        link("rd_expense"),
        link("invention_patents"),
        link("invention_patents"),
        ents.clone(),
        ents.clone(),
        ents.clone(),
        ents.clone(),
        ents.clone(),
        ents.clone(),
        ents,
        link("standards"),
        link("digitalization_rate"),
        link("revenue"),
        link("revenue"),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    cell_texts(c)
        .into_iter()
        .zip(hrefs)
        .map(|(text, href)| Cell { text, href })
        .collect()
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<MetricsPageQuery>,
) -> Result<Response, PageError> {
    let (year, county) = metrics_scope(&st.store, q.county.clone(), Ok(q.year.as_deref())).await?;
    let r = st
        .store
        .cluster_metrics(&u.actor, year, county.as_deref())
        .await?;
    let mut clusters = r.clusters.clone();
    let sort = q.sort.clone().unwrap_or_else(|| "revenue".into());
    let asc = q.dir.as_deref() == Some("asc");
    if COLUMNS.iter().any(|(k, _)| *k == sort) || sort == "name" || sort == "county" {
        clusters.sort_by(|a, b| {
            let (ka, kb) = (key(a, &sort), key(b, &sort));
            // Missing numbers last either way.
            let o = match (ka.0, kb.0) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(std::cmp::Ordering::Equal),
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => ka.1.cmp(&kb.1),
            };
            let o = if asc { o } else { o.reverse() };
            o.then(a.code.cmp(&b.code))
        });
    }
    let base = format!(
        "/clusters/metrics?year={year}{}",
        county
            .as_ref()
            .map(|c| format!("&county={c}"))
            .unwrap_or_default()
    );
    if let Some(fmt) = q.format.as_deref() {
        let mut headers: Vec<&str> = vec!["集群代码", "集群", "县(市)", "行业大类"];
        headers.extend(COLUMNS.iter().map(|(_, l)| *l));
        let rows: Vec<Vec<String>> = clusters
            .iter()
            .map(|c| {
                let mut row = vec![
                    c.code.clone(),
                    c.full_name.clone(),
                    c.county_name.clone(),
                    c.division.clone(),
                ];
                row.extend(cells(c).into_iter().map(|x| x.text));
                row
            })
            .collect();
        let name = format!("集群分析_{year}");
        return super::table_download(fmt, &name, &headers, &rows);
    }
    let head = |k: &'static str, label: &'static str| {
        let sorted = sort == k;
        let dir = if sorted && !asc { "asc" } else { "desc" };
        Head {
            label,
            href: format!("{base}&sort={k}&dir={dir}"),
            sorted,
            arrow: if !sorted {
                ""
            } else if asc {
                "▲"
            } else {
                "▼"
            },
        }
    };
    let mut heads = vec![head("name", "集群"), head("county", "县(市)")];
    heads.extend(COLUMNS.iter().map(|(k, l)| head(k, l)));
    let lines = clusters
        .iter()
        .map(|c| Line {
            code: c.code.clone(),
            name: c.full_name.clone(),
            county: c.county_name.clone(),
            county_code: c.county_code.clone(),
            strong: c.strong,
            cells: cells(c),
        })
        .collect();
    let plan = st.store.plan();
    let from = plan.meta.baseline_year.min(year);
    let tier_years = st.store.tier_counts(&u.actor, from, year).await?;
    let scope_label = county
        .as_ref()
        .and_then(|c| plan.org_unit(c).map(|x| x.name.clone()))
        .unwrap_or_else(|| plan.city().name.clone());
    let tiers = charts::tiers(
        &format!("{scope_label}集群营业收入档位(二.1)·各年集群个数"),
        &tier_years,
    );
    let shares: Vec<Share> = r
        .clusters
        .iter()
        .map(|c| Share {
            county_name: &c.county_name,
            full_name: &c.full_name,
            revenue: c.revenue,
            change: c.shift_share.map(|s| s.change),
            strong: c.strong,
        })
        .collect();
    let bubbles = portfolio_chart(&scope_label, year, &shares);
    let city_view = matches!(u.actor.scope(), Scope::City);
    let counties = if city_view {
        plan.counties()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let page = MetricsPage {
        title: "集群分析".into(),
        layout: Layout::new(
            &st,
            &u,
            "/clusters/metrics",
            vec![(String::new(), "集群分析".into())],
        ),
        year,
        county: county.clone().unwrap_or_default(),
        counties,
        city_view,
        heads,
        lines,
        reference: r.reference.clone(),
        placeholder: r.reference_placeholder,
        tiers,
        bubble_note: format!(
            "横轴:{year}年占{scope_label}集群营业收入的份额;纵轴:较{}年份额的变化(百分点);面积:营业收入;深色为强集群。只画出两年都有营业收入的集群,标签重叠时只标出较大的集群,全部数值见下表。",
            year - 1
        ),
        bubbles,
        query: base.clone(),
        json_href: format!(
            "/api/v1/cluster-metrics?year={year}{}",
            county
                .as_ref()
                .map(|c| format!("&county={c}"))
                .unwrap_or_default()
        ),
    };
    Ok(render(&page))
}
