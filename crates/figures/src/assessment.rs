//! The assessment page's figures (`/assessment`): the composite ranking's columns and rows,
//! a county's own standing (its place on each indicator, ties shown), the 三(二)1 transfer
//! lines, the 三(二)2 rows and the three tables as they download. Pure functions over the
//! analytics results; the finalized transfer comes in as plain numbers.

use clusterdesk_analytics::TargetSource;
use clusterdesk_analytics::above_scale::AboveScaleRow;
use clusterdesk_analytics::county_assessment::{CountyResult, IndicatorInfo};
use clusterdesk_analytics::park_transfer::TransferRow;
use clusterdesk_domain::Fen;
use rust_decimal::Decimal;

pub struct Head {
    pub name: String,
    pub clause: String,
    pub weight: u32,
}

pub struct Cell {
    pub raw: String,
    pub score: String,
}

pub struct RankRow {
    pub county: String,
    pub name: String,
    pub rank: usize,
    pub tied: bool,
    pub tie_broken: bool,
    pub composite: String,
    pub cells: Vec<Cell>,
    pub change: String,
    pub change_class: &'static str,
    pub own: bool,
    pub provenance: Vec<String>,
}

pub struct TransferLine {
    pub name: String,
    pub place: usize,
    pub tied: bool,
    pub entries: i64,
    pub amount: String,
    pub amount_class: &'static str,
    pub flags: Vec<String>,
    pub trace: Vec<String>,
    pub own: bool,
}

pub struct AboveLine {
    pub name: String,
    pub start: i64,
    pub entered: i64,
    pub small: i64,
    pub newly: i64,
    pub exits: i64,
    pub net: i64,
    pub target: String,
    pub target_source: String,
    pub issued: bool,
    pub attainment: String,
    pub gap: String,
    pub gap_class: &'static str,
    pub own: bool,
    pub events: Vec<String>,
}

pub struct IndicatorLine {
    pub name: String,
    pub clause: String,
    pub weight: u32,
    pub effective: String,
    pub scoring: String,
    pub available: bool,
    pub note: String,
}

/// A county's own standing: its rank, composite, change, one line per weighted indicator
/// (name, value and score, place on that indicator), its transfer and its net new count.
pub struct OwnPanel {
    pub name: String,
    pub rank: usize,
    pub total: usize,
    pub composite: String,
    pub change: String,
    pub lines: Vec<(String, String, String)>,
    pub transfer: String,
    pub net_new: String,
}

/// One county's row of the finalized (定稿) transfer.
pub struct FinalLine {
    pub name: String,
    pub rank: i64,
    pub entries: i64,
    pub amount: String,
    pub amount_class: &'static str,
    pub own: bool,
}

/// A table as it downloads: file name, headers, rows.
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// `+1,000,000.00` for an amount received, `-1,000,000.00` paid, `0.00`.
pub fn signed_yuan(fen: i64) -> String {
    let s = plain_yuan(fen);
    if fen > 0 { format!("+{s}") } else { s }
}

/// `1,000,000.00`, with a minus sign only when negative.
pub fn plain_yuan(fen: i64) -> String {
    clusterdesk_policy::eval::yuan_grouped(Fen(fen))
}

/// The colour class of a signed amount: `up` received, `down` paid.
pub fn sign_class(fen: i64) -> &'static str {
    match fen.signum() {
        1 => "up",
        -1 => "down",
        _ => "",
    }
}

/// Places gained since last year in words, and its colour class.
pub fn change_text(c: Option<i64>) -> (String, &'static str) {
    match c {
        None => ("—".into(), ""),
        Some(0) => ("→ 持平".into(), ""),
        Some(c) if c > 0 => (format!("↑ 升{c}位"), "up"),
        Some(c) => (format!("↓ 降{}位", -c), "down"),
    }
}

/// The period the figures cover: `2025年度`, or `2026年1–10月(暂定)` while the year runs.
pub fn span(year: i32, as_of: &str, complete: bool) -> String {
    if complete {
        format!("{year}年度")
    } else {
        let m: u32 = as_of.get(5..).and_then(|m| m.parse().ok()).unwrap_or(12);
        if m == 1 {
            format!("{year}年1月(暂定)")
        } else {
            format!("{year}年1–{m}月(暂定)")
        }
    }
}

/// The columns shown: the indicators with a weight.
pub fn shown(indicators: &[IndicatorInfo]) -> Vec<usize> {
    indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| i.weight > 0)
        .map(|(k, _)| k)
        .collect()
}

pub fn heads(indicators: &[IndicatorInfo], cols: &[usize]) -> Vec<Head> {
    cols.iter()
        .map(|k| {
            let i = &indicators[*k];
            Head {
                name: i.name.clone(),
                clause: i.clause.clone(),
                weight: i.weight,
            }
        })
        .collect()
}

/// The composite ranking's rows, best first as the report has them.
pub fn rank_rows(rows: &[CountyResult], cols: &[usize], own: Option<&str>) -> Vec<RankRow> {
    rows.iter()
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
                own: own == Some(x.county.as_str()),
                provenance: x.provenance.clone(),
            }
        })
        .collect()
}

/// A county's place on one indicator alone (competition rank: 1 + the counties scoring
/// higher) and how many other counties share its score; none without a score.
pub fn indicator_place(rows: &[CountyResult], county: &str, code: &str) -> Option<(usize, usize)> {
    let mine = rows.iter().find(|o| o.county == county)?;
    let s = mine.values.iter().find(|w| w.code == code)?.score.as_ref()?;
    let s: Decimal = s.parse().unwrap_or_default();
    let others: Vec<Decimal> = rows
        .iter()
        .filter(|o| o.county != county)
        .filter_map(|o| {
            let k = o.values.iter().position(|w| w.code == code)?;
            o.values[k].score.as_ref()?.parse().ok()
        })
        .collect();
    Some((
        1 + others.iter().filter(|t| **t > s).count(),
        others.iter().filter(|t| **t == s).count(),
    ))
}

/// A place on one indicator in words: `单项第 2 名(与 1 个县(市)并列)`.
pub fn place_text(place: Option<(usize, usize)>) -> String {
    place
        .map(|(k, same)| {
            if same > 0 {
                format!("单项第 {k} 名(与 {same} 个县(市)并列)")
            } else {
                format!("单项第 {k} 名")
            }
        })
        .unwrap_or_default()
}

/// A county's 三(二)1 transfer in words: the finalized amount when there is one, else
/// today's computation (`live`), else a dash.
pub fn transfer_text(finalized: Option<i64>, live: Option<i64>) -> String {
    match finalized {
        Some(f) if f > 0 => format!("获得 {} 元(已定稿)", plain_yuan(f.abs())),
        Some(f) if f < 0 => format!("承担 {} 元(已定稿)", plain_yuan(f.abs())),
        Some(_) => "无收付(已定稿)".into(),
        None => match live {
            Some(t) if t > 0 => format!("获得 {} 元", plain_yuan(t.abs())),
            Some(t) if t < 0 => format!("承担 {} 元", plain_yuan(t.abs())),
            Some(_) => "无收付".into(),
            None => "—".into(),
        },
    }
}

/// A county's 三(二)2 result in one line.
pub fn net_new_text(a: &AboveScaleRow) -> String {
    match (a.target, &a.attainment_pct) {
        (Some(t), Some(p)) => format!("净增 {} 家,目标 {t} 家,完成 {p}%", a.net_new),
        _ => format!("净增 {} 家(未下达目标)", a.net_new),
    }
}

/// The panel of `county`'s own standing; `finalized` is its finalized transfer (fen), if the
/// year's transfer is finalized and lists it.
pub fn own_panel(
    indicators: &[IndicatorInfo],
    rows: &[CountyResult],
    transfers: &[TransferRow],
    above: &[AboveScaleRow],
    county: &str,
    finalized: Option<i64>,
) -> Option<OwnPanel> {
    let x = rows.iter().find(|x| x.county == county)?;
    let live = transfers
        .iter()
        .find(|t| t.county == county)
        .map(|t| t.amount_fen);
    let a = above.iter().find(|a| a.county == county);
    Some(OwnPanel {
        name: x.name.clone(),
        rank: x.rank,
        total: rows.len(),
        composite: x.composite.clone(),
        change: change_text(x.rank_change).0,
        lines: indicators
            .iter()
            .zip(&x.values)
            .filter(|(i, _)| i.weight > 0)
            .map(|(i, v)| {
                let place = v
                    .score
                    .as_ref()
                    .and_then(|_| indicator_place(rows, county, &i.code));
                (
                    format!("{}({})", i.name, i.clause),
                    format!(
                        "{} · 得分 {}",
                        v.raw_text,
                        v.score.clone().unwrap_or_else(|| "—".into())
                    ),
                    place_text(place),
                )
            })
            .collect(),
        transfer: transfer_text(finalized, live),
        net_new: a.map(net_new_text).unwrap_or_default(),
    })
}

pub fn transfer_lines(rows: &[TransferRow], own: Option<&str>) -> Vec<TransferLine> {
    rows.iter()
        .map(|t| TransferLine {
            name: t.name.clone(),
            place: t.place,
            tied: t.tied,
            entries: t.park_entries,
            amount: signed_yuan(t.amount_fen),
            amount_class: sign_class(t.amount_fen),
            flags: t.flags.clone(),
            trace: t.trace.clone(),
            own: own == Some(t.county.as_str()),
        })
        .collect()
}

/// Net new against target in words, and its colour class.
pub fn gap_text(gap: Option<i64>) -> (String, &'static str) {
    match gap {
        Some(g) if g > 0 => (format!("超 {g}"), "up"),
        Some(g) if g < 0 => (format!("差 {}", -g), "down"),
        Some(_) => ("恰好完成".into(), "up"),
        None => ("—".into(), ""),
    }
}

pub fn above_lines(rows: &[AboveScaleRow], own: Option<&str>) -> Vec<AboveLine> {
    rows.iter()
        .map(|a| {
            let (gap, gap_class) = gap_text(a.gap);
            AboveLine {
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
                gap,
                gap_class,
                own: own == Some(a.county.as_str()),
                events: a
                    .events
                    .iter()
                    .map(|e| format!("{} {} {}({})", e.date, e.class, e.name, e.uscc))
                    .collect(),
            }
        })
        .collect()
}

pub fn indicator_lines(indicators: &[IndicatorInfo]) -> Vec<IndicatorLine> {
    indicators
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
        .collect()
}

/// One row of the finalized transfer.
pub fn final_line(name: &str, rank: i64, entries: i64, amount_fen: i64, own: bool) -> FinalLine {
    FinalLine {
        name: name.to_string(),
        rank,
        entries,
        amount: signed_yuan(amount_fen),
        amount_class: sign_class(amount_fen),
        own,
    }
}

/// The composite ranking as it downloads.
pub fn ranking_table(year: i32, indicators: &[IndicatorInfo], rows: &[CountyResult]) -> Table {
    let cols = shown(indicators);
    let mut headers: Vec<String> = vec!["名次".into(), "县(市)".into(), "综合得分".into()];
    for k in &cols {
        let i = &indicators[*k];
        headers.push(format!("{}({})", i.name, i.unit));
        headers.push(format!("{}得分(权重{})", i.name, i.weight));
    }
    headers.push("上年名次".into());
    headers.push("名次变化".into());
    let rows = rows
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
    Table {
        name: format!("县(市)考核排名_{year}"),
        headers,
        rows,
    }
}

/// The 三(二)1 park-entry ranking and its transfer as it downloads.
pub fn transfer_table(year: i32, clause: &str, rows: &[TransferRow]) -> Table {
    let headers = [
        "名次",
        "县(市)",
        "入园企业数(家)",
        "转移金额(元)",
        "并列",
        "说明",
        "条款",
    ];
    let rows = rows
        .iter()
        .map(|t| {
            vec![
                t.place.to_string(),
                t.name.clone(),
                t.park_entries.to_string(),
                Fen(t.amount_fen).yuan_string(),
                if t.tied { "是".into() } else { String::new() },
                t.flags.join(";"),
                clause.to_string(),
            ]
        })
        .collect();
    Table {
        name: format!("入园进区考核转移_{year}"),
        headers: headers.map(String::from).to_vec(),
        rows,
    }
}

/// The 三(二)2 table as it downloads.
pub fn above_scale_table(year: i32, rows: &[AboveScaleRow]) -> Table {
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
    let rows = rows
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
    Table {
        name: format!("净增规上工业企业_{year}"),
        headers: headers.map(String::from).to_vec(),
        rows,
    }
}
