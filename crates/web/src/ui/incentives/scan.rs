//! 免申即享: the enterprises the data says qualify without applying, with a link filing the claim.

use super::business;
use crate::AppState;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use clusterdesk_domain::Fen;
use clusterdesk_policy::Status;
use clusterdesk_policy::eval::yuan_grouped;
use serde_json::Value;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- 免申即享

struct ScanLine {
    county: String,
    enterprise: String,
    uscc: String,
    policy: String,
    policy_name: String,
    clause: String,
    event_date: String,
    eligible: bool,
    amount: String,
    missing: String,
    basis: String,
    flags: String,
    file_href: String,
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    title: String,
    layout: Layout,
    year: String,
    years: Vec<i32>,
    from: String,
    to: String,
    enterprises: usize,
    eligible: usize,
    eligible_wan: String,
    unknown: usize,
    items: Vec<ScanLine>,
    by_policy: Vec<(String, String, usize, String, usize)>,
    can_file: bool,
    shown: usize,
    total: usize,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ScanQuery {
    year: Option<String>,
    status: Option<String>,
    format: Option<String>,
}

pub(super) async fn scan(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ScanQuery>,
) -> Result<Response, PageError> {
    business(&u)?;
    let year = crate::api::incentives::scan_year(q.year.as_deref())?;
    let r = st.store.eligibility_scan(&u.actor, &st.policies, year).await?;
    let mut by: BTreeMap<(String, String), (usize, i64, usize)> = BTreeMap::new();
    for x in &r.rows {
        let e = by.entry((x.clause.clone(), x.policy_name.clone())).or_default();
        if x.status == Status::Eligible {
            e.0 += 1;
            e.1 += x.amount_fen;
        } else {
            e.2 += 1;
        }
    }
    let can_file = clusterdesk_domain::workflow::claim::files_claims(u.actor.role);
    let only = q.status.clone().unwrap_or_default();
    let filtered: Vec<_> = r
        .rows
        .iter()
        .filter(|x| only.is_empty() || x.status.as_str() == only)
        .collect();
    let total = filtered.len();
    if let Some(fmt) = q.format.as_deref() {
        let table: Vec<Vec<String>> = filtered
            .iter()
            .map(|x| {
                vec![
                    x.county_name.clone(),
                    x.enterprise_name.clone(),
                    x.uscc.clone(),
                    x.clause.clone(),
                    x.policy_name.clone(),
                    x.event_date.clone(),
                    if x.status == Status::Eligible {
                        "可享受".into()
                    } else {
                        "待定".into()
                    },
                    x.amount_yuan.clone(),
                    x.missing.join("、"),
                    x.basis.clone(),
                ]
            })
            .collect();
        return crate::ui::table_download(
            fmt,
            "免申即享",
            &[
                "县(市)",
                "企业",
                "统一社会信用代码",
                "条款",
                "政策",
                "事件日期",
                "结论",
                "金额(元)",
                "缺少",
                "依据",
            ],
            &table,
        );
    }
    // The page shows the first 1,000 rows; the downloads, the JSON API and the CLI give them all.
    let items = filtered
        .into_iter()
        .take(1000)
        .map(|x| ScanLine {
            county: x.county_name.clone(),
            enterprise: x.enterprise_name.clone(),
            uscc: x.uscc.clone(),
            policy: x.policy.clone(),
            policy_name: x.policy_name.clone(),
            clause: x.clause.clone(),
            event_date: crate::ui::chinese_date(&x.event_date),
            eligible: x.status == Status::Eligible,
            amount: yuan_grouped(Fen(x.amount_fen)),
            // The question each missing fact asks, as the policy file words it, not its name.
            missing: x
                .missing
                .iter()
                .map(|m| {
                    st.policies
                        .get(&x.policy)
                        .map(|p| clusterdesk_policy::labels::missing_label(p, m))
                        .unwrap_or_else(|| m.clone())
                })
                .collect::<Vec<_>>()
                .join("、"),
            basis: x.basis.clone(),
            flags: x.flags.join(";"),
            file_href: {
                let mut h = format!(
                    "/claims/new?policy={}&uscc={}&event_date={}",
                    x.policy, x.uscc, x.event_date
                );
                if let Value::Object(m) = &x.facts {
                    for (k, v) in m {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        h.push_str(&format!("&fact.{k}={}", crate::ui::urlencode(&v)));
                    }
                }
                h
            },
        })
        .collect::<Vec<_>>();
    let this_year = st.store.today().year();
    let page = ScanPage {
        title: "免申即享".into(),
        layout: Layout::new(&st, &u, "/scan", vec![(String::new(), "免申即享".into())]),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        years: (2022..=this_year).rev().collect(),
        from: crate::ui::chinese_date(&r.from),
        to: crate::ui::chinese_date(&r.to),
        enterprises: r.enterprises,
        eligible: r.eligible,
        eligible_wan: Fen(r.eligible_fen).wan_yuan(2),
        unknown: r.unknown,
        shown: items.len(),
        total,
        items,
        by_policy: by
            .into_iter()
            .map(|((c, n), (k, f, unk))| (c, n, k, Fen(f).wan_yuan(2), unk))
            .collect(),
        can_file,
    };
    Ok(render(&page))
}
