//! Row checks shared by `targets.csv`, `quotas.csv` and `tasks.csv`.

use crate::table::Row;
use crate::*;

pub(super) fn check_indicator<'a>(
    row: &Row<'_>,
    indicators: &'a [Indicator],
) -> Result<&'a Indicator, PlanError> {
    let code = row.required("indicator", "指标代码")?;
    indicators
        .iter()
        .find(|i| i.code == code)
        .ok_or_else(|| row.err("indicator", format!("指标“{code}”不在指标表中")))
}

pub(super) fn check_id(row: &Row<'_>, label: &str) -> Result<String, PlanError> {
    let id = row.required("id", label)?;
    if id.chars().any(char::is_whitespace) {
        return Err(row.err("id", format!("{label}“{id}”不能含空白")));
    }
    Ok(id.to_string())
}
