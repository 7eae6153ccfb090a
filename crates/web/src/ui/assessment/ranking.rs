//! The assessment page itself: the composite ranking, the 三(二)1 transfer with its
//! finalization, the 三(二)2 table and a county's own panel.

use super::PageQuery;
use super::download::{download, shown};
use crate::AppState;
use crate::api::assessment::resolve_year;
use crate::ui::{Layout, PageError, PageUser, render};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use clusterdesk_domain::Fen;
use clusterdesk_store::assessment::{AssessmentReport, TargetSource, default_period};

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

pub(super) async fn assessment_page(
    st: &AppState,
    u: &crate::auth::CurrentUser,
    q: &PageQuery,
    message: String,
    error: String,
    reason: String,
) -> Result<Response, PageError> {
    let (year, month) = resolve_year(&st.store, q.year.as_deref()).await?;
    let r = st
        .store
        .assessment(&u.actor, &st.policies, year, month, st.store.today())
        .await?;
    if let Some(fmt) = q.format.as_deref() {
        return download(&r, fmt, q.table.as_deref().unwrap_or("ranking"));
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
            issued: a.target_source == TargetSource::Issued,
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
    let (latest, _) = default_period(&st.store).await?;
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
            .map(|f| crate::ui::beijing_time(&f.finalized_at))
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
                    crate::ui::beijing_time(&v.revoked_at),
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
