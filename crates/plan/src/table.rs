//! A strict reader for the plan's CSV tables: exact header set, 1-based line numbers, trimmed
//! values, and errors that name the file, line and column.

use crate::PlanError;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::str::FromStr;

pub(crate) struct Table {
    pub file: String,
    index: HashMap<String, usize>,
    /// Declared columns the file may leave out.
    optional: Vec<String>,
    pub rows: Vec<RawRow>,
}

pub(crate) struct RawRow {
    pub line: usize,
    values: Vec<String>,
}

pub(crate) struct Row<'t> {
    table: &'t Table,
    raw: &'t RawRow,
}

/// Reads `text` as CSV whose header must hold exactly `columns` (in any order).
pub(crate) fn read_table(file: &str, text: &str, columns: &[&str]) -> Result<Table, PlanError> {
    read_table_with(file, text, columns, &[])
}

/// As [`read_table`], where the columns of `optional` may be left out (read as empty), so
/// that a plan folder written before a column existed still loads.
pub(crate) fn read_table_with(
    file: &str,
    text: &str,
    columns: &[&str],
    optional: &[&str],
) -> Result<Table, PlanError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(PlanError::at(file, 1, "文件为空,缺少表头行")),
        Some(r) => r.map_err(|e| csv_error(file, e))?,
    };
    let mut index = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = h.trim();
        if !columns.contains(&h) && !optional.contains(&h) {
            return Err(PlanError::at(
                file,
                1,
                format!("未知列“{h}”(应为:{})", [columns, optional].concat().join(",")),
            ));
        }
        if index.insert(h.to_string(), i).is_some() {
            return Err(PlanError::at(file, 1, format!("列“{h}”重复")));
        }
    }
    if let Some(missing) = columns.iter().find(|c| !index.contains_key(**c)) {
        return Err(PlanError::at(file, 1, format!("缺少列“{missing}”")));
    }
    let width = header.len();
    let mut rows = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| csv_error(file, e))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rec.len() != width {
            return Err(PlanError::at(
                file,
                line,
                format!("有{}个字段,表头有{width}列", rec.len()),
            ));
        }
        rows.push(RawRow {
            line,
            values: rec.iter().map(|v| v.trim().to_string()).collect(),
        });
    }
    Ok(Table {
        file: file.to_string(),
        index,
        optional: optional.iter().map(|c| c.to_string()).collect(),
        rows,
    })
}

fn csv_error(file: &str, e: csv::Error) -> PlanError {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "不是有效的UTF-8文本".to_string(),
        _ => format!("CSV格式错误:{e}"),
    };
    PlanError {
        file: file.to_string(),
        line,
        column: None,
        message,
    }
}

impl Table {
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |raw| Row { table: self, raw })
    }
}

impl<'t> Row<'t> {
    pub fn line(&self) -> usize {
        self.raw.line
    }

    /// The trimmed value of a column of the table's fixed set.
    pub fn get(&self, col: &str) -> &'t str {
        match self.table.index.get(col) {
            Some(i) => &self.raw.values[*i],
            None if self.table.optional.iter().any(|c| c == col) => "",
            None => panic!("column {col} not declared"),
        }
    }

    pub fn err(&self, col: &str, message: impl Into<String>) -> PlanError {
        PlanError::at_column(&self.table.file, self.raw.line, col, message)
    }

    pub fn required(&self, col: &str, label: &str) -> Result<&'t str, PlanError> {
        let v = self.get(col);
        if v.is_empty() {
            Err(self.err(col, format!("{label}不能为空")))
        } else {
            Ok(v)
        }
    }

    pub fn string(&self, col: &str) -> String {
        self.get(col).to_string()
    }

    pub fn optional(&self, col: &str) -> Option<String> {
        let v = self.get(col);
        (!v.is_empty()).then(|| v.to_string())
    }

    /// A `;`-separated list; empty items are an error.
    pub fn list(&self, col: &str, label: &str) -> Result<Vec<String>, PlanError> {
        let v = self.get(col);
        if v.is_empty() {
            return Ok(Vec::new());
        }
        let mut out: Vec<String> = Vec::new();
        for item in v.split(';').map(str::trim) {
            if item.is_empty() {
                return Err(self.err(col, format!("{label}“{v}”含空项(以;分隔)")));
            }
            if out.iter().any(|o| o == item) {
                return Err(self.err(col, format!("{label}“{item}”重复")));
            }
            out.push(item.to_string());
        }
        Ok(out)
    }

    pub fn enumeration<T>(
        &self,
        col: &str,
        label: &str,
        parse: fn(&str) -> Option<T>,
        allowed: &[&str],
    ) -> Result<T, PlanError> {
        let v = self.required(col, label)?;
        parse(v).ok_or_else(|| self.err(col, format!("{label}“{v}”无效(应为:{})", allowed.join("、"))))
    }

    pub fn opt_decimal(&self, col: &str, label: &str) -> Result<Option<Decimal>, PlanError> {
        let v = self.get(col);
        if v.is_empty() {
            return Ok(None);
        }
        let ok = v.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
        match Decimal::from_str(v) {
            Ok(d) if ok => Ok(Some(d.normalize())),
            _ => Err(self.err(col, format!("{label}“{v}”不是有效的十进制数"))),
        }
    }

    pub fn opt_int<T: FromStr>(&self, col: &str, label: &str) -> Result<Option<T>, PlanError> {
        let v = self.get(col);
        if v.is_empty() {
            return Ok(None);
        }
        let digits = v.strip_prefix('-').unwrap_or(v);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(col, format!("{label}“{v}”不是整数")));
        }
        v.parse()
            .map(Some)
            .map_err(|_| self.err(col, format!("{label}“{v}”超出范围")))
    }

    pub fn int<T: FromStr>(&self, col: &str, label: &str) -> Result<T, PlanError> {
        self.required(col, label)?;
        Ok(self.opt_int(col, label)?.expect("non-empty"))
    }

    pub fn opt_bool(&self, col: &str, label: &str) -> Result<Option<bool>, PlanError> {
        match self.get(col) {
            "" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            v => Err(self.err(col, format!("{label}“{v}”应为 true 或 false"))),
        }
    }
}
