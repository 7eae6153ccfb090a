//! 预算: the budgets per policy and year in 万元, and the form setting one.

use super::detail::store_status;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::ui::extract::CsrfForm;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use clusterdesk_domain::{Fen, Role};
use clusterdesk_store::incentives::{BudgetRow, funding_key};

// ---------------------------------------------------------------- 预算

struct BudgetLine {
    year: i64,
    source: String,
    amount: String,
    committed: String,
    paid: String,
    held: String,
    remaining: String,
    used_pct: String,
    over: bool,
}

#[derive(Template)]
#[template(path = "budgets.html")]
struct BudgetsPage {
    title: String,
    layout: Layout,
    items: Vec<BudgetLine>,
    can_set: bool,
    sources: Vec<String>,
    year: String,
    source: String,
    amount: String,
    error: String,
    notice: String,
}

fn budget_line(b: &BudgetRow) -> BudgetLine {
    let used = b.committed_fen + b.paid_fen;
    BudgetLine {
        year: b.year,
        source: b.funding_source.clone(),
        amount: Fen(b.amount_fen).wan_yuan(2),
        committed: Fen(b.committed_fen).wan_yuan(2),
        paid: Fen(b.paid_fen).wan_yuan(2),
        held: Fen(b.held_fen).wan_yuan(2),
        remaining: Fen(b.remaining_fen).wan_yuan(2),
        used_pct: if b.amount_fen > 0 {
            clusterdesk_domain::money::format_scaled(used * 100, b.amount_fen, 1)
        } else {
            "—".into()
        },
        over: b.remaining_fen < 0,
    }
}

async fn budgets_page(
    st: &AppState,
    u: &CurrentUser,
    form: (String, String, String),
    status: StatusCode,
    error: String,
    notice: String,
) -> Result<Response, PageError> {
    let rows = st.store.list_budgets(&u.actor).await?;
    let mut sources: Vec<String> = st
        .policies
        .policies()
        .filter(|p| p.kind != clusterdesk_policy::Kind::RankTransfer)
        .map(funding_key)
        .collect();
    sources.sort();
    sources.dedup();
    let can_set = u.actor.role == Role::CityDepartment && u.actor.org_code == st.store.finance_department();
    let page = BudgetsPage {
        title: "预算".into(),
        layout: Layout::new(st, u, "/budgets", vec![(String::new(), "预算".into())]),
        items: rows.iter().map(budget_line).collect(),
        can_set,
        sources,
        year: if form.0.is_empty() {
            st.store.today().year().to_string()
        } else {
            form.0
        },
        source: form.1,
        amount: form.2,
        error,
        notice,
    };
    Ok((status, render(&page)).into_response())
}

pub(super) async fn budgets(
    State(st): State<AppState>,
    PageUser(u): PageUser,
) -> Result<Response, PageError> {
    budgets_page(
        &st,
        &u,
        Default::default(),
        StatusCode::OK,
        String::new(),
        String::new(),
    )
    .await
}

#[derive(serde::Deserialize, Default)]
pub(super) struct BudgetForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    funding_source: String,
    #[serde(default)]
    amount_wan: String,
}

pub(super) async fn budget_submit(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    CsrfForm(f): CsrfForm<BudgetForm>,
) -> Result<Response, PageError> {
    // A refusal redraws the form with what was typed.
    let keep = (f.year.clone(), f.funding_source.clone(), f.amount_wan.clone());
    let refuse = |status, error| budgets_page(&st, &u, keep.clone(), status, error, String::new());
    let year = match f.year.trim().parse::<i64>() {
        Ok(y) => y,
        Err(_) => {
            let error = format!("年度(year):“{}”不是年份", f.year);
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, error).await;
        }
    };
    // 万元 with up to six decimals = exact fen.
    let amount = match wan_to_fen(&f.amount_wan) {
        Ok(a) => a,
        Err(e) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, e).await,
    };
    match st
        .store
        .set_budget(&u.actor, year, &f.funding_source, amount)
        .await
    {
        Ok(()) => {
            let (source, wan) = (f.funding_source.trim(), amount.wan_yuan(2));
            let notice = format!("已设置 {year} 年度“{source}”预算 {wan} 万元");
            budgets_page(&st, &u, Default::default(), StatusCode::OK, String::new(), notice).await
        }
        Err(e) if e.is_internal() => Err(e.into()),
        Err(e) => refuse(store_status(&e), e.to_string()).await,
    }
}

/// `123.45` 万元 → fen, exactly (at most six decimals: 1 万元 = 1,000,000 fen).
fn wan_to_fen(s: &str) -> Result<Fen, String> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    let bad = || format!("预算金额(amount_wan):“{s}”不是有效的万元金额(最多六位小数)");
    let (int, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let i: i64 = int.parse().map_err(|_| bad())?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().map_err(|_| bad())?
    };
    i.checked_mul(1_000_000)
        .and_then(|v| v.checked_add(f))
        .map(Fen)
        .ok_or_else(bad)
}
