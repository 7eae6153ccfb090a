//! `targets.csv` with the follow-on targets of `targets.d/`, and `quotas.csv`.

use super::QUOTAS;
use super::rows::{check_id, check_indicator};
use crate::table::{read_table, read_table_with};
use crate::*;

// ---------------------------------------------------------------- targets.csv

/// `targets.csv`, or a follow-on plan's file in `targets.d/` (`follow_on`): the same columns, but
/// its deadlines may lie beyond this plan's target year, since a later plan continues this one.
pub(super) fn parse_targets(
    file: &str,
    text: &str,
    indicators: &[Indicator],
    meta: &PlanMeta,
    follow_on: bool,
) -> Result<Vec<Target>, PlanError> {
    let cols = [
        "id",
        "clause",
        "name",
        "indicator",
        "measure",
        "comparison",
        "target_value",
        "target_max",
        "threshold_low_yuan",
        "low_inclusive",
        "threshold_high_yuan",
        "high_inclusive",
        "annual_growth_pct",
        "baseline_year",
        "deadline_year",
        "strive",
        "scope",
        "note",
    ];
    let table = read_table(file, text, &cols)?;
    let measures: Vec<&str> = Measure::ALL.iter().map(|k| k.code()).collect();
    let comparisons: Vec<&str> = Comparison::ALL.iter().map(|k| k.code()).collect();
    let scopes: Vec<&str> = Scope::ALL.iter().map(|k| k.code()).collect();
    let mut out: Vec<Target> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "目标编号")?;
        if let Some(i) = out.iter().position(|t| t.id == id) {
            return Err(row.err("id", format!("目标编号“{id}”与第{}行重复", lines[i])));
        }
        let clause = row.required("clause", "条款编号")?;
        if !id.starts_with(clause) {
            return Err(row.err("id", format!("目标编号“{id}”应以其条款编号“{clause}”开头")));
        }
        let name = row.required("name", "目标名称")?;
        let indicator = check_indicator(&row, indicators)?;
        let measure = row.enumeration("measure", "度量方式", Measure::parse, &measures)?;
        let comparison = row.enumeration("comparison", "比较方式", Comparison::parse, &comparisons)?;
        let target_value = row.opt_decimal("target_value", "目标值")?;
        let target_max = row.opt_decimal("target_max", "目标上限")?;
        let yuan = |col: &str| -> Result<Option<Fen>, PlanError> {
            match row.get(col) {
                "" => Ok(None),
                v => Fen::parse_yuan(v).map(Some).map_err(|e| row.err(col, e.message)),
            }
        };
        let threshold_low = yuan("threshold_low_yuan")?;
        let threshold_high = yuan("threshold_high_yuan")?;
        let low_inclusive = row.opt_bool("low_inclusive", "下限是否含本数")?;
        let high_inclusive = row.opt_bool("high_inclusive", "上限是否含本数")?;
        let annual_growth_pct = row.opt_decimal("annual_growth_pct", "年均增长率")?;
        let baseline_year: Option<i32> = row.opt_int("baseline_year", "基年")?;
        let deadline_year: i32 = row.int("deadline_year", "目标年")?;
        let strive = row.opt_bool("strive", "是否力争")?.unwrap_or(false);
        let scope = row.enumeration("scope", "范围", Scope::parse, &scopes)?;

        if !follow_on && (deadline_year > meta.target_year || deadline_year < meta.baseline_year) {
            return Err(row.err(
                "deadline_year",
                format!(
                    "目标年{deadline_year}应在{}–{}之间(后续方案的目标请放在 targets.d/ 文件夹)",
                    meta.baseline_year, meta.target_year
                ),
            ));
        }
        if follow_on && deadline_year <= meta.target_year {
            return Err(row.err(
                "deadline_year",
                format!(
                    "后续方案的目标年{deadline_year}应晚于本方案的目标年{}",
                    meta.target_year
                ),
            ));
        }
        if let Some(b) = baseline_year
            && b >= deadline_year
        {
            return Err(row.err("baseline_year", format!("基年{b}应早于目标年{deadline_year}")));
        }
        let need = |col: &str, present: bool, what: &str| -> Result<(), PlanError> {
            if present {
                Ok(())
            } else {
                Err(row.err(col, format!("度量方式 {} 需要{what}", measure.code())))
            }
        };
        let forbid = |col: &str, present: bool, what: &str| -> Result<(), PlanError> {
            if present {
                Err(row.err(col, format!("度量方式 {} 不应填写{what}", measure.code())))
            } else {
                Ok(())
            }
        };
        match measure {
            Measure::CountOfClustersAbove => {
                need("threshold_low_yuan", threshold_low.is_some(), "下限金额")?;
                need(
                    "low_inclusive",
                    low_inclusive.is_some(),
                    "下限是否含本数(true/false)",
                )?;
                need("target_value", target_value.is_some(), "目标值(集群个数)")?;
                if threshold_high.is_some() {
                    need(
                        "high_inclusive",
                        high_inclusive.is_some(),
                        "上限是否含本数(true/false)",
                    )?;
                }
                if indicator.value_type != ValueType::Money {
                    return Err(row.err(
                        "indicator",
                        format!("按金额分档计数集群需要金额指标,“{}”不是", indicator.code),
                    ));
                }
                if let (Some(l), Some(h)) = (threshold_low, threshold_high)
                    && l >= h
                {
                    return Err(row.err("threshold_high_yuan", "上限金额应大于下限金额"));
                }
                forbid("annual_growth_pct", annual_growth_pct.is_some(), "年均增长率")?;
            }
            Measure::Growth => {
                need("annual_growth_pct", annual_growth_pct.is_some(), "年均增长率")?;
                need("baseline_year", baseline_year.is_some(), "基年")?;
            }
            Measure::Level => {
                need("target_value", target_value.is_some(), "目标值")?;
                forbid("annual_growth_pct", annual_growth_pct.is_some(), "年均增长率")?;
            }
            Measure::FlowSinceBaseline => {
                need("target_value", target_value.is_some(), "目标值")?;
                need("baseline_year", baseline_year.is_some(), "基年")?;
                forbid("annual_growth_pct", annual_growth_pct.is_some(), "年均增长率")?;
                if indicator.time_aggregation != Aggregation::Sum {
                    return Err(row.err(
                        "indicator",
                        format!("自基年累计新增需要流量指标,“{}”跨期不求和", indicator.code),
                    ));
                }
            }
        }
        if measure != Measure::CountOfClustersAbove {
            forbid("threshold_low_yuan", threshold_low.is_some(), "分档金额")?;
            forbid("threshold_high_yuan", threshold_high.is_some(), "分档金额")?;
        }
        match (comparison, target_max) {
            (Comparison::Range, None) => return Err(row.err("target_max", "区间(range)需要目标上限")),
            (Comparison::Range, Some(max)) => {
                if target_value.is_none_or(|v| v > max) {
                    return Err(row.err("target_max", "目标上限应不小于目标值"));
                }
            }
            (_, Some(_)) => return Err(row.err("target_max", "只有区间(range)才填目标上限")),
            (_, None) => {}
        }
        out.push(Target {
            id,
            clause: clause.to_string(),
            name: name.to_string(),
            indicator: indicator.code.clone(),
            measure,
            comparison,
            target_value,
            target_max,
            threshold_low,
            low_inclusive: low_inclusive.unwrap_or(false),
            threshold_high,
            high_inclusive: high_inclusive.unwrap_or(false),
            annual_growth_pct,
            baseline_year,
            deadline_year,
            strive,
            scope,
            note: row.string("note"),
            source: file.to_string(),
        });
        lines.push(row.line());
    }
    Ok(out)
}

/// Follow-on targets: every `targets.d/*.csv`, in name order, after `targets.csv`. An id may
/// appear only once across all target files.
pub(super) fn parse_follow_on_targets(
    extra: &[SourceFile],
    targets: &mut Vec<Target>,
    indicators: &[Indicator],
    meta: &PlanMeta,
) -> Result<(), PlanError> {
    for f in extra
        .iter()
        .filter(|f| f.path.starts_with("targets.d/") && f.path.ends_with(".csv"))
    {
        for t in parse_targets(&f.path, &f.text, indicators, meta, true)? {
            if let Some(first) = targets.iter().find(|x| x.id == t.id) {
                return Err(PlanError::file(
                    f.path.clone(),
                    format!("目标编号“{}”已在 {} 中使用", t.id, first.source),
                ));
            }
            targets.push(t);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- quotas.csv

pub(super) fn parse_quotas(text: &str, indicators: &[Indicator]) -> Result<Vec<Quota>, PlanError> {
    let cols = [
        "id",
        "clause",
        "name",
        "indicator",
        "per",
        "min",
        "max",
        "approx",
        "scope",
        "note",
    ];
    // `source` and `fallback` came later: a plan folder without them counts reported values.
    let table = read_table_with(QUOTAS, text, &cols, &["source", "fallback"])?;
    let pers: Vec<&str> = Per::ALL.iter().map(|k| k.code()).collect();
    let scopes: Vec<&str> = Scope::ALL.iter().map(|k| k.code()).collect();
    let mut out: Vec<Quota> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "指标任务编号")?;
        if let Some(i) = out.iter().position(|q| q.id == id) {
            return Err(row.err("id", format!("指标任务编号“{id}”与第{}行重复", lines[i])));
        }
        let clause = row.required("clause", "条款编号")?;
        if !id.starts_with(clause) {
            return Err(row.err("id", format!("指标任务编号“{id}”应以其条款编号“{clause}”开头")));
        }
        let name = row.required("name", "名称")?;
        let indicator = check_indicator(&row, indicators)?;
        let per = row.enumeration("per", "周期", Per::parse, &pers)?;
        let min = row.opt_decimal("min", "下限")?;
        let max = row.opt_decimal("max", "上限")?;
        let approx = row.opt_decimal("approx", "约数")?;
        if min.is_none() && max.is_none() && approx.is_none() {
            return Err(row.err("min", "下限、上限、约数至少填一项"));
        }
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            return Err(row.err("max", "上限应不小于下限"));
        }
        let scope = row.enumeration("scope", "范围", Scope::parse, &scopes)?;
        let source = ValueSource::parse(&row.string("source")).map_err(|e| row.err("source", e))?;
        if source == ValueSource::EnterpriseStock {
            return Err(row.err(
                "source",
                "指标任务不支持 enterprise_stock,应为 reported、qualifications(…) 或 recognitions(…)",
            ));
        }
        let fallback = match row.optional("fallback") {
            None => None,
            Some(f) => {
                if source != ValueSource::Reported {
                    return Err(row.err("fallback", "只有取值来源为 reported 的指标任务可填备用来源"));
                }
                let f = ValueSource::parse(&f).map_err(|e| row.err("fallback", e))?;
                if matches!(f, ValueSource::Reported | ValueSource::EnterpriseStock) {
                    return Err(row.err("fallback", "备用来源应为 qualifications(…) 或 recognitions(…)"));
                }
                Some(f)
            }
        };
        out.push(Quota {
            id,
            clause: clause.to_string(),
            name: name.to_string(),
            indicator: indicator.code.clone(),
            per,
            min,
            max,
            approx,
            scope,
            source,
            fallback,
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(out)
}
