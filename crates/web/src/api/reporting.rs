//! Reporting for other systems (tax, power and statistics feeds): the data sets, writing values
//! with the same checks as a spreadsheet upload, and the submission workflow.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use clusterdesk_office::entries::{self, Refused, ValueError, ValueRow};
use clusterdesk_store::reporting::{Action, Submission};
use clusterdesk_store::validation::{Finding, StoredComment, WarningComment, describe_blockers};
use std::collections::BTreeMap;
use utoipa_axum::routes;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct DatasetInfo {
    pub code: String,
    pub name: String,
    /// month, quarter or year
    pub period_type: String,
    /// cluster or enterprise: what one row is
    pub level: String,
    pub deadline_day: u32,
    pub indicators: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/datasets", responses((status = 200, body = Vec<DatasetInfo>)))]
pub async fn datasets(State(st): State<AppState>, _u: CurrentUser) -> Json<Vec<DatasetInfo>> {
    Json(
        st.store
            .plan()
            .datasets
            .iter()
            .map(|d| DatasetInfo {
                code: d.code.clone(),
                name: d.name.clone(),
                period_type: format!("{:?}", d.period_type).to_lowercase(),
                level: format!("{:?}", d.level).to_lowercase(),
                deadline_day: d.deadline_day,
                indicators: d.indicators.clone(),
            })
            .collect(),
    )
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ValuesIn {
    /// The county's region code.
    pub county: String,
    /// 2025-03, 2025Q1 or 2025, as the data set is reported.
    pub period: String,
    #[serde(default)]
    pub dry_run: bool,
    pub rows: Vec<RowIn>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct RowIn {
    /// A cluster code, or a USCC for enterprise data sets.
    pub unit: String,
    /// Indicator code -> value as text, in the sheet's units (money in 万元; cumulative
    /// indicators as the year to date, as in the template).
    pub values: BTreeMap<String, String>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ValuesOut {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: usize,
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<ValueError>,
    /// Validation findings on the period as the write leaves it: they do not block the write,
    /// only the submission (errors must be fixed, warnings explained).
    pub findings: Vec<Finding>,
}

/// A refused write: the rows' errors, or an `ErrorBody` when the request itself is refused.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only the document's: the handler answers one or the other
pub enum ValuesRefused {
    Rows(ValuesOut),
    Error(super::ErrorBody),
}

#[utoipa::path(post, path = "/api/v1/datasets/{code}/values", params(("code" = String, Path)), request_body = ValuesIn,
    responses((status = 200, body = ValuesOut), (status = 422, body = ValuesRefused), (status = 403, body = super::ErrorBody)))]
pub async fn put_values(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(code): Path<String>,
    Json(body): Json<ValuesIn>,
) -> ApiResult<(StatusCode, Json<ValuesOut>)> {
    let ds = st
        .store
        .plan()
        .datasets
        .iter()
        .find(|d| d.code == code)
        .ok_or_else(|| {
            WebError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("数据集“{code}”不存在"),
            )
        })?;
    let rows: Vec<ValueRow> = body
        .rows
        .iter()
        .map(|r| (r.unit.clone(), r.values.clone()))
        .collect();
    let key = (body.county.as_str(), body.period.as_str());
    match entries::submit_rows(&st.store, &u.actor, ds, key, &rows, body.dry_run).await {
        Ok(w) => Ok((
            StatusCode::OK,
            Json(ValuesOut {
                created: w.summary.created,
                updated: w.summary.updated,
                unchanged: w.summary.unchanged,
                rejected: 0,
                errors: vec![],
                findings: w.findings,
            }),
        )),
        Err(Refused::Entries(errs)) => {
            let errors = entries::value_errors(errs, &rows);
            let rejected = errors
                .iter()
                .filter(|e| e.row >= 0)
                .map(|e| e.row)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(ValuesOut {
                    created: 0,
                    updated: 0,
                    unchanged: 0,
                    rejected,
                    errors,
                    findings: vec![],
                }),
            ))
        }
        Err(Refused::Store(e)) => Err(e.into()),
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SubmissionOut {
    pub dataset: String,
    pub county: String,
    pub period: String,
    /// draft, submitted, county_approved or accepted
    pub status: String,
    pub status_label: String,
    pub submitted_at: Option<String>,
    /// What the caller may do now: submit, approve, accept, return, unlock.
    pub actions: Vec<String>,
}

fn submission_out(st: &AppState, u: &CurrentUser, s: Submission) -> SubmissionOut {
    let actions = st
        .store
        .allowed_actions(&u.actor, &s)
        .into_iter()
        .map(|a| a.code().to_string())
        .collect();
    SubmissionOut {
        dataset: s.dataset,
        county: s.county_code,
        period: s.period,
        status: s.status.code().into(),
        status_label: s.status.label().into(),
        submitted_at: s.submitted_at,
        actions,
    }
}

#[utoipa::path(get, path = "/api/v1/submissions/{dataset}/{county}/{period}",
    params(("dataset" = String, Path), ("county" = String, Path), ("period" = String, Path, pattern = "^(19(49|[5-9][0-9])|20[0-9]{2}|2100)(-(0?[1-9]|1[0-2])|[Qq][1-4])?$")),
    responses((status = 200, body = SubmissionOut), (status = 403, body = super::ErrorBody)))]
pub async fn submission(
    State(st): State<AppState>,
    u: CurrentUser,
    Path((dataset, county, period)): Path<(String, String, String)>,
) -> ApiResult<Json<SubmissionOut>> {
    let p = clusterdesk_domain::Period::parse(&period).map_err(|e| WebError::bad_request(e.message))?;
    let s = st
        .store
        .submission(&u.actor, &dataset, &county, &p.to_string())
        .await?;
    Ok(Json(submission_out(&st, &u, s)))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct TransitionIn {
    /// submit, approve, accept, return or unlock
    #[schema(pattern = "^(submit|approve|accept|return|unlock)$")]
    pub action: String,
    /// Required to return or unlock.
    #[serde(default)]
    pub comment: String,
    /// With submit: an explanation for every validation warning.
    #[serde(default)]
    pub comments: Vec<WarningComment>,
}

/// A submission refused by its validation findings.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RefusedOut {
    #[schema(value_type = Object)]
    pub error: serde_json::Value,
    /// Every error, and every warning still without an explanation. Absent when the submission
    /// is refused for another reason (e.g. a comment is required): then the body is an `ErrorBody`.
    #[schema(required = false)]
    pub findings: Vec<Finding>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ValidationOut {
    pub dataset: String,
    pub county: String,
    pub period: String,
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<Finding>,
    /// The explanations given with the current submission.
    pub comments: Vec<StoredComment>,
    /// Explanations of earlier submission rounds of the period.
    pub earlier_comments: Vec<StoredComment>,
}

#[utoipa::path(get, path = "/api/v1/submissions/{dataset}/{county}/{period}/validation",
    params(("dataset" = String, Path), ("county" = String, Path), ("period" = String, Path, pattern = "^(19(49|[5-9][0-9])|20[0-9]{2}|2100)(-(0?[1-9]|1[0-2])|[Qq][1-4])?$")),
    responses((status = 200, body = ValidationOut), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn validation(
    State(st): State<AppState>,
    u: CurrentUser,
    Path((dataset, county, period)): Path<(String, String, String)>,
) -> ApiResult<Json<ValidationOut>> {
    let p = clusterdesk_domain::Period::parse(&period).map_err(|e| WebError::bad_request(e.message))?;
    let period = p.to_string();
    let findings = st.store.validate(&u.actor, &dataset, &county, &period).await?;
    let s = st.store.submission(&u.actor, &dataset, &county, &period).await?;
    let (comments, earlier_comments) = st
        .store
        .validation_comments(&u.actor, &dataset, &county, &period)
        .await?
        .into_iter()
        .partition(|c| s.submitted_at.as_deref() == Some(c.at.as_str()));
    let errors = findings.iter().filter(|f| f.is_error()).count();
    Ok(Json(ValidationOut {
        dataset,
        county,
        period,
        errors,
        warnings: findings.len() - errors,
        findings,
        comments,
        earlier_comments,
    }))
}

#[utoipa::path(post, path = "/api/v1/submissions/{dataset}/{county}/{period}",
    params(("dataset" = String, Path), ("county" = String, Path), ("period" = String, Path, pattern = "^(19(49|[5-9][0-9])|20[0-9]{2}|2100)(-(0?[1-9]|1[0-2])|[Qq][1-4])?$")), request_body = TransitionIn,
    responses((status = 200, body = SubmissionOut), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody),
        (status = 422, body = RefusedOut, description = "submit refused: validation errors or unexplained warnings")))]
pub async fn transition(
    State(st): State<AppState>,
    u: CurrentUser,
    Path((dataset, county, period)): Path<(String, String, String)>,
    Json(body): Json<TransitionIn>,
) -> ApiResult<Response> {
    let p = clusterdesk_domain::Period::parse(&period).map_err(|e| WebError::bad_request(e.message))?;
    let action = Action::parse(&body.action).ok_or_else(|| {
        WebError::bad_request(format!(
            "未知操作“{}”(submit/approve/accept/return/unlock)",
            body.action
        ))
    })?;
    let period = p.to_string();
    if action == Action::Submit {
        let cur = st.store.submission(&u.actor, &dataset, &county, &period).await?;
        // Only a submission the caller may make now is judged; the store refuses the rest.
        if st.store.allowed_actions(&u.actor, &cur).contains(&action) {
            let blockers = st
                .store
                .submit_blockers(&u.actor, &dataset, &county, &period, &body.comments)
                .await?;
            if !blockers.is_empty() {
                let error =
                    serde_json::json!({"code": "validation_failed", "message": describe_blockers(&blockers)});
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(RefusedOut {
                        error,
                        findings: blockers,
                    }),
                )
                    .into_response());
            }
        }
    }
    let s = st
        .store
        .transition_with_comments(
            &u.actor,
            &dataset,
            &county,
            &period,
            action,
            &body.comment,
            &body.comments,
        )
        .await?;
    Ok(Json(submission_out(&st, &u, s)).into_response())
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::SignedIn, routes!(datasets))
        .route(Access::VALUE_WRITERS, routes!(put_values))
        .route(Access::CITY_OR_COUNTY, routes!(submission))
        .route(Access::REPORTERS, routes!(transition))
        .route(Access::CITY_OR_COUNTY, routes!(validation))
}
