//! The county map of the progress page and the per-county tiles it is coloured by.

use crate::AppState;

#[derive(Debug, Default, serde::Deserialize)]
pub struct MapQuery {
    /// The metric the county map is coloured by (see [`MAP_METRICS`]) or `att:{target}`.
    pub(super) map: Option<String>,
    /// csv or xlsx: the progress table as a download.
    pub(super) format: Option<String>,
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
        "按运营方提供的县界数据绘制"
    } else {
        "示意图:方格大致按各县(市)地理方位排列,不代表真实边界"
    }
}

/// Per-county tiles of a cluster-metrics measure; the figures come from
/// `clusterdesk_figures::metrics::county_figure`.
pub(super) fn metric_tiles(
    st: &AppState,
    r: &clusterdesk_store::progress::ClusterMetricsReport,
    metric: &str,
    own: Option<&str>,
) -> Vec<crate::charts::Tile> {
    st.store
        .plan()
        .counties()
        .map(|c| {
            let mine: Vec<_> = r.clusters.iter().filter(|k| k.county_code == c.code).collect();
            let (value, label) = clusterdesk_figures::metrics::county_figure(&mine, metric);
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
