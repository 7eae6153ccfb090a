//! The county assessment (考核): `GET /api/v1/assessment?year=2025`. The city sees every
//! county's details; a county sees the published ranking and the details of its own county.
//!
//! The bureau's decisions: `GET`/`PUT /api/v1/assessment/above-scale-targets?year=` (三(二)2
//! targets issued by 市工信局), `GET`/`POST /api/v1/assessment/{year}/transfer` (三(二)1
//! transfer: read, finalize) and `POST /api/v1/assessment/{year}/transfer/revoke`.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use clusterdesk_store::Store;
use clusterdesk_store::assessment::{
    AboveScaleTargets, AssessmentReport, TargetEdit, TransferStatus, check_target, default_period,
    parse_target,
};
use serde_json::Value;
use utoipa_axum::routes;

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct AssessmentQuery {
    /// The year, e.g. 2025; the year of the latest month with data when absent. The current
    /// year runs to its latest month with data (provisional).
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
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
    // A well-formed year without an assessment is not found, as a missing page is.
    if year > latest_year {
        return Err(not_found(format!(
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
        return Err(not_found(format!("考核自 {first} 年起,没有 {year} 年的考核")));
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
    let (year, month) = resolve_year(&st.store, super::query_year(q.year.as_deref())?).await?;
    Ok(Json(
        st.store
            .assessment(&user.actor, &st.policies, year, month, st.store.today())
            .await?,
    ))
}

/// The year of the 三(二)2 targets: the given one (checked by the store against the years
/// targets may be set for), else the year of the latest month with data.
pub async fn target_year(store: &Store, year: Option<&str>) -> Result<i32, WebError> {
    match year.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default_period(store).await?.0),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| WebError::bad_request(format!("年度应为四位年份,如 2025(而不是“{s}”)"))),
    }
}

fn not_found(message: String) -> WebError {
    WebError::new(StatusCode::NOT_FOUND, "not_found", message)
}

fn invalid(message: impl Into<String>) -> WebError {
    WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct TargetsQuery {
    /// The year, e.g. 2025; the year of the latest month with data when absent.
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<String>,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TargetsIn {
    /// County code → target (家, an integer of 0–10000); `null` returns the county to the plan
    /// file's working figure. Counties not named keep theirs.
    #[schema(value_type = Object, example = json!({"130981": 21, "130982": 75}))]
    pub targets: serde_json::Map<String, Value>,
    /// E.g. the document that issued them.
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(get, path = "/api/v1/assessment/above-scale-targets", params(TargetsQuery),
    responses(
        (status = 200, body = AboveScaleTargets, description = "三(二)2 各县(市)当年净增规上工业企业目标及来源(市工信局下达 / 规划文件示例数)"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
pub async fn get_targets(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TargetsQuery>,
) -> ApiResult<Json<AboveScaleTargets>> {
    let year = target_year(&st.store, super::query_year(q.year.as_deref())?).await?;
    Ok(Json(st.store.above_scale_targets(&user.actor, year).await?))
}

#[utoipa::path(put, path = "/api/v1/assessment/above-scale-targets", params(TargetsQuery),
    request_body = TargetsIn,
    responses(
        (status = 200, body = AboveScaleTargets, description = "已保存(全部或全不):各县(市)目标及来源"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody, description = "只有市工信局可以下达"),
        (status = 422, body = super::ErrorBody, description = "县(市)代码或目标值有误,逐项说明")))]
pub async fn put_targets(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TargetsQuery>,
    body: Result<Json<TargetsIn>, JsonRejection>,
) -> ApiResult<Json<AboveScaleTargets>> {
    let year = target_year(&st.store, super::query_year(q.year.as_deref())?).await?;
    if !st.store.is_bureau(&user.actor) {
        return Err(WebError::forbidden("只有市工信局可以下达净增规上工业企业目标"));
    }
    let Json(body) = body.map_err(|e| {
        invalid(format!(
            "请求体应为 {{\"targets\": {{\"130981\": 21}}}}:{}",
            e.body_text()
        ))
    })?;
    let plan = st.store.plan();
    let mut edits = Vec::new();
    let mut errors = Vec::new();
    for (code, v) in &body.targets {
        let Some(c) = plan.counties().find(|c| &c.code == code) else {
            errors.push(format!("“{code}”不是本方案的县(市)代码"));
            continue;
        };
        let name = format!("{}({})", c.name, c.code);
        let parsed = match v {
            Value::Null => Ok(None),
            Value::Number(n) => match n.as_i64() {
                Some(i) => check_target(&name, i).map(Some),
                None => Err(format!(
                    "{name}:目标 {n} 应为 0–{} 的整数(家)",
                    clusterdesk_store::assessment::MAX_ABOVE_SCALE_TARGET
                )),
            },
            Value::String(s) => parse_target(&name, s),
            other => Err(format!("{name}:目标应为整数,而不是 {other}")),
        };
        match parsed {
            Ok(t) => edits.push(TargetEdit {
                county: code.clone(),
                target: t,
            }),
            Err(m) => errors.push(m),
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors.join(";")));
    }
    if edits.is_empty() {
        return Err(invalid("targets 中没有县(市)目标"));
    }
    st.store
        .set_above_scale_targets(&user.actor, year, &edits, &body.note)
        .await?;
    Ok(Json(st.store.above_scale_targets(&user.actor, year).await?))
}

#[utoipa::path(get, path = "/api/v1/assessment/{year}/transfer",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "考核年度,如 2025")),
    responses(
        (status = 200, body = TransferStatus, description = "三(二)1 入园进区考核转移:定稿情况(谁、何时、金额,分)与当前计算结果及差异"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody)))]
pub async fn get_transfer(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> ApiResult<Json<TransferStatus>> {
    let (year, month) = resolve_year(&st.store, Some(&year)).await?;
    Ok(Json(
        st.store
            .county_transfer(&user.actor, &st.policies, year, month, st.store.today())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/assessment/{year}/transfer",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "考核年度,如 2025")),
    responses(
        (status = 201, body = TransferStatus, description = "已定稿"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody, description = "只有市工信局可以定稿"),
        (status = 409, body = super::ErrorBody, description = "该年度已定稿,须先撤销"),
        (status = 422, body = super::ErrorBody, description = "年度未结束、转移未能计算或合计不为零")))]
pub async fn finalize_transfer(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> ApiResult<(StatusCode, Json<TransferStatus>)> {
    let (year, month) = resolve_year(&st.store, Some(&year)).await?;
    let s = st
        .store
        .finalize_county_transfer(&user.actor, &st.policies, year, month, st.store.today())
        .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RevokeIn {
    /// Why the finalized transfer is revoked (at least 4 characters); kept in the change log.
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/assessment/{year}/transfer/revoke",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100, description = "考核年度,如 2025")),
    request_body = RevokeIn,
    responses(
        (status = 200, body = TransferStatus, description = "已撤销定稿,可重新定稿"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody, description = "只有市工信局管理员可以撤销"),
        (status = 404, body = super::ErrorBody, description = "该年度没有定稿"),
        (status = 422, body = super::ErrorBody, description = "未写明撤销理由")))]
pub async fn revoke_transfer(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
    body: Result<Json<RevokeIn>, JsonRejection>,
) -> ApiResult<Json<TransferStatus>> {
    let (year, month) = resolve_year(&st.store, Some(&year)).await?;
    let Json(body) = body.map_err(|e| {
        invalid(format!(
            "请求体应为 {{\"reason\": \"撤销理由\"}}:{}",
            e.body_text()
        ))
    })?;
    st.store
        .revoke_county_transfer(&user.actor, year, &body.reason)
        .await?;
    Ok(Json(
        st.store
            .county_transfer(&user.actor, &st.policies, year, month, st.store.today())
            .await?,
    ))
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::CITY_OR_COUNTY, routes!(assessment))
        .route(Access::CITY_OR_COUNTY, routes!(get_targets))
        .route(Access::BUREAU, routes!(put_targets))
        .route(Access::CITY_OR_COUNTY, routes!(get_transfer))
        .route(Access::BUREAU, routes!(finalize_transfer))
        .route(Access::CITY_ADMIN, routes!(revoke_transfer))
}
