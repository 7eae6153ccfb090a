//! 政策目录 and one policy's page: its clauses, parameters and facts as the policy file states them.

use super::{business, kind_label};
use crate::AppState;
use crate::api::incentives::{PolicyOut, catalogue};
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use clusterdesk_domain::Fen;
use clusterdesk_policy::eval::yuan_grouped;
use clusterdesk_policy::model::FactType;
use clusterdesk_policy::{Policy, labels};
use clusterdesk_store::StoreError;
use clusterdesk_store::incentives::funding_key;
use serde_json::Value;

// ---------------------------------------------------------------- 政策目录

#[derive(Template)]
#[template(path = "policies.html")]
struct PoliciesPage {
    title: String,
    layout: Layout,
    items: Vec<PolicyOut>,
    kinds: Vec<&'static str>,
}

pub(super) async fn policies(
    State(st): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    business(&u)?;
    let mut items = catalogue(&st);
    // The page names parameters in words; the API keeps their names.
    let today = st.store.today();
    for p in &mut items {
        if let Some(policy) = st.policies.get(&p.id) {
            p.parameters_text = policy.parameters_text_zh(today);
        }
    }
    let kinds = items.iter().map(|p| kind_label(&p.kind)).collect();
    Ok(render(&PoliciesPage {
        title: "政策目录".into(),
        layout: Layout::new(&st, &u, "/policies", vec![(String::new(), "政策目录".into())]),
        items,
        kinds,
    }))
}

struct ParamView {
    name: String,
    from: String,
    value: String,
    clause: String,
    quote: String,
}

struct FactView {
    question: String,
    kind: String,
    rule: String,
    clause: String,
}

#[derive(Template)]
#[template(path = "policy.html")]
struct PolicyPage {
    title: String,
    layout: Layout,
    p: Policy,
    kind: &'static str,
    funding_key: String,
    department: String,
    params: Vec<ParamView>,
    facts: Vec<FactView>,
    readings: Vec<(String, String, String, String)>,
    exclusions: Vec<(String, String)>,
}

pub(super) fn value_text(v: &Value) -> String {
    clusterdesk_policy::labels::value_label(v)
}

pub(super) async fn policy(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    business(&u)?;
    let Some(p) = st.policies.get(&id).cloned() else {
        return Err(StoreError::NotFound(format!("政策“{id}”")).into());
    };
    let mut params = Vec::new();
    for (name, values) in &p.parameters {
        for v in values {
            let value = yaml_text(name, &serde_json::to_value(&v.value).unwrap_or(Value::Null));
            params.push(ParamView {
                name: clusterdesk_policy::model::param_label(name).to_string(),
                from: labels::date_zh(v.from),
                value,
                clause: v.clause.clone(),
                quote: v.quote.clone(),
            });
        }
    }
    let facts = p
        .facts
        .iter()
        .map(|f| FactView {
            question: f.question.clone(),
            kind: match f.fact_type {
                FactType::Bool => "是/否".into(),
                FactType::Choice => format!(
                    "选项:{}",
                    f.options
                        .iter()
                        .map(|o| labels::option_label(o))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                FactType::Text => "文本".into(),
            },
            rule: match (&f.eligible, &f.default) {
                (Some(el), None) => format!(
                    "必填;须为 {}",
                    el.iter().map(value_text).collect::<Vec<_>>().join(" 或 ")
                ),
                (Some(el), Some(d)) => format!(
                    "须为 {};默认 {}({})",
                    el.iter().map(value_text).collect::<Vec<_>>().join(" 或 "),
                    value_text(d),
                    f.why.clone().unwrap_or_default()
                ),
                _ => "仅作记录".into(),
            },
            clause: f.clause.clone(),
        })
        .collect();
    let readings = p
        .readings
        .iter()
        .map(|r| {
            let default = match &r.default {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (
                labels::reading_label(&r.name).to_string(),
                labels::reading_value_label(&r.name, &default).to_string(),
                r.clause.clone(),
                r.why.clone(),
            )
        })
        .collect();
    let exclusions = p
        .exclusive_with
        .iter()
        .map(|x| {
            let name = st
                .policies
                .get(&x.policy)
                .map(|q| q.name.clone())
                .unwrap_or_else(|| x.policy.clone());
            (name, x.why.clone())
        })
        .collect();
    let (_, department) = st.store.responsible_department(&p);
    let page = PolicyPage {
        title: p.name.clone(),
        layout: Layout::new(
            &st,
            &u,
            "/policies",
            vec![
                ("/policies".into(), "政策目录".into()),
                (String::new(), p.name.clone()),
            ],
        ),
        kind: kind_label(p.kind.as_str()),
        funding_key: funding_key(&p),
        department,
        params,
        facts,
        readings,
        exclusions,
        p,
    };
    Ok(render(&page))
}

fn yaml_text(name: &str, v: &Value) -> String {
    let money = |s: &str| {
        Fen::parse_yuan(s)
            .map(|f| format!("{} 元", yuan_grouped(f)))
            .unwrap_or_else(|_| s.to_string())
    };
    match v {
        Value::String(s) if name.ends_with("_yuan") => money(s),
        Value::String(s) => s.clone(),
        Value::Number(n) if name.ends_with("_yuan") => money(&n.to_string()),
        Value::Number(n) => n.to_string(),
        Value::Array(xs) => xs
            .iter()
            .map(|x| yaml_text(name, x))
            .collect::<Vec<_>>()
            .join(" / "),
        other => other.to_string(),
    }
}
