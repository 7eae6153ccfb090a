//! `indicators.csv`.

use super::INDICATORS;
use crate::table::read_table_with;
use crate::*;
use clusterdesk_domain::period::PeriodType;

// ---------------------------------------------------------------- indicators.csv

fn is_indicator_code(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 48
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

pub(super) fn parse_indicators(text: &str) -> Result<Vec<Indicator>, PlanError> {
    let cols = [
        "code",
        "name_zh",
        "name_en",
        "unit",
        "value_type",
        "scale",
        "aggregation",
        "time_aggregation",
        "period_type",
        "reporting_form",
        "level",
        "note",
    ];
    // `source` came later: a plan folder without it reads every indicator as reported.
    let table = read_table_with(INDICATORS, text, &cols, &["source"])?;
    let value_types: Vec<&str> = ValueType::ALL.iter().map(|k| k.code()).collect();
    let aggregations: Vec<&str> = Aggregation::ALL.iter().map(|k| k.code()).collect();
    let forms: Vec<&str> = ReportingForm::ALL.iter().map(|k| k.code()).collect();
    let levels: Vec<&str> = Level::ALL.iter().map(|k| k.code()).collect();
    let mut out: Vec<Indicator> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for row in table.rows() {
        let code = row.required("code", "指标代码")?;
        if !is_indicator_code(code) {
            return Err(row.err(
                "code",
                format!("指标代码“{code}”应为小写ASCII字母开头的字母、数字或_"),
            ));
        }
        if let Some(i) = out.iter().position(|x| x.code == code) {
            return Err(row.err("code", format!("指标代码“{code}”与第{}行重复", lines[i])));
        }
        let name_zh = row.required("name_zh", "中文名称")?;
        let name_en = row.required("name_en", "英文名称")?;
        let unit = row.required("unit", "计量单位")?;
        let value_type = row.enumeration("value_type", "值类型", ValueType::parse, &value_types)?;
        let scale: u32 = row.int("scale", "小数位数")?;
        if scale > 6 {
            return Err(row.err("scale", format!("小数位数{scale}超过6")));
        }
        let aggregation =
            row.enumeration("aggregation", "跨单位汇总方式", Aggregation::parse, &aggregations)?;
        let time_aggregation = row.enumeration(
            "time_aggregation",
            "跨期汇总方式",
            Aggregation::parse,
            &aggregations,
        )?;
        let pt = row.required("period_type", "报送周期")?;
        let period_type = PeriodType::parse(pt).map_err(|e| row.err("period_type", e.message))?;
        let reporting_form = row.enumeration("reporting_form", "报送口径", ReportingForm::parse, &forms)?;
        let level = row.enumeration("level", "填报层级", Level::parse, &levels)?;
        let source = ValueSource::parse(row.get("source")).map_err(|e| row.err("source", e))?;
        match value_type {
            ValueType::Money if unit != "元" || scale != 2 => {
                return Err(row.err("scale", "金额指标以分存储:计量单位应为“元”,小数位数应为2"));
            }
            ValueType::Count if scale != 0 => return Err(row.err("scale", "计数指标的小数位数应为0")),
            ValueType::Percent if unit != "%" => return Err(row.err("unit", "百分比指标的计量单位应为“%”")),
            ValueType::Percent if aggregation == Aggregation::Sum => {
                return Err(row.err("aggregation", "百分比指标不能跨单位求和(应为 average 或 last)"));
            }
            ValueType::Text if aggregation != Aggregation::Last || time_aggregation != Aggregation::Last => {
                return Err(row.err("aggregation", "文本指标只能取最后值(last)"));
            }
            _ => {}
        }
        match reporting_form {
            ReportingForm::Cumulative if time_aggregation != Aggregation::Sum => {
                return Err(row.err(
                    "time_aggregation",
                    "累计报送(cumulative)的指标是流量,跨期汇总方式应为 sum",
                ));
            }
            ReportingForm::Stock if time_aggregation == Aggregation::Sum => {
                return Err(row.err(
                    "time_aggregation",
                    "期末存量(stock)不能跨期求和(应为 last 或 average)",
                ));
            }
            _ => {}
        }
        out.push(Indicator {
            code: code.to_string(),
            name_zh: name_zh.to_string(),
            name_en: name_en.to_string(),
            unit: unit.to_string(),
            value_type,
            scale,
            aggregation,
            time_aggregation,
            period_type,
            reporting_form,
            level,
            source,
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(out)
}
