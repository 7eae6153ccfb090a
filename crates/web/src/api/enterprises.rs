//! The enterprise registry: search, read, create and edit.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use clusterdesk_domain::{IndustryCode, QualKind, Uscc};
use clusterdesk_store::registry::{
    EnterpriseDetail, EnterpriseFilter, EnterpriseInput, EnterpriseRow, Qualification, WriteSummary,
};
use utoipa_axum::routes;

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of the name or the USCC.
    pub q: Option<String>,
    pub county: Option<String>,
    pub cluster: Option<String>,
    /// 1 by default.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// The largest `per_page` of the enterprise list (the store's own bound too).
pub const MAX_PER_PAGE: u32 = 500;
/// The largest `page` accepted.
pub const MAX_PAGE: u32 = 1_000_000;

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EnterprisePage {
    pub items: Vec<EnterpriseRow>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[utoipa::path(get, path = "/api/v1/enterprises", params(ListQuery),
    responses((status = 200, body = EnterprisePage), (status = 403, body = super::ErrorBody)))]
pub async fn list(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<EnterprisePage>> {
    let (page, per_page) = (q.page.unwrap_or(1), q.per_page.unwrap_or(50));
    // The bounds the document declares: refused past them, never silently clamped.
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(WebError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("page 应为 1–{MAX_PAGE} 的整数"),
        ));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(WebError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("per_page 应为 1–{MAX_PER_PAGE} 的整数"),
        ));
    }
    let f = EnterpriseFilter {
        q: q.q,
        county: q.county,
        cluster: q.cluster,
        page,
        per_page,
    };
    let p = st.store.list_enterprises(&user.actor, &f).await?;
    Ok(Json(EnterprisePage {
        items: p.items,
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// A USCC in a path: malformed is a bad request (the document's pattern); well-formed but with
/// a wrong check character it names no enterprise, so not found.
fn path_uscc(s: &str) -> Result<Uscc, WebError> {
    Uscc::parse(s).map_err(|e| {
        if e.rule == "uscc_check" {
            WebError::new(StatusCode::NOT_FOUND, "not_found", e.message)
        } else {
            WebError::bad_request(e.message)
        }
    })
}

#[utoipa::path(get, path = "/api/v1/enterprises/{uscc}", params(("uscc" = String, Path, pattern = "^[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10}$")),
    responses((status = 200, body = EnterpriseDetail), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get_one(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(uscc): Path<String>,
) -> ApiResult<Json<EnterpriseDetail>> {
    let u = path_uscc(&uscc)?;
    Ok(Json(st.store.get_enterprise(&user.actor, u.as_str()).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct EnterpriseIn {
    pub uscc: String,
    pub name: String,
    pub county_code: String,
    pub industry_code: String,
    pub cluster_code: Option<String>,
    /// YYYY-MM-DD; today when absent.
    pub cluster_since: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub contact: String,
}

/// Validate one enterprise as it comes from a form or a request; field errors name the field.
pub fn parse_input(e: &EnterpriseIn) -> Result<EnterpriseInput, (&'static str, String)> {
    let uscc = Uscc::parse(&e.uscc).map_err(|x| ("uscc", x.message))?;
    let industry = IndustryCode::parse(&e.industry_code).map_err(|x| ("industry_code", x.message))?;
    let since = match e
        .cluster_since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| ("cluster_since", format!("日期“{s}”应为 YYYY-MM-DD")))?
                .to_string(),
        ),
        None => None,
    };
    Ok(EnterpriseInput {
        uscc,
        name: e.name.trim().to_string(),
        county_code: e.county_code.trim().to_string(),
        industry,
        cluster_code: e
            .cluster_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        cluster_since: since,
        address: e.address.trim().to_string(),
        contact: e.contact.trim().to_string(),
    })
}

#[utoipa::path(post, path = "/api/v1/enterprises", request_body = EnterpriseIn,
    responses((status = 200, body = WriteSummary), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn upsert(
    State(st): State<AppState>,
    user: CurrentUser,
    Json(body): Json<EnterpriseIn>,
) -> ApiResult<Json<WriteSummary>> {
    let input = parse_input(&body).map_err(|(field, msg)| {
        WebError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{field}: {msg}"),
        )
    })?;
    if !user.actor.can_write_county(&input.county_code) {
        return Err(WebError::forbidden("无权为该县(市)登记或修改企业"));
    }
    match st.store.upsert_enterprises(&user.actor, &[input], false).await? {
        Ok(s) => Ok(Json(s)),
        Err(errs) => {
            let e = &errs[0];
            let status = if e.rule == "forbidden" {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Err(WebError::new(
                status,
                if status == StatusCode::FORBIDDEN {
                    "forbidden"
                } else {
                    "invalid"
                },
                format!("{}: {}", e.field, e.message),
            ))
        }
    }
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct QualificationIn {
    /// above_scale, high_tech, innovative_sme, specialized_sme, little_giant, listed, green_factory,
    /// well_known_trademark, innovation_platform, leading_enterprise, chain_leader, listing_pool, park_entry
    #[schema(
        pattern = "^(above_scale|high_tech|innovative_sme|specialized_sme|little_giant|listed|green_factory|well_known_trademark|innovation_platform|leading_enterprise|chain_leader|listing_pool|park_entry)$"
    )]
    pub kind: String,
    #[serde(default)]
    pub level: String,
    /// YYYY-MM-DD
    pub valid_from: String,
    pub valid_to: Option<String>,
    #[serde(default)]
    pub detail: String,
}

fn parse_date(field: &'static str, s: &str) -> Result<String, (&'static str, String)> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.to_string())
        .map_err(|_| (field, format!("日期“{s}”应为 YYYY-MM-DD")))
}

/// Validate a dated qualification; errors name the field.
pub fn parse_qualification(q: &QualificationIn) -> Result<Qualification, (&'static str, String)> {
    let kind = QualKind::parse(&q.kind).map_err(|e| ("kind", e.message))?;
    let level = kind.parse_level(&q.level).map_err(|e| ("level", e.message))?;
    let valid_from = parse_date("valid_from", &q.valid_from)?;
    let valid_to = match q.valid_to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => Some(parse_date("valid_to", t)?),
        None => None,
    };
    if let Some(t) = &valid_to
        && *t < valid_from
    {
        return Err(("valid_to", "截止日期早于起始日期".into()));
    }
    Ok(Qualification {
        kind,
        level: level.to_string(),
        valid_from,
        valid_to,
        detail: q.detail.trim().to_string(),
    })
}

#[utoipa::path(post, path = "/api/v1/enterprises/{uscc}/qualifications", params(("uscc" = String, Path, pattern = "^[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10}$")),
    request_body = QualificationIn,
    responses((status = 201), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn add_qualification(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(uscc): Path<String>,
    Json(body): Json<QualificationIn>,
) -> ApiResult<StatusCode> {
    let u = path_uscc(&uscc)?;
    let q = parse_qualification(&body)
        .map_err(|(f, m)| WebError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("{f}: {m}")))?;
    st.store.add_qualification(&user.actor, u.as_str(), &q).await?;
    Ok(StatusCode::CREATED)
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::BUSINESS, routes!(list))
        .route(Access::REGISTRARS, routes!(upsert))
        .route(Access::BUSINESS, routes!(get_one))
        .route(Access::REGISTRARS, routes!(add_qualification))
}
