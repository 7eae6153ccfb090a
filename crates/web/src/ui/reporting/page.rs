//! The 数据填报 page for a (data set, county, period) with its workflow state, and the
//! workflow steps taken from it.

use super::findings::{FindingView, findings_of, typed_comments};
use super::{Choice, may_enter};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::ui::extract::{CsrfForm, form_value};
use crate::ui::{Layout, PageError, PageUser, render, urlencode};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use clusterdesk_domain::{Period, Role};
use clusterdesk_office::CellError;
use clusterdesk_office::reporting::ImportReport;
use clusterdesk_store::reporting::{Action, Event, Submission, deadline};

#[derive(Template)]
#[template(path = "reporting.html")]
pub(super) struct ReportingPage {
    title: String,
    layout: Layout,
    pub(super) datasets: Vec<(String, String)>,
    counties: Vec<(String, String)>,
    pub(super) dataset: String,
    pub(super) county: String,
    pub(super) period: String,
    download_href: String,
    can_enter: bool,
    pub(super) file: String,
    pub(super) report: Option<ImportReport>,
    pub(super) dry_run: bool,
    pub(super) errors: Vec<CellError>,
    status: Option<Submission>,
    deadline: String,
    actions: Vec<Action>,
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
pub(super) fn default_period(
    today: chrono::NaiveDate,
    kind: clusterdesk_domain::period::PeriodType,
) -> String {
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

pub(super) fn build(st: &AppState, u: &CurrentUser, c: &Choice) -> ReportingPage {
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
pub(super) async fn with_status(st: &AppState, u: &CurrentUser, mut p: ReportingPage) -> ReportingPage {
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
        p.deadline = clusterdesk_domain::clock::date_zh(deadline(period, day));
        p.actions = st.store.allowed_actions(&u.actor, &s);
        p.events = st
            .store
            .submission_events(&u.actor, &p.dataset, &p.county, &p.period)
            .await
            .unwrap_or_default();
        for e in &mut p.events {
            e.at = crate::ui::beijing_time(&e.at);
        }
        p.can_comment = p.actions.contains(&Action::Submit);
        p.findings = findings_of(st, u, &p.dataset, &p.county, &p.period).await;
        p.v_errors = p.findings.iter().filter(|f| f.f.is_error()).count();
        p.v_warnings = p.findings.len() - p.v_errors;
        let mut s = s;
        // A period back in 填报中 (returned or unlocked) is not submitted: the time of the
        // submission undone is not shown beside it (the events list keeps it).
        s.submitted_at = match s.status {
            clusterdesk_store::reporting::Status::Draft => None,
            _ => s.submitted_at.as_deref().map(crate::ui::beijing_time),
        };
        p.status = Some(s);
    }
    p
}

pub(super) async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    if !u.actor.role.sees_whole_city() && !matches!(u.actor.role, Role::CountyOperator | Role::CountyLeader) {
        return Err(WebError::forbidden("您的角色不参与集群数据填报").into());
    }
    Ok(render(&with_status(&st, &u, build(&st, &u, &c)).await))
}

/// A workflow step from the page; a submission carries an explanation per warning
/// (`wc|rule|unit|indicator` fields).
pub(super) async fn transition(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form_value(&fields, k).to_string();
    let action = Action::parse(&get("action")).ok_or_else(|| WebError::bad_request("未知操作"))?;
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
            p.notice = format!("已{}:{}", action.label(), s.status.label());
            Ok(render(&p))
        }
        Err(
            e @ (clusterdesk_store::StoreError::Forbidden(_) | clusterdesk_store::StoreError::NotFound(_)),
        ) => Err(e.into()),
        Err(e) => {
            // A refused step (wrong state, missing reason) shows the page again with the reason.
            let err = WebError::from(e);
            p.refusal = err.message;
            Ok((err.status, render(&p)).into_response())
        }
    }
}
