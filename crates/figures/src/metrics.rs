//! The cluster metrics page's figures (`/clusters/metrics`): the portfolio chart's series, the
//! table's cell texts, and a county's figure of a measure for the progress page's map.

use crate::charts::{self, Bubble};
use crate::target::group;
use clusterdesk_analytics::metrics::ClusterMetrics;
use clusterdesk_domain::Fen;

/// What the portfolio chart needs of one cluster: this year's revenue (fen), its change on last
/// year (fen, from the shift-share) and its names for the label.
#[derive(Clone, Copy)]
pub struct Share<'a> {
    pub county_name: &'a str,
    pub full_name: &'a str,
    pub revenue: Option<i64>,
    pub change: Option<i64>,
    pub strong: bool,
}

/// The bubbles: x the share of the scope's cluster revenue this year (%), y its change on last
/// year's share (percentage points), area the revenue. Only clusters with revenue in both
/// years are drawn; last year's total counts the clusters with a change.
pub fn portfolio(shares: &[Share]) -> Vec<Bubble> {
    let total: i64 = shares.iter().filter_map(|c| c.revenue).sum();
    let total0: i64 = shares
        .iter()
        .filter_map(|c| c.change.map(|ch| c.revenue.unwrap_or(0) - ch))
        .sum();
    shares
        .iter()
        .filter_map(|c| {
            let rev = c.revenue?;
            let change = c.change?;
            if total <= 0 || total0 <= 0 {
                return None;
            }
            let share = rev as f64 / total as f64 * 100.0;
            let share0 = (rev - change) as f64 / total0 as f64 * 100.0;
            Some(Bubble {
                label: format!(
                    "{}{}",
                    short_county(c.county_name),
                    short_name(c.county_name, c.full_name)
                ),
                x: share,
                y: share - share0,
                size: rev as f64,
                strong: c.strong,
            })
        })
        .collect()
}

/// The portfolio chart of a scope for `year` against the year before.
pub fn portfolio_chart(scope_label: &str, year: i32, shares: &[Share]) -> String {
    charts::bubbles(
        &format!("{scope_label}集群组合图({}–{year}年)", year - 1),
        "占营业收入份额",
        "份额变化",
        &portfolio(shares),
    )
}

/// 孟村回族自治县 → 孟村, 黄骅市 → 黄骅.
pub fn short_county(n: &str) -> String {
    n.replace("回族自治县", "")
        .trim_end_matches(['市', '县'])
        .to_string()
}

/// 黄骅市化工产业集群 → 化工.
pub fn short_name(county_name: &str, full_name: &str) -> String {
    let n = full_name.strip_prefix(county_name).unwrap_or(full_name);
    let n = n.strip_suffix("产业集群").unwrap_or(n);
    // Names the text shortens (吴桥 for 吴桥县, 孟村县 for 孟村回族自治县).
    let n = n.strip_prefix(short_county(county_name).as_str()).unwrap_or(n);
    n.trim_start_matches(['县', '市']).to_string()
}

/// Basis points as a percent with two decimals: 1250 → `12.50%`.
pub fn bp(v: Option<i64>) -> String {
    v.map(|x| format!("{}%", group(x as f64 / 100.0, 2)))
        .unwrap_or_else(|| "—".into())
}

/// Fen as 亿元 with two decimals.
pub fn yi(v: Option<i64>) -> String {
    v.map(|x| Fen(x).yi_yuan(2)).unwrap_or_else(|| "—".into())
}

/// A count with thousands separators.
pub fn int(v: Option<i64>) -> String {
    v.map(|x| clusterdesk_domain::money::group_thousands(&x.to_string()))
        .unwrap_or_else(|| "—".into())
}

/// The texts of a cluster's row of the metrics table, one a column in the table's order
/// (营业收入, 档位, 营收增速, 研发投入 … 偏离-份额:行业结构).
pub fn cell_texts(c: &ClusterMetrics) -> Vec<String> {
    vec![
        yi(c.revenue),
        c.tier_label.clone(),
        bp(c.revenue_growth_bp),
        yi(c.rd_expense),
        bp(c.rd_growth_bp),
        bp(c.rd_intensity_bp),
        int(c.invention_patents),
        bp(c.patents_growth_bp),
        int(Some(c.enterprises)),
        int(Some(c.above_scale)),
        int(Some(c.high_tech)),
        int(Some(c.innovative_or_specialized)),
        int(Some(c.specialized)),
        int(Some(c.listed)),
        int(Some(c.platforms)),
        int(c.standards),
        bp(c.digitalization_rate),
        c.hhi.map(|h| group(h, 0)).unwrap_or_else(|| "—".into()),
        c.top3_share
            .map(|s| format!("{}%", group(s * 100.0, 1)))
            .unwrap_or_else(|| "—".into()),
        c.lq.map(|l| format!("{}{}", group(l, 2), if c.lq_placeholder { "*" } else { "" }))
            .unwrap_or_else(|| "—".into()),
        c.lq_reference.clone(),
        if c.strong { "是".into() } else { "否".into() },
        yi(c.shift_share.map(|s| s.local_shift)),
        yi(c.shift_share.map(|s| s.industry_mix)),
    ]
}

/// A county's figure of a measure over its clusters (`mine`) and its label, for the county
/// map: sums over the clusters; growth and R&D intensity from the sums; the digitalisation
/// rate averaged over the clusters reporting it. `metric` is `revenue` (the default, 亿元),
/// `growth`, `above_scale`, `high_tech`, `rd` or `digital`.
pub fn county_figure(mine: &[&ClusterMetrics], metric: &str) -> (Option<f64>, String) {
    let sum = |f: &dyn Fn(&ClusterMetrics) -> Option<i64>| {
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
    (value, label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share<'a>(county: &'a str, name: &'a str, revenue: Option<i64>, change: Option<i64>) -> Share<'a> {
        Share {
            county_name: county,
            full_name: name,
            revenue,
            change,
            strong: false,
        }
    }

    #[test]
    fn shares_and_their_change() {
        // This year 300 + 100 = 400; last year (300 − 100) + (100 + 100) = 400. Shares 75% and
        // 25%, last year 50% and 50%: +25 and −25 points. The cluster without a change counts
        // in this year's total (500 then) but is not drawn.
        let s = [
            share("黄骅市", "黄骅市化工产业集群", Some(300), Some(100)),
            share("孟村回族自治县", "孟村县弯头管件产业集群", Some(100), Some(-100)),
        ];
        let b = portfolio(&s);
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].label.as_str(), b[0].x, b[0].y, b[0].size),
            ("黄骅化工", 75.0, 25.0, 300.0)
        );
        assert_eq!(
            (b[1].label.as_str(), b[1].x, b[1].y),
            ("孟村弯头管件", 25.0, -25.0)
        );

        let mut s = s.to_vec();
        s.push(share("泊头市", "泊头市铸造产业集群", Some(100), None));
        let b = portfolio(&s);
        // 300 / 500 = 60%, 100 / 500 = 20%; last year's shares stay 50%.
        let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert_eq!(b.len(), 2);
        assert!(near(b[0].x, 60.0) && near(b[0].y, 10.0));
        assert!(near(b[1].x, 20.0) && near(b[1].y, -30.0));
    }

    #[test]
    fn short_labels() {
        assert_eq!(short_county("孟村回族自治县"), "孟村");
        assert_eq!(short_name("吴桥县", "吴桥杂技产业集群"), "杂技");
        assert_eq!(short_name("黄骅市", "黄骅市模具产业集群"), "模具");
    }
}
