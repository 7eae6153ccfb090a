//! Server-rendered Chinese pages. Every page but the login and first-run pages needs a session.

pub(crate) mod assessment;
pub(crate) mod enterprises;
pub(crate) mod incentives;
mod metrics;
mod pages;
pub(crate) mod progress;
pub(crate) mod reminders;
pub(crate) mod reporting;
mod target;
mod values;

use crate::AppState;
use crate::access::{Access, Pages};
use crate::auth::{CurrentUser, same_token};
use crate::error::WebError;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use clusterdesk_domain::Role;
use clusterdesk_store::Scope;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
    /// An unread count shown beside the label (0: none).
    pub badge: usize,
}

pub struct Crumb {
    pub href: String,
    pub label: String,
}

/// What every page shows around its content: who is signed in, their scope, the navigation.
pub struct Layout {
    pub user_name: String,
    pub role_label: &'static str,
    pub scope_label: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub crumbs: Vec<Crumb>,
}

impl Layout {
    pub fn new(st: &AppState, u: &CurrentUser, active: &str, crumbs: Vec<(String, String)>) -> Self {
        let a = &u.actor;
        let plan = st.store.plan();
        let scope_label = match a.scope() {
            Scope::City => plan
                .org_unit(&plan.meta.city.to_string())
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            Scope::County(c) => plan.org_unit(&c).map(|u| u.name.clone()).unwrap_or(c),
            Scope::Enterprise(e) => e,
            Scope::Nothing => "账户与审计".into(),
        };
        let items: Vec<(&'static str, &'static str)> = crate::features::menu(a.role)
            .into_iter()
            .map(|e| (e.href, e.label))
            .collect();
        let nav = items
            .into_iter()
            .map(|(href, label)| NavItem {
                href,
                label,
                active: href == active,
                badge: if href == "/reporting/inbox" {
                    u.inbox_unread
                } else {
                    0
                },
            })
            .collect();
        let city = plan
            .org_unit(&plan.meta.city.to_string())
            .map(|u| u.name.clone())
            .unwrap_or_default();
        let mut all = vec![Crumb {
            href: "/".into(),
            label: city,
        }];
        all.extend(crumbs.into_iter().map(|(href, label)| Crumb { href, label }));
        if let Some(last) = all.last_mut() {
            last.href.clear();
        }
        Layout {
            user_name: a.display_name.clone(),
            role_label: a.role.label(),
            scope_label,
            csrf: u.csrf.clone(),
            nav,
            crumbs: all,
        }
    }
}

/// A signed-in user for pages: without a session the browser is sent to the login page.
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(mut u) => {
                u.inbox_unread = reminders::unread(state, &u).await;
                Ok(PageUser(u))
            }
            Err(e) if e.status == StatusCode::UNAUTHORIZED => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let to = if next == "/" {
                    "/login".to_string()
                } else {
                    format!("/login?next={}", urlencode(next))
                };
                Err(Redirect::to(&to).into_response())
            }
            Err(e) if e.code == "password_change_required" => {
                Err(Redirect::to("/account/password").into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The page a role outside a route's rule gets (the guard of `access`), in the user's layout.
pub(crate) fn forbidden_page(st: &AppState, u: &CurrentUser) -> Response {
    PageError::with(st, u, WebError::forbidden("您的角色无权访问此页面")).into_response()
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    layout: Layout,
    heading: String,
    message: String,
}

/// A failure on a page: rendered as a page in the layout, with the right status.
pub struct PageError {
    err: WebError,
    layout: Option<Box<Layout>>,
}

impl PageError {
    pub fn with(st: &AppState, u: &CurrentUser, err: impl Into<WebError>) -> Self {
        PageError {
            err: err.into(),
            layout: Some(Box::new(Layout::new(st, u, "", vec![]))),
        }
    }
}

impl From<WebError> for PageError {
    fn from(err: WebError) -> Self {
        PageError { err, layout: None }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let heading = match self.err.status {
            StatusCode::FORBIDDEN => "无权访问",
            StatusCode::NOT_FOUND => "页面或数据不存在",
            StatusCode::INTERNAL_SERVER_ERROR => "服务器错误",
            _ => "请求有误",
        };
        match self.layout {
            Some(layout) => {
                let page = ErrorPage {
                    title: heading.into(),
                    layout: *layout,
                    heading: heading.into(),
                    message: self.err.message,
                };
                (self.err.status, render(&page)).into_response()
            }
            None => (
                self.err.status,
                Html(format!(
                    "<h1>{heading}</h1><p>{}</p>",
                    html_escape(&self.err.message)
                )),
            )
                .into_response(),
        }
    }
}

/// A stored UTC time as people in China read it: Beijing time, e.g. 2026年11月7日 17:30.
pub fn beijing_time(rfc3339: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => {
            let bj = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
            t.with_timezone(&bj).format("%Y年%-m月%-d日 %H:%M").to_string()
        }
        Err(_) => rfc3339.to_string(),
    }
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

/// A file upload form: its CSRF token, whether it asked for a dry run, the file, other fields.
pub struct Upload {
    pub csrf: String,
    pub dry_run: bool,
    pub name: String,
    pub bytes: Vec<u8>,
    pub fields: std::collections::HashMap<String, String>,
}

/// Read an upload form (`csrf`, `dry_run`, `file` and any other text fields), checking the
/// CSRF token; a missing or empty file is a clear error.
pub async fn read_upload(u: &CurrentUser, mut mp: axum::extract::Multipart) -> Result<Upload, WebError> {
    let mut up = Upload {
        csrf: String::new(),
        dry_run: false,
        name: String::new(),
        bytes: Vec::new(),
        fields: Default::default(),
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(WebError::upload("上传内容无法读取", e)),
        };
        match field.name().unwrap_or("").to_string().as_str() {
            "csrf" => up.csrf = field.text().await.unwrap_or_default(),
            "dry_run" => up.dry_run = true,
            "file" => {
                up.name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::upload("文件上传失败", e))?;
                up.bytes = bytes.to_vec();
            }
            other => {
                let other = other.to_string();
                up.fields.insert(other, field.text().await.unwrap_or_default());
            }
        }
    }
    check_csrf(u, &up.csrf)?;
    if up.bytes.is_empty() {
        return Err(WebError::bad_request("请选择要上传的文件"));
    }
    Ok(up)
}

/// A file to download, named in Chinese (RFC 6266 `filename*`), with a plain fallback name.
pub fn file_download(body: Vec<u8>, content_type: &str, filename: &str) -> Response {
    let ext = filename.rsplit_once('.').map(|(_, e)| e).unwrap_or("bin");
    let disposition = format!(
        "attachment; filename=\"export.{ext}\"; filename*=UTF-8''{}",
        urlencode(filename)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// A table as a download: `format` xlsx gives Excel, anything else CSV with a BOM.
pub fn table_download(
    st: &AppState,
    u: &CurrentUser,
    format: &str,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, PageError> {
    if format == "xlsx" {
        let body = clusterdesk_office::table::write_xlsx(name, headers, rows)
            .map_err(|e| PageError::with(st, u, WebError::bad_request(e.to_string())))?;
        Ok(file_download(
            body,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
        ))
    } else {
        Ok(file_download(
            clusterdesk_office::table::write_csv(headers, rows),
            "text/csv; charset=utf-8",
            &format!("{name}.csv"),
        ))
    }
}

/// Refuse a form post whose CSRF token is not the session's.
pub fn check_csrf(u: &CurrentUser, token: &str) -> Result<(), WebError> {
    if same_token(token, &u.csrf) {
        Ok(())
    } else {
        Err(WebError::forbidden("表单已过期或来源不明,请刷新页面后重试"))
    }
}

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// The sign-in, first-run and account pages.
pub fn account_pages() -> Pages {
    Pages::new()
        .get("/login", Access::Public, pages::login_form)
        .post("/login", Access::Public, pages::login_submit)
        .post("/logout", Access::Public, pages::logout)
        .get("/setup", Access::Public, pages::setup_form)
        .post("/setup", Access::Public, pages::setup_submit)
        .get("/admin/users", USER_ADMINS, pages::users)
        .get("/account/password", Access::SignedIn, pages::password_form)
        .post("/account/password", Access::SignedIn, pages::password_submit)
}

/// Who reads the account list today: the bureau and two of the three administrators.
const USER_ADMINS: Access = Access::Roles(&[Role::CityAdmin, Role::SystemAdmin, Role::SecurityAdmin]);

/// The home page of each scope and a county's page.
pub fn home_pages() -> Pages {
    Pages::new().get("/", Access::SignedIn, pages::home).get(
        "/counties/{code}",
        Access::CITY_OR_COUNTY,
        pages::county,
    )
}

/// A cluster's page and its own plan fields.
pub fn cluster_pages() -> Pages {
    Pages::new()
        .get("/clusters/{code}", Access::BUSINESS, pages::cluster)
        .post(
            "/clusters/{code}/plan",
            Access::REGISTRARS,
            pages::cluster_plan_submit,
        )
}
