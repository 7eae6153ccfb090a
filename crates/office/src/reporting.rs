//! Reporting data sets as spreadsheets: the template a county fills in, and its import with
//! cell-level errors, all or nothing.
//!
//! Layout of a data set sheet (template and import alike):
//! row 1 the title; row 2 the keys `数据集 | CODE | 县(市) | CODE | 期间 | PERIOD`; row 3 the
//! column headers; from row 4 one row per cluster (or enterprise). Money is entered in 万元;
//! indicators reported as 1–N月累计 are entered cumulatively and stored as the period's own
//! value, derived from the months before it.

use crate::CellError;
use crate::entries::{self, At, EntryRow, KeyField, Refused};
use crate::table::Table;
use clusterdesk_domain::Period;
use clusterdesk_plan::datasets::{Dataset, RowUnit};
use clusterdesk_plan::{Indicator, Plan, ReportingForm, ValueType};
use clusterdesk_store::registry::WriteSummary;
use clusterdesk_store::validation::{Finding, earlier_in_year};
use clusterdesk_store::{Actor, Store, StoreError};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

pub use crate::entries::{ValueError, ValueRow};

pub const FIRST_DATA_ROW: usize = 4;

/// How a value is entered in the sheet: money in 万元, everything else in its own unit.
pub(crate) fn entry_unit(ind: &Indicator) -> String {
    match ind.value_type {
        ValueType::Money => "万元".into(),
        _ => ind.unit.clone(),
    }
}

/// The column header: name, unit, and whether the figure is cumulative, with Chinese
/// (full-width) brackets and comma, e.g. `营业收入（万元，1–3月累计）`.
pub fn header(ind: &Indicator, period: Period) -> String {
    let unit = entry_unit(ind);
    let form = match (ind.reporting_form, period) {
        (ReportingForm::Cumulative, Period::Month { month, .. }) if month > 1 => format!("1–{month}月累计"),
        (ReportingForm::Cumulative, Period::Quarter { quarter, .. }) if quarter > 1 => {
            format!("1–{quarter}季度累计")
        }
        (ReportingForm::Stock, _) => "期末数".into(),
        _ => String::new(),
    };
    let mut parts = Vec::new();
    if !unit.is_empty() && ind.value_type != ValueType::Text {
        parts.push(unit);
    }
    if !form.is_empty() {
        parts.push(form);
    }
    if parts.is_empty() {
        ind.name_zh.clone()
    } else {
        format!("{}\u{ff08}{}\u{ff09}", ind.name_zh, parts.join("\u{ff0c}"))
    }
}

/// An entered number as the stored integer (money: 万元 -> fen); None if not representable.
pub fn to_stored(ind: &Indicator, entered: &str) -> Option<i64> {
    let t = entered.trim().replace([',', '\u{ff0c}'], "");
    let d = Decimal::from_str(&t).ok()?;
    let plain = if ind.value_type == ValueType::Money {
        d.checked_mul(Decimal::from(10_000))?
    } else {
        d
    };
    ind.to_stored(plain)
}

/// The stored integer as entered (money: fen -> 万元).
pub fn to_entered(ind: &Indicator, stored: i64) -> String {
    let plain = ind.from_stored(stored);
    let v = if ind.value_type == ValueType::Money {
        plain / Decimal::from(10_000)
    } else {
        plain
    };
    v.normalize().to_string()
}

pub(crate) fn county_name(plan: &Plan, code: &str) -> String {
    plan.org_unit(code)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| code.to_string())
}

pub(crate) fn check_period(ds: &Dataset, period: Period) -> Result<(), String> {
    if period.kind() != ds.period_type {
        return Err(crate::layout::period_message(ds, &period.to_string()));
    }
    Ok(())
}

/// The rows of a sheet: clusters of the county, or its registered enterprises.
async fn row_units(
    store: &Store,
    actor: &Actor,
    ds: &Dataset,
    county: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(match ds.level {
        RowUnit::Cluster => store
            .plan()
            .clusters_of(county)
            .iter()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect(),
        RowUnit::Enterprise => store.enterprises_of_county(actor, county).await?,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("无法生成 Excel:{0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// What a county's sheet holds for one period: its rows, its columns, and each cell as it is
/// entered (money in 万元, cumulative indicators as the year to date), from what is stored.
pub struct SheetData {
    pub dataset: Dataset,
    pub units: Vec<(String, String)>,
    pub indicators: Vec<Indicator>,
    /// (unit, indicator) -> the entered text; absent when nothing is stored.
    pub shown: HashMap<(String, String), String>,
}

pub async fn sheet_data(
    store: &Store,
    actor: &Actor,
    dataset: &str,
    county: &str,
    period: Period,
) -> Result<SheetData, TemplateError> {
    let plan = store.plan();
    let ds = plan.datasets.iter().find(|d| d.code == dataset).ok_or_else(|| {
        TemplateError::Invalid(format!(
            "数据集“{dataset}”不存在(clusterdesk datasets 列出全部数据集)"
        ))
    })?;
    check_period(ds, period).map_err(TemplateError::Invalid)?;
    store.check_county(actor, county)?;
    let units = row_units(store, actor, ds, county).await?;
    let indicators: Vec<Indicator> = ds
        .indicators
        .iter()
        .filter_map(|c| plan.indicator(c))
        .cloned()
        .collect();
    let mut periods = vec![period.to_string()];
    periods.extend(earlier_in_year(period).iter().map(|p| p.to_string()));
    let stored = store
        .county_values(actor, county, ds.level == RowUnit::Enterprise, &periods)
        .await?;
    let mut shown = HashMap::new();
    for (code, _) in &units {
        for ind in &indicators {
            let get = |p: &str| stored.get(&(code.clone(), ind.code.clone(), p.to_string()));
            let text = if ind.value_type == ValueType::Text {
                get(&period.to_string()).and_then(|v| v.text_value.clone())
            } else {
                let mut n = get(&period.to_string()).and_then(|v| v.num_value);
                if ind.reporting_form == ReportingForm::Cumulative
                    && let Some(own) = n
                {
                    // What is entered is the year to date.
                    let earlier: Option<i64> = earlier_in_year(period)
                        .iter()
                        .map(|p| get(&p.to_string()).and_then(|v| v.num_value))
                        .sum();
                    n = earlier.map(|e| e + own);
                }
                n.map(|v| to_entered(ind, v))
            };
            if let Some(t) = text {
                shown.insert((code.clone(), ind.code.clone()), t);
            }
        }
    }
    Ok(SheetData {
        dataset: ds.clone(),
        units,
        indicators,
        shown,
    })
}

/// The .xlsx template for one county and period, pre-filled with what is already stored.
pub async fn template(
    store: &Store,
    actor: &Actor,
    dataset: &str,
    county: &str,
    period: Period,
) -> Result<Vec<u8>, TemplateError> {
    use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, FormatAlign, Workbook};
    let plan = store.plan();
    let data = sheet_data(store, actor, dataset, county, period).await?;
    let (ds, units) = (&data.dataset, &data.units);
    let inds: Vec<&Indicator> = data.indicators.iter().collect();
    let mut wb = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let locked = Format::new().set_background_color("#EEF2F6");
    let head = Format::new()
        .set_bold()
        .set_background_color("#DDE6F0")
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let open_num = Format::new().set_unlocked().set_num_format("#,##0.######");
    let open_text = Format::new().set_unlocked().set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name(&ds.name)?;
    ws.write_with_format(
        0,
        0,
        format!("{} {} {}", county_name(plan, county), ds.name, period.label_zh()),
        &title,
    )?;
    for (c, v) in ["数据集", &ds.code, "县(市)", county, "期间", &period.to_string()]
        .iter()
        .enumerate()
    {
        ws.write_with_format(1, c as u16, *v, &locked)?;
    }
    let key = if ds.level == RowUnit::Cluster {
        ("集群代码", "集群名称")
    } else {
        ("统一社会信用代码", "企业名称")
    };
    ws.write_with_format(2, 0, key.0, &head)?;
    ws.write_with_format(2, 1, key.1, &head)?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 30)?;
    for (i, ind) in inds.iter().enumerate() {
        let col = (i + 2) as u16;
        ws.write_with_format(2, col, header(ind, period), &head)?;
        ws.set_column_width(col, if ind.value_type == ValueType::Text { 40 } else { 16 })?;
    }
    ws.set_row_height(2, 48)?;
    for (r, (code, name)) in units.iter().enumerate() {
        let row = (r + FIRST_DATA_ROW - 1) as u32;
        ws.write_with_format(row, 0, code, &locked)?;
        ws.write_with_format(row, 1, name, &locked)?;
        for (i, ind) in inds.iter().enumerate() {
            let col = (i + 2) as u16;
            let shown = data.shown.get(&(code.clone(), ind.code.clone()));
            if ind.value_type == ValueType::Text {
                ws.write_with_format(row, col, shown.cloned().unwrap_or_default(), &open_text)?;
                continue;
            }
            let n = shown.and_then(|t| f64::from_str(t).ok());
            match n {
                Some(v) => {
                    ws.write_with_format(row, col, v, &open_num)?;
                }
                None => {
                    ws.write_blank(row, col, &open_num)?;
                }
            }
        }
    }
    if !units.is_empty() && !inds.is_empty() {
        let last = (units.len() + FIRST_DATA_ROW - 2) as u32;
        for (i, ind) in inds.iter().enumerate() {
            if ind.value_type == ValueType::Text {
                continue;
            }
            let col = (i + 2) as u16;
            let rule = if ind.value_type == ValueType::Count {
                DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            } else {
                DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            };
            let rule = rule
                .set_error_title("数值无效")?
                .set_error_message("请填写不小于0的数值")?;
            ws.add_data_validation((FIRST_DATA_ROW - 1) as u32, col, last, col, &rule)?;
        }
    }
    ws.set_freeze_panes((FIRST_DATA_ROW - 1) as u32, 2)?;
    // Codes and keys are locked; the number and text cells are open. No password: the lock
    // guards against slips, not against people.
    ws.protect();
    Ok(wb.save_to_buffer()?)
}

/// What an import did or would do.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub dataset: String,
    pub county: String,
    pub period: String,
    pub rows: usize,
    pub summary: WriteSummary,
    /// What the data set's validation rules find in the period as it is (or would be, on a dry
    /// run) after the import; they do not block the import, only the submission.
    pub findings: Vec<ImportFinding>,
}

/// A validation finding placed on the sheet: `cell` is empty when the row or the column is
/// not in the file (another cluster of the county, say).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportFinding {
    pub sheet: String,
    pub cell: String,
    pub row: usize,
    pub column: String,
    #[serde(flatten)]
    pub finding: Finding,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file was refused whole; nothing was written.
    Cells(Vec<CellError>),
    Store(StoreError),
}

/// Read, check and write a data set file, all or nothing. `expect_dataset` refuses a file of
/// another data set.
pub async fn import(
    store: &Store,
    actor: &Actor,
    file: &str,
    bytes: &[u8],
    expect_dataset: Option<&str>,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let t = crate::table::read_table_for(
        file,
        bytes,
        &crate::layout::is_dataset_sheet,
        crate::layout::DATASET_SHEET,
    )
    .map_err(|e| ImportError::Cells(vec![*e]))?;
    import_table(store, actor, &t, expect_dataset, dry_run).await
}

/// Check and write a data set table read from a file, all or nothing: the sheet's key row and
/// headers are read here, the rows go through [`crate::entries`] like every other entry, and
/// each error is placed back on its cell.
pub async fn import_table(
    store: &Store,
    actor: &Actor,
    t: &Table,
    expect_dataset: Option<&str>,
    dry_run: bool,
) -> Result<ImportReport, ImportError> {
    let plan = store.plan();
    let lay = crate::layout::read(plan, t, expect_dataset).map_err(ImportError::Cells)?;
    let ds = lay.ds;
    let key = match entries::check_key(store, actor, ds, &lay.county, &lay.period_typed).await {
        Ok(k) => k,
        Err(Refused::Store(e)) => return Err(ImportError::Store(e)),
        Err(Refused::Entries(errs)) => {
            return Err(ImportError::Cells(
                errs.into_iter()
                    .map(|e| {
                        let (r, c) = if e.at == At::Key(KeyField::County) {
                            lay.county_at
                        } else {
                            lay.period_at
                        };
                        t.error(r, c, &e.value, &e.rule, e.message)
                    })
                    .collect(),
            ));
        }
    };
    let period = key.period;
    let cols = &lay.cols;
    let (sheet_rows, rows): (Vec<usize>, Vec<EntryRow>) = lay.rows.into_iter().unzip();
    let col_of = |code: &str| cols.iter().find(|(_, i)| i.code == code).map(|(c, _)| *c);
    let values = match entries::values(store, actor, &key, &rows).await {
        Ok(v) => v,
        Err(Refused::Store(e)) => return Err(ImportError::Store(e)),
        Err(Refused::Entries(errs)) => {
            let cells = errs
                .into_iter()
                .map(|e| match &e.at {
                    At::Row(i) => t.error(sheet_rows[*i], lay.unit_col, &e.value, &e.rule, e.message),
                    At::Value(i, code) => t.error(
                        sheet_rows[*i],
                        col_of(code).unwrap_or(lay.unit_col),
                        &e.value,
                        &e.rule,
                        e.message,
                    ),
                    At::Key(_) => t.error(lay.period_at.0, lay.period_at.1, &e.value, &e.rule, e.message),
                })
                .collect();
            return Err(ImportError::Cells(crate::limits::cap_errors(cells)));
        }
    };
    let written = entries::write(store, actor, &key, &values, dry_run)
        .await
        .map_err(ImportError::Store)?;
    let row_of: HashMap<String, usize> = rows
        .iter()
        .zip(&sheet_rows)
        .map(|(e, r)| (crate::normalize::normalize(&e.unit), *r))
        .collect();
    let findings = written
        .findings
        .into_iter()
        .map(|f| {
            let at = row_of
                .get(&f.unit_code)
                .and_then(|r| col_of(&f.indicator).map(|c| (*r, c)));
            let (cell, row, column) = match at {
                Some((r, c)) => {
                    let l = crate::column_letter(c);
                    (format!("{l}{r}"), r, l)
                }
                None => (String::new(), 0, String::new()),
            };
            ImportFinding {
                sheet: t.sheet.clone(),
                cell,
                row,
                column,
                finding: f,
            }
        })
        .collect();
    Ok(ImportReport {
        dataset: ds.code.clone(),
        county: key.county.clone(),
        period: period.to_string(),
        rows: rows.len(),
        summary: written.summary,
        findings,
    })
}
