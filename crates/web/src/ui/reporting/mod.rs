//! 数据填报: download a data set's template for a county and period, upload it back.

use super::{Layout, PageError, PageUser, check_csrf, render, urlencode};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clusterdesk_domain::{Period, Role};
use clusterdesk_office::CellError;
use clusterdesk_office::reporting::{ImportError, ImportReport};
use clusterdesk_store::reporting::{Action, Event, Status, Submission, deadline};
use clusterdesk_store::validation::{Finding, WarningComment};
use std::collections::HashMap;

/// A validation finding as a page shows it: with the field for the submitter's explanation of
/// a warning, what was typed there, and the explanation given with the current submission.
pub struct FindingView {
    pub f: Finding,
    /// Form field of the explanation: `wc|rule|unit|indicator`.
    pub field: String,
    pub typed: String,
    pub comment: String,
    pub comment_by: String,
}

impl FindingView {
    fn new(f: Finding) -> Self {
        FindingView {
            field: format!("wc|{}|{}|{}", f.rule_id, f.unit_code, f.indicator),
            f,
            typed: String::new(),
            comment: String::new(),
            comment_by: String::new(),
        }
    }
}

/// The explanations typed into a form, by their `wc|rule|unit|indicator` fields.
fn typed_comments(fields: &[(String, String)]) -> Vec<WarningComment> {
    fields
        .iter()
        .filter_map(|(k, v)| {
            let mut parts = k.strip_prefix("wc|")?.splitn(3, '|');
            Some(WarningComment {
                rule_id: parts.next()?.to_string(),
                unit_code: parts.next()?.to_string(),
                indicator: parts.next().unwrap_or_default().to_string(),
                comment: v.clone(),
            })
        })
        .collect()
}

/// The period's findings, with the explanations of the current submission round.
async fn findings_of(
    st: &AppState,
    u: &CurrentUser,
    dataset: &str,
    county: &str,
    period: &str,
) -> Vec<FindingView> {
    let Ok(found) = st.store.validate(&u.actor, dataset, county, period).await else {
        return Vec::new();
    };
    let submitted_at = st
        .store
        .submission(&u.actor, dataset, county, period)
        .await
        .ok()
        .and_then(|s| s.submitted_at);
    let comments = st
        .store
        .validation_comments(&u.actor, dataset, county, period)
        .await
        .unwrap_or_default();
    found
        .into_iter()
        .map(|f| {
            let mut v = FindingView::new(f);
            if let Some(c) = comments.iter().rev().find(|c| {
                Some(&c.at) == submitted_at.as_ref()
                    && (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == v.f.key()
            }) {
                v.comment = c.comment.clone();
                v.comment_by = c.by.clone();
            }
            v
        })
        .collect()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reporting", get(page).post(upload))
        .route("/reporting/template.xlsx", get(download))
        .route("/reporting/transition", axum::routing::post(transition))
        .route("/reporting/status", get(matrix))
        .route("/reporting/form", get(entry_form).post(entry_submit))
}

/// Who may enter data: the bureau for any county, a county operator for its own.
fn may_enter(u: &CurrentUser) -> bool {
    matches!(u.actor.role, Role::CityAdmin | Role::CountyOperator)
}

#[derive(serde::Deserialize, Default)]
pub struct Choice {
    dataset: Option<String>,
    county: Option<String>,
    period: Option<String>,
}

#[derive(Template)]
#[template(path = "reporting.html")]
struct ReportingPage {
    title: String,
    layout: Layout,
    datasets: Vec<(String, String)>,
    counties: Vec<(String, String)>,
    dataset: String,
    county: String,
    period: String,
    download_href: String,
    can_enter: bool,
    file: String,
    report: Option<ImportReport>,
    dry_run: bool,
    errors: Vec<CellError>,
    status: Option<Submission>,
    deadline: String,
    actions: Vec<(&'static str, &'static str)>,
    events: Vec<Event>,
    notice: String,
    refusal: String,
    findings: Vec<FindingView>,
    v_errors: usize,
    v_warnings: usize,
    /// The caller may submit now: warnings get an explanation field.
    can_comment: bool,
}

/// The month before today: what counties report now.
fn default_period(today: chrono::NaiveDate, kind: clusterdesk_domain::period::PeriodType) -> String {
    let month = Period::parse(&today.format("%Y-%m").to_string())
        .expect("valid")
        .prev();
    match kind {
        clusterdesk_domain::period::PeriodType::Month => month.to_string(),
        clusterdesk_domain::period::PeriodType::Quarter => {
            let (y, m) = (month.year(), month.month_range().0);
            Period::Quarter {
                year: y,
                quarter: m.div_ceil(3),
            }
            .prev()
            .to_string()
        }
        clusterdesk_domain::period::PeriodType::Year => (month.year() - 1).to_string(),
    }
}

fn build(st: &AppState, u: &CurrentUser, c: &Choice) -> ReportingPage {
    let plan = st.store.plan();
    let datasets: Vec<(String, String)> = plan
        .datasets
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect();
    let dataset = c
        .dataset
        .clone()
        .filter(|d| plan.datasets.iter().any(|x| &x.code == d))
        .unwrap_or_else(|| datasets[0].0.clone());
    let kind = plan
        .datasets
        .iter()
        .find(|d| d.code == dataset)
        .map(|d| d.period_type)
        .expect("chosen above");
    let counties: Vec<(String, String)> = plan
        .counties()
        .filter(|x| u.actor.can_read_county(&x.code))
        .map(|x| (x.code.clone(), x.name.clone()))
        .collect();
    let county = c
        .county
        .clone()
        .filter(|k| counties.iter().any(|x| &x.0 == k))
        .unwrap_or_else(|| counties.first().map(|x| x.0.clone()).unwrap_or_default());
    let period = c
        .period
        .clone()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| default_period(st.store.today(), kind));
    let download_href = format!(
        "/reporting/template.xlsx?dataset={}&county={}&period={}",
        urlencode(&dataset),
        urlencode(&county),
        urlencode(&period)
    );
    ReportingPage {
        title: "数据填报".into(),
        layout: Layout::new(st, u, "/reporting", vec![(String::new(), "数据填报".into())]),
        datasets,
        counties,
        dataset,
        county,
        period,
        download_href,
        can_enter: may_enter(u),
        file: String::new(),
        report: None,
        dry_run: false,
        errors: vec![],
        status: None,
        deadline: String::new(),
        actions: vec![],
        events: vec![],
        notice: String::new(),
        refusal: String::new(),
        findings: vec![],
        v_errors: 0,
        v_warnings: 0,
        can_comment: false,
    }
}

/// Fill in the workflow state of the chosen (data set, county, period).
async fn with_status(st: &AppState, u: &CurrentUser, mut p: ReportingPage) -> ReportingPage {
    let Ok(period) = Period::parse(&p.period) else {
        return p;
    };
    if let Ok(s) = st
        .store
        .submission(&u.actor, &p.dataset, &p.county, &p.period)
        .await
    {
        let day = st
            .store
            .plan()
            .datasets
            .iter()
            .find(|d| d.code == p.dataset)
            .map(|d| d.deadline_day)
            .unwrap_or(10);
        p.deadline = deadline(period, day).format("%Y年%-m月%-d日").to_string();
        p.actions = st
            .store
            .allowed_actions(&u.actor, &s)
            .into_iter()
            .map(|a| (action_code(a), a.label_zh()))
            .collect();
        p.events = st
            .store
            .submission_events(&u.actor, &p.dataset, &p.county, &p.period)
            .await
            .unwrap_or_default();
        for e in &mut p.events {
            e.at = super::beijing_time(&e.at);
            for code in [&mut e.from, &mut e.to] {
                if let Some(st) = Status::parse(code) {
                    *code = st.label_zh().to_string();
                }
            }
        }
        p.can_comment = p.actions.iter().any(|a| a.0 == "submit");
        p.findings = findings_of(st, u, &p.dataset, &p.county, &p.period).await;
        p.v_errors = p.findings.iter().filter(|f| f.f.is_error()).count();
        p.v_warnings = p.findings.len() - p.v_errors;
        let mut s = s;
        s.submitted_at = s.submitted_at.as_deref().map(super::beijing_time);
        p.status = Some(s);
    }
    p
}

fn action_code(a: Action) -> &'static str {
    match a {
        Action::Submit => "submit",
        Action::Approve => "approve",
        Action::Accept => "accept",
        Action::Return => "return",
        Action::Unlock => "unlock",
    }
}

async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    if !u.actor.role.sees_whole_city() && !matches!(u.actor.role, Role::CountyOperator | Role::CountyLeader) {
        return Err(PageError::with(
            &st,
            &u,
            WebError::forbidden("您的角色不参与集群数据填报"),
        ));
    }
    Ok(render(&with_status(&st, &u, build(&st, &u, &c)).await))
}

/// A workflow step from the page; a submission carries an explanation per warning
/// (`wc|rule|unit|indicator` fields).
async fn transition(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check_csrf(&u, &get("csrf")).map_err(|e| PageError::with(&st, &u, e))?;
    let action = Action::parse(&get("action"))
        .ok_or_else(|| PageError::with(&st, &u, WebError::bad_request("未知操作")))?;
    let (dataset, county, period) = (get("dataset"), get("county"), get("period"));
    let choice = Choice {
        dataset: Some(dataset.clone()),
        county: Some(county.clone()),
        period: Some(period.clone()),
    };
    let comments = typed_comments(&fields);
    let result = st
        .store
        .transition_with_comments(
            &u.actor,
            &dataset,
            &county,
            &period,
            action,
            &get("comment"),
            &comments,
        )
        .await;
    let mut p = with_status(&st, &u, build(&st, &u, &choice)).await;
    // What was typed stays in the form when the step is refused.
    for f in &mut p.findings {
        if let Some(c) = comments
            .iter()
            .find(|c| (c.rule_id.as_str(), c.unit_code.as_str(), c.indicator.as_str()) == f.f.key())
        {
            f.typed = c.comment.clone();
        }
    }
    match result {
        Ok(s) => {
            p.notice = format!("已{}:{}", action.label_zh(), s.status.label_zh());
            Ok(render(&p))
        }
        Err(
            e @ (clusterdesk_store::StoreError::Forbidden(_) | clusterdesk_store::StoreError::NotFound(_)),
        ) => Err(PageError::with(&st, &u, e)),
        Err(e) => {
            // A refused step (wrong state, missing reason) shows the page again with the reason.
            let err = WebError::from(e);
            p.refusal = err.message;
            Ok((err.status, render(&p)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "reporting_status.html")]
struct MatrixPage {
    title: String,
    layout: Layout,
    datasets: Vec<(String, String)>,
    dataset: String,
    periods: Vec<(String, String)>,
    rows: Vec<MatrixRow>,
    expected: usize,
    received: usize,
    on_time: usize,
}

struct MatrixRow {
    county: String,
    county_name: String,
    cells: Vec<MatrixCell>,
    overdue: usize,
}

struct MatrixCell {
    period: String,
    class: &'static str,
    label: String,
}

/// Completeness and timeliness: counties × the last twelve periods of a data set.
async fn matrix(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    let base = build(&st, &u, &c);
    let plan = st.store.plan();
    let ds = plan
        .datasets
        .iter()
        .find(|d| d.code == base.dataset)
        .expect("chosen in build");
    let mut p = Period::parse(&default_period(st.store.today(), ds.period_type)).expect("valid");
    let mut periods = Vec::new();
    for _ in 0..12 {
        periods.push(p);
        p = p.prev();
    }
    periods.reverse();
    let codes: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
    let subs = st
        .store
        .submissions_for(&u.actor, &ds.code, &codes)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    let today = st.store.today();
    let (mut expected, mut received, mut on_time) = (0, 0, 0);
    let mut rows = Vec::new();
    for county in plan.counties().filter(|x| u.actor.can_read_county(&x.code)) {
        let mut cells = Vec::new();
        let mut overdue = 0;
        for per in &periods {
            let due = deadline(*per, ds.deadline_day);
            let s = subs
                .iter()
                .find(|s| s.county_code == county.code && s.period == per.to_string());
            let submitted = s
                .and_then(|s| s.submitted_at.as_deref())
                .and_then(|t| t.get(..10))
                .map(str::to_string);
            let late = submitted.as_deref().is_some_and(|d| d > due.to_string().as_str());
            let (class, label) = match s.map(|s| s.status) {
                Some(Status::Accepted) => ("st-ok", if late { "接收·迟报" } else { "已接收" }),
                Some(Status::CountyApproved) => ("st-wait", "待市收"),
                Some(Status::Submitted) => ("st-wait", "待县审"),
                _ if today > due => ("st-bad", "逾期"),
                _ => ("st-none", "未到期"),
            };
            if today > due || submitted.is_some() {
                expected += 1;
            }
            if submitted.is_some() && s.is_some_and(|s| s.status != Status::Draft) {
                received += 1;
                if !late {
                    on_time += 1;
                }
            }
            if class == "st-bad" {
                overdue += 1;
            }
            cells.push(MatrixCell {
                period: per.to_string(),
                class,
                label: label.to_string(),
            });
        }
        rows.push(MatrixRow {
            county: county.code.clone(),
            county_name: county.name.clone(),
            cells,
            overdue,
        });
    }
    let page = MatrixPage {
        title: "报送情况".into(),
        layout: Layout::new(
            &st,
            &u,
            "/reporting/status",
            vec![(String::new(), "报送情况".into())],
        ),
        datasets: base.datasets,
        dataset: ds.code.clone(),
        periods: periods.iter().map(|p| (p.to_string(), p.to_string())).collect(),
        rows,
        expected,
        received,
        on_time,
    };
    Ok(render(&page))
}

async fn download(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    let period = Period::parse(c.period.as_deref().unwrap_or(""))
        .map_err(|e| PageError::with(&st, &u, WebError::bad_request(e.message)))?;
    let (dataset, county) = (c.dataset.unwrap_or_default(), c.county.unwrap_or_default());
    let bytes = clusterdesk_office::reporting::template(&st.store, &u.actor, &dataset, &county, period)
        .await
        .map_err(|e| match e {
            clusterdesk_office::reporting::TemplateError::Store(s) => PageError::with(&st, &u, s),
            other => PageError::with(&st, &u, WebError::bad_request(other.to_string())),
        })?;
    let ds_name = st
        .store
        .plan()
        .datasets
        .iter()
        .find(|d| d.code == dataset)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let county_name = st
        .store
        .plan()
        .org_unit(&county)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let filename = format!("{county_name}{ds_name}{period}.xlsx");
    Ok(super::file_download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &filename,
    ))
}

async fn upload(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    mp: Multipart,
) -> Result<Response, PageError> {
    if !may_enter(&u) {
        return Err(PageError::with(
            &st,
            &u,
            WebError::forbidden("只有县(市)填报员和市工信局可以上传数据"),
        ));
    }
    let up = super::read_upload(&u, mp)
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    let (name, bytes, dry_run) = (up.name.clone(), up.bytes.clone(), up.dry_run);
    let result =
        clusterdesk_office::reporting::import(&st.store, &u.actor, &name, &bytes, None, dry_run).await;
    // Keep the selection the person uploaded from.
    let chosen = Choice {
        dataset: up.fields.get("dataset").cloned(),
        county: up.fields.get("county").cloned(),
        period: up.fields.get("period").cloned(),
    };
    let mut p = build(&st, &u, &chosen);
    p.file = name;
    p.dry_run = dry_run;
    let status = match result {
        Ok(r) => {
            p.dataset = r.dataset.clone();
            p.county = r.county.clone();
            p.period = r.period.clone();
            p.report = Some(r);
            p = with_status(&st, &u, p).await;
            axum::http::StatusCode::OK
        }
        Err(ImportError::Cells(errs)) => {
            p.errors = errs;
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(ImportError::Store(e)) => return Err(PageError::with(&st, &u, e)),
    };
    Ok((status, render(&p)).into_response())
}

/// One cell of the entry form: what is typed, last year's same period, and any error.
struct EntryCell {
    name: String,
    value: String,
    last_year: String,
    error: String,
    text: bool,
    /// Validation findings on this cell: the strongest importance (`error`/`warning`) and messages.
    finding_level: &'static str,
    finding: String,
}

struct EntryRow {
    code: String,
    name: String,
    cells: Vec<EntryCell>,
}

#[derive(Template)]
#[template(path = "reporting_form.html")]
struct EntryPage {
    title: String,
    layout: Layout,
    dataset: String,
    dataset_name: String,
    county: String,
    county_name: String,
    period: String,
    period_label: String,
    headers: Vec<String>,
    last_year_label: String,
    rows: Vec<EntryRow>,
    editable: bool,
    status_label: String,
    notice: String,
    error_count: usize,
    findings: Vec<FindingView>,
    v_errors: usize,
    v_warnings: usize,
    can_comment: bool,
}

/// The entry form's page; `typed` replaces stored values with what was sent, `errors` marks cells.
async fn entry_page(
    st: &AppState,
    u: &CurrentUser,
    c: &Choice,
    typed: Option<&HashMap<(String, String), String>>,
    errors: &[clusterdesk_office::reporting::ValueError],
    notice: String,
) -> Result<Response, PageError> {
    let base = build(st, u, c);
    let period =
        Period::parse(&base.period).map_err(|e| PageError::with(st, u, WebError::bad_request(e.message)))?;
    let fail = |e: clusterdesk_office::reporting::TemplateError| match e {
        clusterdesk_office::reporting::TemplateError::Store(s) => PageError::with(st, u, s),
        other => PageError::with(st, u, WebError::bad_request(other.to_string())),
    };
    let now =
        clusterdesk_office::reporting::sheet_data(&st.store, &u.actor, &base.dataset, &base.county, period)
            .await
            .map_err(fail)?;
    if now.dataset.level != clusterdesk_plan::datasets::RowUnit::Cluster {
        return Err(PageError::with(
            st,
            u,
            WebError::bad_request("企业数据集请下载模板填报后上传"),
        ));
    }
    let before = period.same_period_last_year();
    let last =
        clusterdesk_office::reporting::sheet_data(&st.store, &u.actor, &base.dataset, &base.county, before)
            .await
            .map_err(fail)?;
    let submission = st
        .store
        .submission(&u.actor, &base.dataset, &base.county, &base.period)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let findings = findings_of(st, u, &base.dataset, &base.county, &base.period).await;
    let rows = now
        .units
        .iter()
        .map(|(code, name)| EntryRow {
            code: code.clone(),
            name: name.clone(),
            cells: now
                .indicators
                .iter()
                .map(|ind| {
                    let key = (code.clone(), ind.code.clone());
                    let value = match typed {
                        Some(t) => t.get(&key).cloned().unwrap_or_default(),
                        None => now.shown.get(&key).cloned().unwrap_or_default(),
                    };
                    let error = errors
                        .iter()
                        .filter(|e| e.unit == *code && (e.indicator == ind.code || e.indicator.is_empty()))
                        .map(|e| e.message.clone())
                        .collect::<Vec<_>>()
                        .join(";");
                    let here: Vec<&Finding> = findings
                        .iter()
                        .map(|f| &f.f)
                        .filter(|f| f.unit_code == *code && f.indicator == ind.code)
                        .collect();
                    let finding_level = if here.iter().any(|f| f.is_error()) {
                        "error"
                    } else if here.is_empty() {
                        ""
                    } else {
                        "warning"
                    };
                    EntryCell {
                        name: format!("v.{code}.{}", ind.code),
                        value,
                        last_year: last.shown.get(&key).cloned().unwrap_or_default(),
                        error,
                        text: ind.value_type == clusterdesk_plan::ValueType::Text,
                        finding_level,
                        // The rule names in the cell; the full messages are in the list below.
                        finding: here
                            .iter()
                            .map(|f| f.rule_name.clone())
                            .collect::<Vec<_>>()
                            .join(";"),
                    }
                })
                .collect(),
        })
        .collect();
    let page = EntryPage {
        title: "在线填报".into(),
        layout: Layout::new(
            st,
            u,
            "/reporting",
            vec![
                ("/reporting".into(), "数据填报".into()),
                (String::new(), "在线填报".into()),
            ],
        ),
        dataset_name: now.dataset.name.clone(),
        dataset: base.dataset.clone(),
        county_name: st
            .store
            .plan()
            .org_unit(&base.county)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        county: base.county.clone(),
        period_label: period.label_zh(),
        period: base.period.clone(),
        headers: now
            .indicators
            .iter()
            .map(|i| clusterdesk_office::reporting::header(i, period))
            .collect(),
        last_year_label: before.label_zh(),
        rows,
        editable: may_enter(u) && submission.status == Status::Draft,
        status_label: submission.status.label_zh().into(),
        notice,
        error_count: errors.len(),
        v_errors: findings.iter().filter(|f| f.f.is_error()).count(),
        v_warnings: findings.iter().filter(|f| !f.f.is_error()).count(),
        findings,
        can_comment: false,
    };
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

async fn entry_form(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    entry_page(&st, &u, &c, None, &[], String::new()).await
}

/// Save the entry form through the same checks as a file: all or nothing, errors by cell,
/// what was typed kept when refused.
async fn entry_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check_csrf(&u, &get("csrf")).map_err(|e| PageError::with(&st, &u, e))?;
    if !may_enter(&u) {
        return Err(PageError::with(
            &st,
            &u,
            WebError::forbidden("只有县(市)填报员和市工信局可以填报"),
        ));
    }
    let c = Choice {
        dataset: Some(get("dataset")),
        county: Some(get("county")),
        period: Some(get("period")),
    };
    let mut typed: HashMap<(String, String), String> = HashMap::new();
    let mut by_unit: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>> =
        Default::default();
    for (k, v) in &fields {
        let Some((unit, ind)) = k.strip_prefix("v.").and_then(|r| r.split_once('.')) else {
            continue;
        };
        typed.insert((unit.to_string(), ind.to_string()), v.clone());
        if !v.trim().is_empty() {
            by_unit
                .entry(unit.to_string())
                .or_default()
                .insert(ind.to_string(), v.trim().to_string());
        }
    }
    let ds = st
        .store
        .plan()
        .datasets
        .iter()
        .find(|d| Some(&d.code) == c.dataset.as_ref())
        .cloned()
        .ok_or_else(|| PageError::with(&st, &u, WebError::bad_request("未知数据集")))?;
    let rows: Vec<clusterdesk_office::reporting::ValueRow> = by_unit.into_iter().collect();
    if rows.is_empty() {
        return entry_page(&st, &u, &c, Some(&typed), &[], "没有填写任何数值".into()).await;
    }
    let (table, indicators) =
        clusterdesk_office::reporting::rows_to_table(&ds, &get("county"), &get("period"), &rows);
    match clusterdesk_office::reporting::import_table(&st.store, &u.actor, &table, Some(&ds.code), false)
        .await
    {
        Ok(r) => {
            let s = r.summary;
            let notice = format!(
                "已保存:新增 {}、更新 {}、未变 {} 个数据值",
                s.created, s.updated, s.unchanged
            );
            entry_page(&st, &u, &c, None, &[], notice).await
        }
        Err(ImportError::Cells(errs)) => {
            let errors = clusterdesk_office::reporting::locate_errors(errs, &rows, &indicators);
            entry_page(&st, &u, &c, Some(&typed), &errors, String::new()).await
        }
        Err(ImportError::Store(e)) => Err(PageError::with(&st, &u, e)),
    }
}
