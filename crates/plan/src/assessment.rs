//! `assessment.yaml`: the county assessment (考核) — its indicators, how each is scored, the
//! weights, the tie-break order, and the counties' yearly targets of net new above-scale
//! enterprises (三(二)2). The file is optional: a plan without it has no assessment.

use crate::error::line_of;
use crate::{OrgKind, OrgUnit, PlanError, is_snake_code};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

pub const ASSESSMENT: &str = "assessment.yaml";

/// Where the store finds an indicator's raw values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Year-to-date revenue of the county's clusters against the same months a year before (%).
    RevenueGrowth,
    /// 规上 enterprises at the end of the period minus those at the start of the year (家),
    /// scored against the county's target (三(二)2).
    NetNewAboveScale,
    /// Enterprises entering parks reported in `park_entries` (家, 三(二)1).
    ParkEntries,
    /// Share of the due monthly submissions made by their deadline (%, 四(四)).
    ReportingTimeliness,
    /// Share of supervision problems closed on time (%, 四(三)); no module records these yet.
    ProblemsClosedOnTime,
}

impl Source {
    const ALL: [Source; 5] = [
        Source::RevenueGrowth,
        Source::NetNewAboveScale,
        Source::ParkEntries,
        Source::ReportingTimeliness,
        Source::ProblemsClosedOnTime,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Source::RevenueGrowth => "revenue_growth",
            Source::NetNewAboveScale => "net_new_above_scale",
            Source::ParkEntries => "park_entries",
            Source::ReportingTimeliness => "reporting_timeliness",
            Source::ProblemsClosedOnTime => "problems_closed_on_time",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// How a raw value becomes a score of 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scoring {
    /// 100 for the best, 0 for the last, evenly between by competition rank (ties share the
    /// better rank): 100 × (n − rank) / (n − 1).
    RankPoints,
    /// 100 × (v − min) / (max − min) (reversed for `lower`); all equal → 100.
    MinMax,
    /// 100 × min(max(v / target, 0), cap) / cap.
    TargetRatio,
    /// The value itself, a percentage clamped to 0–100 (100 − v for `lower`).
    Percent,
}

impl Scoring {
    pub fn code(self) -> &'static str {
        match self {
            Scoring::RankPoints => "rank_points",
            Scoring::MinMax => "min_max",
            Scoring::TargetRatio => "target_ratio",
            Scoring::Percent => "percent",
        }
    }

    pub fn parse(s: &str) -> Option<Scoring> {
        [
            Scoring::RankPoints,
            Scoring::MinMax,
            Scoring::TargetRatio,
            Scoring::Percent,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentIndicator {
    pub code: String,
    pub name: String,
    pub clause: String,
    pub source: Source,
    pub unit: String,
    /// True when a higher raw value is better.
    pub higher_better: bool,
    pub scoring: Scoring,
    /// For `target_ratio`: the attainment in percent above which no more points are given.
    pub cap_pct: Option<Decimal>,
    /// Points out of 100; the weights of a file add up to 100.
    pub weight: u32,
    /// For `reporting_timeliness`: the data set whose submissions are counted.
    pub dataset: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub name: String,
    pub clause: String,
    pub clause_text: String,
    pub first_year: i32,
    /// Decimals of the published scores (each indicator's and the composite).
    pub decimals: u32,
    pub indicators: Vec<AssessmentIndicator>,
    /// Indicator codes compared in order when composite scores are equal.
    pub tie_break: Vec<String>,
    /// The rank-transfer policy fed with the park-entry ranking (三(二)1).
    pub park_entry_policy: String,
    /// year → county code → target of net new above-scale enterprises (三(二)2).
    pub above_scale_targets: BTreeMap<i32, BTreeMap<String, i64>>,
    pub above_scale_targets_note: String,
    pub note: String,
}

impl Assessment {
    pub fn indicator(&self, code: &str) -> Option<&AssessmentIndicator> {
        self.indicators.iter().find(|i| i.code == code)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    clause: String,
    clause_text: String,
    first_year: i32,
    decimals: u32,
    indicators: Vec<RawIndicator>,
    tie_break: Vec<String>,
    park_entry_policy: String,
    #[serde(default)]
    above_scale_targets: Vec<RawTargets>,
    #[serde(default)]
    note: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: String,
    name: String,
    clause: String,
    source: String,
    unit: String,
    direction: String,
    scoring: String,
    #[serde(default)]
    cap_pct: Option<Decimal>,
    weight: i64,
    #[serde(default)]
    dataset: Option<String>,
    #[serde(default)]
    note: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    year: i32,
    clause: String,
    #[serde(default)]
    note: String,
    counties: BTreeMap<String, i64>,
}

pub(crate) fn parse_assessment(
    text: &str,
    org_units: &[OrgUnit],
    datasets: &[crate::datasets::Dataset],
) -> Result<Assessment, PlanError> {
    let raw: RawFile = serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
        Some(l) => PlanError::at(ASSESSMENT, l.line(), format!("格式或字段错误:{e}")),
        None => PlanError::file(ASSESSMENT, format!("格式或字段错误:{e}")),
    })?;
    let top =
        |key: &str, m: String| PlanError::at_column(ASSESSMENT, line_of(text, &format!("{key}:"), 1), key, m);
    if raw.name.trim().is_empty() || raw.clause.trim().is_empty() {
        return Err(top("name", "考核名称和条款号不能为空".into()));
    }
    if !(2000..=2100).contains(&raw.first_year) {
        return Err(top(
            "first_year",
            format!("first_year {} 不是合理的年份", raw.first_year),
        ));
    }
    if raw.decimals > 4 {
        return Err(top("decimals", format!("decimals {} 应为 0–4", raw.decimals)));
    }
    let ind_start = line_of(text, "indicators:", 1);
    let mut indicators: Vec<AssessmentIndicator> = Vec::new();
    for r in raw.indicators {
        let line = line_of(text, &format!("code: {}", r.code), ind_start);
        let at = |key: &str, m: String| {
            PlanError::at_column(ASSESSMENT, line_of(text, &format!("{key}:"), line), key, m)
        };
        if !is_snake_code(&r.code) {
            return Err(PlanError::at_column(
                ASSESSMENT,
                line,
                "code",
                format!("指标代码“{}”只能由小写字母、数字和下划线组成", r.code),
            ));
        }
        if indicators.iter().any(|i| i.code == r.code) {
            return Err(PlanError::at_column(
                ASSESSMENT,
                line,
                "code",
                format!("指标代码“{}”重复", r.code),
            ));
        }
        if r.name.trim().is_empty() || r.clause.trim().is_empty() {
            return Err(at("name", format!("指标“{}”缺少名称或条款号", r.code)));
        }
        let source = Source::parse(&r.source).ok_or_else(|| {
            at(
                "source",
                format!(
                    "来源“{}”未知,应为 {}",
                    r.source,
                    Source::ALL.map(Source::code).join("、")
                ),
            )
        })?;
        let higher_better = match r.direction.as_str() {
            "higher" => true,
            "lower" => false,
            other => {
                return Err(at("direction", format!("direction“{other}”应为 higher 或 lower")));
            }
        };
        let scoring = Scoring::parse(&r.scoring).ok_or_else(|| {
            at(
                "scoring",
                format!(
                    "计分方法“{}”未知,应为 rank_points、min_max、target_ratio 或 percent",
                    r.scoring
                ),
            )
        })?;
        match (scoring, r.cap_pct) {
            (Scoring::TargetRatio, None) => {
                return Err(at("scoring", "target_ratio 需要 cap_pct(封顶完成率,%)".into()));
            }
            (Scoring::TargetRatio, Some(c)) if c <= Decimal::ZERO || c > Decimal::from(1000) => {
                return Err(at("cap_pct", format!("cap_pct {c} 应在 0–1000 之间(不含0)")));
            }
            (Scoring::TargetRatio, _) if !higher_better => {
                return Err(at("direction", "target_ratio 只能用于 higher(越高越好)".into()));
            }
            (Scoring::TargetRatio, _) if source != Source::NetNewAboveScale => {
                return Err(at(
                    "scoring",
                    "target_ratio 只能用于有县(市)目标的来源 net_new_above_scale".into(),
                ));
            }
            (s, Some(_)) if s != Scoring::TargetRatio => {
                return Err(at("cap_pct", "只有 target_ratio 使用 cap_pct".into()));
            }
            _ => {}
        }
        if !(0..=100).contains(&r.weight) {
            return Err(at("weight", format!("权重 {} 应为 0–100 的整数", r.weight)));
        }
        let dataset = match (source, r.dataset) {
            (Source::ReportingTimeliness, None) => {
                return Err(at("source", "报送及时率需要 dataset(按哪个数据集统计)".into()));
            }
            (Source::ReportingTimeliness, Some(d)) => {
                if !datasets.iter().any(|x| x.code == d) {
                    return Err(at("dataset", format!("数据集“{d}”不在 datasets.yaml 中")));
                }
                Some(d)
            }
            (_, Some(_)) => {
                return Err(at("dataset", "只有 reporting_timeliness 使用 dataset".into()));
            }
            (_, None) => None,
        };
        indicators.push(AssessmentIndicator {
            code: r.code,
            name: r.name,
            clause: r.clause,
            source,
            unit: r.unit,
            higher_better,
            scoring,
            cap_pct: r.cap_pct,
            weight: r.weight as u32,
            dataset,
            note: r.note,
        });
    }
    if indicators.is_empty() {
        return Err(top("indicators", "考核没有指标".into()));
    }
    let sum: u32 = indicators.iter().map(|i| i.weight).sum();
    if sum != 100 {
        let parts: Vec<String> = indicators
            .iter()
            .map(|i| format!("{} {}", i.code, i.weight))
            .collect();
        return Err(top(
            "indicators",
            format!("各指标权重合计为 {sum},应为 100({})", parts.join(" + ")),
        ));
    }
    let tb_line = line_of(text, "tie_break:", 1);
    for (k, code) in raw.tie_break.iter().enumerate() {
        let err = |m: String| PlanError::at_column(ASSESSMENT, tb_line, "tie_break", m);
        if !indicators.iter().any(|i| &i.code == code) {
            return Err(err(format!("并列比较指标“{code}”不在 indicators 中")));
        }
        if raw.tie_break[..k].contains(code) {
            return Err(err(format!("并列比较指标“{code}”重复")));
        }
    }
    if raw.park_entry_policy.trim().is_empty() {
        return Err(top("park_entry_policy", "缺少入园进区排名转移政策 id".into()));
    }
    let mut targets: BTreeMap<i32, BTreeMap<String, i64>> = BTreeMap::new();
    let mut targets_note = String::new();
    let t_start = line_of(text, "above_scale_targets:", 1);
    for t in raw.above_scale_targets {
        let line = line_of(text, &format!("year: {}", t.year), t_start);
        if targets.contains_key(&t.year) {
            return Err(PlanError::at_column(
                ASSESSMENT,
                line,
                "year",
                format!("{} 年的规上目标重复", t.year),
            ));
        }
        if t.clause.trim().is_empty() {
            return Err(PlanError::at_column(
                ASSESSMENT,
                line,
                "clause",
                "缺少条款号".to_string(),
            ));
        }
        for (code, v) in &t.counties {
            let at = line_of(text, code, line);
            let is_county = org_units
                .iter()
                .any(|u| &u.code == code && u.kind == OrgKind::County);
            if !is_county {
                return Err(PlanError::at(
                    ASSESSMENT,
                    at,
                    format!(
                        "{} 年规上目标的县(市)代码“{code}”不是组织机构表中的县(市)",
                        t.year
                    ),
                ));
            }
            if *v <= 0 {
                return Err(PlanError::at(
                    ASSESSMENT,
                    at,
                    format!("{} 年 {code} 的净增规上目标 {v} 应为正整数", t.year),
                ));
            }
        }
        if targets_note.is_empty() {
            targets_note = t.note.clone();
        }
        targets.insert(t.year, t.counties);
    }
    Ok(Assessment {
        name: raw.name,
        clause: raw.clause,
        clause_text: raw.clause_text,
        first_year: raw.first_year,
        decimals: raw.decimals,
        indicators,
        tie_break: raw.tie_break,
        park_entry_policy: raw.park_entry_policy,
        above_scale_targets: targets,
        above_scale_targets_note: targets_note,
        note: raw.note,
    })
}
