//! 考核排名: the county assessment as a published bulletin — the composite ranking with each
//! indicator's value and score, the 三(二)1 park-entry ranking with its zero-sum transfer, and
//! the 三(二)2 table of net new above-scale enterprises. A county sees every county with its
//! own row highlighted and a panel of its own standing. Every table downloads as .xlsx / .csv.
//!
//! The bureau's decisions: `/assessment/targets?year=` (三(二)2 targets issued by 市工信局,
//! read-only for everyone else) and, on the assessment page, the 三(二)1 transfer finalized
//! (定稿, `POST /assessment/transfer`) and revoked with a reason (`POST /assessment/transfer/revoke`).

use super::{Layout, PageError, PageUser, render, table_download};
use crate::AppState;
use crate::api::assessment::resolve_year;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use clusterdesk_domain::Fen;
use clusterdesk_store::StoreError;
use clusterdesk_store::assessment::{AssessmentReport, TargetEdit, default_period, parse_target};
use std::collections::BTreeMap;

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    year: Option<String>,
    /// `xlsx` or `csv`: download `table` instead of the page.
    format: Option<String>,
    /// `ranking` (default), `transfer` or `above_scale`.
    table: Option<String>,
    /// `1` after finalizing, `revoked` after revoking.
    done: Option<String>,
}

pub struct Head {
    name: String,
    clause: String,
    weight: u32,
}

pub struct Cell {
    raw: String,
    score: String,
}

pub struct RankRow {
    county: String,
    name: String,
    rank: usize,
    tied: bool,
    tie_broken: bool,
    composite: String,
    cells: Vec<Cell>,
    change: String,
    change_class: &'static str,
    own: bool,
    provenance: Vec<String>,
}

pub struct TransferLine {
    name: String,
    place: usize,
    tied: bool,
    entries: i64,
    amount: String,
    amount_class: &'static str,
    flags: Vec<String>,
    trace: Vec<String>,
    own: bool,
}

pub struct AboveLine {
    name: String,
    start: i64,
    entered: i64,
    small: i64,
    newly: i64,
    exits: i64,
    net: i64,
    target: String,
    target_source: String,
    issued: bool,
    attainment: String,
    gap: String,
    gap_class: &'static str,
    own: bool,
    events: Vec<String>,
}

pub struct IndicatorLine {
    name: String,
    clause: String,
    weight: u32,
    effective: String,
    scoring: String,
    available: bool,
    note: String,
}

pub struct OwnPanel {
    name: String,
    rank: usize,
    total: usize,
    composite: String,
    change: String,
    lines: Vec<(String, String, String)>,
    transfer: String,
    net_new: String,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage {
    title: String,
    layout: Layout,
    name: String,
    clause: String,
    clause_text: String,
    span: String,
    provisional: bool,
    year: i32,
    years: Vec<i32>,
    heads: Vec<Head>,
    rows: Vec<RankRow>,
    indicators: Vec<IndicatorLine>,
    notes: Vec<String>,
    own: Option<OwnPanel>,
    pe_clause: String,
    pe_clause_text: String,
    pe_error: String,
    pe_total: String,
    transfers: Vec<TransferLine>,
    above: Vec<AboveLine>,
    above_note: String,
    city_view: bool,
    decision: DecisionView,
    message: String,
    error: String,
    reason: String,
    csrf: String,
}

pub struct FinalLine {
    name: String,
    rank: i64,
    entries: i64,
    amount: String,
    amount_class: &'static str,
    own: bool,
}

/// The 三(二)1 finalization as the page shows it.
#[derive(Default)]
pub struct DecisionView {
    finalized: bool,
    by: String,
    at: String,
    lines: Vec<FinalLine>,
    total: String,
    differences: Vec<String>,
    revocation: String,
    can_finalize: bool,
    can_revoke: bool,
    /// Why the button is not offered although the caller is the bureau.
    blocked: String,
}

fn yuan(fen: i64) -> String {
    let s = clusterdesk_policy::eval::yuan_grouped(Fen(fen));
    if fen > 0 { format!("+{s}") } else { s }
}

/// `1,000,000.00`, without a sign.
fn plain_yuan(fen: i64) -> String {
    clusterdesk_policy::eval::yuan_grouped(Fen(fen))
}

fn change_text(c: Option<i64>) -> (String, &'static str) {
    match c {
        None => ("—".into(), ""),
        Some(0) => ("→ 持平".into(), ""),
        Some(c) if c > 0 => (format!("↑ 升{c}位"), "up"),
        Some(c) => (format!("↓ 降{}位", -c), "down"),
    }
}

fn span(r: &AssessmentReport) -> String {
    if r.complete {
        format!("{}年度", r.year)
    } else {
        let m: u32 = r.as_of[5..].parse().unwrap_or(12);
        if m == 1 {
            format!("{}年1月(暂定)", r.year)
        } else {
            format!("{}年1–{m}月(暂定)", r.year)
        }
    }
}

/// The columns shown: indicators with a weight, or with data.
fn shown(r: &AssessmentReport) -> Vec<usize> {
    r.indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| i.weight > 0)
        .map(|(k, _)| k)
        .collect()
}

fn download(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    r: &AssessmentReport,
    format: &str,
    table: &str,
) -> Result<Response, PageError> {
    let cols = shown(r);
    match table {
        "transfer" => {
            let headers = [
                "名次",
                "县(市)",
                "入园企业数(家)",
                "转移金额(元)",
                "并列",
                "说明",
                "条款",
            ];
            let rows: Vec<Vec<String>> = r
                .park_entry
                .rows
                .iter()
                .map(|t| {
                    vec![
                        t.place.to_string(),
                        t.name.clone(),
                        t.park_entries.to_string(),
                        Fen(t.amount_fen).yuan_string(),
                        if t.tied { "是".into() } else { String::new() },
                        t.flags.join(";"),
                        r.park_entry.clause.clone(),
                    ]
                })
                .collect();
            table_download(
                st,
                u,
                format,
                &format!("入园进区考核转移_{}", r.year),
                &headers,
                &rows,
            )
        }
        "above_scale" => {
            let headers = [
                "县(市)",
                "年初规上企业(家)",
                "新入统(家)",
                "其中小升规",
                "其中新建入统或无法区分",
                "退出(家)",
                "净增(家)",
                "目标(家)",
                "目标来源",
                "完成率(%)",
                "超额(+)/差额(−)",
            ];
            let rows: Vec<Vec<String>> = r
                .above_scale
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.start.to_string(),
                        a.entered.to_string(),
                        a.small_to_above.to_string(),
                        a.newly_built_or_unknown.to_string(),
                        a.exits.to_string(),
                        a.net_new.to_string(),
                        a.target.map(|t| t.to_string()).unwrap_or_default(),
                        a.target_source_text.clone(),
                        a.attainment_pct.clone().unwrap_or_default(),
                        a.gap.map(|g| g.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            table_download(
                st,
                u,
                format,
                &format!("净增规上工业企业_{}", r.year),
                &headers,
                &rows,
            )
        }
        _ => {
            let mut headers: Vec<String> = vec!["名次".into(), "县(市)".into(), "综合得分".into()];
            for k in &cols {
                let i = &r.indicators[*k];
                headers.push(format!("{}({})", i.name, i.unit));
                headers.push(format!("{}得分(权重{})", i.name, i.weight));
            }
            headers.push("上年名次".into());
            headers.push("名次变化".into());
            let rows: Vec<Vec<String>> = r
                .rows
                .iter()
                .map(|x| {
                    let mut v = vec![
                        format!("{}{}", x.rank, if x.tied { "(并列)" } else { "" }),
                        x.name.clone(),
                        x.composite.clone(),
                    ];
                    for k in &cols {
                        v.push(x.values[*k].raw.clone().unwrap_or_default());
                        v.push(x.values[*k].score.clone().unwrap_or_default());
                    }
                    v.push(x.last_rank.map(|l| l.to_string()).unwrap_or_default());
                    v.push(x.rank_change.map(|c| c.to_string()).unwrap_or_default());
                    v
                })
                .collect();
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            table_download(st, u, format, &format!("县(市)考核排名_{}", r.year), &h, &rows)
        }
    }
}

pub async fn page(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let message = match q.done.as_deref() {
        Some("1") => "已定稿。定稿金额以此为准;此后数据如有变化,页面会提示差异。".to_string(),
        Some("revoked") => "已撤销定稿,撤销理由已记录。可在核对后重新定稿。".to_string(),
        _ => String::new(),
    };
    assessment_page(&st, &u, &q, message, String::new(), String::new()).await
}

async fn assessment_page(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    q: &PageQuery,
    message: String,
    error: String,
    reason: String,
) -> Result<Response, PageError> {
    let (year, month) = resolve_year(&st.store, q.year.as_deref())
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let r = st
        .store
        .assessment(&u.actor, &st.policies, year, month, st.store.today())
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    if let Some(fmt) = q.format.as_deref() {
        return download(st, u, &r, fmt, q.table.as_deref().unwrap_or("ranking"));
    }
    let own = r.own_county.clone();
    let is_own = |c: &str| own.as_deref() == Some(c);
    let cols = shown(&r);
    let heads = cols
        .iter()
        .map(|k| {
            let i = &r.indicators[*k];
            Head {
                name: i.name.clone(),
                clause: i.clause.clone(),
                weight: i.weight,
            }
        })
        .collect();
    let rows: Vec<RankRow> = r
        .rows
        .iter()
        .map(|x| {
            let (change, change_class) = change_text(x.rank_change);
            RankRow {
                county: x.county.clone(),
                name: x.name.clone(),
                rank: x.rank,
                tied: x.tied,
                tie_broken: x.tie_broken,
                composite: x.composite.clone(),
                cells: cols
                    .iter()
                    .map(|k| Cell {
                        raw: x.values[*k].raw_text.clone(),
                        score: x.values[*k].score.clone().unwrap_or_else(|| "—".into()),
                    })
                    .collect(),
                change,
                change_class,
                own: is_own(&x.county),
                provenance: x.provenance.clone(),
            }
        })
        .collect();
    let own_panel = own.as_deref().and_then(|c| {
        let x = r.rows.iter().find(|x| x.county == c)?;
        let t = r.park_entry.rows.iter().find(|t| t.county == c);
        let a = r.above_scale.iter().find(|a| a.county == c);
        Some(OwnPanel {
            name: x.name.clone(),
            rank: x.rank,
            total: r.rows.len(),
            composite: x.composite.clone(),
            change: change_text(x.rank_change).0,
            lines: r
                .indicators
                .iter()
                .zip(&x.values)
                .filter(|(i, _)| i.weight > 0)
                .map(|(i, v)| {
                    // The county's place on this indicator alone (competition rank).
                    let rank = v.score.as_ref().map(|s| {
                        let s: rust_decimal::Decimal = s.parse().unwrap_or_default();
                        let others: Vec<rust_decimal::Decimal> = r
                            .rows
                            .iter()
                            .filter(|o| o.county != c)
                            .filter_map(|o| {
                                let k = o.values.iter().position(|w| w.code == i.code)?;
                                o.values[k].score.as_ref()?.parse().ok()
                            })
                            .collect();
                        (
                            1 + others.iter().filter(|t| **t > s).count(),
                            others.iter().filter(|t| **t == s).count(),
                        )
                    });
                    (
                        format!("{}({})", i.name, i.clause),
                        format!(
                            "{} · 得分 {}",
                            v.raw_text,
                            v.score.clone().unwrap_or_else(|| "—".into())
                        ),
                        rank.map(|(k, same)| {
                            if same > 0 {
                                format!("单项第 {k} 名(与 {same} 个县(市)并列)")
                            } else {
                                format!("单项第 {k} 名")
                            }
                        })
                        .unwrap_or_default(),
                    )
                })
                .collect(),
            transfer: match r
                .transfer_decision
                .finalized
                .as_ref()
                .and_then(|f| f.rows.iter().find(|x| x.county == c))
            {
                Some(f) if f.amount_fen > 0 => format!("获得 {} 元(已定稿)", plain_yuan(f.amount_fen.abs())),
                Some(f) if f.amount_fen < 0 => format!("承担 {} 元(已定稿)", plain_yuan(f.amount_fen.abs())),
                Some(_) => "无收付(已定稿)".into(),
                None => match t {
                    Some(t) if t.amount_fen > 0 => format!("获得 {} 元", plain_yuan(t.amount_fen.abs())),
                    Some(t) if t.amount_fen < 0 => format!("承担 {} 元", plain_yuan(t.amount_fen.abs())),
                    Some(_) => "无收付".into(),
                    None => "—".into(),
                },
            },
            net_new: a
                .map(|a| match (a.target, &a.attainment_pct) {
                    (Some(t), Some(p)) => format!("净增 {} 家,目标 {t} 家,完成 {p}%", a.net_new),
                    _ => format!("净增 {} 家(未下达目标)", a.net_new),
                })
                .unwrap_or_default(),
        })
    });
    let transfers = r
        .park_entry
        .rows
        .iter()
        .map(|t| TransferLine {
            name: t.name.clone(),
            place: t.place,
            tied: t.tied,
            entries: t.park_entries,
            amount: yuan(t.amount_fen),
            amount_class: match t.amount_fen.signum() {
                1 => "up",
                -1 => "down",
                _ => "",
            },
            flags: t.flags.clone(),
            trace: t.trace.clone(),
            own: is_own(&t.county),
        })
        .collect();
    let above = r
        .above_scale
        .iter()
        .map(|a| AboveLine {
            name: a.name.clone(),
            start: a.start,
            entered: a.entered,
            small: a.small_to_above,
            newly: a.newly_built_or_unknown,
            exits: a.exits,
            net: a.net_new,
            target: a.target.map(|t| t.to_string()).unwrap_or_else(|| "未下达".into()),
            target_source: a.target_source_text.clone(),
            issued: a.target_source == "issued",
            attainment: a
                .attainment_pct
                .as_ref()
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "—".into()),
            gap: match a.gap {
                Some(g) if g > 0 => format!("超 {g}"),
                Some(g) if g < 0 => format!("差 {}", -g),
                Some(_) => "恰好完成".into(),
                None => "—".into(),
            },
            gap_class: match a.gap {
                Some(g) if g < 0 => "down",
                Some(_) => "up",
                None => "",
            },
            own: is_own(&a.county),
            events: a
                .events
                .iter()
                .map(|e| format!("{} {} {}({})", e.date, e.class, e.name, e.uscc))
                .collect(),
        })
        .collect();
    let indicators = r
        .indicators
        .iter()
        .map(|i| IndicatorLine {
            name: i.name.clone(),
            clause: i.clause.clone(),
            weight: i.weight,
            effective: i.effective_weight.clone(),
            scoring: i.scoring.clone(),
            available: i.available,
            note: i.note.clone(),
        })
        .collect();
    let (latest, _) = default_period(&st.store)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let first = st
        .store
        .plan()
        .assessment
        .as_ref()
        .map(|a| a.first_year)
        .unwrap_or(latest);
    let d = &r.transfer_decision;
    let decision = DecisionView {
        finalized: d.finalized.is_some(),
        by: d
            .finalized
            .as_ref()
            .map(|f| f.finalized_by.clone())
            .unwrap_or_default(),
        at: d
            .finalized
            .as_ref()
            .map(|f| super::beijing_time(&f.finalized_at))
            .unwrap_or_default(),
        lines: d
            .finalized
            .iter()
            .flat_map(|f| &f.rows)
            .map(|x| FinalLine {
                name: x.name.clone(),
                rank: x.rank,
                entries: x.entries,
                amount: yuan(x.amount_fen),
                amount_class: match x.amount_fen.signum() {
                    1 => "up",
                    -1 => "down",
                    _ => "",
                },
                own: is_own(&x.county),
            })
            .collect(),
        total: d
            .finalized
            .as_ref()
            .map(|f| yuan(f.total_fen))
            .unwrap_or_default(),
        differences: d.differences.clone(),
        revocation: d
            .last_revocation
            .as_ref()
            .map(|v| {
                format!(
                    "上次定稿已于 {} 由 {} 撤销,理由:{}",
                    super::beijing_time(&v.revoked_at),
                    v.revoked_by,
                    v.reason
                )
            })
            .unwrap_or_default(),
        can_finalize: d.can_finalize,
        can_revoke: d.can_revoke,
        blocked: if d.can_finalize || d.finalized.is_some() || !st.store.is_bureau(&u.actor) {
            String::new()
        } else if !r.complete {
            "年度尚未结束,排名与转移金额为暂定,年度结束后才能定稿。".into()
        } else if r.park_entry.error.is_some() {
            "转移未能计算,不能定稿。".into()
        } else {
            "转移合计不为零,不能定稿。".into()
        },
    };
    let page = AssessmentPage {
        title: format!("考核排名 {}", r.year),
        layout: Layout::new(
            st,
            u,
            "/assessment",
            vec![("/assessment".into(), "考核排名".into())],
        ),
        name: r.name.clone(),
        clause: r.clause.clone(),
        clause_text: r.clause_text.clone(),
        span: span(&r),
        provisional: !r.complete,
        year: r.year,
        years: (first..=latest).rev().collect(),
        heads,
        rows,
        indicators,
        notes: r.notes.clone(),
        own: own_panel,
        pe_clause: r.park_entry.clause.clone(),
        pe_clause_text: r.park_entry.clause_text.clone(),
        pe_error: r.park_entry.error.clone().unwrap_or_default(),
        pe_total: yuan(r.park_entry.total_fen),
        transfers,
        above,
        above_note: r.above_scale_target_note.clone(),
        city_view: own.is_none(),
        decision,
        message,
        error,
        reason,
        csrf: u.csrf.clone(),
    };
    Ok(render(&page))
}

fn form_get(form: &[(String, String)], k: &str) -> String {
    form.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// 三(二)1: finalize the year's transfer as computed now (the bureau, once).
pub async fn finalize(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::check_csrf(&u, &form_get(&form, "csrf")).map_err(|e| PageError::with(&st, &u, e))?;
    let q = PageQuery {
        year: Some(form_get(&form, "year")),
        ..PageQuery::default()
    };
    if form_get(&form, "confirm") != "1" {
        let msg = "请先勾选“已核对排名与金额”再定稿".to_string();
        return assessment_page(&st, &u, &q, String::new(), msg, String::new()).await;
    }
    let (year, month) = resolve_year(&st.store, q.year.as_deref())
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    match st
        .store
        .finalize_county_transfer(&u.actor, &st.policies, year, month, st.store.today())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessment?year={year}&done=1#transfer")).into_response()),
        Err(StoreError::Invalid(m) | StoreError::Conflict(m)) => {
            assessment_page(&st, &u, &q, String::new(), m, String::new()).await
        }
        Err(e) => Err(PageError::with(&st, &u, e)),
    }
}

/// 三(二)1: revoke the year's finalized transfer (a city administrator, with a reason).
pub async fn revoke(
    State(st): State<AppState>,
    PageUser(u): PageUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::check_csrf(&u, &form_get(&form, "csrf")).map_err(|e| PageError::with(&st, &u, e))?;
    let q = PageQuery {
        year: Some(form_get(&form, "year")),
        ..PageQuery::default()
    };
    let reason = form_get(&form, "reason");
    let (year, _) = resolve_year(&st.store, q.year.as_deref())
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
    match st.store.revoke_county_transfer(&u.actor, year, &reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessment?year={year}&done=revoked#transfer")).into_response()),
        Err(StoreError::Invalid(m) | StoreError::Conflict(m)) => {
            assessment_page(&st, &u, &q, String::new(), m, reason).await
        }
        Err(e) => Err(PageError::with(&st, &u, e)),
    }
}

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
    let year = crate::api::assessment::target_year(&st.store, year)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
    let t = st
        .store
        .above_scale_targets(&u.actor, year)
        .await
        .map_err(|e| PageError::with(st, u, e))?;
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
                None if r.source == "issued" => r.target.map(|v| v.to_string()).unwrap_or_default(),
                None => String::new(),
            },
            placeholder: r.plan_target.map(|v| v.to_string()).unwrap_or_default(),
            effective: r.target.map(|v| v.to_string()).unwrap_or_else(|| "未下达".into()),
            source: if r.note.is_empty() {
                r.source_text.clone()
            } else {
                format!("{}:{}", r.source_text, r.note)
            },
            issued: r.source == "issued",
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
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::check_csrf(&u, &form_get(&form, "csrf")).map_err(|e| PageError::with(&st, &u, e))?;
    let year_text = form_get(&form, "year");
    let year = crate::api::assessment::target_year(&st.store, Some(&year_text))
        .await
        .map_err(|e| PageError::with(&st, &u, e))?;
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
    if !errors.is_empty() {
        let msg = format!("有 {} 个县(市)的目标填写有误,均未保存,请按提示修改", errors.len());
        return targets_page(
            &st,
            &u,
            Some(&year_s),
            String::new(),
            Some(Typed {
                values: &typed,
                errors: &errors,
                note: &note,
            }),
            msg,
        )
        .await;
    }
    match st
        .store
        .set_above_scale_targets(&u.actor, year, &edits, &note)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/targets?year={year}&saved=1")).into_response()),
        Err(StoreError::Invalid(m)) => {
            targets_page(
                &st,
                &u,
                Some(&year_s),
                String::new(),
                Some(Typed {
                    values: &typed,
                    errors: &errors,
                    note: &note,
                }),
                m,
            )
            .await
        }
        Err(e) => Err(PageError::with(&st, &u, e)),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/assessment", get(page))
        .route("/assessment/targets", get(targets).post(targets_submit))
        .route("/assessment/transfer", post(finalize))
        .route("/assessment/transfer/revoke", post(revoke))
}
