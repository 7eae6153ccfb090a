//! `datasets.yaml`: the reporting data sets of 四(四) — which indicators, for which units, how
//! often, entered by whom, due when.

use crate::error::line_of;
use crate::{Indicator, PlanError, is_snake_code};
use clusterdesk_domain::Period;
use clusterdesk_domain::period::PeriodType;
use serde::Serialize;

pub const DATASETS: &str = "datasets.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowUnit {
    /// One row per cluster of the county.
    Cluster,
    /// One row per enterprise (by USCC).
    Enterprise,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dataset {
    pub code: String,
    pub name: String,
    pub period_type: PeriodType,
    pub level: RowUnit,
    /// `county` or `enterprise`.
    pub entered_by: String,
    /// Day of the month after the period by which the data are due.
    pub deadline_day: u32,
    pub clause: String,
    pub indicators: Vec<String>,
    /// The first period counties owe (`first_period`, of the data set's kind); none owed
    /// before it, so no page shows a year before the plan as 逾期.
    pub first_period: Option<Period>,
}

impl Dataset {
    /// Whether counties owe this period at all: it is not before the data set's first period.
    pub fn owes(&self, p: Period) -> bool {
        self.first_period.is_none_or(|f| p.kind() != f.kind() || p >= f)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    datasets: Vec<RawDataset>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    code: String,
    name: String,
    period_type: String,
    level: String,
    entered_by: String,
    deadline_day: u32,
    clause: String,
    indicators: Vec<String>,
    #[serde(default)]
    first_period: Option<String>,
}

fn finer_than(a: PeriodType, b: PeriodType) -> bool {
    let rank = |p: PeriodType| match p {
        PeriodType::Month => 0,
        PeriodType::Quarter => 1,
        PeriodType::Year => 2,
    };
    rank(a) < rank(b)
}

pub(crate) fn parse_datasets(text: &str, indicators: &[Indicator]) -> Result<Vec<Dataset>, PlanError> {
    let raw: RawFile = serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
        Some(l) => PlanError::at(DATASETS, l.line(), format!("格式错误:{e}")),
        None => PlanError::file(DATASETS, format!("格式错误:{e}")),
    })?;
    let mut out: Vec<Dataset> = Vec::new();
    for d in raw.datasets {
        let line = line_of(text, &format!("code: {}", d.code), 1);
        let err = |m: String| PlanError::at_column(DATASETS, line, d.code.clone(), m);
        // Field errors point at the field's own line.
        let err_at = |key: &str, m: String| {
            PlanError::at_column(DATASETS, line_of(text, key, line), key.to_string(), m)
        };
        if !is_snake_code(&d.code) {
            return Err(err(format!(
                "数据集代码“{}”只能由小写字母、数字和下划线组成",
                d.code
            )));
        }
        if out.iter().any(|o| o.code == d.code) {
            return Err(err(format!("数据集代码“{}”重复", d.code)));
        }
        let period_type = PeriodType::parse(&d.period_type).map_err(|e| err_at("period_type", e.message))?;
        let level = match d.level.as_str() {
            "cluster" => RowUnit::Cluster,
            "enterprise" => RowUnit::Enterprise,
            other => {
                return Err(err_at(
                    "level",
                    format!("level“{other}”应为 cluster 或 enterprise"),
                ));
            }
        };
        if !matches!(d.entered_by.as_str(), "county" | "enterprise") {
            return Err(err_at(
                "entered_by",
                format!("entered_by“{}”应为 county 或 enterprise", d.entered_by),
            ));
        }
        if !(1..=31).contains(&d.deadline_day) {
            return Err(err_at(
                "deadline_day",
                format!("deadline_day {} 应为1–31", d.deadline_day),
            ));
        }
        if d.indicators.is_empty() {
            return Err(err("数据集没有指标".into()));
        }
        for code in &d.indicators {
            let at = line_of(text, code, line);
            let Some(ind) = indicators.iter().find(|i| &i.code == code) else {
                return Err(PlanError::at(
                    DATASETS,
                    at,
                    format!("数据集“{}”的指标“{code}”不在 indicators.csv 中", d.code),
                ));
            };
            let fits = match level {
                RowUnit::Cluster => ind.level.includes_cluster(),
                RowUnit::Enterprise => ind.level.includes_enterprise(),
            };
            if !fits {
                return Err(PlanError::at(
                    DATASETS,
                    at,
                    format!("指标“{code}”不在{}层面填报", d.level),
                ));
            }
            if finer_than(period_type, ind.period_type) {
                return Err(PlanError::at(
                    DATASETS,
                    at,
                    format!(
                        "指标“{code}”最细按{:?}填报,不能放入{:?}数据集",
                        ind.period_type, period_type
                    ),
                ));
            }
            if d.indicators.iter().filter(|c| *c == code).count() > 1 {
                return Err(PlanError::at(DATASETS, at, format!("指标“{code}”重复")));
            }
        }
        let first_period = match &d.first_period {
            None => None,
            Some(t) => {
                let p = Period::parse(t).map_err(|e| err_at("first_period", e.message))?;
                if p.kind() != period_type {
                    return Err(err_at(
                        "first_period",
                        format!("first_period“{t}”应与 period_type 同为{period_type:?}期间"),
                    ));
                }
                Some(p)
            }
        };
        out.push(Dataset {
            first_period,
            code: d.code,
            name: d.name,
            period_type,
            level,
            entered_by: d.entered_by,
            deadline_day: d.deadline_day,
            clause: d.clause,
            indicators: d.indicators,
        });
    }
    Ok(out)
}
