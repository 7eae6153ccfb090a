//! Progress of the plan's targets (二): `GET /api/v1/progress?as_of=2025-12&county=130981`.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::{ApiResult, WebError};
use axum::Json;
use axum::extract::{Query, State};
use clusterdesk_domain::Period;
use clusterdesk_store::Store;
use clusterdesk_store::progress::{ClusterMetricsReport, MilestoneEdit, ProgressReport};
use utoipa_axum::routes;

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ProgressQuery {
    /// The month the report is as of, e.g. 2025-12; the latest month with data when absent.
    #[param(pattern = "^((19(49|[5-9][0-9])|20[0-9]{2}|2100)-(0?[1-9]|1[0-2]))?$")]
    pub as_of: Option<String>,
    /// A county-level unit's region code (or name); the caller's own county or the city when absent.
    pub county: Option<String>,
}

/// Check the query and turn it into (as-of month, county code); Chinese messages on refusal.
pub async fn resolve(store: &Store, q: &ProgressQuery) -> Result<(Period, Option<String>), WebError> {
    let as_of = match q.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match Period::parse(s) {
            Ok(p @ Period::Month { .. }) => p,
            Ok(_) => {
                return Err(WebError::bad_request(format!(
                    "截至期间应为月份,如 2025-12(而不是“{s}”)"
                )));
            }
            Err(e) => return Err(WebError::bad_request(e.message)),
        },
        None => {
            let latest = store.latest_month("revenue").await?;
            match latest.as_deref().map(Period::parse) {
                Some(Ok(p)) => p,
                _ => {
                    let y = store.plan().meta.target_year;
                    Period::month(y, 12)
                }
            }
        }
    };
    let county = match q.county.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => {
            let plan = store.plan();
            let unit = plan
                .org_unit(c)
                .filter(|u| u.kind == clusterdesk_plan::OrgKind::County)
                .or_else(|| plan.county_by_name(c));
            match unit {
                Some(u) => Some(u.code.clone()),
                None => {
                    return Err(WebError::new(
                        axum::http::StatusCode::NOT_FOUND,
                        "not_found",
                        format!("县(市)“{c}”不在本方案的组织机构中"),
                    ));
                }
            }
        }
    };
    Ok((as_of, county))
}

#[utoipa::path(get, path = "/api/v1/progress", params(ProgressQuery),
    responses(
        (status = 200, body = ProgressReport, description = "每条目标(二)的条款号、当前值、目标值、状态与预测"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn progress(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ProgressQuery>,
) -> ApiResult<Json<ProgressReport>> {
    let (as_of, county) = resolve(&st.store, &q).await?;
    Ok(Json(
        st.store
            .target_progress(&user.actor, as_of, county.as_deref())
            .await?,
    ))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct MetricsQuery {
    /// A complete year, e.g. 2025; the last complete year with data when absent.
    #[param(value_type = Option<i32>, minimum = 1949, maximum = 2100)]
    pub year: Option<String>,
    /// A county-level unit's region code (or name).
    pub county: Option<String>,
}

/// The year and county of the cluster metrics, for the API and the page: the year asked for
/// (`year`, as the caller's own rules took it), else the last full year of data. The county is
/// resolved first, so that its refusal comes before the year's.
pub(crate) async fn metrics_scope(
    store: &Store,
    county: Option<String>,
    year: Result<Option<&str>, WebError>,
) -> Result<(i32, Option<String>), WebError> {
    let (as_of, county) = resolve(store, &ProgressQuery { as_of: None, county }).await?;
    let year = match year?.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match Period::parse(s) {
            Ok(Period::Year { year }) => year,
            _ => {
                return Err(WebError::bad_request(format!(
                    "年份应为4位数字,如 2025(而不是“{s}”)"
                )));
            }
        },
        None if as_of.month_range().1 == 12 => as_of.year(),
        None => as_of.year() - 1,
    };
    Ok((year, county))
}

#[utoipa::path(get, path = "/api/v1/cluster-metrics", params(MetricsQuery),
    responses(
        (status = 200, body = ClusterMetricsReport, description = "各集群年度营业收入档位、增速、研发强度、资质企业数、集中度、区位商与偏离-份额"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn cluster_metrics(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MetricsQuery>,
) -> ApiResult<Json<ClusterMetricsReport>> {
    let year = super::query_year(q.year.as_deref());
    let (year, county) = metrics_scope(&st.store, q.county.clone(), year).await?;
    Ok(Json(
        st.store
            .cluster_metrics(&user.actor, year, county.as_deref())
            .await?,
    ))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct MilestonesIn {
    /// Target row id, e.g. 二.3a.
    pub target: String,
    /// A county's region code for its split; the city when absent.
    pub county: Option<String>,
    pub milestones: Vec<MilestoneEdit>,
}

#[utoipa::path(put, path = "/api/v1/progress/milestones", request_body = MilestonesIn,
    responses(
        (status = 204, description = "已保存;value 为 null 的年份恢复默认分解"),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody)))]
pub async fn set_milestones(
    State(st): State<AppState>,
    user: CurrentUser,
    Json(body): Json<MilestonesIn>,
) -> ApiResult<axum::http::StatusCode> {
    let (_, county) = resolve(
        &st.store,
        &ProgressQuery {
            as_of: Some("2025-12".into()),
            county: body.county.clone(),
        },
    )
    .await?;
    st.store
        .set_target_milestones(&user.actor, &body.target, county.as_deref(), &body.milestones)
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct DetailQuery {
    /// The month the detail is as of, e.g. 2025-12; the latest month with data when absent.
    #[param(pattern = "^((19(49|[5-9][0-9])|20[0-9]{2}|2100)-(0?[1-9]|1[0-2]))?$")]
    pub as_of: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/progress/targets/{target}",
    params(("target" = String, Path, description = "目标行号或条款号,如 二.3a"), DetailQuery),
    responses(
        (status = 200, body = clusterdesk_store::progress::TargetDetail, description = "一条目标的走势、预测与各县(市)分解目标、完成度和排名;县级用户只见本县数值与他县排名"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn target_detail(
    State(st): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(target): axum::extract::Path<String>,
    Query(q): Query<DetailQuery>,
) -> ApiResult<Json<clusterdesk_store::progress::TargetDetail>> {
    let (as_of, _) = resolve(
        &st.store,
        &ProgressQuery {
            as_of: q.as_of,
            county: None,
        },
    )
    .await?;
    Ok(Json(st.store.target_detail(&user.actor, &target, as_of).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ValuesQuery {
    /// A cluster code (C17), an enterprise's USCC, a county's region code or the city's.
    #[param(required = true, pattern = "\\S")]
    pub unit: Option<String>,
    /// An indicator code, e.g. revenue.
    #[param(required = true, pattern = "\\S")]
    pub indicator: Option<String>,
    /// A period (2025, 2025Q1, 2025-03); every period when absent.
    #[param(pattern = "^((19(49|[5-9][0-9])|20[0-9]{2}|2100)(-(0?[1-9]|1[0-2])|[Qq][1-4])?)?$")]
    pub period: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/values", params(ValuesQuery),
    responses(
        (status = 200, body = clusterdesk_store::provenance::Provenance, description = "数值来源:报送值、填报人与时间、修改记录、汇总所含单位"),
        (status = 400, body = super::ErrorBody),
        (status = 401, body = super::ErrorBody),
        (status = 403, body = super::ErrorBody),
        (status = 404, body = super::ErrorBody)))]
pub async fn values(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ValuesQuery>,
) -> ApiResult<Json<clusterdesk_store::provenance::Provenance>> {
    let (unit, indicator) = (
        q.unit.as_deref().map(str::trim).unwrap_or(""),
        q.indicator.as_deref().map(str::trim).unwrap_or(""),
    );
    if unit.is_empty() || indicator.is_empty() {
        return Err(WebError::bad_request("请指定单位(unit)与指标(indicator)"));
    }
    let period = match q.period.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(Period::parse(s).map_err(|e| WebError::bad_request(e.message))?),
    };
    Ok(Json(
        st.store.provenance(&user.actor, unit, indicator, period).await?,
    ))
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::CITY_OR_COUNTY, routes!(target_detail))
        .route(Access::BUSINESS, routes!(values))
        .route(Access::CITY_OR_COUNTY, routes!(progress))
        .route(Access::CITY_ADMIN, routes!(set_milestones))
        .route(Access::CITY_OR_COUNTY, routes!(cluster_metrics))
}
