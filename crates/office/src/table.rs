//! Read a sheet of an .xlsx file (the first visible one, or the first visible one that fits),
//! or a CSV file in UTF-8 (with or without BOM) or GB18030, into rows of text cells.

use crate::CellError;
use std::collections::HashSet;

#[derive(Default)]
pub struct Table {
    pub file: String,
    pub sheet: String,
    /// All rows including the header; every cell as text.
    pub rows: Vec<Vec<String>>,
    /// 0-based (row, column) of the cells that hold a number (typed or a formula's result), as
    /// against text; empty for a CSV, where every cell is text.
    pub numbers: HashSet<(usize, usize)>,
    /// 0-based (row, column) of the number cells formatted as percent: the cell holds 0.45
    /// where the screen shows 45%.
    pub percent: HashSet<(usize, usize)>,
    /// Merged ranges, 0-based (first row, first column, last row, last column): only the
    /// first cell of each holds its text.
    pub merged: Vec<(usize, usize, usize, usize)>,
}

pub(crate) fn whole_file_error(file: &str, rule: &str, message: String) -> Box<CellError> {
    Box::new(CellError {
        file: file.to_string(),
        sheet: String::new(),
        cell: String::new(),
        row: 0,
        column: String::new(),
        value: String::new(),
        rule: rule.to_string(),
        message,
        count: None,
    })
}

impl Table {
    /// An error at one cell of this table (1-based row, 0-based column).
    pub fn error(&self, row: usize, col: usize, value: &str, rule: &str, message: String) -> CellError {
        let column = crate::column_letter(col);
        CellError {
            file: self.file.clone(),
            sheet: self.sheet.clone(),
            cell: format!("{column}{row}"),
            row,
            column,
            value: value.to_string(),
            rule: rule.to_string(),
            message,
            count: None,
        }
    }
}

/// Decode CSV bytes: UTF-8 (a BOM is dropped) or, failing that, GB18030.
pub fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

/// Read a table from bytes; `file` is the name shown in errors. The kind is decided by the
/// content (a ZIP signature means .xlsx), not by the name alone. A file past the bounds of
/// [`crate::limits`] is refused with the cell or part that crosses them. Of an .xlsx, the first
/// visible worksheet is read; hidden ones never are.
pub fn read_table(file: &str, bytes: &[u8]) -> Result<Table, Box<CellError>> {
    read_table_for(file, bytes, &|_| true, "")
}

/// As [`read_table`], but of an .xlsx the first visible worksheet that `fits` is read; when
/// none does, the file is refused naming its sheets and `expected` (what the sheet should
/// hold, e.g. `第2行写明数据集、县(市)、期间`). A CSV is one table and is returned as it is.
pub fn read_table_for(
    file: &str,
    bytes: &[u8],
    fits: &dyn Fn(&Table) -> bool,
    expected: &str,
) -> Result<Table, Box<CellError>> {
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let lower = file.to_lowercase();
    if is_zip {
        crate::xlsx_guard::check(file, bytes)?;
        // calamine indexes some of what a file says without checking it (a shared-string
        // number past the table, say); whatever it panics on is a bad file, not a dead server.
        let read = std::panic::AssertUnwindSafe(|| crate::sheet::read_sheet(file, bytes, fits, expected));
        return std::panic::catch_unwind(read).unwrap_or_else(|_| {
            Err(whole_file_error(
                file,
                "file_unreadable",
                format!("无法读取 Excel 文件“{file}”:文件结构损坏"),
            ))
        });
    }
    if lower.ends_with(".xlsx") || lower.ends_with(".xls") {
        return Err(whole_file_error(
            file,
            "file_not_xlsx",
            "文件扩展名为 Excel,但内容不是 .xlsx 表格".into(),
        ));
    }
    let text = decode_text(bytes);
    if text.contains('\0') {
        return Err(whole_file_error(
            file,
            "file_not_csv",
            "文件不是 CSV 文本,也不是 .xlsx 表格".into(),
        ));
    }
    let sheet = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("CSV")
        .to_string();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // A CSV has no sheets: its bounds errors name the file alone.
    let mut bounds = crate::sheet::Bounds::new(file, "");
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| {
            let mut err = whole_file_error(file, "csv_malformed", format!("CSV 第{}行格式错误:{e}", i + 1));
            err.row = i + 1;
            err
        })?;
        bounds.row(i, rec.len())?;
        let mut row = Vec::with_capacity(rec.len());
        for (c, s) in rec.iter().enumerate() {
            let s = s.trim();
            if !s.is_empty() {
                bounds.cell(i as u64, c as u64, s)?;
            }
            row.push(s.to_string());
        }
        rows.push(row);
    }
    Ok(Table {
        file: file.to_string(),
        sheet,
        rows,
        ..Table::default()
    })
}

/// A CSV with a UTF-8 BOM, so that Excel on Chinese Windows opens it correctly.
pub fn write_csv<R: AsRef<[String]>>(headers: &[&str], rows: &[R]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(headers.iter().map(|h| neutral(h)))
            .expect("in memory");
        for r in rows {
            w.write_record(r.as_ref().iter().map(|c| neutral(c)))
                .expect("in memory");
        }
        w.flush().expect("in memory");
    }
    out
}

/// A cell that Excel or WPS would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading apostrophe, so that an enterprise name like `=HYPERLINK(…)` stays text (CSV
/// injection). Plain numbers, negative ones included, are left as they are.
pub fn neutral(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// A one-sheet .xlsx with a bold, frozen header row.
pub fn write_xlsx<R: AsRef<[String]>>(
    sheet: &str,
    headers: &[&str],
    rows: &[R],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DDE6F0");
    let ws = wb.add_worksheet();
    ws.set_name(sheet)?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_with_format(0, i as u16, *h, &head)?;
        ws.set_column_width(i as u16, 22)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.as_ref().iter().enumerate() {
            ws.write((r + 1) as u32, c as u16, v)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_cells_are_written_as_text() {
        let rows = vec![vec![
            "=HYPERLINK(\"http://x\",\"点击\")".to_string(),
            "@SUM(A1)".into(),
            "-12.5".into(),
            "+86 317".into(),
            "\tx".into(),
            "沧州".into(),
        ]];
        let csv = String::from_utf8(write_csv(&["a", "b", "c", "d", "e", "f"], &rows)).unwrap();
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"点击\"\")\",'@SUM(A1),-12.5,'+86 317,'\tx,沧州"
        );
    }

    #[test]
    fn decodes_utf8_bom_and_gb18030() {
        assert_eq!(decode_text("\u{feff}名称".as_bytes()), "名称");
        let (gb, _, _) = encoding_rs::GB18030.encode("泊头市铸造");
        assert_eq!(decode_text(&gb), "泊头市铸造");
    }

    #[test]
    fn junk_named_xlsx_is_refused() {
        let e = read_table("a.xlsx", b"not a spreadsheet").err().expect("refused");
        assert_eq!(e.rule, "file_not_xlsx");
    }
}
