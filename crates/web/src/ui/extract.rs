//! Extractors for page forms: a URL-encoded form and a multipart upload, each refused unless it
//! carries the session's CSRF token. Handlers that take one never check the token themselves.

use super::{PageError, PageUser};
use crate::AppState;
use crate::auth::same_token;
use crate::error::WebError;
use axum::body::{Body, Bytes};
use axum::extract::multipart::MultipartError;
use axum::extract::{Form, FromRequest, FromRequestParts, Multipart, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// What a refused token is answered with, on every form.
fn refused() -> Response {
    PageError::from(WebError::forbidden("表单已过期或来源不明,请刷新页面后重试")).into_response()
}

fn token_ok(user: &PageUser, token: Option<&str>) -> bool {
    token.is_some_and(|t| same_token(t, &user.0.csrf))
}

/// A URL-encoded form of a signed-in user whose `csrf` field is the session's token. The form is
/// read as `T` first (refused as axum's `Form` refuses it), then the token is checked.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, st).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), st)
            .await
            .map_err(IntoResponse::into_response)?;
        let again = |b: &Bytes| Request::from_parts(parts.clone(), Body::from(b.clone()));
        let Form(value) = Form::<T>::from_request(again(&bytes), st)
            .await
            .map_err(IntoResponse::into_response)?;
        // Read as pairs, so that the token is found whatever `T` looks like.
        let pairs = Form::<Vec<(String, String)>>::from_request(again(&bytes), st)
            .await
            .map(|Form(p)| p)
            .unwrap_or_default();
        let token = pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str());
        if !token_ok(&user, token) {
            return Err(refused());
        }
        Ok(CsrfForm(value))
    }
}

/// One file of a multipart form.
pub struct UploadFile {
    /// The name the browser sent, if any.
    pub file_name: Option<String>,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A multipart form: its `file` fields in order and its text fields (the last of a name wins).
#[derive(Default)]
pub struct Upload {
    pub files: Vec<UploadFile>,
    pub fields: BTreeMap<String, String>,
}

impl Upload {
    /// Read every field. A failure names what failed (`上传内容无法读取`, `文件上传失败`) with
    /// the parser's error, so that pages and the API can each answer it in their own shape.
    pub async fn read(mut mp: Multipart) -> Result<Upload, (&'static str, MultipartError)> {
        let mut up = Upload::default();
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(up),
                Err(e) => return Err(("上传内容无法读取", e)),
            };
            let name = field.name().unwrap_or("").to_string();
            if name == "file" {
                let file_name = field.file_name().map(str::to_string);
                let content_type = field.content_type().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| ("文件上传失败", e))?;
                up.files.push(UploadFile {
                    file_name,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            } else {
                up.fields.insert(name, field.text().await.unwrap_or_default());
            }
        }
    }

    /// A text field, empty when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// Whether the form asked for a check without saving (a `dry_run` field of any value).
    pub fn dry_run(&self) -> bool {
        self.fields.contains_key("dry_run")
    }

    /// The file of a one-file form (the last `file` field); none or an empty one is refused.
    pub fn file(&self) -> Result<&UploadFile, WebError> {
        self.files
            .last()
            .filter(|f| !f.bytes.is_empty())
            .ok_or_else(|| WebError::bad_request("请选择要上传的文件"))
    }
}

/// A multipart form of a signed-in user whose `csrf` field is the session's token: the body is
/// read whole (bounded by the upload limit, past it 文件过大), then the token is checked.
pub struct CsrfUpload(pub Upload);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = Response;

    async fn from_request(req: Request, st: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, st).await?;
        let mp = Multipart::from_request(Request::from_parts(parts, body), st)
            .await
            .map_err(IntoResponse::into_response)?;
        let up = Upload::read(mp)
            .await
            .map_err(|(what, e)| PageError::from(WebError::upload(what, e)).into_response())?;
        if !token_ok(&user, up.fields.get("csrf").map(String::as_str)) {
            return Err(refused());
        }
        Ok(CsrfUpload(up))
    }
}

/// A field of a form read as (name, value) pairs: the first of that name, empty when absent.
pub fn form_value<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
