//! 资金台账: the funds paid out, each with its trace.

use super::{TraceRow, business, trace_rows_json};
use crate::AppState;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use clusterdesk_domain::Fen;
use clusterdesk_policy::eval::yuan_grouped;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- 资金台账

struct LedgerLine {
    date: String,
    policy_name: String,
    clause: String,
    enterprise: String,
    uscc: String,
    county: String,
    yuan: String,
    source: String,
    claim_id: Option<i64>,
    trace: Vec<TraceRow>,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    title: String,
    layout: Layout,
    items: Vec<LedgerLine>,
    total: String,
    year: String,
    years: Vec<i64>,
    by_policy: Vec<(String, String, usize, String)>,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct YearQuery {
    year: Option<String>,
    format: Option<String>,
}

pub(super) async fn ledger(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    business(&u)?;
    let year = q.year.as_deref().and_then(|y| y.trim().parse::<i64>().ok());
    let rows = st.store.list_ledger(&u.actor, &st.policies, year).await?;
    if let Some(fmt) = q.format.as_deref() {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.paid_date.clone(),
                    r.clause.clone(),
                    r.policy_name.clone(),
                    r.enterprise_name.clone().unwrap_or_default(),
                    r.uscc.clone().unwrap_or_default(),
                    r.county_name.clone().unwrap_or_default(),
                    r.funding_source.clone(),
                    r.budget_year.to_string(),
                    r.paid_yuan.clone(),
                    r.claim_id.map(|i| i.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        return crate::ui::table_download(
            fmt,
            "资金台账",
            &[
                "拨付日期",
                "条款",
                "政策",
                "企业",
                "统一社会信用代码",
                "县(市)",
                "资金来源",
                "预算年度",
                "金额(元)",
                "申请编号",
            ],
            &table,
        );
    }
    let total: Fen = rows.iter().map(|r| Fen(r.paid_fen)).sum();
    let mut by: BTreeMap<(String, String), (usize, i64)> = BTreeMap::new();
    for r in &rows {
        let e = by.entry((r.clause.clone(), r.policy_name.clone())).or_default();
        e.0 += 1;
        e.1 += r.paid_fen;
    }
    let this_year = st.store.today().year() as i64;
    let page = LedgerPage {
        title: "资金台账".into(),
        layout: Layout::new(&st, &u, "/ledger", vec![(String::new(), "资金台账".into())]),
        total: yuan_grouped(total),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        years: (this_year - 4..=this_year).rev().collect(),
        by_policy: by
            .into_iter()
            .map(|((c, n), (k, f))| (c, n, k, yuan_grouped(Fen(f))))
            .collect(),
        items: rows
            .iter()
            .map(|r| LedgerLine {
                date: r.paid_date.clone(),
                policy_name: r.policy_name.clone(),
                clause: r.clause.clone(),
                enterprise: r.enterprise_name.clone().unwrap_or_default(),
                uscc: r.uscc.clone().unwrap_or_default(),
                county: r.county_name.clone().unwrap_or_default(),
                yuan: yuan_grouped(Fen(r.paid_fen)),
                source: r.funding_source.clone(),
                claim_id: r.claim_id,
                trace: trace_rows_json(&r.outcome),
            })
            .collect(),
    };
    Ok(render(&page))
}
