//! A data set sheet read as an official lays it out, without the database: where its keys,
//! headers and rows are, and each value cell as the screen shows it. What cannot be read as
//! meant is refused naming the cell and what is expected there.
//!
//! - Row 2 holds the keys `数据集 | CODE | 县(市) | CODE | 期间 | PERIOD`, found by the
//!   `数据集` label wherever it stands in the row (a column inserted before it shifts it).
//! - Row 3 holds the headers. The unit column is the one headed `集群代码` / `统一社会信用代码`
//!   (the first column when neither is written); the column after it holds the names. Columns
//!   before it may be a 序号 (or empty) column, which is ignored.
//! - A value under an empty header, or under a header merged over several columns, is refused:
//!   nobody can tell which indicator it is.
//! - Notes rows (合计, 填表人, 审核人, 填报日期 …, by their first non-empty cell) are ignored:
//!   the system sums the rows itself, and sign-off lines are not data.
//! - A number cell formatted as percent (0.45 shown as 45%) is read as 45 for an indicator in
//!   %; a number cell is rounded to the indicator's decimals when it is that value but for
//!   double noise (see [`shown_value`]).

use crate::CellError;
use crate::entries::EntryRow;
use crate::normalize::{header_key, normalize, period_text};
use crate::reporting::{FIRST_DATA_ROW, entry_unit, header};
use crate::table::Table;
use clusterdesk_domain::Period;
use clusterdesk_domain::period::PeriodType;
use clusterdesk_plan::datasets::{Dataset, RowUnit};
use clusterdesk_plan::{Indicator, Plan, ValueType};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// The first cells of rows that are notes, not data: totals and sign-off lines.
const NOTE_LABELS: &[&str] = &[
    "合计",
    "总计",
    "小计",
    "填表人",
    "填报人",
    "制表人",
    "审核人",
    "负责人",
    "单位负责人",
    "统计负责人",
    "填报单位",
    "填报日期",
    "填表日期",
    "制表日期",
    "报出日期",
    "联系电话",
    "备注",
    "说明",
    "注:",
    "注:",
];

/// Whether a row is a notes row (合计, 填表人 …): its first non-empty cell, spaces dropped,
/// starts with a notes label. Such rows are not data, whichever sheet they are in.
pub(crate) fn is_notes_row(cells: &[String]) -> bool {
    let first = cells.iter().map(|c| header_key(c)).find(|c| !c.is_empty());
    first.is_some_and(|f| NOTE_LABELS.iter().any(|l| f.starts_with(l)))
}

/// Headers a column before the unit column may have (or none).
const INDEX_HEADERS: &[&str] = &["序号", "编号", "行号"];

/// What a sheet says, before the store checks scope, state and the rows' units.
pub struct Layout<'p> {
    pub ds: &'p Dataset,
    /// The county and period as typed, and the cells (1-based row, 0-based column) they are in.
    pub county: String,
    pub county_at: (usize, usize),
    pub period_typed: String,
    pub period_at: (usize, usize),
    pub period: Period,
    pub unit_col: usize,
    /// Column -> indicator, for the columns the file carries.
    pub cols: Vec<(usize, &'p Indicator)>,
    /// The data rows: their 1-based sheet row and their values as the screen shows them.
    pub rows: Vec<(usize, EntryRow)>,
}

/// Whether a sheet is a data set sheet: its row 2 has the `数据集` label. Used to pick the
/// sheet of a workbook (a notes or backup sheet may come first).
pub fn is_dataset_sheet(t: &Table) -> bool {
    t.rows
        .get(1)
        .is_some_and(|r| r.iter().any(|c| normalize(c) == "数据集"))
}

/// What a data set sheet is expected to hold, for the refusal of a workbook without one.
pub const DATASET_SHEET: &str = "(第2行为“数据集 | 代码 | 县(市) | 代码 | 期间 | 期间”,第3行为列标题)";

/// How a period of the kind is written, for messages.
pub fn period_forms(kind: PeriodType) -> &'static str {
    match kind {
        PeriodType::Month => "按月填报,期间应写作“2025-03”或“2025年3月”",
        PeriodType::Quarter => "按季填报,期间应写作“2025Q1”",
        PeriodType::Year => "按年填报,期间应写作“2025”",
    }
}

/// Why a period cannot be this data set's, and how it is written.
pub fn period_message(ds: &Dataset, typed: &str) -> String {
    format!(
        "期间“{typed}”无效:数据集“{}”{}",
        ds.name,
        period_forms(ds.period_type)
    )
}

/// Read the keys, headers and rows of a data set sheet; every error found, or the layout.
pub fn read<'p>(
    plan: &'p Plan,
    t: &Table,
    expect_dataset: Option<&str>,
) -> Result<Layout<'p>, Vec<CellError>> {
    let raw = |r: usize, c: usize| {
        t.rows
            .get(r - 1)
            .and_then(|row| row.get(c))
            .cloned()
            .unwrap_or_default()
    };
    let cell = |r: usize, c: usize| normalize(&raw(r, c));

    // Row 2: which data set, county and period this file is.
    let label = t
        .rows
        .get(1)
        .and_then(|r| r.iter().position(|c| normalize(c) == "数据集"));
    let k = label.unwrap_or(0);
    let ds_code = cell(2, k + 1);
    let found = plan.datasets.iter().find(|d| d.code == ds_code);
    if found.is_none() && label.is_none() {
        // Not a data set sheet at all (a notes sheet, another form): say what one looks like.
        return Err(vec![t.error(
            2,
            0,
            &ds_code,
            "dataset_unknown",
            format!(
                "工作表“{}”不是数据集填报表:应为系统生成的模板{DATASET_SHEET}",
                t.sheet
            ),
        )]);
    }
    let Some(ds) = found else {
        let known: Vec<&str> = plan.datasets.iter().map(|d| d.code.as_str()).collect();
        return Err(vec![t.error(
            2,
            k + 1,
            &ds_code,
            "dataset_unknown",
            format!(
                "第2行应写明数据集代码(本方案的数据集:{}),“{ds_code}”不是本方案的数据集;请使用系统生成的模板",
                known.join("、")
            ),
        )]);
    };
    if let Some(want) = expect_dataset
        && want != ds.code
    {
        return Err(vec![t.error(
            2,
            k + 1,
            &ds_code,
            "dataset_mismatch",
            format!("文件是“{}”,不是所选的数据集“{want}”", ds.code),
        )]);
    }
    let (county_at, period_at) = ((2, k + 3), (2, k + 5));
    let period_typed = raw(period_at.0, period_at.1);
    let period_s = period_text(&period_typed);
    let parsed = Period::parse(&period_s).map_err(|e| e.rule.to_string());
    let period = match parsed {
        Ok(p) if p.kind() == ds.period_type => p,
        other => {
            let rule = other.err().unwrap_or_else(|| "period_type".into());
            return Err(vec![t.error(
                period_at.0,
                period_at.1,
                &period_s,
                &rule,
                period_message(ds, &period_s),
            )]);
        }
    };

    // Row 3: the unit column, the ignored columns before it, the indicators after it.
    let heads: Vec<String> = t
        .rows
        .get(2)
        .map(|r| r.iter().map(|h| normalize(h)).collect())
        .unwrap_or_default();
    let key_heads: &[&str] = match ds.level {
        RowUnit::Cluster => &["集群代码"],
        RowUnit::Enterprise => &["统一社会信用代码", "信用代码", "社会信用代码"],
    };
    let unit_col = heads
        .iter()
        .position(|h| key_heads.iter().any(|k| header_key(h) == header_key(k)))
        .unwrap_or(0);
    let inds: Vec<&Indicator> = ds.indicators.iter().filter_map(|c| plan.indicator(c)).collect();
    let wants: Vec<String> = inds.iter().map(|i| header(i, period)).collect();
    let mut cols: Vec<(usize, &Indicator)> = Vec::new();
    for (ind, want) in inds.iter().zip(&wants) {
        // A file may carry only some of the data set's columns (a feed from the tax or power
        // system, say); the others are left as they are.
        if let Some(c) = heads
            .iter()
            .enumerate()
            .skip(unit_col + 2)
            .find(|(_, h)| header_key(h) == header_key(want) || h.trim() == ind.code)
            .map(|(c, _)| c)
        {
            cols.push((c, ind));
        }
    }
    // The header the template has at a column: the indicator in that place, if the file did
    // not carry it elsewhere; else the headers not carried at all.
    let first = unit_col + 2;
    let expected = |c: usize| -> String {
        let missing: Vec<&str> = inds
            .iter()
            .zip(&wants)
            .filter(|(i, _)| !cols.iter().any(|(_, j)| j.code == i.code))
            .map(|(_, w)| w.as_str())
            .collect();
        match c.checked_sub(first).and_then(|i| inds.get(i)) {
            Some(i) if !cols.iter().any(|(_, j)| j.code == i.code) => format!("应为“{}”", wants[c - first]),
            _ if missing.is_empty() => "本列不应有数据(数据集的指标列均已在表中)".to_string(),
            _ => format!("应为以下之一:“{}”", missing.join("”“")),
        }
    };
    let mut errors = Vec::new();
    for (c, h) in heads.iter().enumerate() {
        let known = c == unit_col || c == unit_col + 1 || cols.iter().any(|(k, _)| *k == c);
        if h.is_empty() || known {
            continue;
        }
        if c < unit_col {
            if !INDEX_HEADERS.contains(&h.as_str()) {
                errors.push(t.error(
                    3,
                    c,
                    h,
                    "column_unknown",
                    format!(
                        "列“{h}”不是数据集“{}”的列;代码列“{}”之前只能有序号列",
                        ds.name, key_heads[0]
                    ),
                ));
            }
            continue;
        }
        errors.push(t.error(
            3,
            c,
            h,
            "column_unknown",
            format!("列“{h}”不是数据集“{}”本期的指标;{}", ds.name, expected(c)),
        ));
    }
    // No column of the data set, and none that could be one: say what row 3 should hold.
    if cols.is_empty() && errors.is_empty() {
        errors.push(t.error(
            3,
            first,
            "",
            "column_missing",
            format!("第3行没有数据集“{}”的任何指标列;{}", ds.name, expected(first)),
        ));
    }
    if !errors.is_empty() {
        return Err(crate::limits::cap_errors(errors));
    }

    // The rows, each with the sheet row it came from; empty and notes rows are skipped.
    let width = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    let merged_at = |c: usize| {
        t.merged
            .iter()
            .find(|m| m.0 <= 2 && 2 <= m.2 && m.1 <= c && c <= m.3 && m.3 > m.1)
    };
    let mut rows = Vec::new();
    let mut unheaded: Vec<usize> = Vec::new();
    for r in FIRST_DATA_ROW..=t.rows.len() {
        let row = &t.rows[r - 1];
        if row.iter().all(|c| normalize(c).is_empty()) || is_notes_row(row) {
            continue;
        }
        // A value in a column nobody can name: under an empty header, or a merged one.
        for c in first..width {
            let headed = cols.iter().any(|(k, _)| *k == c) && merged_at(c).is_none();
            if headed || cell(r, c).is_empty() || unheaded.contains(&c) {
                continue;
            }
            unheaded.push(c);
            let v = cell(r, c);
            let at = format!("{}{r}", crate::column_letter(c));
            let head = format!("{}3", crate::column_letter(c));
            let message = match merged_at(c) {
                Some(m) => {
                    // The merged text names the first column at most; say what this one is.
                    let want = match cols.iter().find(|(k, _)| *k == c) {
                        Some((_, ind)) => format!("应为“{}”", header(ind, period)),
                        None => expected(c),
                    };
                    format!(
                        "单元格 {at} 有数值“{v}”,但其列标题 {}3:{}3 是合并单元格,无法确定每列是哪项指标;请取消合并,每列写明其指标({head} {want})",
                        crate::column_letter(m.1),
                        crate::column_letter(m.3),
                    )
                }
                None => format!(
                    "单元格 {at} 有数值“{v}”,但其列标题 {head} 为空,无法确定是哪项指标;{head} {}",
                    expected(c)
                ),
            };
            let rule = if merged_at(c).is_some() {
                "header_merged"
            } else {
                "header_empty"
            };
            errors.push(t.error(r, c, &v, rule, message));
        }
        let values = cols
            .iter()
            .map(|(c, ind)| (ind.code.clone(), shown_value(t, r, *c, ind, &raw(r, *c))))
            .collect();
        rows.push((
            r,
            EntryRow {
                unit: raw(r, unit_col),
                values,
            },
        ));
    }
    if !errors.is_empty() {
        return Err(crate::limits::cap_errors(errors));
    }
    Ok(Layout {
        ds,
        county: raw(county_at.0, county_at.1),
        county_at,
        period_typed,
        period_at,
        period,
        unit_col,
        cols,
        rows,
    })
}

/// The decimals a value is entered with: money in 万元 down to the fen, else the plan's scale.
fn places(ind: &Indicator) -> u32 {
    if ind.value_type == ValueType::Money {
        ind.scale + 4
    } else {
        ind.scale
    }
}

/// A value cell as the screen shows it. A percent-formatted number for an indicator in % is
/// scaled by 100; a `45%` typed as text is 45. A number cell is rounded to the indicator's decimals
/// when it lies within a thousandth of the last decimal of that rounding: that is the noise of
/// doubles (1231250.3199999998 for 1,231,250.32), not a figure typed more precisely than the
/// indicator allows, which is left for the entry rules to refuse.
pub fn shown_value(t: &Table, r: usize, c: usize, ind: &Indicator, typed: &str) -> String {
    if ind.value_type == ValueType::Text {
        // Notes are kept as typed; the entry rules clean them.
        return typed.to_string();
    }
    let percent_unit = entry_unit(ind) == "%";
    let text = normalize(typed);
    let at = (r - 1, c);
    let number = t.numbers.contains(&at);
    // `45%` typed as text is 45 of an indicator in %; a percent-formatted number holds 0.45.
    let plain = if percent_unit && !number {
        text.trim_end_matches('%')
    } else {
        text.as_str()
    };
    let plain = plain.replace([',', '\u{ff0c}'], "");
    let scaled = t.percent.contains(&at) && percent_unit;
    let Ok(mut d) = Decimal::from_str(plain.trim()) else {
        return text;
    };
    if scaled {
        d *= Decimal::from(100);
    } else if !number {
        return if percent_unit { plain } else { text };
    }
    let p = places(ind);
    let rounded = d.round_dp_with_strategy(p, RoundingStrategy::MidpointAwayFromZero);
    let tolerance = Decimal::new(1, p.saturating_add(3).min(28));
    if number && (d - rounded).abs() <= tolerance {
        d = rounded;
    }
    d.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(ind: &str, text: &str, number: bool, percent: bool) -> String {
        let plan = Plan::embedded().unwrap();
        let ind = plan.indicator(ind).unwrap();
        let mut t = Table::default();
        if number {
            t.numbers.insert((3, 2));
        }
        if percent {
            t.percent.insert((3, 2));
        }
        shown_value(&t, 4, 2, ind, text)
    }

    #[test]
    fn notes_rows_by_their_first_cell() {
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(is_notes_row(&row(&["", "", "合 计", "1020.5"])));
        assert!(is_notes_row(&row(&["填表人:张三", "", "审核人:李四"])));
        assert!(is_notes_row(&row(&["\u{3000}填报日期:2025年2月8日"])));
        assert!(!is_notes_row(&row(&["1", "C19", "铸造", "1000.5"])));
        assert!(!is_notes_row(&row(&["", ""])));
    }

    #[test]
    fn percent_cells_show_a_hundred_times_what_they_hold() {
        assert_eq!(shown("digitalization_rate", "0.45", true, true), "45");
        assert_eq!(shown("digitalization_rate", "0.4567", true, true), "45.67");
        // A CSV has no formats: `45%` is written out.
        assert_eq!(shown("digitalization_rate", "45%", false, false), "45");
        // Typed 45 in a plain cell is 45.
        assert_eq!(shown("digitalization_rate", "45", true, false), "45");
        // A percent format on a money column changes nothing: the unit is not %.
        assert_eq!(shown("revenue", "0.45", true, true), "0.45");
    }

    #[test]
    fn number_cells_lose_double_noise_but_not_typed_precision() {
        // 吨标准煤 has 2 decimals: 12.3400000001 is 12.34; 12.345 is a third decimal, kept
        // (the entry rules refuse it).
        assert_eq!(shown("energy_consumption", "12.3400000001", true, false), "12.34");
        assert_eq!(shown("energy_consumption", "12.345", true, false), "12.345");
        // Text is never rounded, only normalised.
        assert_eq!(
            shown("energy_consumption", "12.3400000001", false, false),
            "12.3400000001"
        );
        assert_eq!(shown("revenue", "１２３４．５", false, false), "1234.5");
    }
}
