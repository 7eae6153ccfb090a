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
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&ErrorResponse)
)]
pub struct ApiDoc;

/// The name of the shared error response in `components.responses`.
pub const ERROR_RESPONSE: &str = "Error";

/// `components.responses.Error`: an `ErrorBody`, the answer of every refusal and failure.
struct ErrorResponse;

impl utoipa::Modify for ErrorResponse {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let response = ResponseBuilder::new()
            .description("出错:error.code 供程序判断,error.message 为中文说明")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .responses
            .insert(ERROR_RESPONSE.into(), response.into());
    }
}

/// The refusals any operation may answer, besides those its own `responses` name: a malformed
/// parameter or body (400, 422), no session (401), a role, scope, CSRF token or site refused
/// (403), a named thing that does not exist (404), a request cut off after the server's time
/// limit (408), a failure of the server (500); with a body,
/// one too large (413) or not JSON (415); a state change the current state does not allow
/// (409); and the sign-in limits (429). Each is the shared `Error` response, an `ErrorBody`.
fn document_errors(path: &str, method_changes_state: bool, op: &mut utoipa::openapi::path::Operation) {
    let mut codes = vec!["400", "401", "403", "404", "408", "422", "500"];
    if op.request_body.is_some() {
        codes.extend(["413", "415"]);
    }
    if method_changes_state {
        codes.push("409");
    }
    if path == "/api/v1/login" {
        codes.push("429");
    }
    for code in codes {
        op.responses
            .responses
            .entry(code.to_string())
            .or_insert_with(|| utoipa::openapi::Ref::from_response_name(ERROR_RESPONSE).into());
    }
}

/// A `year` query parameter as the document states it, an integer: present, it is not blank.
/// (The shared resolvers, which the pages use too, take a blank one for absent; each
/// refuses a malformed one in its own words.)
pub(crate) fn query_year(year: Option<&str>) -> Result<Option<&str>, crate::error::WebError> {
    match year {
        Some(s) if s.trim().is_empty() => Err(crate::error::WebError::bad_request(
            "year 应为四位年份,如 2025;不限年份时请省略该参数",
        )),
        y => Ok(y),
    }
}

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

/// A module's operations tagged with its name, as the hand-written document tagged them, each
/// with the error responses every operation may give (`document_errors`).
pub(crate) fn tagged(tag: &str, mut r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    for (path, item) in r.get_openapi_mut().paths.paths.iter_mut() {
        let ops = [
            (false, &mut item.get),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.delete),
            (true, &mut item.patch),
        ];
        for (changes_state, op) in ops {
            if let Some(op) = op {
                op.tags.get_or_insert_with(Vec::new).push(tag.to_string());
                document_errors(path, changes_state, op);
            }
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
