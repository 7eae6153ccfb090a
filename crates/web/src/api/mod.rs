//! The JSON API under /api/v1, one `routes()` per module (registered in `features::FEATURES`),
//! described by an OpenAPI document.

pub mod assessment;
pub(crate) mod auth;
pub(crate) mod clusters;
pub mod enterprises;
pub mod incentives;
pub mod progress;
pub(crate) mod reminders;
pub(crate) mod reporting;

use crate::AppState;
use axum::Router;
use axum::routing::get;
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "clusterdesk API",
        description = "县域特色产业集群转型升级服务平台 JSON API"
    ),
    // The operations and the schemas they use come from the modules' routers (`router`);
    // listed here: the shared error body, and schemas that no operation names.
    components(schemas(ErrorBody, ErrorDetail))
)]
pub struct ApiDoc;

/// The error body every API route answers with.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code for programs: unauthorized, forbidden, not_found, invalid, conflict, bad_request, internal.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
}

/// A module's operations tagged with its name, as the hand-written document tagged them.
pub(crate) fn tagged(tag: &str, mut r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    for item in r.get_openapi_mut().paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            op.tags.get_or_insert_with(Vec::new).push(tag.to_string());
        }
    }
    r
}

pub(crate) const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Every API route at its full path, each behind its guard, and `/api/v1/openapi.json`
/// serving the document built from the same routes (so a route cannot exist without its
/// document). The operations come from the features' list (`features::FEATURES`).
pub fn router(state: &AppState) -> Router<AppState> {
    let (router, doc) = crate::features::api_modules(Some(state)).split_for_parts();
    // Serialised once: the document does not change while the server runs.
    let body: Arc<str> = serde_json::to_string(&doc)
        .expect("the document serialises")
        .into();
    let openapi = move |_: crate::auth::CurrentUser| {
        let body = body.clone();
        async move {
            (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
        }
    };
    router.route(OPENAPI_PATH, get(openapi))
}

/// The document alone, as `/api/v1/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::features::api_modules(None).into_openapi()
}
