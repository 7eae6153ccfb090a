//! The one error type of the plan layer.

/// A plan file that broke a rule. `line` is 1-based (the header row of a CSV file is line 1);
/// `column` is the CSV column or YAML key when one is to blame. The message is Chinese and is
/// shown to people as is; `Display` starts with the file name and the line:
/// `clusters.csv 第7行 county列: 县(市)代码“130999”不在组织机构表中`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{loc}: {message}", loc = location(.line, .column))]
pub struct PlanError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

fn location(line: &Option<usize>, column: &Option<String>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" 第{l}行 {c}列"),
        (Some(l), None) => format!(" 第{l}行"),
        (None, Some(c)) => format!(" {c}"),
        (None, None) => String::new(),
    }
}

impl PlanError {
    pub fn file(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: Some(line),
            column: None,
            message: message.into(),
        }
    }

    pub fn at_column(
        file: impl Into<String>,
        line: usize,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            line: Some(line),
            column: Some(column.into()),
            message: message.into(),
        }
    }
}

/// The 1-based line of the first line at or after `from` that contains `needle`.
pub(crate) fn find_line(text: &str, needle: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
}

/// [`find_line`], or line 1 when no line has `needle`.
pub(crate) fn line_of(text: &str, needle: &str, from: usize) -> usize {
    find_line(text, needle, from).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_starts_with_file_and_line() {
        let e = PlanError::at_column("clusters.csv", 7, "county", "县(市)代码“130999”不在组织机构表中");
        assert_eq!(
            e.to_string(),
            "clusters.csv 第7行 county列: 县(市)代码“130999”不在组织机构表中"
        );
        assert_eq!(PlanError::at("a.csv", 3, "x").to_string(), "a.csv 第3行: x");
        assert_eq!(
            PlanError::file("plan.yaml", "缺少文件").to_string(),
            "plan.yaml: 缺少文件"
        );
    }
}
