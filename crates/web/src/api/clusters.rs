//! Counties and clusters, scoped to the caller.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::CurrentUser;
use crate::error::ApiResult;
use axum::Json;
use axum::extract::{Path, State};
use clusterdesk_store::registry::ClusterRow;
use utoipa_axum::routes;

#[utoipa::path(get, path = "/api/v1/clusters",
    responses((status = 200, body = Vec<ClusterRow>), (status = 401, body = super::ErrorBody)))]
pub async fn list(State(st): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<ClusterRow>>> {
    Ok(Json(st.store.list_clusters(&user.actor).await?))
}

#[utoipa::path(get, path = "/api/v1/clusters/{code}", params(("code" = String, Path, description = "集群代码,如 C17")),
    responses((status = 200, body = ClusterRow), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody)))]
pub async fn get_one(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<Json<ClusterRow>> {
    Ok(Json(st.store.get_cluster(&user.actor, &code).await?))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CountyRow {
    pub code: String,
    pub name: String,
    pub clusters: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/counties", responses((status = 200, body = Vec<CountyRow>)))]
pub async fn counties(State(st): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<CountyRow>>> {
    let clusters = st.store.list_clusters(&user.actor).await?;
    let rows = st
        .store
        .plan()
        .counties()
        .filter(|c| user.actor.can_read_county(&c.code))
        .map(|c| CountyRow {
            code: c.code.clone(),
            name: c.name.clone(),
            clusters: clusters
                .iter()
                .filter(|k| k.county_code == c.code)
                .map(|k| k.code.clone())
                .collect(),
        })
        .collect();
    Ok(Json(rows))
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::BUSINESS, routes!(list))
        .route(Access::BUSINESS, routes!(get_one))
        .route(Access::BUSINESS, routes!(counties))
}
