//! Incentives: the policy catalogue and calculator, claims and their workflow, evidence, the
//! ledger of payouts and the yearly budgets.
//!
//! Roles (enforced in the store, see `clusterdesk_store::incentives`): the enterprise files
//! for itself, a county operator for enterprises of its county (and city_admin for any); the
//! county operator or leader reviews; the responsible city department (or city_admin)
//! approves; 市财政局 alone disburses and sets budgets. 403 for a wrong role or scope, 409
//! for a step the claim's status does not allow, 422 for bad input.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use clusterdesk_policy::PolicySet;
use clusterdesk_store::incentives::{
    Action, ActionInput, BudgetRow, ClaimDetail, ClaimFilter, ClaimRow, EvidenceInfo, LedgerRow, NewClaim,
    ScanReport, funding_key,
};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa_axum::routes;

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::SignedIn, routes!(policies))
        .route(Access::SignedIn, routes!(calc))
        .route(Access::BUSINESS, routes!(list))
        .route(Access::CLAIM_FILERS, routes!(create))
        .route(Access::BUSINESS, routes!(get_one))
        .route(Access::CLAIM_EVIDENCE, routes!(upload))
        .route(Access::BUSINESS, routes!(download))
        .route(Access::CLAIM_ACTORS, routes!(act))
        .route(Access::BUSINESS, routes!(ledger))
        .route(Access::CITY, routes!(budgets))
        .route(Access::CITY_DEPARTMENT, routes!(set_budget))
        .route(Access::BUSINESS, routes!(scan))
}

pub fn invalid(message: impl Into<String>) -> WebError {
    WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
}

/// A JSON body, or a 422 naming what is wrong with it (never axum's plain-text rejection).
fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    b.map(|Json(v)| v)
        .map_err(|e| invalid(format!("请求体不是有效的 JSON 或字段类型不符:{}", e.body_text())))
}

/// A yuan amount given as a string or a number; the error names the field.
pub fn parse_yuan(field: &str, v: &Value) -> ApiResult<Option<Fen>> {
    let s = match v {
        Value::Null => return Ok(None),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => {
            return Err(invalid(format!(
                "{field}:金额应为元,例如 \"1500000\",而不是 {other}"
            )));
        }
    };
    let f = Fen::parse_yuan(&s).map_err(|e| invalid(format!("{field}:{}", e.message)))?;
    if f.is_negative() {
        return Err(invalid(format!("{field}:金额不能为负")));
    }
    Ok(Some(f))
}

pub fn parse_date(field: &str, s: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(format!("{field}:日期“{s}”应为 YYYY-MM-DD,例如 2024-03-01")))
}

/// One policy in the catalogue: the policy file as loaded, plus who approves and which
/// budget pays.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PolicyOut {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub clause_text: String,
    pub kind: String,
    /// The budget its payouts count against.
    pub funding_key: String,
    pub department: String,
    pub department_name: String,
    /// Parameters in force today, each with its clause.
    pub parameters_text: String,
    /// The whole policy file (funding, responsible, parameters, facts, readings).
    #[schema(value_type = Object)]
    pub policy: Value,
}

pub fn catalogue(st: &AppState) -> Vec<PolicyOut> {
    let today = st.store.today();
    st.policies
        .policies()
        .map(|p| {
            let (dept, dept_name) = st.store.responsible_department(p);
            PolicyOut {
                id: p.id.clone(),
                name: p.name.clone(),
                clause: p.clause.clone(),
                clause_text: p.clause_text.clone(),
                kind: p.kind.as_str().into(),
                funding_key: funding_key(p),
                department: dept,
                department_name: dept_name,
                parameters_text: p.parameters_text(today),
                policy: serde_json::to_value(p).unwrap_or(Value::Null),
            }
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/policies", responses((status = 200, body = Vec<PolicyOut>)))]
pub async fn policies(State(st): State<AppState>, _u: CurrentUser) -> Json<Vec<PolicyOut>> {
    Json(catalogue(&st))
}

/// The calculator: `{"claims": [...], "ledger": [...]}` as for `clusterdesk policy calc`.
#[utoipa::path(post, path = "/api/v1/policies/calc", request_body = Object,
    responses((status = 200, body = Object), (status = 422, body = super::ErrorBody)))]
pub async fn calc(State(st): State<AppState>, _u: CurrentUser, text: String) -> ApiResult<Json<Value>> {
    clusterdesk_policy::calc_json(&st.policies, &text)
        .map(Json)
        .map_err(|e| invalid(e.to_string()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ClaimQuery {
    /// A claim status; every status when absent or empty.
    #[param(pattern = "^(draft|submitted|county_reviewed|approved|held|disbursed|rejected)?$")]
    pub status: Option<String>,
    /// `true`: only the claims waiting for the caller's action.
    pub queue: Option<bool>,
    pub policy: Option<String>,
    pub uscc: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/claims", params(ClaimQuery),
    responses((status = 200, body = Vec<ClaimRow>), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ClaimQuery>,
) -> ApiResult<Json<Vec<ClaimRow>>> {
    let f = ClaimFilter {
        status: q.status,
        queue: q.queue.unwrap_or(false),
        policy: q.policy,
        uscc: q.uscc,
    };
    Ok(Json(st.store.list_claims(&u.actor, &st.policies, &f).await?))
}

/// A claim as filed.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct ClaimIn {
    pub policy: String,
    /// The enterprise's USCC; an enterprise user's own when absent.
    #[serde(default)]
    pub uscc: Option<String>,
    /// YYYY-MM-DD: the recognition, acceptance or investment date.
    pub event_date: String,
    /// The investment, fee or award a share is taken of (yuan).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub base_yuan: Option<Value>,
    /// The proposed approved amount under a cap-only rule (yuan).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub approved_yuan: Option<Value>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub facts: Option<Value>,
    /// False keeps the claim as a draft; true (default) submits it to the county.
    #[serde(default)]
    pub submit: Option<bool>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Check a claim's fields before the store sees it; errors name the field.
pub fn parse_claim(set: &PolicySet, u: &CurrentUser, c: &ClaimIn) -> ApiResult<NewClaim> {
    if set.get(&c.policy).is_none() {
        return Err(invalid(format!("policy:未知政策“{}”", c.policy)));
    }
    let uscc = match c.uscc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_ascii_uppercase(),
        None if u.actor.role == clusterdesk_domain::Role::Enterprise => u.actor.org_code.clone(),
        None => return Err(invalid("uscc:请填写企业统一社会信用代码")),
    };
    let facts: BTreeMap<String, Value> = match &c.facts {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(m)) => m.clone().into_iter().collect(),
        Some(other) => return Err(invalid(format!("facts:应为对象,而不是 {other}"))),
    };
    Ok(NewClaim {
        policy: c.policy.clone(),
        uscc,
        event_date: parse_date("event_date", &c.event_date)?,
        base: parse_yuan("base_yuan", c.base_yuan.as_ref().unwrap_or(&Value::Null))?,
        approved: parse_yuan("approved_yuan", c.approved_yuan.as_ref().unwrap_or(&Value::Null))?,
        facts,
        submit: c.submit.unwrap_or(true),
        comment: c.comment.clone().unwrap_or_default(),
    })
}

#[utoipa::path(post, path = "/api/v1/claims", request_body = ClaimIn,
    responses((status = 201, body = ClaimDetail), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    u: CurrentUser,
    b: Result<Json<ClaimIn>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ClaimDetail>)> {
    let c = body(b)?;
    let new = parse_claim(&st.policies, &u, &c)?;
    let d = st.store.file_claim(&u.actor, &st.policies, &new).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ClaimDetail), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get_one(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ClaimDetail>> {
    let id = parse_id(&id)?;
    Ok(Json(st.store.get_claim(&u.actor, &st.policies, id).await?))
}

fn parse_id(s: &str) -> ApiResult<i64> {
    s.parse::<i64>()
        .map_err(|_| WebError::new(StatusCode::NOT_FOUND, "not_found", format!("申请“{s}”不存在")))
}

#[derive(serde::Deserialize, utoipa::ToSchema, Default)]
pub struct ActionIn {
    #[serde(default)]
    pub comment: Option<String>,
    /// Required to reject.
    #[serde(default)]
    pub reason: Option<String>,
    /// The approved amount under a cap-only rule, set when approving (yuan).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub approved_yuan: Option<Value>,
}

pub fn parse_action(s: &str) -> ApiResult<Action> {
    Action::parse(s).ok_or_else(|| {
        WebError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("未知操作“{s}”(可用:submit、review、approve、release、disburse、reject)"),
        )
    })
}

pub fn action_input(a: &ActionIn) -> ApiResult<ActionInput> {
    Ok(ActionInput {
        comment: a.comment.clone().unwrap_or_default(),
        reason: a.reason.clone(),
        approved: parse_yuan("approved_yuan", a.approved_yuan.as_ref().unwrap_or(&Value::Null))?,
    })
}

/// One step of the workflow: submit, review, approve, release, disburse or reject.
#[utoipa::path(post, path = "/api/v1/claims/{id}/{action}",
    params(("id" = i64, Path), ("action" = String, Path, description = "submit | review | approve | release | disburse | reject")),
    request_body = ActionIn,
    responses((status = 200, body = ClaimDetail), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn act(
    State(st): State<AppState>,
    u: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    b: axum::body::Bytes,
) -> ApiResult<Json<ClaimDetail>> {
    let id = parse_id(&id)?;
    let action = parse_action(&action)?;
    let a: ActionIn = if b.iter().all(u8::is_ascii_whitespace) {
        ActionIn::default()
    } else {
        serde_json::from_slice(&b)
            .map_err(|e| invalid(format!("请求体不是有效的 JSON 或字段类型不符:{e}")))?
    };
    let input = action_input(&a)?;
    Ok(Json(
        st.store
            .claim_action(&u.actor, &st.policies, id, action, &input)
            .await?,
    ))
}

/// Past the upload limit a 413 (answered in Chinese by the router), else `other`.
fn too_large_or(
    e: axum::extract::multipart::MultipartError,
    other: impl FnOnce(axum::extract::multipart::MultipartError) -> WebError,
) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::upload("", e)
    } else {
        other(e)
    }
}

/// Upload one evidence file (multipart field `file`).
#[utoipa::path(post, path = "/api/v1/claims/{id}/evidence", params(("id" = i64, Path)),
    request_body(content = String, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceInfo), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody),
        (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upload(
    State(st): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
    mp: Multipart,
) -> ApiResult<(StatusCode, Json<EvidenceInfo>)> {
    let id = parse_id(&id)?;
    let up = crate::ui::extract::Upload::read(mp)
        .await
        .map_err(|(what, e)| too_large_or(e, |e| invalid(format!("file:{what}:{e}"))))?;
    let Some(file) = up.files.last() else {
        return Err(invalid("file:请选择要上传的文件"));
    };
    let name = file.file_name.as_deref().unwrap_or("");
    let e = st
        .store
        .add_evidence(&u.actor, &st.policies, id, name, &file.content_type, &file.bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(e)))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}/evidence/{evidence}",
    params(("id" = i64, Path), ("evidence" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn download(
    State(st): State<AppState>,
    u: CurrentUser,
    Path((id, evidence)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    let evidence = parse_id(&evidence)?;
    let (name, ctype, bytes) = st
        .store
        .get_evidence(&u.actor, &st.policies, id, evidence)
        .await?;
    Ok(evidence_response(&name, &ctype, bytes))
}

/// An evidence file as a download (never rendered inline: it is user content).
pub fn evidence_response(name: &str, ctype: &str, bytes: Vec<u8>) -> Response {
    let ctype = if ctype.is_empty() {
        "application/octet-stream"
    } else {
        ctype
    };
    (
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"evidence\"; filename*=UTF-8''{}",
                    crate::ui::urlencode(name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct YearQuery {
    pub year: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/ledger", params(YearQuery),
    responses((status = 200, body = Vec<LedgerRow>), (status = 403, body = super::ErrorBody)))]
pub async fn ledger(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Vec<LedgerRow>>> {
    Ok(Json(st.store.list_ledger(&u.actor, &st.policies, q.year).await?))
}

#[utoipa::path(get, path = "/api/v1/budgets",
    responses((status = 200, body = Vec<BudgetRow>), (status = 403, body = super::ErrorBody)))]
pub async fn budgets(State(st): State<AppState>, u: CurrentUser) -> ApiResult<Json<Vec<BudgetRow>>> {
    Ok(Json(st.store.list_budgets(&u.actor).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct BudgetIn {
    pub year: i64,
    /// E.g. 市级财政 (see each policy's `funding_key`).
    pub funding_source: String,
    #[schema(value_type = String)]
    pub amount_yuan: Value,
}

#[utoipa::path(put, path = "/api/v1/budgets", request_body = BudgetIn,
    responses((status = 200, body = Vec<BudgetRow>), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn set_budget(
    State(st): State<AppState>,
    u: CurrentUser,
    b: Result<Json<BudgetIn>, JsonRejection>,
) -> ApiResult<Json<Vec<BudgetRow>>> {
    let b = body(b)?;
    let amount =
        parse_yuan("amount_yuan", &b.amount_yuan)?.ok_or_else(|| invalid("amount_yuan:请填写预算金额"))?;
    st.store
        .set_budget(&u.actor, b.year, &b.funding_source, amount)
        .await?;
    Ok(Json(st.store.list_budgets(&u.actor).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ScanQuery {
    /// Only events of this year; from the plan's issue date to today when absent.
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<String>,
}

pub fn scan_year(y: Option<&str>) -> ApiResult<Option<i32>> {
    match y.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Ok(Some(y)),
            _ => Err(invalid(format!("year:“{s}”不是有效的年份"))),
        },
    }
}

/// 免申即享: enterprises in the caller's scope that qualify for an incentive they have not
/// claimed, with the amount, and those that stay unknown with what is missing.
#[utoipa::path(get, path = "/api/v1/scan", params(ScanQuery),
    responses((status = 200, body = ScanReport), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn scan(
    State(st): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ScanQuery>,
) -> ApiResult<Json<ScanReport>> {
    let year = scan_year(super::query_year(q.year.as_deref()).map_err(|e| invalid(e.message))?)?;
    Ok(Json(
        st.store.eligibility_scan(&u.actor, &st.policies, year).await?,
    ))
}
