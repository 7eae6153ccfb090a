//! Values of one data set, county and period as people and programs type them (a unit per row,
//! indicator -> text), checked and turned into stored values, all or nothing. The spreadsheet
//! importer, the entry form and the JSON API all come through here, so every rule holds the
//! same whichever way a value arrives; each caller places the errors in its own terms (a cell,
//! a form field, a row of a request).

use crate::normalize::{clean_text, normalize};
use crate::reporting::{check_period, county_name, entry_unit, to_entered, to_stored};
use clusterdesk_domain::{Period, Uscc};
use clusterdesk_plan::datasets::{Dataset, RowUnit};
use clusterdesk_plan::{Indicator, ReportingForm, ValueType};
use clusterdesk_store::registry::WriteSummary;
use clusterdesk_store::validation::{CumulativeIssue, Finding, cumulative_step, earlier_in_year};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store, StoreError};
use std::collections::HashMap;

/// One row as typed: its unit (a cluster code or a USCC) and its values by indicator code.
#[derive(Debug, Clone, Default)]
pub struct EntryRow {
    pub unit: String,
    pub values: Vec<(String, String)>,
}

/// Which part of the key (row 2 of a sheet, the fields of a request) an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyField {
    County,
    Period,
}

/// Where an error is: in the key, in a row's unit, or in one value of a row (0-based rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    Key(KeyField),
    Row(usize),
    Value(usize, String),
}

#[derive(Debug, Clone)]
pub struct EntryError {
    pub at: At,
    pub value: String,
    pub rule: String,
    pub message: String,
}

impl EntryError {
    fn new(at: At, value: &str, rule: &str, message: impl Into<String>) -> Self {
        EntryError {
            at,
            value: value.to_string(),
            rule: rule.to_string(),
            message: message.into(),
        }
    }
}

/// Why nothing was written: the entries were refused (every error found), or the store failed.
#[derive(Debug)]
pub enum Refused {
    Entries(Vec<EntryError>),
    Store(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Store(e)
    }
}

/// A checked key: the data set, a county in the caller's scope, a period of the data set's
/// kind that is still open for entry.
pub struct Key<'p> {
    pub ds: &'p Dataset,
    pub county: String,
    pub period: Period,
}

/// What a write did: its counts and the validation findings on the period as it leaves it.
pub struct Written {
    pub summary: WriteSummary,
    pub findings: Vec<Finding>,
}

/// Check the county and period of an entry (both as typed).
pub async fn check_key<'p>(
    store: &Store,
    actor: &Actor,
    ds: &'p Dataset,
    county: &str,
    period: &str,
) -> Result<Key<'p>, Refused> {
    let plan = store.plan();
    let county = normalize(county);
    let refuse = |f: KeyField, v: &str, rule: &str, m: String| {
        Refused::Entries(vec![EntryError::new(At::Key(f), v, rule, m)])
    };
    match plan.org_unit(&county) {
        Some(u) if u.kind.code() == "county" => {}
        _ => {
            let m = format!("县(市)代码“{county}”不在本方案中");
            return Err(refuse(KeyField::County, &county, "county_unknown", m));
        }
    }
    if let Err(e) = store.check_county(actor, &county) {
        return Err(refuse(KeyField::County, &county, "forbidden", e.to_string()));
    }
    let period_s = crate::normalize::period_text(period);
    let period = match Period::parse(&period_s) {
        Ok(p) => p,
        // The domain's reason is about the ASCII forms; say how this data set's period is written.
        Err(e) => {
            let m = crate::layout::period_message(ds, &period_s);
            return Err(refuse(KeyField::Period, &period_s, e.rule, m));
        }
    };
    if let Err(m) = check_period(ds, period) {
        return Err(refuse(KeyField::Period, &period_s, "period_type", m));
    }
    match store
        .check_editable(actor, &ds.code, &county, &period.to_string())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(m)) => return Err(refuse(KeyField::Period, &period_s, "period_locked", m)),
        Err(e) => return Err(Refused::Store(e)),
    }
    Ok(Key { ds, county, period })
}

/// The stored values of the rows: units checked against the county, numbers parsed in the
/// sheet's units, cumulative figures turned into the period's own from the months before.
/// Every error is returned, or none and the values.
pub async fn values(
    store: &Store,
    actor: &Actor,
    key: &Key<'_>,
    rows: &[EntryRow],
) -> Result<Vec<Value>, Refused> {
    let plan = store.plan();
    let Key { ds, county, period } = key;
    let enterprises = ds.level == RowUnit::Enterprise;
    let clusters: HashMap<&str, &str> = match ds.level {
        RowUnit::Cluster => plan
            .clusters
            .iter()
            .map(|c| (c.code.as_str(), c.county.as_str()))
            .collect(),
        RowUnit::Enterprise => HashMap::new(),
    };
    let county_ents: HashMap<String, String> = if enterprises {
        store
            .enterprises_of_county(actor, county)
            .await?
            .into_iter()
            .collect()
    } else {
        HashMap::new()
    };
    let earlier: Vec<String> = earlier_in_year(*period).iter().map(|p| p.to_string()).collect();
    let stored = store.county_values(actor, county, enterprises, &earlier).await?;
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let unit = normalize(&row.unit);
        let unit = if enterprises {
            match Uscc::parse(&unit) {
                Err(e) => {
                    errors.push(EntryError::new(At::Row(i), &unit, e.rule, e.message));
                    continue;
                }
                Ok(u) if !county_ents.contains_key(u.as_str()) => {
                    let m = format!(
                        "企业“{u}”未在{}登记(先在企业名录中登记)",
                        county_name(plan, county)
                    );
                    errors.push(EntryError::new(At::Row(i), &unit, "enterprise_unknown", m));
                    continue;
                }
                Ok(u) => u.to_string(),
            }
        } else {
            match clusters.get(unit.as_str()) {
                None => {
                    let m = format!("集群代码“{unit}”不存在");
                    errors.push(EntryError::new(At::Row(i), &unit, "cluster_unknown", m));
                    continue;
                }
                Some(c) if c != county => {
                    let m = format!(
                        "集群“{unit}”属于{},不属于{}",
                        county_name(plan, c),
                        county_name(plan, county)
                    );
                    errors.push(EntryError::new(At::Row(i), &unit, "cluster_county", m));
                    continue;
                }
                Some(_) => unit,
            }
        };
        if let Some(first) = seen.insert(unit.clone(), i) {
            let m = format!("与第{}行重复", first + 1);
            errors.push(EntryError::new(At::Row(i), &unit, "duplicate", m));
            continue;
        }
        for (code, typed) in &row.values {
            let at = || At::Value(i, code.clone());
            let ind = match plan.indicator(code) {
                Some(ind) if ds.indicators.iter().any(|c| c == code) => ind,
                _ => {
                    let m = format!("“{code}”不是数据集“{}”的指标", ds.name);
                    errors.push(EntryError::new(at(), typed, "indicator_unknown", m));
                    continue;
                }
            };
            let raw = normalize(typed);
            if raw.is_empty() {
                continue;
            }
            if ind.value_type == ValueType::Text {
                out.push(Value {
                    unit_code: unit.clone(),
                    indicator_code: ind.code.clone(),
                    period: period.to_string(),
                    num_value: None,
                    // Notes are kept as typed, full-width letters included.
                    text_value: Some(clean_text(typed)),
                });
                continue;
            }
            let before = || -> Option<i64> {
                earlier
                    .iter()
                    .map(|p| {
                        stored
                            .get(&(unit.clone(), ind.code.clone(), p.clone()))
                            .and_then(|v| v.num_value)
                    })
                    .sum()
            };
            match own_value(ind, &raw, !earlier.is_empty(), before) {
                Ok(n) => out.push(Value {
                    unit_code: unit.clone(),
                    indicator_code: ind.code.clone(),
                    period: period.to_string(),
                    num_value: Some(n),
                    text_value: None,
                }),
                Err((rule, m)) => errors.push(EntryError::new(at(), &raw, rule, m)),
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Refused::Entries(errors))
    }
}

/// One number as stored for its own period, or the rule it breaks. `before` is the sum of the
/// year's earlier periods (None when one of them is missing), asked only for cumulative figures.
fn own_value(
    ind: &Indicator,
    raw: &str,
    has_earlier: bool,
    before: impl FnOnce() -> Option<i64>,
) -> Result<i64, (&'static str, String)> {
    let Some(n) = to_stored(ind, raw) else {
        let places = if ind.value_type == ValueType::Money {
            6
        } else {
            ind.scale
        };
        return Err((
            "number_format",
            format!("“{raw}”不是有效的数值({},最多{places}位小数)", entry_unit(ind)),
        ));
    };
    if n < 0 {
        return Err(("non_negative", format!("{}不能为负数", ind.name_zh)));
    }
    if ind.reporting_form != ReportingForm::Cumulative || !has_earlier {
        return Ok(n);
    }
    match cumulative_step(before(), n) {
        Ok(own) => Ok(own),
        Err(CumulativeIssue::Gap) => Err((
            "cumulative_gap",
            format!(
                "{}为累计数,但本年此前各期尚未全部填报,无法算出当期数;请先填报此前各期",
                ind.name_zh
            ),
        )),
        Err(CumulativeIssue::Decrease { before: b }) => Err((
            "cumulative_decrease",
            format!("累计数{raw}小于上期累计数{}", to_entered(ind, b)),
        )),
    }
}

/// Write the values through the store's one write path (scope and the period's state checked
/// inside its transaction), then judge the period as the write leaves it.
pub async fn write(
    store: &Store,
    actor: &Actor,
    key: &Key<'_>,
    values: &[Value],
    dry_run: bool,
) -> Result<Written, StoreError> {
    let period = key.period.to_string();
    let summary = store
        .write_values(actor, (&key.ds.code, &key.county, &period), values, dry_run)
        .await?;
    // On a dry run nothing was written, so the values laid over what is stored are the whole
    // difference the rules see.
    let findings = store
        .validate_with(actor, &key.ds.code, &key.county, &period, values)
        .await?;
    Ok(Written { summary, findings })
}

/// The whole path for rows sent by a program or a web form: check the key and the rows, write,
/// judge. Errors are named by row and indicator, never by a cell of a sheet nobody sent.
pub async fn submit_rows(
    store: &Store,
    actor: &Actor,
    ds: &Dataset,
    (county, period): (&str, &str),
    rows: &[ValueRow],
    dry_run: bool,
) -> Result<Written, Refused> {
    let key = check_key(store, actor, ds, county, period).await?;
    let entries: Vec<EntryRow> = rows
        .iter()
        .map(|(unit, values)| EntryRow {
            unit: unit.clone(),
            values: values.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        })
        .collect();
    let values = values(store, actor, &key, &entries).await?;
    Ok(write(store, actor, &key, &values, dry_run).await?)
}

/// Entry errors as the API and the form show them: 0-based row, unit and indicator (-1 and
/// empty for the key), at most [`crate::limits::MAX_ERRORS_PER_RULE`] of each rule.
pub fn value_errors(errors: Vec<EntryError>, rows: &[ValueRow]) -> Vec<ValueError> {
    let listed: Vec<ValueError> = errors
        .into_iter()
        .map(|e| {
            let (row, indicator) = match &e.at {
                At::Key(_) => (-1, String::new()),
                At::Row(i) => (*i as i64, String::new()),
                At::Value(i, ind) => (*i as i64, ind.clone()),
            };
            let unit = usize::try_from(row)
                .ok()
                .and_then(|i| rows.get(i))
                .map(|r| r.0.clone())
                .unwrap_or_default();
            ValueError {
                row,
                unit,
                indicator,
                value: e.value,
                rule: e.rule,
                message: e.message,
            }
        })
        .collect();
    crate::limits::cap_by_rule(
        listed,
        |e| &e.rule,
        |_, rule, total| ValueError {
            row: -1,
            unit: String::new(),
            indicator: String::new(),
            value: rule.to_string(),
            rule: crate::limits::ERRORS_TRUNCATED.into(),
            message: crate::limits::truncated_text(rule, total),
        },
    )
}

/// One row of values as a program or a web form sends them: a unit and indicator -> text.
pub type ValueRow = (String, std::collections::BTreeMap<String, String>);

/// An error located by row and indicator rather than by cell.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ValueError {
    /// 0-based index into the rows; -1 for the request as a whole.
    pub row: i64,
    pub unit: String,
    pub indicator: String,
    pub value: String,
    pub rule: String,
    pub message: String,
}
