//! 逾期催报 for the bureau, 催报提醒 (the inbox) for each county, and 版本对比: two revisions
//! of a reported period side by side.

use super::extract::CsrfForm;
use super::{Layout, PageError, PageUser, render, urlencode};
use crate::AppState;
use crate::access::{Access, Pages};
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::ui::chinese_date as date_zh;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use clusterdesk_domain::{Period, Role};
use clusterdesk_store::reminders::{InboxItem, ItemKind, Overdue, Reminder};
use clusterdesk_store::revisions::{RevisionInfo, Side};
use clusterdesk_store::{Scope, StoreError};

/// The pages of this feature, each with its access rule.
pub fn pages() -> Pages {
    Pages::new()
        .get("/reporting/overdue", Access::CITY_OR_COUNTY, overdue_page)
        .post("/reporting/remind", Access::CITY_ADMIN, remind)
        .get("/reporting/inbox", Access::BUSINESS, inbox_page)
        .post("/reporting/inbox/read", Access::BUSINESS, mark_read)
        .get("/reporting/compare", Access::CITY_OR_COUNTY, compare_page)
}

/// The unread count shown beside 催报提醒 in the navigation; 0 for anyone without an inbox.
pub async fn unread(st: &AppState, u: &CurrentUser) -> usize {
    if matches!(u.actor.scope(), Scope::County(_) | Scope::Enterprise(_)) {
        st.store
            .inbox_unread(&u.actor, st.store.today())
            .await
            .unwrap_or(0)
    } else {
        0
    }
}

fn county_name(st: &AppState, code: &str) -> String {
    st.store
        .plan()
        .org_unit(code)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| code.to_string())
}

fn period_zh(p: &str) -> String {
    Period::parse(p)
        .map(|p| p.label_zh())
        .unwrap_or_else(|_| p.to_string())
}

fn dataset_choices(st: &AppState) -> Vec<(String, String)> {
    st.store
        .plan()
        .datasets
        .iter()
        .map(|d| (d.code.clone(), d.name.clone()))
        .collect()
}

#[derive(serde::Deserialize, Default)]
pub struct OverdueQuery {
    dataset: Option<String>,
}

struct OverdueRow {
    o: Overdue,
    period_label: String,
    deadline_label: String,
    state_label: &'static str,
    last_reminded: String,
    href: String,
}

/// One county's overdue periods, for the summary above the detailed list.
struct CountyRow {
    code: String,
    name: String,
    periods: usize,
    max_days: i64,
    reminded: usize,
}

struct SentRow {
    county_name: String,
    dataset_name: String,
    period_label: String,
    message: String,
    sent_by: String,
    sent_at: String,
}

#[derive(Template)]
#[template(path = "reporting_overdue.html")]
struct OverduePage {
    title: String,
    layout: Layout,
    datasets: Vec<(String, String)>,
    dataset: String,
    today: String,
    rows: Vec<OverdueRow>,
    counties: usize,
    by_county: Vec<CountyRow>,
    can_remind: bool,
    sent: Vec<SentRow>,
    notice: String,
    refusal: String,
}

async fn overdue_view(st: &AppState, u: &CurrentUser, dataset: &str) -> Result<OverduePage, PageError> {
    let dataset = if st.store.plan().datasets.iter().any(|d| d.code == dataset) {
        dataset.to_string()
    } else {
        String::new()
    };
    let today = st.store.today();
    let list = st
        .store
        .overdue(&u.actor, today, Some(dataset.as_str()).filter(|d| !d.is_empty()))
        .await?;
    let mut by_county: Vec<CountyRow> = Vec::new();
    for c in st.store.plan().counties() {
        let mine: Vec<&Overdue> = list.iter().filter(|o| o.county_code == c.code).collect();
        if mine.is_empty() {
            continue;
        }
        by_county.push(CountyRow {
            code: c.code.clone(),
            name: c.name.clone(),
            periods: mine.len(),
            max_days: mine.iter().map(|o| o.days_overdue).max().unwrap_or(0),
            reminded: mine.iter().filter(|o| o.reminders > 0).count(),
        });
    }
    by_county.sort_by_key(|c| std::cmp::Reverse(c.max_days));
    let counties = by_county.len();
    let rows = list
        .iter()
        .map(|o| OverdueRow {
            period_label: period_zh(&o.period),
            deadline_label: date_zh(&o.deadline),
            state_label: if o.state == "returned" {
                "退回后未重报"
            } else {
                "未报送"
            },
            last_reminded: o
                .last_reminded_at
                .as_deref()
                .map(super::beijing_time)
                .unwrap_or_default(),
            href: format!(
                "/reporting?dataset={}&county={}&period={}",
                urlencode(&o.dataset),
                urlencode(&o.county_code),
                urlencode(&o.period)
            ),
            o: o.clone(),
        })
        .collect();
    let sent = st
        .store
        .reminders_sent(&u.actor, 50)
        .await?
        .into_iter()
        .map(|r: Reminder| SentRow {
            county_name: county_name(st, &r.county_code),
            dataset_name: dataset_choices(st)
                .into_iter()
                .find(|d| d.0 == r.dataset)
                .map(|d| d.1)
                .unwrap_or(r.dataset.clone()),
            period_label: period_zh(&r.period),
            message: r.message,
            sent_by: r.sent_by,
            sent_at: super::beijing_time(&r.sent_at),
        })
        .collect();
    Ok(OverduePage {
        title: "逾期催报".into(),
        layout: Layout::new(
            st,
            u,
            "/reporting/overdue",
            vec![
                ("/reporting/status".into(), "报送情况".into()),
                (String::new(), "逾期催报".into()),
            ],
        ),
        datasets: dataset_choices(st),
        dataset,
        today: clusterdesk_domain::clock::date_zh(today),
        rows,
        counties,
        by_county,
        can_remind: u.actor.role == Role::CityAdmin,
        sent,
        notice: String::new(),
        refusal: String::new(),
    })
}

async fn overdue_page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<OverdueQuery>,
) -> Result<Response, PageError> {
    let p = overdue_view(&st, &u, q.dataset.as_deref().unwrap_or("")).await?;
    Ok(render(&p))
}

/// The 催报 form: `one` names one row as `dataset|county|period`; without it every overdue row
/// of the chosen data set (or of all), of one county when `county` is given, is reminded.
#[derive(serde::Deserialize)]
pub struct RemindForm {
    #[serde(default)]
    dataset: String,
    #[serde(default)]
    county: String,
    #[serde(default)]
    one: String,
    #[serde(default)]
    message: String,
}

async fn remind(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<RemindForm>,
) -> Result<Response, PageError> {
    if u.actor.role != Role::CityAdmin {
        return Err(WebError::forbidden("只有市工信局可以催报").into());
    }
    let targets: Vec<(String, String, String)> = if f.one.is_empty() {
        st.store
            .overdue(
                &u.actor,
                st.store.today(),
                Some(f.dataset.as_str()).filter(|d| !d.is_empty()),
            )
            .await?
            .into_iter()
            .filter(|o| f.county.is_empty() || o.county_code == f.county)
            .map(|o| (o.dataset, o.county_code, o.period))
            .collect()
    } else {
        let parts: Vec<&str> = f.one.split('|').collect();
        match parts.as_slice() {
            [d, c, p] => vec![(d.to_string(), c.to_string(), p.to_string())],
            _ => {
                return Err(WebError::bad_request("催报对象格式有误").into());
            }
        }
    };
    let result = st.store.send_reminders(&u.actor, &targets, &f.message).await;
    let mut p = overdue_view(&st, &u, &f.dataset).await?;
    match result {
        Ok(sent) => {
            let mut counties: Vec<&str> = sent.iter().map(|r| r.county_code.as_str()).collect();
            counties.sort();
            counties.dedup();
            p.notice = format!("已向 {} 个县(市)发送 {} 条催报", counties.len(), sent.len());
            Ok(render(&p))
        }
        Err(e @ (StoreError::Forbidden(_) | StoreError::NotFound(_))) => Err(e.into()),
        Err(e) => {
            let err = WebError::from(e);
            p.refusal = err.message;
            Ok((err.status, render(&p)).into_response())
        }
    }
}

struct ItemRow {
    i: InboxItem,
    period_label: String,
    kind_label: &'static str,
    kind_class: &'static str,
    when: String,
    what: String,
    href: String,
}

#[derive(Template)]
#[template(path = "reporting_inbox.html")]
struct InboxPage {
    title: String,
    layout: Layout,
    org_name: String,
    county: String,
    rows: Vec<ItemRow>,
    unread: usize,
    can_mark: bool,
    show_all: bool,
    total: usize,
}

#[derive(serde::Deserialize, Default)]
pub struct InboxQuery {
    county: Option<String>,
    /// `all` shows read items too.
    show: Option<String>,
}

async fn inbox_page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<InboxQuery>,
) -> Result<Response, PageError> {
    let org = st.store.inbox_org(&u.actor, q.county.as_deref())?;
    let items = st.store.inbox(&u.actor, Some(&org), st.store.today()).await?;
    let unread = items.iter().filter(|i| !i.read).count();
    let show_all = q.show.as_deref() == Some("all") || unread == 0;
    let total = items.len();
    let enterprise = u.actor.role == Role::Enterprise;
    let rows = items
        .into_iter()
        .filter(|i| show_all || !i.read)
        .map(|i| {
            let what = match i.kind {
                ItemKind::Reminder => format!(
                    "市工信局催报{}{}",
                    if i.message.is_empty() { "" } else { ":" },
                    i.message
                ),
                ItemKind::DueSoon => format!("{}截止,还有 {} 天", date_zh(&i.deadline), i.days),
                ItemKind::Overdue => format!("{}截止,已逾期 {} 天", date_zh(&i.deadline), i.days),
                ItemKind::Returned => format!("退回理由:{}", i.message),
                ItemKind::Unlocked => format!("市工信局解锁,理由:{}", i.message),
            };
            ItemRow {
                period_label: period_zh(&i.period),
                kind_label: i.kind.label_zh(),
                kind_class: match i.kind {
                    ItemKind::Reminder | ItemKind::Overdue => "bad",
                    ItemKind::Returned | ItemKind::Unlocked | ItemKind::DueSoon => "warn",
                },
                when: if i.at.len() > 10 {
                    super::beijing_time(&i.at)
                } else {
                    date_zh(&i.at)
                },
                what,
                href: if enterprise {
                    String::new()
                } else {
                    format!(
                        "/reporting?dataset={}&county={}&period={}",
                        urlencode(&i.dataset),
                        urlencode(&i.county_code),
                        urlencode(&i.period)
                    )
                },
                i,
            }
        })
        .collect();
    let org_name = if enterprise {
        "本企业".to_string()
    } else {
        county_name(&st, &org)
    };
    let page = InboxPage {
        title: "催报提醒".into(),
        layout: Layout::new(
            &st,
            &u,
            "/reporting/inbox",
            vec![(String::new(), "催报提醒".into())],
        ),
        org_name,
        county: org,
        rows,
        unread,
        can_mark: matches!(u.actor.scope(), Scope::County(_) | Scope::Enterprise(_)),
        show_all,
        total,
    };
    Ok(render(&page))
}

#[derive(serde::Deserialize)]
pub struct ReadForm {
    /// One item's key; empty marks every item read.
    #[serde(default)]
    key: String,
}

async fn mark_read(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<ReadForm>,
) -> Result<Response, PageError> {
    let keys: Vec<String> = if f.key.is_empty() { vec![] } else { vec![f.key] };
    st.store.mark_read(&u.actor, &keys, st.store.today()).await?;
    Ok(Redirect::to("/reporting/inbox").into_response())
}

#[derive(serde::Deserialize, Default)]
pub struct CompareQuery {
    dataset: Option<String>,
    county: Option<String>,
    period: Option<String>,
    a: Option<String>,
    b: Option<String>,
    /// `all` shows unchanged cells too.
    show: Option<String>,
}

struct CompareRow {
    unit_name: String,
    unit_code: String,
    indicator: String,
    a: String,
    b: String,
    change: String,
    word: &'static str,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "reporting_compare.html")]
struct ComparePage {
    title: String,
    layout: Layout,
    dataset: String,
    dataset_name: String,
    county: String,
    county_name: String,
    period: String,
    period_label: String,
    revisions: Vec<(RevisionInfo, String)>,
    a: String,
    b: String,
    a_label: String,
    b_label: String,
    rows: Vec<CompareRow>,
    changed: usize,
    total: usize,
    show_all: bool,
    back: String,
}

/// A revision's label: 第2版(提交,botou,2026年11月7日 17:30), or 当前数据.
fn side_label(side: Side, revs: &[RevisionInfo]) -> String {
    match side {
        Side::Current => "当前数据".into(),
        Side::Revision(n) => revs
            .iter()
            .find(|r| r.revision == n)
            .map(|r| {
                format!(
                    "第{n}版({},{},{})",
                    event_zh(&r.event),
                    r.actor,
                    super::beijing_time(&r.at)
                )
            })
            .unwrap_or_else(|| format!("第{n}版")),
    }
}

fn event_zh(e: &str) -> &'static str {
    match e {
        "submit" => "提交时",
        "unlock" => "解锁时",
        _ => "其他",
    }
}

/// Digits grouped by thousands, keeping sign and decimals: -1234567.5 → -1,234,567.5.
fn grouped(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map(|r| ("-", r)).unwrap_or(("", s));
    let (int, frac) = rest
        .split_once('.')
        .map(|(i, f)| (i, Some(f)))
        .unwrap_or((rest, None));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

async fn compare_page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<CompareQuery>,
) -> Result<Response, PageError> {
    let plan = st.store.plan();
    let dataset = q.dataset.clone().unwrap_or_default();
    let ds = plan
        .datasets
        .iter()
        .find(|d| d.code == dataset)
        .ok_or_else(|| WebError::bad_request(format!("未知数据集“{dataset}”")))?;
    let county = q.county.clone().unwrap_or_default();
    let period_text = q.period.clone().unwrap_or_default();
    let period = Period::parse(&period_text).map_err(|e| WebError::bad_request(e.message))?;
    let (revs, a, b, diff) =
        crate::api::reminders::compare_sides(&st, &u.actor, &dataset, &county, &period_text, &q.a, &q.b)
            .await?;
    let total = diff.len();
    let changed = diff.iter().filter(|r| r.changed).count();
    let show_all = q.show.as_deref() == Some("all");
    let names: std::collections::HashMap<String, String> = match ds.level {
        clusterdesk_plan::datasets::RowUnit::Cluster => plan
            .clusters_of(&county)
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect(),
        clusterdesk_plan::datasets::RowUnit::Enterprise => st
            .store
            .enterprises_of_county(&u.actor, &county)
            .await?
            .into_iter()
            .collect(),
    };
    let rows = diff
        .iter()
        .filter(|r| show_all || r.changed)
        .map(|r| {
            let ind = plan.indicators.iter().find(|i| i.code == r.indicator_code);
            let show = |n: Option<i64>, t: &Option<String>| match (n, ind) {
                (Some(n), Some(ind)) => grouped(&clusterdesk_office::reporting::to_entered(ind, n)),
                (Some(n), None) => n.to_string(),
                (None, _) => t.clone().unwrap_or_default(),
            };
            let change = match (r.change, ind) {
                (Some(0), _) | (None, _) => String::new(),
                (Some(c), Some(ind)) => {
                    let s = grouped(&clusterdesk_office::reporting::to_entered(ind, c));
                    if c > 0 { format!("+{s}") } else { s }
                }
                (Some(c), None) => c.to_string(),
            };
            let a_empty = r.a_num.is_none() && r.a_text.is_none();
            let b_empty = r.b_num.is_none() && r.b_text.is_none();
            let (word, class) = match (r.changed, a_empty, b_empty) {
                (false, _, _) => ("未变", "same"),
                (true, true, _) => ("新增", "added"),
                (true, _, true) => ("删除", "removed"),
                (true, _, _) => ("已修改", "changed"),
            };
            CompareRow {
                unit_name: names.get(&r.unit_code).cloned().unwrap_or_default(),
                unit_code: r.unit_code.clone(),
                indicator: ind
                    .map(|i| {
                        let unit = if i.value_type == clusterdesk_plan::ValueType::Money {
                            "万元".to_string()
                        } else {
                            i.unit.clone()
                        };
                        if unit.is_empty() || i.value_type == clusterdesk_plan::ValueType::Text {
                            i.name_zh.clone()
                        } else {
                            format!("{}({unit})", i.name_zh)
                        }
                    })
                    .unwrap_or_else(|| r.indicator_code.clone()),
                a: show(r.a_num, &r.a_text),
                b: show(r.b_num, &r.b_text),
                change,
                word,
                class,
            }
        })
        .collect();
    let page = ComparePage {
        title: "版本对比".into(),
        layout: Layout::new(
            &st,
            &u,
            "/reporting",
            vec![
                ("/reporting".into(), "数据填报".into()),
                (String::new(), "版本对比".into()),
            ],
        ),
        dataset_name: ds.name.clone(),
        dataset: dataset.clone(),
        county_name: county_name(&st, &county),
        county: county.clone(),
        period_label: period.label_zh(),
        period: period_text.clone(),
        a_label: side_label(a, &revs),
        b_label: side_label(b, &revs),
        a: a.code(),
        b: b.code(),
        revisions: revs
            .iter()
            .map(|r| {
                let mut shown = r.clone();
                shown.at = super::beijing_time(&r.at);
                (shown, side_label(Side::Revision(r.revision), &revs))
            })
            .collect(),
        rows,
        changed,
        total,
        show_all,
        back: format!(
            "/reporting?dataset={}&county={}&period={}",
            urlencode(&dataset),
            urlencode(&county),
            urlencode(&period_text)
        ),
    };
    Ok(render(&page))
}
