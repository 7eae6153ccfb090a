//! Login and logout for programs; the pages have their own form-based login.

use crate::AppState;
use crate::access::{Access, Api};
use crate::auth::{CurrentUser, clear_cookie, set_cookie};
use crate::error::{ApiResult, WebError};
use crate::limiter::{ClientInfo, bad_credentials};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::IntoResponse;
use clusterdesk_store::accounts::UserInfo;
use clusterdesk_store::sessions::SessionInfo;
use utoipa_axum::routes;

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub user: UserInfo,
    /// Send this back in the `X-CSRF-Token` header of form posts made by scripts.
    pub csrf_token: String,
}

#[utoipa::path(post, path = "/api/v1/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = super::ErrorBody)))]
pub async fn login(
    State(st): State<AppState>,
    ClientInfo(from): ClientInfo,
    Json(req): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let name = req.username.trim();
    st.login_limiter.check(&st.store, name, &from.address).await?;
    match st.store.login(name, &req.password, &from).await? {
        Some((user, session)) => {
            st.login_limiter.success(&st.store, name, &from.address).await?;
            let body = LoginResponse {
                user,
                csrf_token: session.csrf_token,
            };
            Ok(([(SET_COOKIE, set_cookie(&session.token))], Json(body)))
        }
        None => {
            st.login_limiter.failure(&st.store, name, &from.address).await?;
            Err(bad_credentials())
        }
    }
}

#[utoipa::path(post, path = "/api/v1/logout", responses((status = 204)))]
pub async fn logout(State(st): State<AppState>, user: CurrentUser) -> ApiResult<impl IntoResponse> {
    st.store.logout(&user.token).await?;
    Ok((StatusCode::NO_CONTENT, [clear_cookie()]))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub org_code: String,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = super::ErrorBody)))]
pub async fn me(user: CurrentUser) -> Json<Me> {
    let a = user.actor;
    Json(Me {
        username: a.username,
        display_name: a.display_name,
        role: a.role.code().into(),
        role_label: a.role.label().into(),
        org_code: a.org_code,
    })
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

#[utoipa::path(post, path = "/api/v1/account/password", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = super::ErrorBody)))]
pub async fn change_password(
    State(st): State<AppState>,
    user: CurrentUser,
    Json(req): Json<PasswordChange>,
) -> ApiResult<StatusCode> {
    st.store
        .change_password(&user.actor, &req.current, &req.new, Some(&user.token))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/account/sessions",
    responses((status = 200, body = [SessionInfo]), (status = 401, body = super::ErrorBody)))]
pub async fn sessions(State(st): State<AppState>, user: CurrentUser) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(
        st.store.list_sessions(user.actor.user_id, &user.token).await?,
    ))
}

/// End one of one's own sessions by the `id` the list gives.
#[utoipa::path(delete, path = "/api/v1/account/sessions/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = super::ErrorBody)))]
pub async fn end_session(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if st.store.end_session(&user.actor, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(WebError::new(StatusCode::NOT_FOUND, "not_found", "没有这个会话"))
    }
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
/// The operations of this feature, each with its access rule.
pub fn routes() -> Api {
    Api::new()
        .route(Access::Public, routes!(login))
        .route(Access::SignedIn, routes!(logout))
        .route(Access::SignedIn, routes!(me))
        .route(Access::SignedIn, routes!(change_password))
        .route(Access::SignedIn, routes!(sessions))
        .route(Access::SignedIn, routes!(end_session))
}
