//! Spreadsheets and CSV in and out: reading tables with cell-level errors, writing templates.

pub mod enterprises;
pub mod entries;
pub mod layout;
pub mod limits;
pub mod normalize;
pub mod reporting;
mod sheet;
pub mod table;
mod xlsx_cells;
mod xlsx_guard;
mod xlsx_styles;

pub use limits::{ErrorCounts, error_counts, error_total};

/// One problem in an input file, named down to the cell.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CellError {
    pub file: String,
    pub sheet: String,
    /// e.g. `B7`; empty when the problem is the whole file.
    pub cell: String,
    /// 1-based row as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    /// Column letter, e.g. `B`.
    pub column: String,
    pub value: String,
    /// Stable rule code, e.g. `uscc_check`.
    pub rule: String,
    /// Chinese message for people.
    pub message: String,
    /// On a summary line of rule `errors_truncated`: how many errors of the rule named in
    /// `value` there were, of which only the first few are listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.cell.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{} {}!{}: {}", self.file, self.sheet, self.cell, self.message)
        }
    }
}

/// Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

#[cfg(test)]
mod tests {
    #[test]
    fn letters() {
        assert_eq!(super::column_letter(0), "A");
        assert_eq!(super::column_letter(25), "Z");
        assert_eq!(super::column_letter(26), "AA");
        assert_eq!(super::column_letter(27), "AB");
    }
}
