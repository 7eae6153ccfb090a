//! 用户账户: the security administrator's pages (三员分立). The list of accounts with their
//! state; creating one with a temporary password; one account's page, where it is disabled
//! or enabled, unlocked, given a temporary password or a new second factor, and assigned a
//! role and organisation. What is handed over (a password, a TOTP secret) is shown once.
//! The rules are the store's (`account_admin`): nobody else manages accounts, nor their own.

use super::extract::CsrfForm;
use super::{Layout, PageError, PageUser, beijing_time, render};
use crate::AppState;
use crate::access::{Access, Pages};
use crate::auth::CurrentUser;
use crate::error::WebError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use clusterdesk_domain::Role;
use clusterdesk_store::StoreError;
use clusterdesk_store::account_admin::{AccountState, Handover};
use clusterdesk_store::second_factor::Enrolment;

/// Only the security administrator.
const SECURITY: Access = Access::Roles(&[Role::SecurityAdmin]);

pub fn pages() -> Pages {
    Pages::new()
        .get("/admin/users", SECURITY, list)
        .get("/admin/users/new", SECURITY, new_form)
        .post("/admin/users/new", SECURITY, create)
        .get("/admin/users/{username}", SECURITY, detail)
        .post("/admin/users/{username}/assign", SECURITY, assign)
        .post("/admin/users/{username}/{action}", SECURITY, act)
        .post("/admin/orgs/second-factor", SECURITY, set_org_second_factor)
}

/// One account as a line of the list and the head of its page.
pub struct AccountLine {
    username: String,
    display_name: String,
    role: &'static str,
    org: String,
    state: String,
    second_factor: String,
    sessions: i64,
    failures: String,
    created: String,
    password_changed: String,
    disabled: bool,
    role_code: &'static str,
    org_code: String,
}

fn org_name(st: &AppState, code: &str) -> String {
    match st.store.plan().org_unit(code) {
        Some(o) => o.name.clone(),
        None => code.to_string(),
    }
}

/// The organisation an account acts for: a unit of the plan, or an enterprise by its name
/// and code (`names`, from `account_enterprise_names`).
fn org_of(st: &AppState, code: &str, names: &[(String, String)]) -> String {
    match names.iter().find(|(c, _)| c == code) {
        Some((c, n)) => format!("{n}({c})"),
        None => org_name(st, code),
    }
}

fn line(st: &AppState, a: AccountState, names: &[(String, String)]) -> AccountLine {
    let state = match (a.disabled, a.must_change_password) {
        (true, _) => "已停用",
        (false, true) => "待修改临时密码",
        (false, false) => "正常",
    };
    let second_factor = match (
        a.second_factor,
        a.role.needs_second_factor(),
        a.org_requires_second_factor,
    ) {
        (true, _, _) => format!("已设置(剩余恢复码{}个)", a.recovery_codes_left),
        (false, true, _) => "未设置(该角色必须设置)".into(),
        (false, false, true) => "未设置(所属单位要求设置,设置前不能登录)".into(),
        (false, false, false) => "未设置".into(),
    };
    let failures = match (a.failures, &a.last_failure) {
        (0, _) => "无".into(),
        (n, Some(t)) => format!("{n}次(最近 {})", beijing_time(t)),
        (n, None) => format!("{n}次"),
    };
    AccountLine {
        org: org_of(st, &a.org_code, names),
        role: a.role.label(),
        role_code: a.role.code(),
        state: state.into(),
        second_factor,
        sessions: a.sessions,
        failures,
        created: beijing_time(&a.created_at),
        password_changed: beijing_time(&a.password_changed_at),
        disabled: a.disabled,
        username: a.username,
        display_name: a.display_name,
        org_code: a.org_code,
    }
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct ListPage {
    title: String,
    layout: Layout,
    accounts: Vec<AccountLine>,
    /// The organisations that require a second factor of all their accounts.
    required: Vec<OrgLine>,
    /// Those that could be made to.
    orgs: Vec<Choice>,
    done: String,
    error: String,
}

/// An organisation that requires a second factor, as the list shows it.
pub struct OrgLine {
    code: String,
    name: String,
    since: String,
    by: String,
}

async fn list_page(
    st: &AppState,
    u: &CurrentUser,
    done: String,
    error: String,
) -> Result<Response, PageError> {
    let names = st.store.account_enterprise_names(&u.actor).await?;
    let accounts = st
        .store
        .account_states(&u.actor)
        .await?
        .into_iter()
        .map(|a| line(st, a, &names))
        .collect();
    let required: Vec<OrgLine> = st
        .store
        .org_second_factor_requirements()
        .await?
        .into_iter()
        .map(|r| OrgLine {
            name: org_name(st, &r.org_code),
            code: r.org_code,
            since: beijing_time(&r.required_at),
            by: r.required_by,
        })
        .collect();
    let orgs = org_choices(st, "")
        .into_iter()
        .filter(|c| !required.iter().any(|r| r.code == c.value))
        .collect();
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        title: "用户账户".into(),
        layout: Layout::new(st, u, "/admin/users", vec![(String::new(), "用户账户".into())]),
        accounts,
        required,
        orgs,
        done,
        error,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn list(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    list_page(&st, &u, String::new(), String::new()).await
}

#[derive(serde::Deserialize, Default)]
pub struct OrgSecondFactorForm {
    #[serde(default)]
    org: String,
    /// `1` to require, `0` to stop requiring.
    #[serde(default)]
    required: String,
}

/// Require a second factor of every account of an organisation, or stop requiring it.
pub async fn set_org_second_factor(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<OrgSecondFactorForm>,
) -> Result<Response, PageError> {
    let required = match f.required.as_str() {
        "1" => true,
        "0" => false,
        _ => return list_page(&st, &u, String::new(), "请选择要求或取消".into()).await,
    };
    if f.org.trim().is_empty() {
        return list_page(&st, &u, String::new(), "请选择单位".into()).await;
    }
    let name = org_name(&st, f.org.trim());
    match st.store.set_org_second_factor(&u.actor, &f.org, required).await {
        Ok(ended) if required => {
            let m = format!(
                "已要求{name}的全部账户使用动态口令登录;尚未设置的账户结束了{ended}个会话,须由安全管理员为其设置后才能登录"
            );
            list_page(&st, &u, m, String::new()).await
        }
        Ok(_) => {
            let m = format!("已取消对{name}的要求:已设置动态口令的账户仍须使用,未设置的账户可只凭密码登录");
            list_page(&st, &u, m, String::new()).await
        }
        Err(e) => list_page(&st, &u, String::new(), form_message(e)?).await,
    }
}

/// A choice of a select: value, label, chosen.
pub struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// The roles, and the organisations an account can act for (the city, the counties, the
/// departments; an enterprise is named by its USCC in a field of its own).
fn role_choices(chosen: &str) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().into(),
            label: r.label().into(),
            chosen: r.code() == chosen,
        })
        .collect()
}

fn org_choices(st: &AppState, chosen: &str) -> Vec<Choice> {
    st.store
        .account_org_units()
        .map(|o| Choice {
            value: o.code.clone(),
            label: format!("{} {}", o.code, o.name),
            chosen: o.code == chosen,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "account_new.html")]
struct NewPage {
    title: String,
    layout: Layout,
    error: String,
    username: String,
    display_name: String,
    roles: Vec<Choice>,
    orgs: Vec<Choice>,
    uscc: String,
}

#[derive(serde::Deserialize, Default)]
pub struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    uscc: String,
}

fn new_page(st: &AppState, u: &CurrentUser, f: &AccountForm, error: String) -> Response {
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NewPage {
        title: "新建账户".into(),
        layout: Layout::new(
            st,
            u,
            "/admin/users",
            vec![
                ("/admin/users".into(), "用户账户".into()),
                (String::new(), "新建账户".into()),
            ],
        ),
        error,
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        roles: role_choices(&f.role),
        orgs: org_choices(st, &f.org),
        uscc: f.uscc.clone(),
    };
    (status, render(&page)).into_response()
}

pub async fn new_form(State(st): State<AppState>, PageUser(u): PageUser) -> Response {
    new_page(&st, &u, &AccountForm::default(), String::new())
}

/// The role and organisation a form names; an enterprise acts for the USCC typed.
fn role_and_org(f: &AccountForm) -> Result<(Role, String), String> {
    let role = Role::parse(f.role.trim()).map_err(|_| "请选择角色".to_string())?;
    let org = if role == Role::Enterprise {
        f.uscc.trim().to_string()
    } else {
        f.org.trim().to_string()
    };
    if org.is_empty() {
        return Err(if role == Role::Enterprise {
            "企业用户须填写所属企业的统一社会信用代码".into()
        } else {
            "请选择所属单位".into()
        });
    }
    Ok((role, org))
}

/// A refusal the person can act on is shown beside the form; anything else is a failure.
fn form_message(e: StoreError) -> Result<String, PageError> {
    match e {
        StoreError::Invalid(m) | StoreError::Conflict(m) => Ok(m),
        other => Err(other.into()),
    }
}

pub async fn create(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<AccountForm>,
) -> Result<Response, PageError> {
    let (role, org) = match role_and_org(&f) {
        Ok(x) => x,
        Err(m) => return Ok(new_page(&st, &u, &f, m)),
    };
    match st
        .store
        .create_account(&u.actor, &f.username, &f.display_name, role, &org)
        .await
    {
        Ok(h) => Ok(handover_page(&st, &u, "账户已创建", h)),
        Err(e) => Ok(new_page(&st, &u, &f, form_message(e)?)),
    }
}

#[derive(Template)]
#[template(path = "account_handover.html")]
struct HandoverPage {
    title: String,
    layout: Layout,
    heading: String,
    username: String,
    password: String,
    second_factor: Option<Enrolment>,
}

fn handover_page(st: &AppState, u: &CurrentUser, heading: &str, h: Handover) -> Response {
    let page = HandoverPage {
        title: heading.into(),
        layout: Layout::new(
            st,
            u,
            "/admin/users",
            vec![
                ("/admin/users".into(), "用户账户".into()),
                (format!("/admin/users/{}", h.username), h.username.clone()),
                (String::new(), heading.into()),
            ],
        ),
        heading: heading.into(),
        password: h.password.unwrap_or_default(),
        second_factor: h.second_factor,
        username: h.username,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    title: String,
    layout: Layout,
    a: AccountLine,
    own: bool,
    done: String,
    error: String,
    roles: Vec<Choice>,
    orgs: Vec<Choice>,
    uscc: String,
}

async fn account_page(
    st: &AppState,
    u: &CurrentUser,
    username: &str,
    done: String,
    error: String,
) -> Result<Response, PageError> {
    let names = st.store.account_enterprise_names(&u.actor).await?;
    let a = line(st, st.store.account_state(&u.actor, username).await?, &names);
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let uscc = if a.role_code == Role::Enterprise.code() {
        a.org_code.clone()
    } else {
        String::new()
    };
    let page = AccountPage {
        title: format!("账户 {}", a.username),
        layout: Layout::new(
            st,
            u,
            "/admin/users",
            vec![
                ("/admin/users".into(), "用户账户".into()),
                (String::new(), a.username.clone()),
            ],
        ),
        own: a.username == u.actor.username,
        roles: role_choices(a.role_code),
        orgs: org_choices(st, &a.org_code),
        uscc,
        a,
        done,
        error,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn detail(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(username): Path<String>,
) -> Result<Response, PageError> {
    account_page(&st, &u, &username, String::new(), String::new()).await
}

/// The one-button steps of an account's page.
#[derive(Clone, Copy)]
enum Step {
    Disable,
    Enable,
    Unlock,
    ResetPassword,
    SecondFactor,
}

impl Step {
    fn parse(s: &str) -> Option<Step> {
        Some(match s {
            "disable" => Step::Disable,
            "enable" => Step::Enable,
            "unlock" => Step::Unlock,
            "reset-password" => Step::ResetPassword,
            "second-factor" => Step::SecondFactor,
            _ => return None,
        })
    }
}

#[derive(serde::Deserialize)]
pub struct NoFields {}

pub async fn act(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path((username, action)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let step = Step::parse(&action)
        .ok_or_else(|| WebError::new(StatusCode::NOT_FOUND, "not_found", "没有这项账户操作"))?;
    let store = &st.store;
    let who = &u.actor;
    let done = match step {
        Step::Disable => store
            .set_user_disabled(who, &username, true)
            .await
            .map(|_| "账户已停用,其所有会话已结束".to_string()),
        Step::Enable => store
            .set_user_disabled(who, &username, false)
            .await
            .map(|_| "账户已启用".to_string()),
        Step::Unlock => store
            .unlock_user(who, &username)
            .await
            .map(|n| format!("已解除锁定(清除{n}个来源地址的失败记录)")),
        Step::ResetPassword => {
            return match store.reset_password(who, &username).await {
                Ok(p) => {
                    let h = Handover {
                        username: username.clone(),
                        password: Some(p),
                        second_factor: None,
                    };
                    Ok(handover_page(&st, &u, "密码已重置", h))
                }
                Err(e) => account_page(&st, &u, &username, String::new(), form_message(e)?).await,
            };
        }
        Step::SecondFactor => {
            return match store.enrol_totp(who, &username, None).await {
                Ok(e) => {
                    let h = Handover {
                        username: username.clone(),
                        password: None,
                        second_factor: Some(e),
                    };
                    Ok(handover_page(&st, &u, "动态口令已重置", h))
                }
                Err(e) => account_page(&st, &u, &username, String::new(), form_message(e)?).await,
            };
        }
    };
    match done {
        Ok(m) => account_page(&st, &u, &username, m, String::new()).await,
        Err(e) => account_page(&st, &u, &username, String::new(), form_message(e)?).await,
    }
}

pub async fn assign(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(username): Path<String>,
    CsrfForm(f): CsrfForm<AccountForm>,
) -> Result<Response, PageError> {
    let (role, org) = match role_and_org(&f) {
        Ok(x) => x,
        Err(m) => return account_page(&st, &u, &username, String::new(), m).await,
    };
    match st.store.assign_role(&u.actor, &username, role, &org).await {
        Ok(Some(e)) => {
            let h = Handover {
                username: username.clone(),
                password: None,
                second_factor: Some(e),
            };
            Ok(handover_page(&st, &u, "角色已变更,请设置动态口令", h))
        }
        Ok(None) => {
            let m = format!(
                "已改为{}({}),其会话已结束,重新登录后生效",
                role.label(),
                org_name(&st, &org)
            );
            account_page(&st, &u, &username, m, String::new()).await
        }
        Err(e) => account_page(&st, &u, &username, String::new(), form_message(e)?).await,
    }
}
