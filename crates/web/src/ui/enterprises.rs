//! Enterprise pages: the searchable list with downloads, the profile, the form, the import.

use super::extract::{CsrfForm, CsrfUpload};
use super::{Layout, PageError, PageUser, render, urlencode};
use crate::AppState;
use crate::access::{Access, Pages};
use crate::api::enterprises::{EnterpriseIn, parse_input};
use crate::auth::CurrentUser;
use crate::error::WebError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::Fen;
use clusterdesk_office::CellError;
use clusterdesk_store::Scope;
use clusterdesk_store::registry::{EnterpriseDetail, EnterpriseFilter, EnterpriseRow, WriteSummary};

/// The pages of this feature, each with its access rule.
pub fn pages() -> Pages {
    Pages::new()
        .get("/enterprises", Access::BUSINESS, list)
        .get("/enterprises/new", Access::REGISTRARS, new_form)
        .post("/enterprises/new", Access::REGISTRARS, new_submit)
        .get("/enterprises/import", Access::REGISTRARS, import_form)
        .post("/enterprises/import", Access::REGISTRARS, import_submit)
        .get("/enterprises/template.xlsx", Access::SignedIn, template)
        .get("/enterprises/{uscc}", Access::BUSINESS, detail)
        .get("/enterprises/{uscc}/edit", Access::REGISTRARS, edit_form)
        .post("/enterprises/{uscc}/edit", Access::REGISTRARS, edit_submit)
        .post(
            "/enterprises/{uscc}/qualifications",
            Access::REGISTRARS,
            add_qualification,
        )
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    county: Option<String>,
    cluster: Option<String>,
    page: Option<u32>,
    format: Option<String>,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
struct ListPage {
    title: String,
    layout: Layout,
    items: Vec<EnterpriseRow>,
    total: i64,
    page: u32,
    pages: u32,
    q: String,
    county: String,
    cluster: String,
    show_county: bool,
    county_options: Vec<(String, String)>,
    cluster_options: Vec<(String, String)>,
    filter_label: String,
    page_href: String,
    export_href: String,
    can_write: bool,
}

fn county_options(st: &AppState, u: &CurrentUser) -> Vec<(String, String)> {
    st.store
        .plan()
        .counties()
        .filter(|c| u.actor.can_read_county(&c.code))
        .map(|c| (c.code.clone(), c.name.clone()))
        .collect()
}

async fn cluster_options(st: &AppState, u: &CurrentUser) -> Result<Vec<(String, String)>, PageError> {
    Ok(st
        .store
        .list_clusters(&u.actor)
        .await?
        .into_iter()
        .map(|c| (c.code, format!("{} · {}", c.county_name, c.name)))
        .collect())
}

const EXPORT_HEADERS: [&str; 6] = [
    "统一社会信用代码",
    "企业名称",
    "所在县(市)",
    "所属集群",
    "行业代码",
    "地址",
];

fn export_rows(items: &[EnterpriseRow]) -> Vec<Vec<String>> {
    items
        .iter()
        .map(|e| {
            vec![
                e.uscc.clone(),
                e.name.clone(),
                e.county_name.clone(),
                e.cluster_name.clone().unwrap_or_default(),
                e.industry_code.clone(),
                e.address.clone(),
            ]
        })
        .collect()
}

async fn list(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let exporting = q.format.is_some();
    let filter = EnterpriseFilter {
        q: q.q.clone(),
        county: q.county.clone(),
        cluster: q.cluster.clone(),
        page: if exporting { 1 } else { q.page.unwrap_or(1) },
        per_page: if exporting { 500 } else { 50 },
    };
    let mut page = st.store.list_enterprises(&u.actor, &filter).await?;
    if let Some(fmt) = q.format.as_deref() {
        // Downloads take every matching row, a page of 500 at a time.
        let mut all = page.items;
        let mut f = filter.clone();
        while (all.len() as i64) < page.total {
            f.page += 1;
            page = st.store.list_enterprises(&u.actor, &f).await?;
            if page.items.is_empty() {
                break;
            }
            all.extend(page.items);
        }
        let rows = export_rows(&all);
        return super::table_download(fmt, "企业名录", &EXPORT_HEADERS, &rows);
    }
    let mut params = Vec::new();
    for (k, v) in [("q", &q.q), ("county", &q.county), ("cluster", &q.cluster)] {
        if let Some(v) = v.as_deref().filter(|s| !s.is_empty()) {
            params.push(format!("{k}={}", urlencode(v)));
        }
    }
    let base = format!("/enterprises?{}", params.join("&"));
    let plan = st.store.plan();
    let mut labels = Vec::new();
    if let Some(c) = q.county.as_deref().and_then(|c| plan.org_unit(c)) {
        labels.push(c.name.clone());
    }
    if let Some(c) = q.cluster.as_deref().and_then(|c| plan.cluster(c)) {
        labels.push(c.full_name.clone());
    }
    let pages = ((page.total + page.per_page as i64 - 1) / page.per_page as i64).max(1) as u32;
    let can_write = matches!(
        u.actor.role,
        clusterdesk_domain::Role::CityAdmin | clusterdesk_domain::Role::CountyOperator
    );
    let list = ListPage {
        title: "企业名录".into(),
        layout: Layout::new(&st, &u, "/enterprises", vec![(String::new(), "企业名录".into())]),
        total: page.total,
        page: page.page,
        pages,
        items: page.items,
        q: q.q.unwrap_or_default(),
        county: q.county.unwrap_or_default(),
        cluster: q.cluster.unwrap_or_default(),
        show_county: u.actor.scope() == Scope::City,
        county_options: county_options(&st, &u),
        cluster_options: cluster_options(&st, &u).await?,
        filter_label: labels.join(" · "),
        page_href: base.clone(),
        export_href: base,
        can_write,
    };
    Ok(render(&list))
}

#[derive(Template)]
#[template(path = "enterprise.html")]
struct DetailPage {
    title: String,
    layout: Layout,
    e: EnterpriseDetail,
    quals: Vec<(&'static str, &'static str, String, String, String)>,
    years: Vec<i32>,
    figures: Vec<(String, String, Vec<String>)>,
    can_write: bool,
    kind_options: Vec<(&'static str, String)>,
    error: String,
}

/// Every kind with its levels, for the add-qualification form.
fn kind_options() -> Vec<(&'static str, String)> {
    clusterdesk_domain::QualKind::ALL
        .iter()
        .map(|k| {
            let levels: Vec<&str> = k.levels().iter().map(|(_, l)| *l).collect();
            let label = if levels.is_empty() {
                k.label_zh().to_string()
            } else {
                format!("{}({})", k.label_zh(), levels.join("/"))
            };
            (k.code(), label)
        })
        .collect()
}

/// Yearly figures shown on the profile: (indicator, how to show it).
const PROFILE_FIGURES: [&str; 6] = [
    "revenue",
    "tax_paid",
    "rd_expense",
    "invention_patents",
    "energy_consumption",
    "employees",
];

async fn detail(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(uscc): Path<String>,
) -> Result<Response, PageError> {
    detail_page(&st, &u, &uscc, String::new()).await
}

async fn detail_page(
    st: &AppState,
    u: &CurrentUser,
    uscc: &str,
    error: String,
) -> Result<Response, PageError> {
    let (st, u) = (st.clone(), u.clone());
    let mut e = st
        .store
        .get_enterprise(&u.actor, &uscc.to_ascii_uppercase())
        .await?;
    for m in &mut e.memberships {
        m.valid_from = super::chinese_date(&m.valid_from);
        m.valid_to = m.valid_to.as_deref().map(super::chinese_date);
    }
    let quals = e
        .qualifications
        .iter()
        .map(|q| {
            (
                q.kind.label_zh(),
                q.kind.level_label(&q.level),
                super::chinese_date(&q.valid_from),
                q.valid_to
                    .as_deref()
                    .map_or_else(|| "—".into(), super::chinese_date),
                q.detail.clone(),
            )
        })
        .collect();
    let plan = st.store.plan();
    let mut figures = Vec::new();
    let mut years: Vec<i32> = Vec::new();
    let mut series = Vec::new();
    for code in PROFILE_FIGURES {
        let Some(ind) = plan.indicator(code) else { continue };
        let s = st.store.series(&u.actor, &e.enterprise.uscc, code).await?;
        for v in &s {
            if let Ok(y) = v.value.period.parse::<i32>()
                && !years.contains(&y)
            {
                years.push(y);
            }
        }
        series.push((ind, s));
    }
    years.sort();
    for (ind, s) in series {
        let money = ind.scale == 2 && ind.unit.contains('元');
        let unit = if money {
            "万元".to_string()
        } else {
            ind.unit.clone()
        };
        let vals = years
            .iter()
            .map(|y| {
                s.iter()
                    .find(|v| v.value.period == y.to_string())
                    .and_then(|v| v.value.num_value)
                    .map(|n| {
                        if money {
                            Fen(n).wan_yuan(1)
                        } else {
                            clusterdesk_domain::money::format_scaled(
                                n,
                                10i64.pow(ind.scale),
                                ind.scale.min(2),
                            )
                        }
                    })
                    .unwrap_or_else(|| "—".into())
            })
            .collect();
        figures.push((ind.name_zh.clone(), unit, vals));
    }
    let can_write = u.actor.can_write_county(&e.enterprise.county_code);
    let mut crumbs = vec![(
        format!("/counties/{}", e.enterprise.county_code),
        e.enterprise.county_name.clone(),
    )];
    if let (Some(c), Some(n)) = (&e.enterprise.cluster_code, &e.enterprise.cluster_name) {
        crumbs.push((format!("/clusters/{c}"), n.clone()));
    }
    crumbs.push((String::new(), e.enterprise.name.clone()));
    if u.actor.scope() == Scope::Enterprise(e.enterprise.uscc.clone()) {
        crumbs = vec![(String::new(), e.enterprise.name.clone())];
    }
    let page = DetailPage {
        title: e.enterprise.name.clone(),
        layout: Layout::new(&st, &u, "/enterprises", crumbs),
        e,
        quals,
        years,
        figures,
        can_write,
        kind_options: kind_options(),
        error,
    };
    let status = if page.error.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Default, serde::Deserialize)]
pub struct FormFields {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    county_code: String,
    #[serde(default)]
    cluster_code: String,
    #[serde(default)]
    cluster_since: String,
    #[serde(default)]
    industry_code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    contact: String,
}

#[derive(Template)]
#[template(path = "enterprise_form.html")]
struct FormPage {
    title: String,
    layout: Layout,
    heading: String,
    f: FormFields,
    editing: bool,
    errors: Vec<String>,
    county_options: Vec<(String, String)>,
    cluster_options: Vec<(String, String)>,
}

fn require_writer(u: &CurrentUser) -> Result<(), PageError> {
    if matches!(
        u.actor.role,
        clusterdesk_domain::Role::CityAdmin | clusterdesk_domain::Role::CountyOperator
    ) {
        Ok(())
    } else {
        Err(WebError::forbidden("您的角色不能登记或修改企业").into())
    }
}

async fn form_page(
    st: &AppState,
    u: &CurrentUser,
    f: FormFields,
    editing: bool,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let heading = if editing {
        format!("编辑企业:{}", f.name)
    } else {
        "新增企业".to_string()
    };
    let counties = county_options(st, u)
        .into_iter()
        .filter(|(c, _)| u.actor.can_write_county(c))
        .collect::<Vec<_>>();
    let page = FormPage {
        title: heading.clone(),
        layout: Layout::new(
            st,
            u,
            if editing {
                "/enterprises"
            } else {
                "/enterprises/new"
            },
            vec![(String::new(), heading.clone())],
        ),
        heading,
        f,
        editing,
        county_options: counties,
        cluster_options: cluster_options(st, u).await?,
        errors,
    };
    let status = if page.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)).into_response())
}

async fn new_form(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    require_writer(&u)?;
    let f = FormFields {
        county_code: u.actor.org_code.clone(),
        ..Default::default()
    };
    form_page(&st, &u, f, false, vec![]).await
}

async fn save(st: &AppState, u: &CurrentUser, f: FormFields, editing: bool) -> Result<Response, PageError> {
    require_writer(u)?;
    let input = EnterpriseIn {
        uscc: f.uscc.clone(),
        name: f.name.clone(),
        county_code: f.county_code.clone(),
        industry_code: f.industry_code.clone(),
        cluster_code: Some(f.cluster_code.clone()),
        cluster_since: Some(f.cluster_since.clone()),
        address: f.address.clone(),
        contact: f.contact.clone(),
    };
    let parsed = match parse_input(&input) {
        Ok(p) => p,
        Err((_, msg)) => return form_page(st, u, f, editing, vec![msg]).await,
    };
    let uscc = parsed.uscc.to_string();
    match st.store.upsert_enterprises(&u.actor, &[parsed], false).await {
        Ok(Ok(_)) => Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response()),
        Ok(Err(errs)) => form_page(st, u, f, editing, errs.into_iter().map(|e| e.message).collect()).await,
        Err(e) => Err(e.into()),
    }
}

async fn new_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<Response, PageError> {
    save(&st, &u, f, false).await
}

async fn edit_form(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(uscc): Path<String>,
) -> Result<Response, PageError> {
    require_writer(&u)?;
    let e = st.store.get_enterprise(&u.actor, &uscc).await?;
    let since = e
        .memberships
        .iter()
        .rev()
        .find(|m| m.valid_to.is_none())
        .map(|m| m.valid_from.clone());
    let x = e.enterprise;
    let f = FormFields {
        uscc: x.uscc,
        name: x.name,
        county_code: x.county_code,
        cluster_code: x.cluster_code.unwrap_or_default(),
        cluster_since: since.unwrap_or_default(),
        industry_code: x.industry_code,
        address: x.address,
        contact: x.contact,
    };
    form_page(&st, &u, f, true, vec![]).await
}

async fn edit_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(uscc): Path<String>,
    CsrfForm(mut f): CsrfForm<FormFields>,
) -> Result<Response, PageError> {
    f.uscc = uscc;
    save(&st, &u, f, true).await
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    title: String,
    layout: Layout,
    file: String,
    summary: Option<WriteSummary>,
    dry_run: bool,
    errors: Vec<CellError>,
}

fn import_page(
    st: &AppState,
    u: &CurrentUser,
    file: String,
    summary: Option<WriteSummary>,
    dry_run: bool,
    errors: Vec<CellError>,
) -> Response {
    let status = crate::ui::form_status(&errors);
    let page = ImportPage {
        title: "企业批量导入".into(),
        layout: Layout::new(
            st,
            u,
            "/enterprises/import",
            vec![(String::new(), "企业批量导入".into())],
        ),
        file,
        summary,
        dry_run,
        errors,
    };
    (status, render(&page)).into_response()
}

async fn import_form(State(st): State<AppState>, PageUser(u): PageUser) -> Result<Response, PageError> {
    require_writer(&u)?;
    Ok(import_page(&st, &u, String::new(), None, false, vec![]))
}

async fn import_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfUpload(up): CsrfUpload,
) -> Result<Response, PageError> {
    require_writer(&u)?;
    let file = up.file()?;
    let name = file.file_name.clone().unwrap_or_else(|| "upload".into());
    let (bytes, dry_run) = (&file.bytes, up.dry_run());
    match clusterdesk_office::enterprises::import(&st.store, &u.actor, &name, bytes, dry_run).await {
        Ok(s) => Ok(import_page(&st, &u, name, Some(s), dry_run, vec![])),
        Err(clusterdesk_office::enterprises::ImportError::Cells(errs)) => {
            Ok(import_page(&st, &u, name, None, dry_run, errs))
        }
        Err(clusterdesk_office::enterprises::ImportError::Store(e)) => Err(e.into()),
    }
}

async fn template(State(st): State<AppState>, _: PageUser) -> Result<Response, PageError> {
    let body = clusterdesk_office::enterprises::template(st.store.plan())
        .map_err(|e| WebError::bad_request(e.to_string()))?;
    Ok(super::file_download(
        body,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "企业名录导入模板.xlsx",
    ))
}

#[derive(serde::Deserialize)]
pub struct QualificationForm {
    kind: String,
    #[serde(default)]
    level: String,
    valid_from: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    detail: String,
}

async fn add_qualification(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Path(uscc): Path<String>,
    CsrfForm(f): CsrfForm<QualificationForm>,
) -> Result<Response, PageError> {
    let input = crate::api::enterprises::QualificationIn {
        kind: f.kind,
        level: f.level,
        valid_from: f.valid_from,
        valid_to: Some(f.valid_to),
        detail: f.detail,
    };
    let q = match crate::api::enterprises::parse_qualification(&input) {
        Ok(q) => q,
        Err((_, msg)) => return detail_page(&st, &u, &uscc, msg).await,
    };
    match st.store.add_qualification(&u.actor, &uscc, &q).await {
        Ok(()) => Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response()),
        Err(e) => Err(e.into()),
    }
}
