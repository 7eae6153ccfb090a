//! The home page, county and cluster pages, the account list.

use super::extract::CsrfForm;
use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::confidentiality::aggregate_shown;
use clusterdesk_domain::{Fen, Period, Role};
use clusterdesk_figures::home::{HomeTarget, home_target, month_labels, year_growth, yi, yoy};
use clusterdesk_figures::table::status_counts;
use clusterdesk_store::Scope;
use std::collections::HashMap;

pub struct CountyLine {
    code: String,
    name: String,
    clusters: Vec<ClusterLink>,
    enterprises: i64,
    revenue: String,
    /// The latest month's revenue, January to that month, and the change on a year earlier.
    month: String,
    ytd: String,
    yoy: String,
    /// The latest month's reporting state when the city has not accepted it yet (its figures may
    /// still change), else empty.
    pending: &'static str,
}

pub struct ClusterLink {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    title: String,
    layout: Layout,
    heading: String,
    latest_label: String,
    year_label: String,
    counties: Vec<CountyLine>,
    cluster_count: usize,
    enterprise_count: i64,
    revenue_total: String,
    /// 2026年10月: the latest month with revenue, and its figures for the scope.
    month_label: String,
    month_total: String,
    ytd_label: String,
    ytd_total: String,
    ytd_yoy: String,
    /// The plan's targets as of the latest month, with the link that keeps that month.
    as_of: String,
    as_of_label: String,
    targets: Vec<HomeTarget>,
    /// (status, label, icon, count)
    status_counts: Vec<(&'static str, &'static str, &'static str, usize)>,
    /// The largest enterprises of the last complete year: (uscc, name, 亿元).
    top_year: String,
    top: Vec<(String, String, String)>,
}

/// The last complete year of cluster revenue and the latest month, from the data itself.
async fn data_years(st: &AppState) -> Result<(Option<Period>, i32), PageError> {
    let latest = st.store.latest_month("revenue").await?;
    Ok(years_of(st, latest.as_deref()))
}

/// The latest month (`2025-10`) as a period, and the last complete year up to it (the plan's
/// target year without data).
fn years_of(st: &AppState, latest: Option<&str>) -> (Option<Period>, i32) {
    let latest = latest.and_then(|p| Period::parse(p).ok());
    let full_year = match latest {
        Some(p) if p.month_range().1 == 12 => p.year(),
        Some(p) => p.year() - 1,
        None => st.store.plan().meta.target_year,
    };
    (latest, full_year)
}

pub async fn home(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    match u.actor.scope() {
        Scope::Enterprise(uscc) => return Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response()),
        // 三员: each to the work of its role.
        Scope::Nothing => {
            let to = match u.actor.role {
                Role::SecurityAdmin => "/admin/users",
                Role::SystemAdmin => "/admin/system",
                _ => "/audit",
            };
            return Ok(Redirect::to(to).into_response());
        }
        _ => {}
    }
    let clusters = st.store.list_clusters(&u.actor).await?;
    // The latest month's figures (scoped to the reader's county by the store); the month also
    // sets the year of the totals and the as-of of the targets.
    let dash = st.store.dashboard(&u.actor, "revenue", 10).await?;
    let (latest, year) = years_of(&st, dash.latest_month.as_deref());
    let totals: HashMap<String, i64> = st
        .store
        .cluster_totals("revenue", &format!("{year}-"))
        .await?
        .into_iter()
        .collect();
    let plan = st.store.plan();
    // The targets as of the latest month (the plan's deadline month when there is no data).
    let as_of = latest.unwrap_or(Period::Month {
        year: plan.meta.target_year,
        month: 12,
    });
    let report = st.store.target_progress(&u.actor, as_of, None).await?;
    let targets: Vec<HomeTarget> = report.targets.iter().map(home_target).collect();
    let status_counts = status_counts(&report.targets)
        .into_iter()
        .filter(|c| c.n > 0)
        .map(|c| (c.status, c.label, c.icon, c.n))
        .collect();
    // Whose latest month is not yet accepted by the city: the data set that carries the
    // clusters' monthly revenue. Readers without reporting scope (city departments) see no marks.
    let mut pending: HashMap<String, &'static str> = HashMap::new();
    let monthly = plan.datasets.iter().find(|d| {
        d.period_type == clusterdesk_plan::PeriodType::Month && d.indicators.iter().any(|i| i == "revenue")
    });
    if let (Some(Period::Month { .. }), Some(ds)) = (latest, monthly)
        && let Ok(subs) = st
            .store
            .submissions_for(&u.actor, &ds.code, &[as_of.to_string()])
            .await
    {
        for s in subs {
            if s.status != clusterdesk_store::reporting::Status::Accepted {
                pending.insert(s.county_code, s.status.label());
            }
        }
    }
    let mut counties = Vec::new();
    for c in plan.counties().filter(|c| u.actor.can_read_county(&c.code)) {
        let mine: Vec<_> = clusters.iter().filter(|k| k.county_code == c.code).collect();
        let f = dash.counties.get(&c.code).copied().unwrap_or_default();
        counties.push(CountyLine {
            code: c.code.clone(),
            name: c.name.clone(),
            enterprises: mine.iter().map(|k| k.enterprise_count).sum(),
            revenue: yi(mine
                .iter()
                .map(|k| totals.get(&k.code).copied().unwrap_or(0))
                .sum()),
            month: yi(f.month),
            ytd: yi(f.ytd),
            yoy: yoy(f.ytd, f.ytd_prev),
            pending: pending.get(&c.code).copied().unwrap_or(""),
            clusters: mine
                .iter()
                .map(|k| ClusterLink {
                    code: k.code.clone(),
                    name: k.name.clone(),
                })
                .collect(),
        });
    }
    let heading = match u.actor.scope() {
        Scope::County(c) => format!(
            "{}特色产业集群",
            plan.org_unit(&c).map(|x| x.name.as_str()).unwrap_or("")
        ),
        _ => "全市县域特色产业集群".to_string(),
    };
    let (month_label, ytd_label) = month_labels(latest);
    let page = HomePage {
        title: "首页".into(),
        layout: Layout::new(&st, &u, "/", vec![]),
        heading,
        latest_label: latest.map(|p| p.label_zh()).unwrap_or_else(|| "暂无数据".into()),
        year_label: format!("{year}年"),
        cluster_count: clusters.len(),
        enterprise_count: clusters.iter().map(|k| k.enterprise_count).sum(),
        revenue_total: yi(clusters
            .iter()
            .map(|k| totals.get(&k.code).copied().unwrap_or(0))
            .sum()),
        counties,
        month_label,
        month_total: yi(dash.month_total),
        ytd_label,
        ytd_total: yi(dash.ytd_total),
        ytd_yoy: yoy(dash.ytd_total, dash.ytd_prev_total),
        as_of: report.as_of.clone(),
        as_of_label: report.as_of_label.clone(),
        targets,
        status_counts,
        top_year: dash.top_year.clone().unwrap_or_default(),
        top: dash
            .top
            .iter()
            .map(|(uscc, name, v)| (uscc.clone(), name.clone(), yi(*v)))
            .collect(),
    };
    Ok(render(&page))
}

pub struct ClusterLine {
    code: String,
    full_name: String,
    attachment: i64,
    industries: Vec<String>,
    enterprises: i64,
    revenue: Vec<String>,
}

#[derive(Template)]
#[template(path = "county.html")]
struct CountyPage {
    title: String,
    layout: Layout,
    code: String,
    name: String,
    years: Vec<i32>,
    clusters: Vec<ClusterLine>,
}

fn years_to_show(st: &AppState, full_year: i32) -> Vec<i32> {
    (st.store.plan().meta.baseline_year..=full_year).collect()
}

pub async fn county(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    st.store.check_county(&u.actor, &code)?;
    let name = st
        .store
        .plan()
        .org_unit(&code)
        .map(|x| x.name.clone())
        .unwrap_or_default();
    let clusters: Vec<_> = st
        .store
        .list_clusters(&u.actor)
        .await?
        .into_iter()
        .filter(|c| c.county_code == code)
        .collect();
    let (_, full_year) = data_years(&st).await?;
    let years = years_to_show(&st, full_year);
    let mut by_year = Vec::new();
    for y in &years {
        let t: HashMap<String, i64> = st
            .store
            .cluster_totals("revenue", &format!("{y}-"))
            .await?
            .into_iter()
            .collect();
        by_year.push(t);
    }
    let lines = clusters
        .iter()
        .map(|c| ClusterLine {
            code: c.code.clone(),
            full_name: c.full_name.clone(),
            attachment: c.attachment,
            industries: c.industries.clone(),
            enterprises: c.enterprise_count,
            revenue: by_year
                .iter()
                .map(|t| t.get(&c.code).map(|v| yi(*v)).unwrap_or_else(|| "—".into()))
                .collect(),
        })
        .collect();
    let page = CountyPage {
        title: name.clone(),
        layout: Layout::new(&st, &u, "", vec![(format!("/counties/{code}"), name.clone())]),
        code,
        name,
        years,
        clusters: lines,
    };
    Ok(render(&page))
}

pub struct YearFigure {
    label: String,
    revenue: String,
    growth: String,
}

#[derive(Template)]
#[template(path = "cluster.html")]
struct ClusterPage {
    title: String,
    layout: Layout,
    c: clusterdesk_store::registry::ClusterRow,
    years: Vec<YearFigure>,
    plan_fields: Vec<(&'static str, String)>,
    can_edit_plan: bool,
    top_year: i32,
    top: Vec<(String, String, String)>,
    /// An enterprise account: the table holds its own row only.
    own_only: bool,
    totals_note: String,
}

pub async fn cluster(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let c = st.store.get_cluster(&u.actor, &code).await?;
    // An enterprise sees the cluster's totals only when they cover enough other members.
    let min_others = st.store.plan().meta.confidentiality_min_others;
    let totals_shown = !matches!(u.actor.scope(), Scope::Enterprise(_))
        || aggregate_shown(c.enterprise_count as u64, true, min_others);
    let (_, full_year) = data_years(&st).await?;
    let mut years = Vec::new();
    let mut prev: Option<i64> = None;
    for y in years_to_show(&st, full_year) {
        let v = if totals_shown {
            let t = st.store.cluster_totals("revenue", &format!("{y}-")).await?;
            t.iter().find(|(k, _)| *k == code).map(|(_, v)| *v)
        } else {
            None
        };
        let growth = year_growth(prev, v);
        years.push(YearFigure {
            label: format!("{y}年"),
            revenue: v.map(yi).unwrap_or_else(|| "—".into()),
            growth,
        });
        prev = v;
    }
    let years: Vec<_> = years
        .into_iter()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let plan_fields = st.store.cluster_plan(&u.actor, &code).await?;
    let top = st
        .store
        .top_enterprises(&u.actor, &code, "revenue", &full_year.to_string(), 10)
        .await?
        .into_iter()
        .map(|(a, b, v)| (a, b, Fen(v).wan_yuan(1)))
        .collect();
    let crumbs = vec![
        (format!("/counties/{}", c.county_code), c.county_name.clone()),
        (String::new(), c.full_name.clone()),
    ];
    let can_edit_plan = u.actor.can_write_county(&c.county_code);
    let page = ClusterPage {
        title: c.full_name.clone(),
        layout: Layout::new(&st, &u, "", crumbs),
        c,
        years,
        plan_fields,
        can_edit_plan,
        top_year: full_year,
        top,
        own_only: matches!(u.actor.scope(), Scope::Enterprise(_)),
        totals_note: if totals_shown {
            String::new()
        } else {
            format!("本集群其他企业不足{min_others}家,汇总数据不向企业显示,以免推算出单个企业的数据。")
        },
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    title: String,
    layout: Layout,
    forced: bool,
    error: String,
    done: bool,
}

fn password_page(st: &AppState, u: &crate::auth::CurrentUser, error: String, done: bool) -> Response {
    let status = if error.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = PasswordPage {
        title: "修改密码".into(),
        layout: Layout::new(
            st,
            u,
            "/account/password",
            vec![(String::new(), "修改密码".into())],
        ),
        forced: u.actor.must_change_password,
        error,
        done,
    };
    (status, render(&page)).into_response()
}

pub async fn password_form(State(st): State<AppState>, PageUser(u): PageUser) -> Response {
    password_page(&st, &u, String::new(), false)
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn password_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Result<Response, PageError> {
    if f.new != f.confirm {
        return Ok(password_page(&st, &u, "两次输入的新密码不一致".into(), false));
    }
    match st
        .store
        .change_password(&u.actor, &f.current, &f.new, Some(&u.token))
        .await
    {
        Ok(()) => {
            let mut u = u;
            u.actor.must_change_password = false;
            Ok(password_page(&st, &u, String::new(), true))
        }
        Err(e) => Ok(password_page(
            &st,
            &u,
            crate::error::WebError::from(e).message,
            false,
        )),
    }
}

#[derive(serde::Deserialize)]
pub struct ClusterPlanForm {
    #[serde(default)]
    f0: String,
    #[serde(default)]
    f1: String,
    #[serde(default)]
    f2: String,
    #[serde(default)]
    f3: String,
    #[serde(default)]
    f4: String,
    #[serde(default)]
    f5: String,
    #[serde(default)]
    f6: String,
}

pub async fn cluster_plan_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(code): Path<String>,
    CsrfForm(f): CsrfForm<ClusterPlanForm>,
) -> Result<Response, PageError> {
    let values = [f.f0, f.f1, f.f2, f.f3, f.f4, f.f5, f.f6];
    st.store.update_cluster_plan(&u.actor, &code, &values).await?;
    Ok(Redirect::to(&format!("/clusters/{code}")).into_response())
}
