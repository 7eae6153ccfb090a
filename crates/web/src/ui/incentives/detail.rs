//! 申请详情: one claim with its history, the review actions, and its evidence uploads and downloads.

use super::facts::money_field;
use super::policies::value_text;
use super::{TraceRow, eval_label, trace_rows_json};
use crate::AppState;
use crate::api::incentives::evidence_response;
use crate::auth::CurrentUser;
use crate::ui::extract::{CsrfForm, CsrfUpload};
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::{Fen, Role};
use clusterdesk_policy::eval::yuan_grouped;
use clusterdesk_store::StoreError;
use clusterdesk_store::incentives::{Action, ActionInput, ClaimDetail, ClaimStatus};
use serde_json::Value;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- 申请详情

struct ActionView {
    code: &'static str,
    label: &'static str,
    needs_reason: bool,
    needs_amount: bool,
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage {
    title: String,
    layout: Layout,
    d: ClaimDetail,
    amount: String,
    base: String,
    approved: String,
    eval_label: &'static str,
    facts: Vec<(String, String)>,
    trace: Vec<TraceRow>,
    flags: Vec<String>,
    events: Vec<(String, String, String, String, String)>,
    evidence: Vec<(i64, String, String, String, String)>,
    actions: Vec<ActionView>,
    can_upload: bool,
    error: String,
    notice: String,
}

/// The claim's dates as people read them: 2026年12月2日, and Beijing time for when it was filed.
fn dated_for_reading(mut d: ClaimDetail) -> ClaimDetail {
    d.claim.event_date = crate::ui::chinese_date(&d.claim.event_date);
    d.claim.created_at = crate::ui::beijing_time(&d.claim.created_at);
    d
}

async fn claim_page(
    st: &AppState,
    u: &CurrentUser,
    id: i64,
    status: StatusCode,
    error: String,
    notice: String,
) -> Result<Response, PageError> {
    let d = st.store.get_claim(&u.actor, &st.policies, id).await?;
    let c = &d.claim;
    let facts = match &c.facts {
        Value::Object(m) => {
            let p = st.policies.get(&c.policy);
            m.iter()
                .map(|(k, v)| {
                    let q = p
                        .and_then(|p| p.fact(k))
                        .map(|f| f.question.clone())
                        .unwrap_or_else(|| k.clone());
                    (q, value_text(v))
                })
                .collect()
        }
        _ => vec![],
    };
    let events = d
        .events
        .iter()
        .map(|e| {
            (
                crate::ui::beijing_time(&e.at),
                e.actor.clone(),
                Role::parse(&e.actor_role)
                    .map(|r| r.label())
                    .unwrap_or("")
                    .to_string(),
                format!(
                    "{} → {}",
                    e.from_status.map(ClaimStatus::label).unwrap_or("(新建)"),
                    e.to_status.label()
                ),
                e.comment.clone(),
            )
        })
        .collect();
    let evidence = d
        .evidence
        .iter()
        .map(|e| {
            (
                e.id,
                e.file_name.clone(),
                format!("{:.1} KB", e.size as f64 / 1024.0),
                e.uploaded_by.clone(),
                e.sha256.get(..16).unwrap_or("").to_string(),
            )
        })
        .collect();
    let actions = d
        .actions
        .iter()
        .map(|&a| ActionView {
            code: a.code(),
            label: a.label(),
            needs_reason: a == Action::Reject,
            needs_amount: a == Action::Approve
                && st
                    .policies
                    .get(&c.policy)
                    .is_some_and(|p| p.kind == clusterdesk_policy::Kind::CapOnly),
        })
        .collect();
    let can_upload = st.store.may_add_evidence(&u.actor, c);
    let page = ClaimPage {
        title: format!("申请 #{}", c.id),
        layout: Layout::new(
            st,
            u,
            "/claims",
            vec![
                ("/claims".into(), "申报".into()),
                (String::new(), format!("申请 #{}", c.id)),
            ],
        ),
        amount: yuan_grouped(Fen(c.amount_fen)),
        base: c
            .base_fen
            .map(|f| yuan_grouped(Fen(f)))
            .unwrap_or_else(|| "—".into()),
        approved: c
            .approved_fen
            .map(|f| yuan_grouped(Fen(f)))
            .unwrap_or_else(|| "—".into()),
        eval_label: eval_label(&c.eval_status),
        facts,
        trace: trace_rows_json(&c.outcome),
        flags: c.outcome["flags"]
            .as_array()
            .map(|xs| xs.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        events,
        evidence,
        actions,
        can_upload,
        error,
        notice,
        d: dated_for_reading(d),
    };
    Ok((status, render(&page)).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ClaimQuery {
    done: Option<String>,
}

pub(super) async fn claim(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    Query(q): Query<ClaimQuery>,
) -> Result<Response, PageError> {
    let id = page_id(&id)?;
    let notice = match q.done.as_deref().and_then(Action::parse) {
        Some(a) => format!("已{}", a.label()),
        None if q.done.as_deref() == Some("upload") => "材料已上传".into(),
        None => String::new(),
    };
    claim_page(&st, &u, id, StatusCode::OK, String::new(), notice).await
}

fn page_id(s: &str) -> Result<i64, PageError> {
    s.parse::<i64>()
        .map_err(|_| StoreError::NotFound(format!("申请“{s}”")).into())
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    approved_yuan: String,
}

pub(super) fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::Forbidden(_) => StatusCode::FORBIDDEN,
        StoreError::Conflict(_) => StatusCode::CONFLICT,
        StoreError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub(super) async fn claim_act(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ActForm>,
) -> Result<Response, PageError> {
    let id = page_id(&id)?;
    let Some(action) = Action::parse(&f.action) else {
        return claim_page(
            &st,
            &u,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("未知操作“{}”", f.action),
            String::new(),
        )
        .await;
    };
    let mut vals = BTreeMap::new();
    vals.insert("approved_yuan".to_string(), f.approved_yuan.clone());
    let approved = match money_field(&vals, "approved_yuan", "核定金额") {
        Ok(a) => a,
        Err(e) => return claim_page(&st, &u, id, StatusCode::UNPROCESSABLE_ENTITY, e, String::new()).await,
    };
    let input = ActionInput {
        comment: f.comment,
        reason: Some(f.reason).filter(|s| !s.trim().is_empty()),
        approved,
    };
    match st
        .store
        .claim_action(&u.actor, &st.policies, id, action, &input)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/claims/{id}?done={}", action.code())).into_response()),
        Err(e) if e.is_internal() => Err(e.into()),
        Err(e) => claim_page(&st, &u, id, store_status(&e), e.to_string(), String::new()).await,
    }
}

pub(super) async fn claim_upload(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
    CsrfUpload(up): CsrfUpload,
) -> Result<Response, PageError> {
    let id = page_id(&id)?;
    let Some(file) = up.files.last() else {
        return claim_page(
            &st,
            &u,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择要上传的文件".into(),
            String::new(),
        )
        .await;
    };
    match st
        .store
        .add_evidence(
            &u.actor,
            &st.policies,
            id,
            file.file_name.as_deref().unwrap_or(""),
            &file.content_type,
            &file.bytes,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/claims/{id}?done=upload")).into_response()),
        Err(e) if e.is_internal() => Err(e.into()),
        Err(e) => claim_page(&st, &u, id, store_status(&e), e.to_string(), String::new()).await,
    }
}

pub(super) async fn claim_evidence(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path((id, evidence)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = page_id(&id)?;
    let evidence = page_id(&evidence)?;
    let (name, ctype, bytes) = st
        .store
        .get_evidence(&u.actor, &st.policies, id, evidence)
        .await?;
    Ok(evidence_response(&name, &ctype, bytes))
}
