//! A visible worksheet of an .xlsx as rows of text, read cell by cell within the bounds of
//! [`crate::limits`].
//!
//! calamine's `worksheet_range` builds a dense range from the smallest to the largest cell
//! it finds, so one cell at XFD1048576 asks for 16,384 × 1,048,576 cells. Here the cells are
//! streamed from its cell reader instead and each is checked before anything is built.

use crate::CellError;
use crate::limits::{MAX_CELL_CHARS, MAX_CELLS, MAX_COLS, MAX_ROWS, MAX_TEXT_BYTES, bounds_text};
use crate::table::{Table, whole_file_error};
use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use std::io::Cursor;

/// What has been read of one table so far, and the bounds it is held to.
pub(crate) struct Bounds<'a> {
    file: &'a str,
    /// Empty for a CSV file, which has no sheets.
    sheet: &'a str,
    cells: usize,
    text: usize,
}

impl<'a> Bounds<'a> {
    pub(crate) fn new(file: &'a str, sheet: &'a str) -> Self {
        Bounds {
            file,
            sheet,
            cells: 0,
            text: 0,
        }
    }

    fn at(&self) -> String {
        if self.sheet.is_empty() {
            format!("文件“{}”", self.file)
        } else {
            format!("文件“{}”工作表“{}”", self.file, self.sheet)
        }
    }

    /// An error at a 0-based (row, column); the position is shown as the sheet shows it.
    fn error(&self, row0: u64, col0: u64, value: &str, rule: &str, message: String) -> Box<CellError> {
        let column = usize::try_from(col0)
            .map(crate::column_letter)
            .unwrap_or_default();
        Box::new(CellError {
            file: self.file.to_string(),
            sheet: self.sheet.to_string(),
            cell: format!("{column}{}", row0 + 1),
            row: usize::try_from(row0 + 1).unwrap_or(usize::MAX),
            column,
            value: value.to_string(),
            rule: rule.to_string(),
            message,
            count: None,
        })
    }

    fn out_of_bounds(&self, row0: u64, col0: u64) -> Option<Box<CellError>> {
        if row0 < MAX_ROWS as u64 && col0 < MAX_COLS as u64 {
            return None;
        }
        let mut e = self.error(row0, col0, "", "cell_out_of_bounds", String::new());
        e.message = format!("{}单元格 {} 超出模板范围({})", self.at(), e.cell, bounds_text());
        Some(e)
    }

    /// A row of `width` cells at 0-based `row0` (CSV records, where every field counts).
    pub(crate) fn row(&mut self, row0: usize, width: usize) -> Result<(), Box<CellError>> {
        if row0 >= MAX_ROWS {
            let mut e = self.error(row0 as u64, 0, "", "too_many_rows", String::new());
            e.message = format!(
                "{}第 {} 行超出模板范围({}),请拆分后分批导入",
                self.at(),
                row0 + 1,
                bounds_text()
            );
            return Err(e);
        }
        if let Some(e) = self.out_of_bounds(row0 as u64, width.saturating_sub(1) as u64) {
            return Err(e);
        }
        self.cells += width;
        self.check_cells()
    }

    fn check_cells(&self) -> Result<(), Box<CellError>> {
        if self.cells > MAX_CELLS {
            return Err(whole(
                self.file,
                self.sheet,
                "too_many_cells",
                format!("{}的单元格超过 {MAX_CELLS} 个,请拆分后分批导入", self.at()),
            ));
        }
        Ok(())
    }

    /// A non-empty cell at a 0-based position: inside the bounds, and not too long.
    pub(crate) fn cell(&mut self, row0: u64, col0: u64, text: &str) -> Result<(), Box<CellError>> {
        if let Some(e) = self.out_of_bounds(row0, col0) {
            return Err(e);
        }
        // Counting stops at the cap: a cell of a million characters is not counted through.
        if text.len() > MAX_CELL_CHARS && text.chars().nth(MAX_CELL_CHARS).is_some() {
            let shown: String = text.chars().take(20).collect();
            let mut e = self.error(row0, col0, &format!("{shown}…"), "cell_too_long", String::new());
            e.message = format!(
                "{}单元格 {} 的内容有 {} 个字符,超过上限 {MAX_CELL_CHARS} 个字符",
                self.at(),
                e.cell,
                text.chars().count()
            );
            return Err(e);
        }
        self.text += text.len();
        if self.text > MAX_TEXT_BYTES {
            return Err(whole(
                self.file,
                self.sheet,
                "text_too_large",
                format!(
                    "{}的文字合计超过 {} MB,请拆分后分批导入",
                    self.at(),
                    MAX_TEXT_BYTES / (1024 * 1024)
                ),
            ));
        }
        Ok(())
    }
}

fn whole(file: &str, sheet: &str, rule: &str, message: String) -> Box<CellError> {
    let mut e = whole_file_error(file, rule, message);
    e.sheet = sheet.to_string();
    e
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => float_text(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.to_string(),
            None => dt.to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number cell as Excel shows it. Excel holds 15 significant digits and shows no more, so
/// the double a formula caches (`=上月累计+本月` gives 1231250.3199999998) is read at that
/// precision (1231250.32); the indicator's decimals then apply as to any entered number.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    rust_decimal::Decimal::from_scientific(&format!("{f:.14e}"))
        .map(|d| d.normalize().to_string())
        .unwrap_or_else(|_| format!("{f}"))
}

/// Read the first visible worksheet that `fits` (see [`crate::table::read_table_for`]). The
/// zip has been checked by [`crate::xlsx_guard::check`] already. Hidden sheets (a backup of
/// last month, say) are never read: an official does not see them.
pub(crate) fn read_sheet(
    file: &str,
    bytes: &[u8],
    fits: &dyn Fn(&Table) -> bool,
    expected: &str,
) -> Result<Table, Box<CellError>> {
    use calamine::{SheetType, SheetVisible};
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| whole_file_error(file, "file_unreadable", format!("无法读取 Excel 文件:{e}")))?;
    let sheets = wb.sheets_metadata().to_vec();
    if sheets.is_empty() {
        return Err(whole_file_error(
            file,
            "file_empty",
            "Excel 文件中没有工作表".into(),
        ));
    }
    let mut only = None;
    let visible = sheets
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet);
    for (i, s) in visible.enumerate() {
        let t = read_one(&mut wb, file, bytes, &s.name)?;
        if fits(&t) {
            return Ok(t);
        }
        only = if i == 0 { Some(t) } else { None };
    }
    // One visible sheet that does not fit is still the sheet meant: the caller's checks name
    // the cell that is wrong, which says more than a refusal of the whole file.
    if let Some(t) = only {
        return Ok(t);
    }
    if expected.is_empty() {
        // No visible worksheet (a chart sheet alone): no cells, as calamine's reader has it.
        return Ok(Table {
            file: file.to_string(),
            sheet: sheets[0].name.clone(),
            ..Table::default()
        });
    }
    let names: Vec<String> = sheets
        .iter()
        .map(|s| match s.visible {
            SheetVisible::Visible => format!("“{}”", s.name),
            _ => format!("“{}”(隐藏)", s.name),
        })
        .collect();
    let mut e = whole_file_error(
        file,
        "sheet_missing",
        format!(
            "文件“{file}”中没有可读取的数据工作表:应有一个未隐藏的工作表{expected};文件中的工作表为{}",
            names.join("、")
        ),
    );
    e.value = sheets
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    Err(e)
}

/// Read one worksheet within the bounds.
fn read_one(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    file: &str,
    bytes: &[u8],
    sheet: &str,
) -> Result<Table, Box<CellError>> {
    let empty = || Table {
        file: file.to_string(),
        sheet: sheet.to_string(),
        ..Table::default()
    };
    let unreadable = |e: XlsxError| {
        whole(
            file,
            sheet,
            "file_unreadable",
            format!("无法读取工作表“{sheet}”:{e}"),
        )
    };
    let mut reader = match wb.worksheet_cells_reader(sheet) {
        Ok(r) => r,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(empty()),
        Err(e) => return Err(unreadable(e)),
    };
    let mut bounds = Bounds::new(file, sheet);
    // The used range the sheet declares, before any of its cells is read.
    let dim = reader.dimensions();
    if let Some(mut e) = bounds.out_of_bounds(u64::from(dim.end.0), u64::from(dim.end.1)) {
        let start = format!(
            "{}{}",
            crate::column_letter(dim.start.1 as usize),
            dim.start.0 + 1
        );
        e.rule = "dimension_out_of_bounds".into();
        e.value = format!("{start}:{}", e.cell);
        e.message = format!(
            "文件“{file}”工作表“{sheet}”的已用范围 {start}:{} 超出模板范围({})",
            e.cell,
            bounds_text()
        );
        return Err(e);
    }
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let mut numbers = std::collections::HashSet::new();
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let value = cell.get_value();
        if matches!(value, DataRef::Empty) {
            continue;
        }
        // Position and length first, so that nothing large is copied before it is refused.
        let raw = match value {
            DataRef::String(s) => s.as_str(),
            DataRef::SharedString(s) => s,
            _ => "",
        };
        bounds.cell(u64::from(r), u64::from(c), raw)?;
        if matches!(value, DataRef::Float(_) | DataRef::Int(_)) {
            numbers.insert((r as usize, c as usize));
        }
        let text = cell_text(&Data::from(value.clone()));
        if cells.len() >= MAX_CELLS {
            bounds.cells = cells.len() + 1;
            bounds.check_cells()?;
        }
        cells.push((r, c, text));
    }
    drop(reader);
    let (Some(r0), Some(r1), Some(c1)) = (
        cells.iter().map(|c| c.0).min(),
        cells.iter().map(|c| c.0).max(),
        cells.iter().map(|c| c.1).max(),
    ) else {
        return Ok(empty());
    };
    // Rows from the first used one are as wide as the widest, as calamine's range was.
    let width = c1 as usize + 1;
    bounds.cells = (r1 - r0 + 1) as usize * width;
    bounds.check_cells()?;
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0 as usize];
    rows.extend((r0..=r1).map(|_| vec![String::new(); width]));
    for (r, c, text) in cells {
        rows[r as usize][c as usize] = text;
    }
    let percent = crate::xlsx_styles::percent_cells(bytes, sheet)
        .into_iter()
        .map(|(r, c)| (r as usize, c as usize))
        .filter(|at| numbers.contains(at))
        .collect();
    // Merged ranges inside the sheet's bounds; one outside them holds no cell that was read.
    let merged = match wb.worksheet_merge_cells(sheet) {
        Some(Ok(dims)) => dims
            .iter()
            .filter(|d| (d.end.0 as usize) < MAX_ROWS && (d.end.1 as usize) < MAX_COLS)
            .map(|d| {
                (
                    d.start.0 as usize,
                    d.start.1 as usize,
                    d.end.0 as usize,
                    d.end.1 as usize,
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(Table {
        file: file.to_string(),
        sheet: sheet.to_string(),
        rows,
        numbers,
        percent,
        merged,
    })
}

#[cfg(test)]
mod tests {
    use super::float_text;

    #[test]
    fn cached_doubles_read_at_excels_15_digits() {
        // 1,231,250.32 as a formula leaves it: 1231250.3199999998.
        assert_eq!(float_text(1_231_250.32_f64 - 2.0e-10), "1231250.32");
        assert_eq!(float_text(1231250.3199999998), "1231250.32");
        assert_eq!(float_text(0.1 + 0.2), "0.3");
        assert_eq!(float_text(2500.5), "2500.5");
        assert_eq!(float_text(12.0), "12");
        // A genuine 16th digit is beyond what Excel keeps; a short fraction stays whole.
        assert_eq!(float_text(0.000123), "0.000123");
        assert_eq!(float_text(1.0 / 3.0), "0.333333333333333");
    }
}
