//! The entry form: a data set's values typed on the page, checked like an uploaded file.

use super::findings::{FindingView, findings_of};
use super::page::build;
use super::{Choice, may_enter};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::ui::extract::{CsrfForm, form_value};
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use clusterdesk_domain::Period;
use clusterdesk_office::entries::{self, Refused};
use clusterdesk_store::validation::Finding;
use std::collections::HashMap;

/// One cell of the entry form: what is typed, last year's same period, and any error.
struct EntryCell {
    name: String,
    /// What a screen reader says for the field: the cluster and the figure.
    label: String,
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
    errors: &[entries::ValueError],
    notice: String,
) -> Result<Response, PageError> {
    let base = build(st, u, c);
    let period = Period::parse(&base.period).map_err(|e| WebError::bad_request(e.message))?;
    let now =
        clusterdesk_office::reporting::sheet_data(&st.store, &u.actor, &base.dataset, &base.county, period)
            .await?;
    if now.dataset.level != clusterdesk_plan::datasets::RowUnit::Cluster {
        return Err(WebError::bad_request("企业数据集请下载模板填报后上传").into());
    }
    let before = period.same_period_last_year();
    let last =
        clusterdesk_office::reporting::sheet_data(&st.store, &u.actor, &base.dataset, &base.county, before)
            .await?;
    let submission = st
        .store
        .submission(&u.actor, &base.dataset, &base.county, &base.period)
        .await?;
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
                        label: format!("{name} {}", clusterdesk_office::reporting::header(ind, period)),
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
        editable: may_enter(u) && submission.status.is_editable(),
        status_label: submission.status.label().into(),
        notice,
        error_count: errors.len(),
        v_errors: findings.iter().filter(|f| f.f.is_error()).count(),
        v_warnings: findings.iter().filter(|f| !f.f.is_error()).count(),
        findings,
        can_comment: false,
    };
    let status = crate::ui::form_status(errors);
    Ok((status, render(&page)).into_response())
}

pub(super) async fn entry_form(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(c): Query<Choice>,
) -> Result<Response, PageError> {
    entry_page(&st, &u, &c, None, &[], String::new()).await
}

/// Save the entry form through the same checks as a file: all or nothing, errors by cell,
/// what was typed kept when refused.
pub(super) async fn entry_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form_value(&fields, k).to_string();
    if !may_enter(&u) {
        return Err(WebError::forbidden("只有县(市)填报员和市工信局可以填报").into());
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
        .ok_or_else(|| WebError::bad_request("未知数据集"))?;
    let rows: Vec<entries::ValueRow> = by_unit.into_iter().collect();
    if rows.is_empty() {
        return entry_page(&st, &u, &c, Some(&typed), &[], "没有填写任何数值".into()).await;
    }
    let key = (get("county"), get("period"));
    match entries::submit_rows(&st.store, &u.actor, &ds, (&key.0, &key.1), &rows, false).await {
        Ok(w) => {
            let s = w.summary;
            let notice = format!(
                "已保存:新增 {}、更新 {}、未变 {} 个数据值",
                s.created, s.updated, s.unchanged
            );
            entry_page(&st, &u, &c, None, &[], notice).await
        }
        Err(Refused::Entries(errs)) => {
            let errors = entries::value_errors(errs, &rows);
            entry_page(&st, &u, &c, Some(&typed), &errors, String::new()).await
        }
        Err(Refused::Store(e)) => Err(e.into()),
    }
}
