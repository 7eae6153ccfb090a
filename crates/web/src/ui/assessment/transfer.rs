//! The bureau's 三(二)1 decision: finalize the year's transfer, or revoke it with a reason.

use super::ranking::assessment_page;
use super::{PageQuery, form_get};
use crate::AppState;
use crate::api::assessment::resolve_year;
use crate::ui::extract::CsrfForm;
use crate::ui::{PageError, PageUser};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_store::StoreError;

/// The assessment page for the year the form names, to redraw on a refusal.
fn year_query(form: &[(String, String)]) -> PageQuery {
    PageQuery {
        year: Some(form_get(form, "year")),
        ..PageQuery::default()
    }
}

/// 三(二)1: finalize the year's transfer as computed now (the bureau, once).
pub async fn finalize(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let q = year_query(&form);
    if form_get(&form, "confirm") != "1" {
        let msg = "请先勾选“已核对排名与金额”再定稿".to_string();
        return assessment_page(&st, &u, &q, String::new(), msg, String::new()).await;
    }
    let (year, month) = resolve_year(&st.store, q.year.as_deref()).await?;
    match st
        .store
        .finalize_county_transfer(&u.actor, &st.policies, year, month, st.store.today())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessment?year={year}&done=1#transfer")).into_response()),
        Err(StoreError::Invalid(m) | StoreError::Conflict(m)) => {
            assessment_page(&st, &u, &q, String::new(), m, String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// 三(二)1: revoke the year's finalized transfer (a city administrator, with a reason).
pub async fn revoke(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let q = year_query(&form);
    let reason = form_get(&form, "reason");
    let (year, _) = resolve_year(&st.store, q.year.as_deref()).await?;
    match st.store.revoke_county_transfer(&u.actor, year, &reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessment?year={year}&done=revoked#transfer")).into_response()),
        Err(StoreError::Invalid(m) | StoreError::Conflict(m)) => {
            assessment_page(&st, &u, &q, String::new(), m, reason).await
        }
        Err(e) => Err(e.into()),
    }
}
