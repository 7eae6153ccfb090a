//! Login and logout for programs; the pages have their own form-based login.

use crate::AppState;
use crate::auth::{CurrentUser, clear_cookie, set_cookie};
use crate::error::ApiResult;
use crate::limiter::{ClientAddr, bad_credentials};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::IntoResponse;
use clusterdesk_store::accounts::UserInfo;
use utoipa_axum::router::OpenApiRouter;
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
    ClientAddr(addr): ClientAddr,
    Json(req): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let name = req.username.trim();
    st.login_limiter.check(&st.store, name, &addr).await?;
    match st.store.login(name, &req.password).await? {
        Some((user, session)) => {
            st.login_limiter.success(&st.store, name, &addr).await?;
            let body = LoginResponse {
                user,
                csrf_token: session.csrf_token,
            };
            Ok(([(SET_COOKIE, set_cookie(&session.token))], Json(body)))
        }
        None => {
            st.login_limiter.failure(&st.store, name, &addr).await?;
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
        .change_password(&user.actor, &req.current, &req.new)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The module's operations, each routed at the path of its `#[utoipa::path]`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}
