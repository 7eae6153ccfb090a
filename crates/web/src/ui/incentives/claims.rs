//! 申报 and 审核队列: the list of claims a role sees, and the form filing a new claim.

use super::business;
use super::facts::{FactField, amount_fields, date_field, fact_fields, form_facts, policy_options};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::ui::extract::{CsrfUpload, Upload, UploadFile};
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::workflow::claim::files_claims;
use clusterdesk_domain::{Fen, Role};
use clusterdesk_policy::Policy;
use clusterdesk_policy::eval::yuan_grouped;
use clusterdesk_store::StoreError;
use clusterdesk_store::incentives::{ClaimFilter, ClaimRow, ClaimStatus, NewClaim};
use std::collections::BTreeMap;

// ---------------------------------------------------------------- 申报 / 审核队列

struct ClaimLine {
    id: i64,
    policy_name: String,
    clause: String,
    enterprise: String,
    uscc: String,
    county: String,
    event_date: String,
    amount: String,
    status: ClaimStatus,
    status_label: String,
    updated: String,
}

fn claim_line(c: &ClaimRow) -> ClaimLine {
    ClaimLine {
        id: c.id,
        policy_name: c.policy_name.clone(),
        clause: c.clause.clone(),
        enterprise: c.enterprise_name.clone(),
        uscc: c.uscc.clone(),
        county: c.county_name.clone(),
        event_date: crate::ui::chinese_date(&c.event_date),
        amount: yuan_grouped(Fen(c.amount_fen)),
        status: c.status,
        status_label: c.status_label.clone(),
        updated: crate::ui::beijing_date(&c.updated_at),
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ClaimsPage {
    title: String,
    layout: Layout,
    queue: bool,
    status: String,
    /// Code, label and whether it is the chosen filter.
    status_options: Vec<(&'static str, &'static str, bool)>,
    items: Vec<ClaimLine>,
    total_amount: String,
    can_file: bool,
    queue_label: &'static str,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ClaimsQuery {
    status: Option<String>,
    all: Option<String>,
    format: Option<String>,
}

fn queue_label(role: Role) -> &'static str {
    match role {
        Role::CountyOperator | Role::CountyLeader => "待县(市)审核",
        Role::CityDepartment => "待本部门审批或拨付",
        Role::CityAdmin => "待审批",
        Role::Enterprise => "待提交的草稿",
        _ => "待处理",
    }
}

pub(super) async fn claims(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ClaimsQuery>,
) -> Result<Response, PageError> {
    business(&u)?;
    let status = q.status.clone().unwrap_or_default();
    // Reviewers land on their queue; everyone can switch to all claims.
    let queue = q.all.is_none()
        && status.is_empty()
        && u.actor.role != Role::Enterprise
        && u.actor.role != Role::Leader;
    let f = ClaimFilter {
        status: Some(status.clone()).filter(|s| !s.is_empty()),
        queue,
        ..Default::default()
    };
    let rows = st.store.list_claims(&u.actor, &st.policies, &f).await?;
    if let Some(fmt) = q.format.as_deref() {
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|c| {
                vec![
                    c.id.to_string(),
                    c.clause.clone(),
                    c.policy_name.clone(),
                    c.enterprise_name.clone(),
                    c.uscc.clone(),
                    c.county_name.clone(),
                    c.event_date.clone(),
                    c.amount_yuan.clone(),
                    c.status_label.clone(),
                    c.updated_at.clone(),
                ]
            })
            .collect();
        return crate::ui::table_download(
            fmt,
            "申报",
            &[
                "编号",
                "条款",
                "政策",
                "企业",
                "统一社会信用代码",
                "县(市)",
                "事件日期",
                "测算金额(元)",
                "状态",
                "更新时间",
            ],
            &table,
        );
    }
    let total: Fen = rows.iter().map(|c| Fen(c.amount_fen)).sum();
    let title = match u.actor.role {
        Role::Enterprise => "我的申报",
        Role::CountyOperator | Role::CountyLeader => "申报审核",
        _ => "申报审批",
    };
    let page = ClaimsPage {
        title: title.into(),
        layout: Layout::new(&st, &u, "/claims", vec![(String::new(), title.into())]),
        queue,
        status_options: ClaimStatus::ALL
            .into_iter()
            .map(|s| (s.code(), s.label(), ClaimStatus::parse(&status) == Some(s)))
            .collect(),
        status,
        items: rows.iter().map(claim_line).collect(),
        total_amount: yuan_grouped(total),
        can_file: files_claims(u.actor.role),
        queue_label: queue_label(u.actor.role),
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "claim_new.html")]
struct NewClaimPage {
    title: String,
    layout: Layout,
    policy_options: Vec<(String, String, bool)>,
    policy: Option<Policy>,
    kind: String,
    facts: Vec<FactField>,
    ask_uscc: bool,
    v: BTreeMap<String, String>,
    errors: Vec<String>,
    enterprise_options: Vec<(String, String)>,
}

impl NewClaimPage {
    fn val(&self, k: &str) -> &str {
        self.v.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn new_page(
    st: &AppState,
    u: &CurrentUser,
    v: BTreeMap<String, String>,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    if !files_claims(u.actor.role) {
        return Err(WebError::forbidden("您的角色不能申报").into());
    }
    let selected = v.get("policy").cloned().unwrap_or_default();
    let policy = st.policies.get(&selected).cloned();
    let ask_uscc = u.actor.role != Role::Enterprise;
    let enterprise_options = if ask_uscc {
        let f = clusterdesk_store::registry::EnterpriseFilter {
            per_page: 500,
            page: 1,
            ..Default::default()
        };
        st.store
            .list_enterprises(&u.actor, &f)
            .await?
            .items
            .into_iter()
            .map(|e| (e.uscc, e.name))
            .collect()
    } else {
        vec![]
    };
    let status = crate::ui::form_status(&errors);
    let page = NewClaimPage {
        title: "新建申报".into(),
        layout: Layout::new(
            st,
            u,
            "/claims/new",
            vec![
                ("/claims".into(), "申报".into()),
                (String::new(), "新建申报".into()),
            ],
        ),
        policy_options: policy_options(&st.policies, &selected),
        kind: policy
            .as_ref()
            .map(|p| p.kind.as_str().to_string())
            .unwrap_or_default(),
        facts: policy.as_ref().map(|p| fact_fields(p, &v)).unwrap_or_default(),
        policy,
        ask_uscc,
        v,
        errors,
        enterprise_options,
    };
    Ok((status, render(&page)).into_response())
}

pub(super) async fn new_form(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    new_page(&st, &u, q, vec![]).await
}

pub(super) async fn new_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfUpload(up): CsrfUpload,
) -> Result<Response, PageError> {
    let Upload { files, fields: v } = up;
    let files: Vec<UploadFile> = files.into_iter().filter(|f| !f.bytes.is_empty()).collect();
    // Changing the policy only redraws the form with that policy's facts.
    if v.get("go").map(String::as_str) == Some("choose") {
        return new_page(&st, &u, v, vec![]).await;
    }
    let mut errors = Vec::new();
    let Some(p) = v.get("policy").and_then(|id| st.policies.get(id)).cloned() else {
        return new_page(&st, &u, v, vec!["政策(policy):请选择要申报的政策".into()]).await;
    };
    let event_date = date_field(&v, "event_date", &mut errors);
    let (base, approved) = amount_fields(&v, ("base_yuan", "approved_yuan"), &mut errors);
    for f in &files {
        if f.bytes.len() > clusterdesk_store::incentives::MAX_EVIDENCE_BYTES {
            let name = f.file_name.as_deref().unwrap_or("");
            errors.push(format!("证明材料(file):“{name}”超过 10 MB"));
        }
    }
    let uscc = if u.actor.role == Role::Enterprise {
        u.actor.org_code.clone()
    } else {
        v.get("uscc")
            .map(|s| s.trim().to_ascii_uppercase())
            .unwrap_or_default()
    };
    if uscc.is_empty() {
        errors.push("企业(uscc):请选择或填写企业统一社会信用代码".into());
    }
    let Some(event_date) = event_date.filter(|_| errors.is_empty()) else {
        return new_page(&st, &u, v, errors).await;
    };
    let new = NewClaim {
        policy: p.id.clone(),
        uscc,
        event_date,
        base,
        approved,
        facts: form_facts(&p, &v),
        submit: v.get("go").map(String::as_str) != Some("draft"),
        comment: v.get("comment").cloned().unwrap_or_default(),
    };
    let d = match st.store.file_claim(&u.actor, &st.policies, &new).await {
        Ok(d) => d,
        Err(
            e @ (StoreError::Invalid(_)
            | StoreError::Conflict(_)
            | StoreError::NotFound(_)
            | StoreError::Forbidden(_)),
        ) => {
            return new_page(&st, &u, v, vec![e.to_string()]).await;
        }
        Err(e) => return Err(e.into()),
    };
    let id = d.claim.id;
    for f in files {
        let name = f.file_name.unwrap_or_default();
        st.store
            .add_evidence(&u.actor, &st.policies, id, &name, &f.content_type, &f.bytes)
            .await?;
    }
    Ok(Redirect::to(&format!("/claims/{id}")).into_response())
}
