//! The assessment page itself: the composite ranking, the 三(二)1 transfer with its
//! finalization, the 三(二)2 table and a county's own panel.

use super::PageQuery;
use super::download::download;
use crate::AppState;
use crate::api::assessment::resolve_year;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_figures::assessment::{
    AboveLine, FinalLine, Head, IndicatorLine, OwnPanel, RankRow, TransferLine, above_lines, final_line,
    heads, indicator_lines, own_panel, rank_rows, shown, signed_yuan, span, transfer_lines,
};
use clusterdesk_store::assessment::default_period;

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    title: String,
    layout: Layout,
    name: String,
    clause: String,
    clause_text: String,
    span: String,
    provisional: bool,
    year: i32,
    years: Vec<i32>,
    heads: Vec<Head>,
    rows: Vec<RankRow>,
    indicators: Vec<IndicatorLine>,
    notes: Vec<String>,
    own: Option<OwnPanel>,
    pe_clause: String,
    pe_clause_text: String,
    pe_error: String,
    pe_total: String,
    transfers: Vec<TransferLine>,
    above: Vec<AboveLine>,
    above_note: String,
    city_view: bool,
    decision: DecisionView,
    message: String,
    error: String,
    reason: String,
    csrf: String,
}

/// The 三(二)1 finalization as the page shows it.
#[derive(Default)]
pub struct DecisionView {
    finalized: bool,
    by: String,
    at: String,
    lines: Vec<FinalLine>,
    total: String,
    differences: Vec<String>,
    revocation: String,
    can_finalize: bool,
    can_revoke: bool,
    /// Why the button is not offered although the caller is the bureau.
    blocked: String,
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let message = match q.done.as_deref() {
        Some("1") => "已定稿。定稿金额以此为准;此后数据如有变化,页面会提示差异。".to_string(),
        Some("revoked") => "已撤销定稿,撤销理由已记录。可在核对后重新定稿。".to_string(),
        _ => String::new(),
    };
    assessment_page(&st, &u, &q, message, String::new(), String::new()).await
}

pub(super) async fn assessment_page(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    q: &PageQuery,
    message: String,
    error: String,
    reason: String,
) -> Result<Response, PageError> {
    let (year, month) = resolve_year(&st.store, q.year.as_deref()).await?;
    let r = st
        .store
        .assessment(&u.actor, &st.policies, year, month, st.store.today())
        .await?;
    if let Some(fmt) = q.format.as_deref() {
        return download(&r, fmt, q.table.as_deref().unwrap_or("ranking"));
    }
    let own = r.own_county.clone();
    let is_own = |c: &str| own.as_deref() == Some(c);
    let cols = shown(&r.indicators);
    let heads = heads(&r.indicators, &cols);
    let rows = rank_rows(&r.rows, &cols, own.as_deref());
    let own_panel = own.as_deref().and_then(|c| {
        let finalized = r
            .transfer_decision
            .finalized
            .as_ref()
            .and_then(|f| f.rows.iter().find(|x| x.county == c))
            .map(|f| f.amount_fen);
        own_panel(
            &r.indicators,
            &r.rows,
            &r.park_entry.rows,
            &r.above_scale,
            c,
            finalized,
        )
    });
    let transfers = transfer_lines(&r.park_entry.rows, own.as_deref());
    let above = above_lines(&r.above_scale, own.as_deref());
    let indicators = indicator_lines(&r.indicators);
    let (latest, _) = default_period(&st.store).await?;
    let first = st
        .store
        .plan()
        .assessment
        .as_ref()
        .map(|a| a.first_year)
        .unwrap_or(latest);
    let d = &r.transfer_decision;
    let decision = DecisionView {
        finalized: d.finalized.is_some(),
        by: d
            .finalized
            .as_ref()
            .map(|f| f.finalized_by.clone())
            .unwrap_or_default(),
        at: d
            .finalized
            .as_ref()
            .map(|f| crate::ui::beijing_time(&f.finalized_at))
            .unwrap_or_default(),
        lines: d
            .finalized
            .iter()
            .flat_map(|f| &f.rows)
            .map(|x| final_line(&x.name, x.rank, x.entries, x.amount_fen, is_own(&x.county)))
            .collect(),
        total: d
            .finalized
            .as_ref()
            .map(|f| signed_yuan(f.total_fen))
            .unwrap_or_default(),
        differences: d.differences.clone(),
        revocation: d
            .last_revocation
            .as_ref()
            .map(|v| {
                format!(
                    "上次定稿已于 {} 由 {} 撤销,理由:{}",
                    crate::ui::beijing_time(&v.revoked_at),
                    v.revoked_by,
                    v.reason
                )
            })
            .unwrap_or_default(),
        can_finalize: d.can_finalize,
        can_revoke: d.can_revoke,
        blocked: if d.can_finalize || d.finalized.is_some() || !st.store.is_bureau(&u.actor) {
            String::new()
        } else if !r.complete {
            "年度尚未结束,排名与转移金额为暂定,年度结束后才能定稿。".into()
        } else if r.park_entry.error.is_some() {
            "转移未能计算,不能定稿。".into()
        } else {
            "转移合计不为零,不能定稿。".into()
        },
    };
    let page = AssessmentPage {
        title: format!("考核排名 {}", r.year),
        layout: Layout::new(
            st,
            u,
            "/assessment",
            vec![("/assessment".into(), "考核排名".into())],
        ),
        name: r.name.clone(),
        clause: r.clause.clone(),
        clause_text: r.clause_text.clone(),
        span: span(r.year, &r.as_of, r.complete),
        provisional: !r.complete,
        year: r.year,
        years: (first..=latest).rev().collect(),
        heads,
        rows,
        indicators,
        notes: r.notes.clone(),
        own: own_panel,
        pe_clause: r.park_entry.clause.clone(),
        pe_clause_text: r.park_entry.clause_text.clone(),
        pe_error: r.park_entry.error.clone().unwrap_or_default(),
        pe_total: signed_yuan(r.park_entry.total_fen),
        transfers,
        above,
        above_note: r.above_scale_target_note.clone(),
        city_view: own.is_none(),
        decision,
        message,
        error,
        reason,
        csrf: u.csrf.clone(),
    };
    Ok(render(&page))
}
