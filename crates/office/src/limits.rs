//! The bounds every imported file is held to, and the cap on the errors an import returns.
//!
//! A file is refused as soon as it crosses one of these bounds, before the parser builds
//! anything in proportion to what the file claims: a 6 KB sheet with one cell at XFD1048576,
//! or 1 MB of shared strings that unpack to 1 GiB, must cost milliseconds, not the server.

use crate::CellError;
use std::collections::BTreeMap;

/// Unpacked bytes of all the parts of one .xlsx together (declared and actually read).
pub const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;
/// Parts in one .xlsx; a workbook of a few sheets has a few dozen.
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// The longest run of text or one tag in an XML part: bounds what one XML event can buffer.
/// A cell of the largest text allowed is well below it.
pub const MAX_XML_TOKEN_BYTES: usize = 4 * 1024 * 1024;
/// Entries of the shared-strings table (`<si>`); more than the cells a sheet may hold is junk.
pub const MAX_SHARED_STRINGS: usize = 2_000_000;
/// The largest row number a sheet may use (the header is row 1).
pub const MAX_ROWS: usize = 100_000;
/// The largest column a sheet may use (column 200 is `GR`).
pub const MAX_COLS: usize = 200;
/// Characters in one cell.
pub const MAX_CELL_CHARS: usize = 10_000;
/// Cells of one table, counting the empty ones that pad rows to the width of the widest.
pub const MAX_CELLS: usize = 2_000_000;
/// Bytes of text of all the cells of one table: a shared string is copied into every cell
/// that uses it, so this bounds what a small file can make of one long string.
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;
/// Errors listed for each rule; the rest are counted.
pub const MAX_ERRORS_PER_RULE: usize = 20;

/// The rule of the summary line that stands for the errors of one rule left out of the list.
pub const ERRORS_TRUNCATED: &str = "errors_truncated";

/// What a file is refused with when it crosses a bound of the sheet: `文件“x”工作表“s”…`.
pub fn bounds_text() -> String {
    format!("最多 {MAX_COLS} 列、{MAX_ROWS} 行")
}

/// Keep the first [`MAX_ERRORS_PER_RULE`] errors of each rule, in their order, and for each
/// rule with more add one summary line (rule [`ERRORS_TRUNCATED`], `value` the rule, `count`
/// how many there were), so that 200,000 bad rows give a short answer that still says how
/// many rows were bad and why.
pub fn cap_errors(errs: Vec<CellError>) -> Vec<CellError> {
    cap_by_rule(
        errs,
        |e| &e.rule,
        |e, rule, total| CellError {
            file: e.file,
            sheet: e.sheet,
            cell: String::new(),
            row: 0,
            column: String::new(),
            value: rule.to_string(),
            rule: ERRORS_TRUNCATED.into(),
            message: truncated_text(rule, total),
            count: Some(total),
        },
    )
}

/// The message of a summary line: how many errors of `rule` there were and how many are listed.
pub fn truncated_text(rule: &str, total: usize) -> String {
    format!(
        "规则“{rule}”共 {total} 处错误,以上只列出前 {MAX_ERRORS_PER_RULE} 处,其余 {} 处未列出",
        total - MAX_ERRORS_PER_RULE
    )
}

/// [`cap_errors`] for any kind of error: `summary` makes the line for a rule from its first
/// left-out error, the rule and the total.
pub fn cap_by_rule<T>(
    errs: Vec<T>,
    rule_of: impl Fn(&T) -> &String,
    summary: impl Fn(T, &str, usize) -> T,
) -> Vec<T> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut kept = Vec::new();
    let mut first_left_out: BTreeMap<String, T> = BTreeMap::new();
    for e in errs {
        let rule = rule_of(&e).clone();
        let n = seen.entry(rule.clone()).or_default();
        *n += 1;
        if *n <= MAX_ERRORS_PER_RULE {
            kept.push(e);
        } else {
            first_left_out.entry(rule).or_insert(e);
        }
    }
    for (rule, e) in first_left_out {
        let total = seen[&rule];
        kept.push(summary(e, &rule, total));
    }
    kept
}

/// How many errors a (possibly capped) list stands for, by rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ErrorCounts {
    pub total: usize,
    /// Whether some errors are counted but not listed.
    pub truncated: bool,
    pub by_rule: BTreeMap<String, usize>,
}

pub fn error_counts(errs: &[CellError]) -> ErrorCounts {
    let mut c = ErrorCounts::default();
    for e in errs {
        match (e.rule.as_str(), e.count) {
            (ERRORS_TRUNCATED, Some(n)) => {
                c.truncated = true;
                c.by_rule.insert(e.value.clone(), n);
            }
            _ => *c.by_rule.entry(e.rule.clone()).or_default() += 1,
        }
    }
    // A truncated rule's summary count already includes its listed errors.
    c.total = c.by_rule.values().sum();
    c
}

/// The number of errors a list stands for (the listed ones and those only counted).
pub fn error_total(errs: &[CellError]) -> usize {
    error_counts(errs).total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(rule: &str, row: usize) -> CellError {
        CellError {
            file: "f.csv".into(),
            sheet: "f".into(),
            cell: format!("A{row}"),
            row,
            column: "A".into(),
            value: String::new(),
            rule: rule.into(),
            message: String::new(),
            count: None,
        }
    }

    #[test]
    fn caps_each_rule_and_counts_the_rest() {
        let mut errs: Vec<CellError> = (2..50_002).map(|r| err("uscc_check", r)).collect();
        errs.push(err("required", 7));
        let capped = cap_errors(errs);
        assert_eq!(capped.len(), MAX_ERRORS_PER_RULE + 1 + 1);
        let last = capped.last().unwrap();
        assert_eq!(last.rule, ERRORS_TRUNCATED);
        assert_eq!(last.value, "uscc_check");
        assert!(last.message.contains("共 50000 处错误"), "{}", last.message);
        let c = error_counts(&capped);
        assert_eq!(c.total, 50_001);
        assert!(c.truncated);
        assert_eq!(c.by_rule["uscc_check"], 50_000);
        assert_eq!(c.by_rule["required"], 1);
    }

    #[test]
    fn a_short_list_is_left_alone() {
        let errs: Vec<CellError> = (2..5).map(|r| err("required", r)).collect();
        assert_eq!(cap_errors(errs.clone()), errs);
        assert!(!error_counts(&errs).truncated);
    }
}
