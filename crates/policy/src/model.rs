//! The policy file format and its validation at load.
//!
//! One YAML file per incentive (`plan/policies/<id>.yaml`). Every field is known
//! (`deny_unknown_fields`), every value carries the clause it comes from, and every reading the
//! engine relies on is declared in the file with its default and the reason for it.

use crate::PolicyError;
use chrono::NaiveDate;
use clusterdesk_domain::Fen;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// The formula an incentive follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A fixed amount (`amount_yuan`).
    Fixed,
    /// `share` of a base (investment, fee, award), at most `cap_yuan`.
    ShareWithCap,
    /// The approved amount, at most `cap_yuan` (最高 / 不超过).
    CapOnly,
    /// One stage of a series (`series`); each stage pays `amount_yuan` once, in order.
    Milestone,
    /// Counties ranked by score; the top places receive `place_amounts_yuan`, paid by the
    /// bottom places in mirror order.
    RankTransfer,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Fixed => "fixed",
            Kind::ShareWithCap => "share_with_cap",
            Kind::CapOnly => "cap_only",
            Kind::Milestone => "milestone",
            Kind::RankTransfer => "rank_transfer",
        }
    }

    fn params(self) -> &'static [&'static str] {
        match self {
            Kind::Fixed | Kind::Milestone => &["amount_yuan"],
            Kind::ShareWithCap => &["share", "cap_yuan"],
            Kind::CapOnly => &["cap_yuan"],
            Kind::RankTransfer => &["place_amounts_yuan"],
        }
    }
}

/// Who pays (`未明确` where the text does not say).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    pub source: String,
    pub clause: String,
    /// The words of the text that name the source; absent when the text is silent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The responsible units (责任单位) listed after the clause.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Responsible {
    pub units: Vec<String>,
    pub clause: String,
}

/// One value of a parameter, in force from `from` until the next value's `from`.
/// A new amount from a date is a new dated value, never an edit of an old one.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatedValue {
    pub from: NaiveDate,
    pub value: serde_yaml_ng::Value,
    pub clause: String,
    /// The words of the clause this value is read from.
    pub quote: String,
}

/// A stage of a milestone series.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    pub name: String,
    pub stage: u32,
    /// The policy id of the stage before this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    pub clause: String,
}

/// Another level of the same recognition (green factory provincial / national).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherLevel {
    pub policy: String,
    pub clause: String,
}

/// A policy that excludes this one for the same enterprise (an explicit exception).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub policy: String,
    pub clause: String,
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    Bool,
    Choice,
    Text,
}

/// A fact a claim may carry under `facts`.
///
/// * with `eligible` and no `default`: required — absent means status `unknown`;
/// * with `eligible` and a `default`: the default stands unless the claim says otherwise
///   (`why` says why the default is safe);
/// * without `eligible`: informational (e.g. a project number), never required.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactSpec {
    pub name: String,
    pub clause: String,
    pub question: String,
    #[serde(rename = "type")]
    pub fact_type: FactType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl FactSpec {
    pub fn required(&self) -> bool {
        self.eligible.is_some() && self.default.is_none()
    }

    /// Whether `v` has this fact's type (and is one of its options).
    pub fn accepts(&self, v: &Value) -> bool {
        match self.fact_type {
            FactType::Bool => v.is_boolean(),
            FactType::Text => v.is_string(),
            FactType::Choice => v.as_str().is_some_and(|s| self.options.iter().any(|o| o == s)),
        }
    }
}

/// A reading the text leaves open, made a parameter with a default and the reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    pub name: String,
    pub clause: String,
    pub default: Value,
    /// Allowed values; empty means any value of the default's type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Value>,
    pub why: String,
}

impl Reading {
    pub fn accepts(&self, v: &Value) -> bool {
        if self.options.is_empty() {
            std::mem::discriminant(v) == std::mem::discriminant(&self.default)
        } else {
            self.options.contains(v)
        }
    }
}

/// One incentive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub clause: String,
    pub clause_text: String,
    pub funding: Funding,
    pub responsible: Responsible,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_level: Option<OtherLevel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusive_with: Vec<Exclusion>,
    pub parameters: BTreeMap<String, Vec<DatedValue>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<FactSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<Reading>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// A reading the engine knows: its name, the kinds that must declare it, and its allowed values.
struct KnownReading {
    name: &'static str,
    required_for: fn(&Policy) -> bool,
    values: &'static [&'static str],
}

fn is_enterprise(p: &Policy) -> bool {
    p.kind != Kind::RankTransfer
}

const KNOWN_READINGS: &[KnownReading] = &[
    KnownReading {
        name: "events_before_issue",
        required_for: |_| true,
        values: &["paid", "excluded"],
    },
    KnownReading {
        name: "per",
        required_for: is_enterprise,
        values: &["enterprise", "project", "enterprise_total"],
    },
    KnownReading {
        name: "rounding",
        required_for: |p| p.kind == Kind::ShareWithCap,
        values: &["down_to_fen", "half_up_to_fen"],
    },
    KnownReading {
        name: "requires_previous_stage",
        required_for: |p| p.series.as_ref().is_some_and(|s| s.previous.is_some()),
        values: &["true", "false"],
    },
    KnownReading {
        name: "after_other_level",
        required_for: |p| p.other_level.is_some(),
        values: &["in_full", "difference"],
    },
    KnownReading {
        name: "cap_in_principle",
        required_for: |_| false,
        values: &["binding", "advisory"],
    },
    KnownReading {
        name: "ties",
        required_for: |p| p.kind == Kind::RankTransfer,
        values: &["pool_and_split"],
    },
    KnownReading {
        name: "remainder_fen",
        required_for: |p| p.kind == Kind::RankTransfer,
        values: &["lowest_code_first", "highest_code_first"],
    },
    KnownReading {
        name: "higher_score_better",
        required_for: |p| p.kind == Kind::RankTransfer,
        values: &["true", "false"],
    },
    KnownReading {
        name: "expected_counties",
        required_for: |p| p.kind == Kind::RankTransfer,
        values: &[],
    },
];

pub(crate) fn value_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Parse a money value: a string or an integer of yuan, never negative.
pub(crate) fn money_value(v: &serde_yaml_ng::Value) -> Result<Fen, String> {
    let s = match v {
        serde_yaml_ng::Value::String(s) => s.clone(),
        serde_yaml_ng::Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
        _ => return Err(format!("金额应写成字符串或整数元,例如 \"1000000\",而不是 {v:?}")),
    };
    let f = Fen::parse_yuan(&s).map_err(|e| e.message)?;
    if f.is_negative() {
        return Err(format!("金额“{s}”不能为负"));
    }
    Ok(f)
}

/// Parse an exact rate: `"50%"` or `"0.5"` (a string: floats are never used for rates).
pub(crate) fn rate_value(v: &serde_yaml_ng::Value) -> Result<Decimal, String> {
    let serde_yaml_ng::Value::String(s) = v else {
        return Err(format!("比例应写成字符串,例如 \"50%\",而不是 {v:?}"));
    };
    let t = s.trim();
    let d = if let Some(p) = t.strip_suffix('%') {
        Decimal::from_str(p.trim()).map(|d| d / Decimal::from(100))
    } else {
        Decimal::from_str(t)
    }
    .map_err(|_| format!("比例“{s}”不是精确的小数或百分数"))?;
    if d < Decimal::ZERO || d > Decimal::ONE {
        return Err(format!("比例“{s}”应在 0 与 100% 之间"));
    }
    Ok(d)
}

pub(crate) fn money_list(v: &serde_yaml_ng::Value) -> Result<Vec<Fen>, String> {
    let serde_yaml_ng::Value::Sequence(items) = v else {
        return Err("名次金额应为列表".into());
    };
    if items.is_empty() {
        return Err("名次金额列表不能为空".into());
    }
    items.iter().map(money_value).collect()
}

impl Policy {
    /// The reading's default as declared in the file.
    pub fn reading(&self, name: &str) -> Option<&Reading> {
        self.readings.iter().find(|r| r.name == name)
    }

    pub fn fact(&self, name: &str) -> Option<&FactSpec> {
        self.facts.iter().find(|f| f.name == name)
    }

    /// The first date any parameter is in force (the plan's issue date in the Cangzhou files).
    pub fn first_date(&self) -> Option<NaiveDate> {
        self.parameters
            .values()
            .filter_map(|vs| vs.first().map(|v| v.from))
            .min()
    }

    /// The dated value of `param` in force on `date`, or `None` before its first value.
    pub fn value_on(&self, param: &str, date: NaiveDate) -> Option<&DatedValue> {
        self.parameters.get(param)?.iter().rev().find(|v| v.from <= date)
    }

    /// The parameters in force on `date`, by their names (the CLI's and the API's form).
    pub fn parameters_text(&self, date: NaiveDate) -> String {
        self.parameters_at(date, false)
    }

    /// As [`Policy::parameters_text`], each parameter named in words, for pages.
    pub fn parameters_text_zh(&self, date: NaiveDate) -> String {
        self.parameters_at(date, true)
    }

    fn parameters_at(&self, date: NaiveDate, named: bool) -> String {
        let mut parts = Vec::new();
        for (name, values) in &self.parameters {
            let v = values.iter().rev().find(|v| v.from <= date).or(values.first());
            if let Some(v) = v {
                let shown = match &v.value {
                    serde_yaml_ng::Value::String(s) => s.clone(),
                    serde_yaml_ng::Value::Number(n) => n.to_string(),
                    serde_yaml_ng::Value::Sequence(items) => {
                        let xs: Vec<String> = items
                            .iter()
                            .map(|i| money_value(i).map(crate::eval::yuan_grouped).unwrap_or_default())
                            .collect();
                        format!("[{}]", xs.join(", "))
                    }
                    other => format!("{other:?}"),
                };
                let shown = if name.ends_with("_yuan") && !shown.starts_with('[') {
                    money_value(&v.value)
                        .map(crate::eval::yuan_grouped)
                        .unwrap_or(shown)
                } else {
                    shown
                };
                parts.push(if named {
                    format!(
                        "{}:{shown}(自{},{})",
                        param_label(name),
                        crate::labels::date_zh(v.from),
                        v.clause
                    )
                } else {
                    format!("{name}={shown}(自{},{})", v.from, v.clause)
                });
            }
        }
        parts.join(";")
    }

    /// Check everything the engine relies on. `file` names the file in messages.
    pub(crate) fn validate(&mut self, file: &str) -> Result<(), PolicyError> {
        let err = |m: String| PolicyError::Load {
            file: file.to_string(),
            message: m,
        };
        let nonempty = |what: &str, v: &str| {
            if v.trim().is_empty() {
                Err(err(format!("{what} 不能为空")))
            } else {
                Ok(())
            }
        };
        nonempty("id", &self.id)?;
        if !self
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(err(format!("id“{}”只能用小写字母、数字和下划线", self.id)));
        }
        nonempty("name", &self.name)?;
        nonempty("clause", &self.clause)?;
        nonempty("clause_text", &self.clause_text)?;
        nonempty("funding.source", &self.funding.source)?;
        nonempty("funding.clause", &self.funding.clause)?;
        nonempty("responsible.clause", &self.responsible.clause)?;
        if self.responsible.units.is_empty() {
            return Err(err("responsible.units 不能为空".into()));
        }
        // Parameters: exactly those of the kind, each value dated, cited and well-formed.
        let wanted: BTreeSet<&str> = self.kind.params().iter().copied().collect();
        for name in self.parameters.keys() {
            if !wanted.contains(name.as_str()) {
                return Err(err(format!(
                    "未知参数“{name}”({} 只用 {:?})",
                    self.kind.as_str(),
                    self.kind.params()
                )));
            }
        }
        for name in &wanted {
            let Some(values) = self.parameters.get_mut(*name) else {
                return Err(err(format!("缺少参数“{name}”")));
            };
            if values.is_empty() {
                return Err(err(format!("参数“{name}”没有任何取值")));
            }
            values.sort_by_key(|v| v.from);
            for w in values.windows(2) {
                if w[0].from == w[1].from {
                    return Err(err(format!(
                        "参数“{name}”在 {} 有两个取值:同一日期只能有一个",
                        w[0].from
                    )));
                }
            }
            for v in values.iter() {
                if v.clause.trim().is_empty() {
                    return Err(err(format!("参数“{name}”自 {} 的取值没有条款(clause)", v.from)));
                }
                if v.quote.trim().is_empty() {
                    return Err(err(format!("参数“{name}”自 {} 的取值没有原文(quote)", v.from)));
                }
                let checked = match *name {
                    "share" => rate_value(&v.value).map(|_| ()),
                    "place_amounts_yuan" => money_list(&v.value).map(|_| ()),
                    _ => money_value(&v.value).map(|_| ()),
                };
                checked.map_err(|m| err(format!("参数“{name}”自 {}:{m}", v.from)))?;
            }
        }
        // Structure by kind.
        match self.kind {
            Kind::Milestone => {
                let s = self
                    .series
                    .as_ref()
                    .ok_or_else(|| err("milestone 政策必须有 series".into()))?;
                nonempty("series.clause", &s.clause)?;
                if s.stage == 0 {
                    return Err(err("series.stage 从 1 开始".into()));
                }
                if (s.stage > 1) != s.previous.is_some() {
                    return Err(err(
                        "series:第 1 阶段没有 previous,其后各阶段必须有 previous".into()
                    ));
                }
            }
            _ if self.series.is_some() => return Err(err("只有 milestone 政策可以有 series".into())),
            _ => {}
        }
        if let Some(o) = &self.other_level {
            nonempty("other_level.clause", &o.clause)?;
            if o.policy == self.id {
                return Err(err("other_level 不能指向自己".into()));
            }
        }
        for x in &self.exclusive_with {
            nonempty("exclusive_with.clause", &x.clause)?;
            nonempty("exclusive_with.why", &x.why)?;
        }
        // Facts.
        let mut seen = BTreeSet::new();
        for f in &self.facts {
            if !seen.insert(f.name.as_str()) {
                return Err(err(format!("事实“{}”重复", f.name)));
            }
            nonempty(&format!("facts.{}.clause", f.name), &f.clause)?;
            if (f.fact_type == FactType::Choice) == f.options.is_empty() {
                return Err(err(format!(
                    "事实“{}”:只有 choice 类型需要且必须有 options",
                    f.name
                )));
            }
            for v in f.eligible.iter().flatten().chain(f.default.iter()) {
                if !f.accepts(v) {
                    return Err(err(format!("事实“{}”的取值 {v} 与其类型不符", f.name)));
                }
            }
            if f.default.is_some() && f.why.as_deref().is_none_or(|w| w.trim().is_empty()) {
                return Err(err(format!("事实“{}”有默认值,必须说明理由(why)", f.name)));
            }
        }
        // Readings: only those the engine knows, each cited and explained, default allowed.
        let mut seen = BTreeSet::new();
        for r in &self.readings {
            let Some(k) = KNOWN_READINGS.iter().find(|k| k.name == r.name) else {
                return Err(err(format!("未知解读参数“{}”", r.name)));
            };
            if !seen.insert(r.name.as_str()) {
                return Err(err(format!("解读参数“{}”重复", r.name)));
            }
            nonempty(&format!("readings.{}.clause", r.name), &r.clause)?;
            nonempty(&format!("readings.{}.why", r.name), &r.why)?;
            if !r.accepts(&r.default) {
                return Err(err(format!("解读参数“{}”的默认值不在 options 中", r.name)));
            }
            for o in r.options.iter().chain(std::iter::once(&r.default)) {
                if !k.values.is_empty() && !k.values.contains(&value_key(o).as_str()) {
                    return Err(err(format!(
                        "解读参数“{}”的取值 {o} 引擎不认识(可用 {:?})",
                        r.name, k.values
                    )));
                }
            }
        }
        for k in KNOWN_READINGS {
            if (k.required_for)(self) && self.reading(k.name).is_none() {
                return Err(err(format!(
                    "{} 政策必须声明解读参数“{}”(默认值与理由)",
                    self.kind.as_str(),
                    k.name
                )));
            }
        }
        if self.kind == Kind::RankTransfer
            && self
                .reading("expected_counties")
                .is_some_and(|r| !r.default.is_u64())
        {
            return Err(err("expected_counties 应为正整数".into()));
        }
        Ok(())
    }
}

/// How a page names a policy parameter: the formula kinds' parameter names in words.
pub fn param_label(name: &str) -> &str {
    match name {
        "amount_yuan" => "金额(元)",
        "cap_yuan" => "上限(元)",
        "place_amounts_yuan" => "各名次金额(元)",
        "share" => "比例",
        other => other,
    }
}
