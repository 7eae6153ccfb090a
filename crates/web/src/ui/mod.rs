//! Server-rendered Chinese pages. Every page but the login and first-run pages needs a session.
//!
//! A page handler takes `PageUser`; a form it posts to takes `extract::CsrfForm<T>` or
//! `extract::CsrfUpload`, which refuse a wrong token before the handler runs. Handlers return
//! `Result<Response, PageError>` and raise web and store errors with `?`: the failure is drawn
//! in the user's layout. Text put into hand-built HTML or SVG goes through `charts::esc`.

pub(crate) mod accounts;
pub(crate) mod assessment;
pub(crate) mod audit;
pub(crate) mod enterprises;
pub mod extract;
pub(crate) mod incentives;
mod login;
mod metrics;
mod pages;
pub(crate) mod progress;
pub(crate) mod reminders;
pub(crate) mod reporting;
mod sessions;
pub(crate) mod system;
mod target;
mod values;

use crate::AppState;
use crate::access::{Access, Pages};
use crate::auth::CurrentUser;
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
            // The 三员 hold no business data: their scope is their own work.
            Scope::Nothing => match a.role {
                Role::SecurityAdmin => "用户账户(不含业务数据)".into(),
                Role::SystemAdmin => "系统运行(不含业务数据)".into(),
                Role::Auditor => "审计日志(不含业务数据)".into(),
                _ => "无".into(),
            },
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
#[derive(Clone)]
pub struct PageUser(pub CurrentUser);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // A form extractor asks again after the handler's own `PageUser`.
        if let Some(u) = parts.extensions.get::<PageUser>() {
            return Ok(u.clone());
        }
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(mut u) => {
                u.inbox_unread = reminders::unread(state, &u).await;
                let _ = PAGE.try_with(|p| *p.borrow_mut() = Some((state.clone(), u.clone())));
                parts.extensions.insert(PageUser(u.clone()));
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

/// The page a role outside a route's rule gets (the guard of `access`): drawn in the layout
/// of the page user, whom the guard has just extracted.
pub(crate) fn forbidden_page() -> Response {
    PageError::from(WebError::forbidden("您的角色无权访问此页面")).into_response()
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

tokio::task_local! {
    /// The signed-in user of the page being answered (set by `PageUser`), so that a failure
    /// raised with `?` is drawn inside that user's layout.
    static PAGE: std::cell::RefCell<Option<(AppState, CurrentUser)>>;
}

/// Runs a request with room for its page user (see `PAGE`); wrapped around every request.
pub async fn page_scope<F: std::future::Future>(f: F) -> F::Output {
    PAGE.scope(std::cell::RefCell::new(None), f).await
}

/// A failure on a page: rendered as a page in the layout of the signed-in user (a bare page
/// before sign-in), with the status and Chinese message of its `WebError`.
pub struct PageError {
    err: WebError,
}

impl From<WebError> for PageError {
    fn from(err: WebError) -> Self {
        PageError { err }
    }
}

impl From<clusterdesk_store::StoreError> for PageError {
    fn from(e: clusterdesk_store::StoreError) -> Self {
        PageError { err: e.into() }
    }
}

/// A template that could not be made: a store failure as such, anything else a bad request.
impl From<clusterdesk_office::reporting::TemplateError> for PageError {
    fn from(e: clusterdesk_office::reporting::TemplateError) -> Self {
        match e {
            clusterdesk_office::reporting::TemplateError::Store(s) => s.into(),
            other => WebError::bad_request(other.to_string()).into(),
        }
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
        let layout = PAGE
            .try_with(|p| p.borrow().as_ref().map(|(st, u)| Layout::new(st, u, "", vec![])))
            .ok()
            .flatten();
        match layout {
            Some(layout) => {
                let page = ErrorPage {
                    title: heading.into(),
                    layout,
                    heading: heading.into(),
                    message: self.err.message,
                };
                (self.err.status, render(&page)).into_response()
            }
            None => (
                self.err.status,
                Html(format!(
                    "<h1>{heading}</h1><p>{}</p>",
                    crate::charts::esc(&self.err.message)
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

/// The day of a stored UTC time in Beijing, e.g. 2026年11月7日.
pub fn beijing_date(rfc3339: &str) -> String {
    let t = beijing_time(rfc3339);
    match t.split_once(' ') {
        Some((day, _)) if t != rfc3339 => day.to_string(),
        _ => chinese_date(rfc3339),
    }
}

/// A calendar date (2026-11-07, or the start of a longer text) as 2026年11月7日; any other
/// text as it is.
pub fn chinese_date(iso: &str) -> String {
    match iso
        .get(..10)
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        Some(d) => clusterdesk_domain::clock::date_zh(d),
        None => iso.to_string(),
    }
}

/// A form page's status: 422 when it is drawn again with errors.
pub fn form_status<E>(errors: &[E]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
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
    format: &str,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, PageError> {
    if format == "xlsx" {
        let body = clusterdesk_office::table::write_xlsx(name, headers, rows)
            .map_err(|e| WebError::bad_request(e.to_string()))?;
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
        .get("/login", Access::Public, login::login_form)
        .post("/login", Access::Public, login::login_submit)
        .post("/logout", Access::Public, login::logout)
        .get("/setup", Access::Public, login::setup_form)
        .post("/setup", Access::Public, login::setup_submit)
        .get("/account/password", Access::SignedIn, pages::password_form)
        .post("/account/password", Access::SignedIn, pages::password_submit)
        .get("/account/sessions", Access::SignedIn, sessions::list)
        .post("/account/sessions/end", Access::SignedIn, sessions::end)
}

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
