//! The county assessment (考核): `GET /api/v1/assessment?year=2025`. The city sees every
//! county's details; a county sees the published ranking and the details of its own county.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use clusterdesk_store::Store;
use clusterdesk_store::assessment::{AssessmentReport, beijing_today, default_period};

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AssessmentQuery {
    /// The year, e.g. 2025; the year of the latest month with data when absent. The current
    /// year runs to its latest month with data (provisional).
    pub year: Option<String>,
}

/// Check `year` and give (year, as-of month); Chinese messages on refusal.
pub async fn resolve_year(store: &Store, year: Option<&str>) -> Result<(i32, u32), WebError> {
    let (latest_year, latest_month) = default_period(store).await?;
    let year = match year.map(str::trim).filter(|s| !s.is_empty()) {
        None => latest_year,
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                return Err(WebError::bad_request(format!(
                    "考核年度应为四位年份,如 2025(而不是“{s}”)"
                )));
            }
        },
    };
    if year > latest_year {
        return Err(WebError::bad_request(format!(
            "{year} 年还没有数据(最新数据为 {latest_year} 年 {latest_month} 月)"
        )));
    }
    let first = store
        .plan()
        .assessment
        .as_ref()
        .map(|a| a.first_year)
        .unwrap_or(latest_year);
    if year < first {
        return Err(WebError::bad_request(format!(
            "考核自 {first} 年起,没有 {year} 年的考核"
        )));
    }
    Ok((year, if year == latest_year { latest_month } else { 12 }))
}

#[utoipa::path(get, path = "/api/v1/assessment", params(AssessmentQuery),
    responses(
        (status = 200, body = AssessmentReport, description = "各县(市)指标原值、得分、综合得分与名次;三(二)1 入园进区排名转移(分);三(二)2 净增规上工业企业"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn assessment(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AssessmentQuery>,
) -> ApiResult<Json<AssessmentReport>> {
    let (year, month) = resolve_year(&st.store, q.year.as_deref()).await?;
    Ok(Json(
        st.store
            .assessment(&user.actor, &st.policies, year, month, beijing_today())
            .await?,
    ))
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assessment", get(assessment))
}
