//! The web layer's one error type: an HTTP status, a stable code for programs and a Chinese
//! message for people. API routes answer it as JSON; pages render it as an HTML page.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use clusterdesk_store::StoreError;

#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl WebError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "请先登录")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// A multipart body that could not be read: past the upload limit it is a 413 (which the
    /// router answers with the limit in Chinese), otherwise a bad request saying `what` failed.
    pub fn upload(what: &str, e: axum::extract::multipart::MultipartError) -> Self {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "文件过大")
        } else {
            Self::bad_request(format!("{what}:{e}"))
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, "not_found", e.to_string()),
            StoreError::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
            StoreError::Invalid(_) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()),
            StoreError::Conflict(_) => Self::new(StatusCode::CONFLICT, "conflict", e.to_string()),
            _ => Self::internal(&e),
        }
    }
}

impl WebError {
    /// A failure people cannot fix: the details go to the log under the request's id, the
    /// caller gets a Chinese message with that id to quote to the administrator.
    pub fn internal(e: &dyn std::fmt::Display) -> Self {
        let reference =
            crate::observe::current_request_id().unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
        tracing::error!(error = %e, reference = %reference, "internal failure");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("服务器内部错误,请稍后重试;如仍出错,请把参考编号 {reference} 告知系统管理员"),
        )
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, WebError>;
