//! The JSON API under /api/v1, one router per module, described by an OpenAPI document.

pub mod assessment;
mod auth;
mod clusters;
pub mod enterprises;
pub mod incentives;
pub mod progress;
mod reminders;
mod reporting;

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

/// Every module's operations: the one list of the API's routes and of its document.
fn modules() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(tagged("auth", auth::router()))
        .merge(tagged("clusters", clusters::router()))
        .merge(tagged("enterprises", enterprises::router()))
        .merge(tagged("reporting", reporting::router()))
        .merge(tagged("reminders", reminders::router()))
        .merge(tagged("incentives", incentives::router()))
        .merge(tagged("progress", progress::router()))
        .merge(tagged("assessment", assessment::router()))
}

/// A module's operations tagged with its name, as the hand-written document tagged them.
fn tagged(tag: &str, mut r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
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

/// Every API route at its full path, and `/api/v1/openapi.json` serving the document built
/// from the same routes (so a route cannot exist without its document).
pub fn router() -> Router<AppState> {
    let (router, doc) = modules().split_for_parts();
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
    router.route("/api/v1/openapi.json", get(openapi))
}

/// The document alone, as `/api/v1/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    modules().into_openapi()
}
