//! 填报情况: completeness and timeliness, counties × the last twelve periods of a data set.

use super::Choice;
use super::page::{build, default_period};
use crate::AppState;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_domain::Period;
use clusterdesk_store::reporting::{Status, deadline};

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
pub(super) async fn matrix(
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
    // No county owes a report before the data set's first period, nor for a year before the
    // plan's baseline (集群年报 2014–2020 would all show 逾期).
    for _ in 0..12 {
        if p.year() < plan.meta.baseline_year || !ds.owes(p) {
            break;
        }
        periods.push(p);
        p = p.prev();
    }
    periods.reverse();
    let codes: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
    let subs = st.store.submissions_for(&u.actor, &ds.code, &codes).await?;
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
        periods: periods.iter().map(|p| (p.to_string(), p.label_zh())).collect(),
        rows,
        expected,
        received,
        on_time,
    };
    Ok(render(&page))
}
