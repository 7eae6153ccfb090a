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

/// Every refusal under `/api/` is an `ErrorBody`. axum's own refusals (a body that is not JSON
/// or lacks `Content-Type: application/json`, a query string or path that does not parse, a
/// method the route does not have) answer plain text or nothing; they are rewritten here with a
/// stable code and a Chinese message, axum's own text kept after it for the programmer.
/// Headers (`Allow` of a 405 among them) are kept.
pub async fn api_json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || res.status().as_u16() < 400 || json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let detail = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, message) = refusal(parts.status);
    let message = if detail.is_empty() {
        message.to_string()
    } else {
        format!("{message}:{detail}")
    };
    let body = serde_json::json!({"error": {"code": code, "message": message}}).to_string();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The code and message of a refusal the handlers did not word themselves.
fn refusal(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad_request", "请求格式有误"),
        401 => ("unauthorized", "请先登录"),
        403 => ("forbidden", "无权访问"),
        404 => ("not_found", "接口不存在"),
        405 => ("method_not_allowed", "该接口不支持此请求方法"),
        408 => ("timeout", "请求处理超时,请稍后重试"),
        413 => ("payload_too_large", "请求体过大"),
        415 => (
            "unsupported_media_type",
            "请求体应为 JSON,并带 Content-Type: application/json 请求头",
        ),
        422 => ("invalid", "请求内容有误"),
        500..=599 => ("internal", "服务器内部错误,请稍后重试"),
        _ => ("request_failed", "请求未能完成"),
    }
}
