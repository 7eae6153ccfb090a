//! `validation.yaml`: validation rules of the reporting data sets as data, DHIS2-style: a left
//! side, an operator and a right side, with an importance. Errors block a submission; warnings
//! need the submitter's explanation.
//!
//! Rule kinds: `compare` (left / operator / right over the indicators of one row and period,
//! constants and `sum(enterprise_monthly.revenue)`: the sum over the enterprises that belong to
//! the row's cluster in the period), `required`, `non_negative`, `cumulative_monotonic` and
//! `outlier` (robust z of the month-on-month or year-on-year change against the unit's own
//! history). The file is optional: a plan without it has no rules.

use crate::datasets::{Dataset, RowUnit};
use crate::error::{find_line, line_of};
use crate::{Indicator, PlanError, ReportingForm, ValueType, is_snake_code};
use rust_decimal::Decimal;
use serde::Serialize;
use std::str::FromStr;

pub const VALIDATION: &str = "validation.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    Error,
    Warning,
}

impl Importance {
    pub fn code(self) -> &'static str {
        match self {
            Importance::Error => "error",
            Importance::Warning => "warning",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Importance::Error => "错误",
            Importance::Warning => "警告",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Operator {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "<=" => Operator::Le,
            "<" => Operator::Lt,
            ">=" => Operator::Ge,
            ">" => Operator::Gt,
            "==" => Operator::Eq,
            "!=" => Operator::Ne,
            _ => return None,
        })
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Le => "≤",
            Operator::Lt => "<",
            Operator::Ge => "≥",
            Operator::Gt => ">",
            Operator::Eq => "=",
            Operator::Ne => "≠",
        }
    }

    /// Whether `left op right` holds.
    pub fn holds(self, left: Decimal, right: Decimal) -> bool {
        match self {
            Operator::Le => left <= right,
            Operator::Lt => left < right,
            Operator::Ge => left >= right,
            Operator::Gt => left > right,
            Operator::Eq => left == right,
            Operator::Ne => left != right,
        }
    }
}

/// One operand of a side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operand {
    /// An indicator of the same row and period, in its plain unit (元 for money).
    Indicator(String),
    /// A plain number.
    Constant(Decimal),
    /// `sum(dataset.indicator)`: the sum over the enterprises of the row's cluster.
    Aggregate { dataset: String, indicator: String },
}

/// `coef × operand`, added to its side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub coef: Decimal,
    pub operand: Operand,
}

/// A side: the sum of its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expr {
    pub text: String,
    pub terms: Vec<Term>,
}

/// What a compare rule does when a value it needs is missing (as DHIS2's missing value strategy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Skip the rule for the row if any value is missing.
    Skip,
    /// Count a missing value as 0.
    Zero,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Against the period before, compared with the same calendar period's changes in earlier years.
    Mom,
    /// Against the same period a year before.
    Yoy,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RuleKind {
    Compare {
        left: Expr,
        operator: Operator,
        right: Expr,
        missing: Missing,
    },
    Required {
        indicators: Vec<String>,
    },
    NonNegative {
        indicators: Vec<String>,
    },
    CumulativeMonotonic {
        indicators: Vec<String>,
    },
    Outlier {
        indicator: String,
        change: Change,
        /// Robust z (modified z-score) above which the change is flagged; 3.5 by default.
        threshold: f64,
        /// Comparable earlier changes needed before the rule judges; 3 by default.
        min_history: usize,
        /// Changes within this many percentage points of the usual change are never flagged,
        /// however steady the history; 10 by default.
        min_change_pct: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: String,
    pub dataset: String,
    pub name: String,
    pub importance: Importance,
    pub clause: String,
    pub message: String,
    #[serde(flatten)]
    pub kind: RuleKind,
}

impl Rule {
    /// The indicators of the rule's own data set that a finding of it concerns, in order.
    pub fn indicators(&self) -> Vec<String> {
        match &self.kind {
            RuleKind::Compare { left, right, .. } => {
                let mut out: Vec<String> = Vec::new();
                for t in left.terms.iter().chain(&right.terms) {
                    if let Operand::Indicator(c) = &t.operand
                        && !out.contains(c)
                    {
                        out.push(c.clone());
                    }
                }
                out
            }
            RuleKind::Required { indicators }
            | RuleKind::NonNegative { indicators }
            | RuleKind::CumulativeMonotonic { indicators } => indicators.clone(),
            RuleKind::Outlier { indicator, .. } => vec![indicator.clone()],
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rules: Vec<RawRule>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    dataset: String,
    name: String,
    importance: String,
    clause: String,
    message: String,
    kind: String,
    left: Option<String>,
    operator: Option<String>,
    right: Option<String>,
    missing: Option<String>,
    indicators: Option<Vec<String>>,
    indicator: Option<String>,
    change: Option<String>,
    threshold: Option<f64>,
    min_history: Option<usize>,
    min_change_pct: Option<f64>,
}

/// Parse one side: `a + b - 2 * c`, `sum(enterprise_monthly.revenue)`, `0`.
pub fn parse_expr(text: &str) -> Result<Expr, String> {
    #[derive(Debug, PartialEq)]
    enum Tok {
        Num(Decimal),
        Ident(String),
        Op(char),
    }
    let mut toks = Vec::new();
    let cs: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let s: String = cs[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || **c == '.')
                .collect();
            i += s.chars().count();
            toks.push(Tok::Num(
                Decimal::from_str(&s).map_err(|_| format!("“{s}”不是有效的数"))?,
            ));
        } else if c.is_ascii_lowercase() {
            let s: String = cs[i..]
                .iter()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || **c == '_' || **c == '.')
                .collect();
            i += s.chars().count();
            toks.push(Tok::Ident(s));
        } else if "+-*()".contains(c) {
            toks.push(Tok::Op(c));
            i += 1;
        } else {
            return Err(format!("表达式“{text}”含有不能识别的字符“{c}”"));
        }
    }
    let mut terms = Vec::new();
    let mut k = 0;
    let bad = || format!("表达式“{text}”格式错误(应为指标代码、常数或 sum(数据集.指标) 的加减)");
    loop {
        let mut sign = Decimal::ONE;
        match toks.get(k) {
            Some(Tok::Op('-')) => {
                sign = -Decimal::ONE;
                k += 1;
            }
            Some(Tok::Op('+')) => k += 1,
            _ if terms.is_empty() => {}
            _ => return Err(bad()),
        }
        let mut coef = sign;
        if let Some(Tok::Num(n)) = toks.get(k) {
            if toks.get(k + 1) == Some(&Tok::Op('*')) {
                coef *= *n;
                k += 2;
            } else {
                terms.push(Term {
                    coef: Decimal::ONE,
                    operand: Operand::Constant(sign * *n),
                });
                k += 1;
                if k >= toks.len() {
                    break;
                }
                continue;
            }
        }
        let operand = match toks.get(k) {
            Some(Tok::Ident(s)) if s == "sum" => {
                let (Some(Tok::Op('(')), Some(Tok::Ident(inner)), Some(Tok::Op(')'))) =
                    (toks.get(k + 1), toks.get(k + 2), toks.get(k + 3))
                else {
                    return Err(bad());
                };
                let Some((d, ind)) = inner.split_once('.') else {
                    return Err(format!("sum({inner}) 应写作 sum(数据集.指标)"));
                };
                k += 4;
                Operand::Aggregate {
                    dataset: d.to_string(),
                    indicator: ind.to_string(),
                }
            }
            Some(Tok::Ident(s)) if !s.contains('.') => {
                k += 1;
                Operand::Indicator(s.clone())
            }
            _ => return Err(bad()),
        };
        terms.push(Term { coef, operand });
        if k >= toks.len() {
            break;
        }
    }
    if terms.is_empty() {
        return Err(bad());
    }
    Ok(Expr {
        text: text.trim().to_string(),
        terms,
    })
}

pub(crate) fn parse_rules(
    text: &str,
    datasets: &[Dataset],
    indicators: &[Indicator],
) -> Result<Vec<Rule>, PlanError> {
    let raw: RawFile = serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
        Some(l) => PlanError::at(VALIDATION, l.line(), format!("格式错误:{e}")),
        None => PlanError::file(VALIDATION, format!("格式错误:{e}")),
    })?;
    let mut out: Vec<Rule> = Vec::new();
    for r in raw.rules {
        let line = line_of(text, &format!("id: {}", r.id), 1);
        let err = |m: String| PlanError::at_column(VALIDATION, line, "id", m);
        let err_at = |key: &str, m: String| {
            let at = find_line(text, &format!("{key}:"), line).unwrap_or(line);
            PlanError::at_column(VALIDATION, at, key, m)
        };
        if !is_snake_code(&r.id) {
            return Err(err(format!("规则代码“{}”只能由小写字母、数字和下划线组成", r.id)));
        }
        if out.iter().any(|o| o.id == r.id) {
            return Err(err(format!("规则代码“{}”重复", r.id)));
        }
        let Some(ds) = datasets.iter().find(|d| d.code == r.dataset) else {
            return Err(err_at(
                "dataset",
                format!("规则“{}”的数据集“{}”不在 datasets.yaml 中", r.id, r.dataset),
            ));
        };
        for (key, v) in [("name", &r.name), ("message", &r.message), ("clause", &r.clause)] {
            if v.trim().is_empty() {
                return Err(err_at(key, format!("规则“{}”缺少{key}", r.id)));
            }
        }
        let importance = match r.importance.as_str() {
            "error" => Importance::Error,
            "warning" => Importance::Warning,
            o => {
                return Err(err_at(
                    "importance",
                    format!("importance“{o}”应为 error 或 warning"),
                ));
            }
        };
        // An indicator of the rule's own data set; numeric unless `text_ok`.
        let own = |code: &str, key: &str, text_ok: bool| -> Result<&Indicator, PlanError> {
            let ind = indicators.iter().find(|i| i.code == code);
            match ind {
                Some(i) if ds.indicators.iter().any(|c| c == code) => {
                    if !text_ok && i.value_type == ValueType::Text {
                        return Err(err_at(key, format!("指标“{code}”是文字,不能参与数值校验")));
                    }
                    Ok(i)
                }
                _ => Err(err_at(key, format!("指标“{code}”不是数据集“{}”的指标", ds.code))),
            }
        };
        let list = |key: &str, text_ok: bool| -> Result<Vec<String>, PlanError> {
            let l = r.indicators.clone().unwrap_or_default();
            if l.is_empty() {
                return Err(err_at(key, format!("规则“{}”缺少 indicators", r.id)));
            }
            for c in &l {
                own(c, "indicators", text_ok)?;
            }
            Ok(l)
        };
        let kind = match r.kind.as_str() {
            "compare" => {
                let side = |key: &str, v: &Option<String>| -> Result<Expr, PlanError> {
                    let Some(v) = v else {
                        return Err(err_at("kind", format!("compare 规则“{}”缺少 {key}", r.id)));
                    };
                    let e = parse_expr(v).map_err(|m| err_at(key, m))?;
                    for t in &e.terms {
                        match &t.operand {
                            Operand::Indicator(c) => {
                                own(c, key, false)?;
                            }
                            Operand::Constant(_) => {}
                            Operand::Aggregate { dataset, indicator } => {
                                let agg = datasets.iter().find(|d| &d.code == dataset);
                                let ok = match agg {
                                    Some(a) => {
                                        a.level == RowUnit::Enterprise
                                            && ds.level == RowUnit::Cluster
                                            && a.period_type == ds.period_type
                                            && a.indicators.contains(indicator)
                                            && indicators.iter().any(|i| {
                                                &i.code == indicator && i.value_type != ValueType::Text
                                            })
                                    }
                                    None => false,
                                };
                                if !ok {
                                    return Err(err_at(
                                        key,
                                        format!(
                                            "sum({dataset}.{indicator}) 无效:须是与“{}”同一周期的企业数据集的数值指标,且本规则的数据集按集群填报",
                                            ds.code
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                    Ok(e)
                };
                let left = side("left", &r.left)?;
                let right = side("right", &r.right)?;
                let operator = match r.operator.as_deref().and_then(Operator::parse) {
                    Some(o) => o,
                    None => {
                        return Err(err_at(
                            "operator",
                            format!(
                                "operator“{}”应为 <=、<、>=、>、== 或 !=",
                                r.operator.clone().unwrap_or_default()
                            ),
                        ));
                    }
                };
                let missing = match r.missing.as_deref() {
                    None | Some("skip") => Missing::Skip,
                    Some("zero") => Missing::Zero,
                    Some(o) => return Err(err_at("missing", format!("missing“{o}”应为 skip 或 zero"))),
                };
                RuleKind::Compare {
                    left,
                    operator,
                    right,
                    missing,
                }
            }
            "required" => RuleKind::Required {
                indicators: list("indicators", true)?,
            },
            "non_negative" => RuleKind::NonNegative {
                indicators: list("indicators", false)?,
            },
            "cumulative_monotonic" => {
                let l = list("indicators", false)?;
                for c in &l {
                    if own(c, "indicators", false)?.reporting_form != ReportingForm::Cumulative {
                        return Err(err_at(
                            "indicators",
                            format!("指标“{c}”不按1–N月累计报送,不能用 cumulative_monotonic"),
                        ));
                    }
                }
                RuleKind::CumulativeMonotonic { indicators: l }
            }
            "outlier" => {
                let Some(indicator) = r.indicator.clone() else {
                    return Err(err_at("kind", format!("outlier 规则“{}”缺少 indicator", r.id)));
                };
                own(&indicator, "indicator", false)?;
                let change = match r.change.as_deref() {
                    Some("mom") => Change::Mom,
                    Some("yoy") => Change::Yoy,
                    o => {
                        return Err(err_at(
                            "change",
                            format!("change“{}”应为 mom 或 yoy", o.unwrap_or_default()),
                        ));
                    }
                };
                let threshold = r.threshold.unwrap_or(3.5);
                if !(threshold > 0.0 && threshold.is_finite()) {
                    return Err(err_at("threshold", format!("threshold {threshold} 应大于0")));
                }
                let min_history = r.min_history.unwrap_or(3);
                if min_history < 3 {
                    return Err(err_at(
                        "min_history",
                        format!("min_history {min_history} 至少为3:更少的历史算不出稳健的离散程度"),
                    ));
                }
                let min_change_pct = r.min_change_pct.unwrap_or(10.0);
                if !(min_change_pct >= 0.0 && min_change_pct.is_finite()) {
                    return Err(err_at(
                        "min_change_pct",
                        format!("min_change_pct {min_change_pct} 不能为负"),
                    ));
                }
                RuleKind::Outlier {
                    indicator,
                    change,
                    threshold,
                    min_history,
                    min_change_pct,
                }
            }
            o => {
                return Err(err_at(
                    "kind",
                    format!("kind“{o}”应为 compare、required、non_negative、cumulative_monotonic 或 outlier"),
                ));
            }
        };
        // Fields of another kind are a slip in the file, not something to ignore silently.
        let stray = match &kind {
            RuleKind::Compare { .. } => {
                r.indicators.is_some()
                    || r.indicator.is_some()
                    || r.change.is_some()
                    || r.threshold.is_some()
                    || r.min_history.is_some()
                    || r.min_change_pct.is_some()
            }
            RuleKind::Outlier { .. } => {
                r.left.is_some() || r.right.is_some() || r.operator.is_some() || r.indicators.is_some()
            }
            _ => {
                r.left.is_some()
                    || r.right.is_some()
                    || r.operator.is_some()
                    || r.indicator.is_some()
                    || r.change.is_some()
                    || r.threshold.is_some()
                    || r.min_history.is_some()
                    || r.min_change_pct.is_some()
            }
        };
        if stray {
            return Err(err_at(
                "kind",
                format!("规则“{}”含有不属于 {} 类型的字段", r.id, r.kind),
            ));
        }
        out.push(Rule {
            id: r.id,
            dataset: r.dataset,
            name: r.name,
            importance,
            clause: r.clause,
            message: r.message,
            kind,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        let e = parse_expr("revenue - tax_paid + 2 * value_added").unwrap();
        assert_eq!(e.terms.len(), 3);
        assert_eq!(e.terms[1].coef, -Decimal::ONE);
        assert_eq!(e.terms[2].coef, Decimal::from(2));
        let e = parse_expr("sum(enterprise_monthly.revenue)").unwrap();
        assert_eq!(
            e.terms[0].operand,
            Operand::Aggregate {
                dataset: "enterprise_monthly".into(),
                indicator: "revenue".into()
            }
        );
        let e = parse_expr("0").unwrap();
        assert_eq!(e.terms[0].operand, Operand::Constant(Decimal::ZERO));
        assert!(parse_expr("revenue revenue").is_err());
        assert!(parse_expr("revenue / 2").is_err());
        assert!(parse_expr("sum(revenue)").is_err());
        assert!(parse_expr("").is_err());
    }
}
