//! `/assessment/targets`: the 三(二)2 targets issued by 市工信局, and the form that saves them.

use super::form_get;
use crate::AppState;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_store::StoreError;
use clusterdesk_store::assessment::{TargetEdit, TargetSource, parse_target};
use std::collections::BTreeMap;

pub struct TargetLine {
    county: String,
    name: String,
    value: String,
    placeholder: String,
    effective: String,
    source: String,
    issued: bool,
    error: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "assessment_targets.html")]
struct TargetsPage {
    title: String,
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    clause: String,
    plan_note: String,
    lines: Vec<TargetLine>,
    can_edit: bool,
    note: String,
    message: String,
    error: String,
    csrf: String,
    max: i64,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct TargetsQuery {
    year: Option<String>,
    saved: Option<String>,
}

/// What was typed into a refused form: county → text, county → message, the note.
#[derive(Clone, Copy)]
struct Typed<'a> {
    values: &'a BTreeMap<String, String>,
    errors: &'a BTreeMap<String, String>,
    note: &'a str,
}

/// The page of a year's targets; `typed` keeps what was typed (county → text) and `errors`
/// puts a message beside a county's field.
async fn targets_page(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    year: Option<&str>,
    message: String,
    typed: Option<Typed<'_>>,
    error: String,
) -> Result<Response, PageError> {
    let year = crate::api::assessment::target_year(&st.store, year).await?;
    let t = st.store.above_scale_targets(&u.actor, year).await?;
    let own = match u.actor.scope() {
        clusterdesk_store::Scope::County(c) => Some(c),
        _ => None,
    };
    let lines = t
        .rows
        .iter()
        .map(|r| TargetLine {
            county: r.county.clone(),
            name: r.name.clone(),
            value: match typed {
                Some(t) => t.values.get(&r.county).cloned().unwrap_or_default(),
                None if r.source == TargetSource::Issued => {
                    r.target.map(|v| v.to_string()).unwrap_or_default()
                }
                None => String::new(),
            },
            placeholder: r.plan_target.map(|v| v.to_string()).unwrap_or_default(),
            effective: r.target.map(|v| v.to_string()).unwrap_or_else(|| "未下达".into()),
            source: if r.note.is_empty() {
                r.source_text.clone()
            } else {
                format!("{}:{}", r.source_text, r.note)
            },
            issued: r.source == TargetSource::Issued,
            error: typed
                .and_then(|t| t.errors.get(&r.county).cloned())
                .unwrap_or_default(),
            own: own.as_deref() == Some(r.county.as_str()),
        })
        .collect();
    let note = typed.map(|t| t.note.to_string()).unwrap_or_default();
    let page = TargetsPage {
        title: format!("净增规上工业企业目标 {year}"),
        layout: Layout::new(
            st,
            u,
            "/assessment",
            vec![
                ("/assessment".into(), "考核排名".into()),
                (
                    format!("/assessment/targets?year={year}"),
                    format!("{year}年规上目标"),
                ),
            ],
        ),
        year,
        years: (t.first_year..=t.last_year).rev().collect(),
        clause: t.clause.clone(),
        plan_note: t.plan_note.clone(),
        lines,
        can_edit: t.can_edit,
        note,
        message,
        error,
        csrf: u.csrf.clone(),
        max: clusterdesk_store::assessment::MAX_ABOVE_SCALE_TARGET,
    };
    Ok(render(&page))
}

pub async fn targets(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<TargetsQuery>,
) -> Result<Response, PageError> {
    let message = if q.saved.is_some() {
        "已保存。留空的县(市)按规划文件示例数(如有);考核排名与三(二)2 表已按新目标计算。".to_string()
    } else {
        String::new()
    };
    targets_page(&st, &u, q.year.as_deref(), message, None, String::new()).await
}

/// Save a year's targets: every county's field at once, all or nothing; a refused field keeps
/// what was typed, with its message beside it.
pub async fn targets_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    crate::ui::extract::CsrfForm(form): crate::ui::extract::CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let year_text = form_get(&form, "year");
    let year = crate::api::assessment::target_year(&st.store, Some(&year_text)).await?;
    let note = form_get(&form, "note");
    let plan = st.store.plan();
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let mut edits = Vec::new();
    for c in plan.counties() {
        let Some((_, v)) = form
            .iter()
            .find(|(k, _)| k.strip_prefix('t') == Some(c.code.as_str()))
        else {
            continue;
        };
        typed.insert(c.code.clone(), v.trim().to_string());
        match parse_target(&c.name, v) {
            Ok(t) => edits.push(TargetEdit {
                county: c.code.clone(),
                target: t,
            }),
            Err(m) => {
                errors.insert(c.code.clone(), m);
            }
        }
    }
    let year_s = year.to_string();
    // A refusal, by cell or by the store, redraws the form with what was typed.
    let refusal = if !errors.is_empty() {
        format!("有 {} 个县(市)的目标填写有误,均未保存,请按提示修改", errors.len())
    } else {
        match st
            .store
            .set_above_scale_targets(&u.actor, year, &edits, &note)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/assessment/targets?year={year}&saved=1")).into_response());
            }
            Err(StoreError::Invalid(m)) => m,
            Err(e) => return Err(e.into()),
        }
    };
    let typed = Typed {
        values: &typed,
        errors: &errors,
        note: &note,
    };
    targets_page(&st, &u, Some(&year_s), String::new(), Some(typed), refusal).await
}
