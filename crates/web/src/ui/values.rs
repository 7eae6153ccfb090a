//! 数据来源 `/values?unit=&indicator=&period=`: the stored values behind a figure, who entered
//! each and when (Beijing time) and its change history; for an aggregate the units it adds up,
//! each a link one level down (city → county → cluster → enterprise). Scoped by the store.

use super::{Layout, PageError, PageUser, beijing_time, render};
use crate::AppState;
use crate::error::WebError;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_domain::Period;
use clusterdesk_store::progress::show_value;
use rust_decimal::Decimal;

#[derive(Debug, Default, serde::Deserialize)]
pub struct ValuesQuery {
    unit: Option<String>,
    indicator: Option<String>,
    period: Option<String>,
}

pub struct Change {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    pub old: String,
    pub new: String,
}

pub struct Stored {
    pub period: String,
    pub value: String,
    pub who: String,
    pub at: String,
    pub history: Vec<Change>,
}

pub struct Part {
    pub name: String,
    pub code: String,
    pub value: String,
    pub href: String,
    pub rows: usize,
}

#[derive(Template)]
#[template(path = "values.html")]
struct ValuesPage {
    title: String,
    layout: Layout,
    unit_name: String,
    unit: String,
    kind: &'static str,
    indicator_name: String,
    period_label: String,
    total: String,
    note: String,
    parts_title: &'static str,
    parts: Vec<Part>,
    hidden: usize,
    /// The enterprise list of the unit (for figures counted from qualifications).
    list_href: String,
    rows: Vec<Stored>,
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "city" => "全市",
        "county" => "县(市)",
        "cluster" => "集群",
        _ => "企业",
    }
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ValuesQuery>,
) -> Result<Response, PageError> {
    let unit = q.unit.as_deref().map(str::trim).unwrap_or("");
    let indicator = q.indicator.as_deref().map(str::trim).unwrap_or("");
    if unit.is_empty() || indicator.is_empty() {
        return Err(WebError::bad_request("请指定单位与指标").into());
    }
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Period::parse(s).map_err(|e| WebError::bad_request(e.message))?),
    };
    let p = st.store.provenance(&u.actor, unit, indicator, period).await?;
    let show = |v: i64| show_value(&Decimal::new(v, p.scale), &p.indicator_unit);
    let show_raw = |s: &Option<String>| -> String {
        // The change log keeps {"num": n, "text": t} in stored integers.
        let Some(s) = s else { return "—".into() };
        match serde_json::from_str::<serde_json::Value>(s) {
            Ok(v) => match (
                v.get("num").and_then(|x| x.as_i64()),
                v.get("text").and_then(|x| x.as_str()),
            ) {
                (Some(n), _) => show(n),
                (None, Some(t)) => t.to_string(),
                _ => "—".into(),
            },
            Err(_) => s.clone(),
        }
    };
    let period_str = p.period.clone();
    // A cluster's member enterprises can be hundreds: the largest 30 are listed, the rest
    // counted (the total covers all of them).
    const SHOWN: usize = 30;
    let hidden = p.contributors.len().saturating_sub(SHOWN);
    let parts = p
        .contributors
        .iter()
        .take(if p.unit_kind == "cluster" {
            SHOWN
        } else {
            usize::MAX
        })
        .map(|c| Part {
            name: c.name.clone(),
            code: c.code.clone(),
            value: c.value.map(show).unwrap_or_else(|| "未报送".into()),
            href: super::target::values_href(&c.code, &p.indicator, &period_str),
            rows: c.rows,
        })
        .collect();
    let rows = p
        .rows
        .iter()
        .map(|r| Stored {
            period: Period::parse(&r.period)
                .map(|x| x.label_zh())
                .unwrap_or_else(|_| r.period.clone()),
            value: match (r.num_value, &r.text_value) {
                (Some(n), _) => show(n),
                (None, Some(t)) => t.clone(),
                _ => "—".into(),
            },
            who: format!("{}({})", r.updated_by_name, r.updated_by),
            at: beijing_time(&r.updated_at),
            history: r
                .history
                .iter()
                .map(|h| Change {
                    at: beijing_time(&h.at),
                    who: format!("{}({})", h.actor_name, h.actor),
                    action: match h.action.as_str() {
                        "create" => "新增",
                        "update" => "修改",
                        "delete" => "删除",
                        _ => "变更",
                    },
                    old: show_raw(&h.old),
                    new: show_raw(&h.new),
                })
                .collect(),
        })
        .collect();
    let period_label = period.map(|x| x.label_zh()).unwrap_or_else(|| "全部期间".into());
    let mut crumbs: Vec<(String, String)> = Vec::new();
    match p.unit_kind.as_str() {
        "county" => crumbs.push((format!("/counties/{}", p.unit), p.unit_name.clone())),
        "cluster" => {
            if let Some(c) = st.store.plan().cluster(&p.unit) {
                let county = st
                    .store
                    .plan()
                    .org_unit(&c.county)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                crumbs.push((format!("/counties/{}", c.county), county));
            }
            crumbs.push((format!("/clusters/{}", p.unit), p.unit_name.clone()));
        }
        "enterprise" => crumbs.push((format!("/enterprises/{}", p.unit), p.unit_name.clone())),
        _ => {}
    }
    crumbs.push((String::new(), "数据来源".into()));
    let page = ValuesPage {
        title: format!("数据来源 · {} · {}", p.unit_name, p.indicator_name),
        layout: Layout::new(&st, &u, "", crumbs),
        unit_name: p.unit_name.clone(),
        unit: p.unit.clone(),
        kind: kind_label(&p.unit_kind),
        indicator_name: p.indicator_name.clone(),
        period_label,
        total: p.total.map(show).unwrap_or_default(),
        note: p.note.clone(),
        parts_title: match p.unit_kind.as_str() {
            "city" => "各县(市)",
            "county" => "所属集群",
            _ => "期末成员企业的报送值",
        },
        parts,
        hidden: if p.unit_kind == "cluster" { hidden } else { 0 },
        list_href: match p.unit_kind.as_str() {
            "county" => format!("/enterprises?county={}", p.unit),
            "cluster" => format!("/enterprises?cluster={}", p.unit),
            "city" => "/enterprises".into(),
            _ => format!("/enterprises/{}", p.unit),
        },
        rows,
    };
    Ok(render(&page))
}
