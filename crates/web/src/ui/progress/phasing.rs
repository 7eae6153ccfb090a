//! 分解目标: a target's phased values by year and county, and the form setting them.

use crate::AppState;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use clusterdesk_store::progress::show_value;

pub struct PhasingCell {
    pub year: i32,
    pub value: String,
    pub placeholder: String,
    pub locked: bool,
}

pub struct PhasingLine {
    pub county: String,
    pub name: String,
    pub form_id: String,
    pub target: String,
    pub cells: Vec<PhasingCell>,
}

#[derive(Template)]
#[template(path = "progress_phasing.html")]
struct PhasingPage {
    title: String,
    layout: Layout,
    id: String,
    name: String,
    unit: String,
    years: Vec<i32>,
    lines: Vec<PhasingLine>,
    can_edit: bool,
    message: String,
    error: String,
    csrf: String,
}

#[derive(serde::Deserialize)]
pub struct PhasingQuery {
    target: Option<String>,
    saved: Option<String>,
}

fn plain(v: &rust_decimal::Decimal) -> String {
    v.normalize().to_string()
}

async fn phasing_page(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    target: &str,
    message: String,
    error: String,
) -> Result<Response, PageError> {
    let plan = st.store.plan();
    let as_of = clusterdesk_domain::Period::month(plan.meta.target_year, 12);
    let scopes = st.store.target_phasing(&u.actor, target, as_of).await?;
    let t = plan.target(target).expect("found by the store");
    let city = &scopes[0].progress;
    let years: Vec<i32> = city
        .phasing
        .iter()
        .map(|p| p.year)
        .filter(|y| *y > city.baseline_year)
        .collect();
    let lines = scopes
        .iter()
        .map(|s| {
            let p = &s.progress;
            let cells = years
                .iter()
                .map(|y| {
                    let step = p.phasing.iter().find(|x| x.year == *y);
                    PhasingCell {
                        year: *y,
                        value: step
                            .filter(|x| x.edited)
                            .map(|x| plain(&x.value))
                            .unwrap_or_default(),
                        placeholder: step.map(|x| plain(&x.value)).unwrap_or_default(),
                        locked: s.county.is_none() && *y == t.deadline_year,
                    }
                })
                .collect();
            PhasingLine {
                county: s.county.clone().unwrap_or_default(),
                name: s.name.clone(),
                form_id: format!("f-{}", s.county.as_deref().unwrap_or("city")),
                target: p
                    .target
                    .as_ref()
                    .map(|v| show_value(v, &p.unit))
                    .unwrap_or_else(|| "—".into()),
                cells,
            }
        })
        .collect();
    let page = PhasingPage {
        title: format!("目标分解 {}", t.id),
        layout: Layout::new(
            st,
            u,
            "/progress",
            vec![
                ("/progress".into(), "目标进度".into()),
                (
                    format!("/progress/phasing?target={}", crate::ui::urlencode(&t.id)),
                    format!("{} 分解", t.id),
                ),
            ],
        ),
        id: t.id.clone(),
        name: t.name.clone(),
        unit: city.unit.clone(),
        years,
        lines,
        can_edit: u.actor.role == clusterdesk_domain::Role::CityAdmin,
        message,
        error,
        csrf: u.csrf.clone(),
    };
    Ok(render(&page))
}

pub async fn phasing(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<PhasingQuery>,
) -> Result<Response, PageError> {
    let target = q.target.unwrap_or_default();
    let message = if q.saved.is_some() {
        "已保存。留空的年份按默认分解(增长目标按复合增速,其余按线性;县级目标按基年比重)。".to_string()
    } else {
        String::new()
    };
    phasing_page(&st, &u, &target, message, String::new()).await
}

pub async fn phasing_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    crate::ui::extract::CsrfForm(form): crate::ui::extract::CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| crate::ui::extract::form_value(&form, k).trim().to_string();
    let target = get("target");
    let county = get("county");
    let mut edits = Vec::new();
    for (k, v) in &form {
        let Some(y) = k.strip_prefix('y').and_then(|y| y.parse::<i32>().ok()) else {
            continue;
        };
        let v = v.trim().replace([',', ','], "");
        let value = if v.is_empty() {
            None
        } else {
            match v.parse::<rust_decimal::Decimal>() {
                Ok(d) => Some(d),
                Err(_) => {
                    let msg = format!("{y}年的值“{v}”不是数字");
                    return phasing_page(&st, &u, &target, String::new(), msg).await;
                }
            }
        };
        edits.push(clusterdesk_store::progress::MilestoneEdit { year: y, value });
    }
    let county = (!county.is_empty()).then_some(county);
    match st
        .store
        .set_target_milestones(&u.actor, &target, county.as_deref(), &edits)
        .await
    {
        Ok(()) => Ok(axum::response::Redirect::to(&format!(
            "/progress/phasing?target={}&saved=1",
            crate::ui::urlencode(&target)
        ))
        .into_response()),
        Err(clusterdesk_store::StoreError::Invalid(m)) => {
            phasing_page(&st, &u, &target, String::new(), m).await
        }
        Err(e) => Err(e.into()),
    }
}
