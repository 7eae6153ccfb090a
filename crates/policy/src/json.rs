//! The command-line contract: `clusterdesk policy calc FILE.json` and `policy list`.

use crate::eval::{Claim, LedgerEntry, Outcome};
use crate::{PolicyError, PolicySet};
use chrono::NaiveDate;
use clusterdesk_domain::{Fen, RegionCode, Uscc};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::str::FromStr;

const CLAIM_FIELDS: &[&str] = &[
    "policy",
    "enterprise",
    "date",
    "base_yuan",
    "approved_yuan",
    "facts",
    "scores",
    "readings",
];
const LEDGER_FIELDS: &[&str] = &["policy", "enterprise", "county", "date", "paid_yuan", "project"];

fn parse_date(v: &Value) -> Result<NaiveDate, String> {
    let s = v
        .as_str()
        .ok_or_else(|| format!("日期应为 \"YYYY-MM-DD\" 字符串,而不是 {v}"))?;
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("日期“{s}”无法解析,应为 YYYY-MM-DD"))
}

fn parse_money(v: &Value) -> Result<Fen, String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(format!("金额应为字符串形式的元,例如 \"3000000\",而不是 {other}")),
    };
    let f = Fen::parse_yuan(&s).map_err(|e| e.message)?;
    if f.is_negative() {
        return Err(format!("金额“{s}”不能为负"));
    }
    Ok(f)
}

fn parse_uscc(v: &Value) -> Result<Option<Uscc>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Uscc::parse(s).map(Some).map_err(|e| e.message),
        other => Err(format!("统一社会信用代码应为字符串,而不是 {other}")),
    }
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object().ok_or_else(|| format!("{what}应为 JSON 对象"))
}

fn parse_score(v: &Value) -> Result<Decimal, String> {
    let s = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => return Err(format!("得分应为数字,而不是 {other}")),
    };
    Decimal::from_str(s.trim())
        .or_else(|_| Decimal::from_scientific(s.trim()))
        .map_err(|_| format!("得分“{s}”不是有效的数字"))
}

/// Parse one claim (numbered `index` from 1 in messages).
pub fn parse_claim(set: &PolicySet, index: usize, v: &Value) -> Result<Claim, PolicyError> {
    let err = |field: &str, message: String| PolicyError::Claim {
        index,
        field: field.into(),
        message,
    };
    let obj = object(v, "申请").map_err(|m| err("(整条)", m))?;
    for k in obj.keys() {
        if !CLAIM_FIELDS.contains(&k.as_str()) {
            return Err(err(k, format!("未知字段(可用:{})", CLAIM_FIELDS.join("、"))));
        }
    }
    let policy = match obj.get("policy") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(err("policy", format!("应为政策 id 字符串,而不是 {other}"))),
        None => return Err(err("policy", "缺少政策 id".into())),
    };
    if set.get(&policy).is_none() {
        return Err(err("policy", format!("未知政策“{policy}”")));
    }
    let date = parse_date(
        obj.get("date")
            .ok_or_else(|| err("date", "缺少事件日期".into()))?,
    )
    .map_err(|m| err("date", m))?;
    let mut claim = Claim::new(&policy, date);
    if let Some(v) = obj.get("enterprise") {
        claim.enterprise = parse_uscc(v).map_err(|m| err("enterprise", m))?;
    }
    for (name, slot) in [
        ("base_yuan", &mut claim.base),
        ("approved_yuan", &mut claim.approved),
    ] {
        if let Some(v) = obj.get(name).filter(|v| !v.is_null()) {
            *slot = Some(parse_money(v).map_err(|m| err(name, m))?);
        }
    }
    if let Some(v) = obj.get("facts") {
        claim.facts = object(v, "facts")
            .map_err(|m| err("facts", m))?
            .clone()
            .into_iter()
            .collect();
    }
    if let Some(v) = obj.get("readings") {
        claim.readings = object(v, "readings")
            .map_err(|m| err("readings", m))?
            .clone()
            .into_iter()
            .collect();
    }
    if let Some(v) = obj.get("scores").filter(|v| !v.is_null()) {
        let mut scores = BTreeMap::new();
        for (code, s) in object(v, "scores").map_err(|m| err("scores", m))? {
            let field = format!("scores.{code}");
            RegionCode::parse(code).map_err(|e| err(&field, e.message))?;
            scores.insert(code.clone(), parse_score(s).map_err(|m| err(&field, m))?);
        }
        claim.scores = Some(scores);
    }
    Ok(claim)
}

/// Parse one ledger entry (numbered `index` from 1 in messages).
pub fn parse_ledger_entry(set: &PolicySet, index: usize, v: &Value) -> Result<LedgerEntry, PolicyError> {
    let err = |field: &str, message: String| PolicyError::Ledger {
        index,
        field: field.into(),
        message,
    };
    let obj = object(v, "台账记录").map_err(|m| err("(整条)", m))?;
    for k in obj.keys() {
        if !LEDGER_FIELDS.contains(&k.as_str()) {
            return Err(err(k, format!("未知字段(可用:{})", LEDGER_FIELDS.join("、"))));
        }
    }
    let policy = obj
        .get("policy")
        .and_then(Value::as_str)
        .ok_or_else(|| err("policy", "缺少政策 id".into()))?;
    if set.get(policy).is_none() {
        return Err(err("policy", format!("未知政策“{policy}”")));
    }
    let date = parse_date(
        obj.get("date")
            .ok_or_else(|| err("date", "缺少支付日期".into()))?,
    )
    .map_err(|m| err("date", m))?;
    let paid = parse_money(
        obj.get("paid_yuan")
            .ok_or_else(|| err("paid_yuan", "缺少支付金额".into()))?,
    )
    .map_err(|m| err("paid_yuan", m))?;
    let enterprise = match obj.get("enterprise") {
        Some(v) => parse_uscc(v).map_err(|m| err("enterprise", m))?,
        None => None,
    };
    let county = match obj.get("county") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(
            RegionCode::parse(s)
                .map_err(|e| err("county", e.message))?
                .as_str()
                .to_string(),
        ),
        Some(other) => return Err(err("county", format!("县(市)代码应为字符串,而不是 {other}"))),
    };
    let project = match obj.get("project") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => return Err(err("project", format!("项目编号应为字符串,而不是 {other}"))),
    };
    Ok(LedgerEntry {
        policy: policy.to_string(),
        enterprise,
        county,
        date,
        paid,
        project,
    })
}

/// Parse the whole `calc` input.
pub fn parse_input(set: &PolicySet, input: &str) -> Result<(Vec<Claim>, Vec<LedgerEntry>), PolicyError> {
    let v: Value =
        serde_json::from_str(input).map_err(|e| PolicyError::Input(format!("不是有效的 JSON:{e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| PolicyError::Input("顶层应为对象 {\"claims\": [...], \"ledger\": [...]}".into()))?;
    for k in obj.keys() {
        if k != "claims" && k != "ledger" {
            return Err(PolicyError::Input(format!(
                "未知顶层字段“{k}”(可用:claims、ledger)"
            )));
        }
    }
    let claims = obj
        .get("claims")
        .and_then(Value::as_array)
        .ok_or_else(|| PolicyError::Input("缺少 claims 数组".into()))?;
    let ledger = match obj.get("ledger") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(xs)) => xs.clone(),
        Some(_) => return Err(PolicyError::Input("ledger 应为数组".into())),
    };
    let claims = claims
        .iter()
        .enumerate()
        .map(|(i, c)| parse_claim(set, i + 1, c))
        .collect::<Result<Vec<_>, _>>()?;
    let ledger = ledger
        .iter()
        .enumerate()
        .map(|(i, e)| parse_ledger_entry(set, i + 1, e))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((claims, ledger))
}

/// One result object of the contract.
pub fn outcome_json(o: &Outcome) -> Value {
    let mut m = Map::new();
    m.insert("policy".into(), json!(o.policy));
    m.insert("clause".into(), json!(o.clause));
    if let Some(c) = &o.county {
        m.insert("county".into(), json!(c));
    }
    m.insert("status".into(), json!(o.status.as_str()));
    m.insert("amount_yuan".into(), json!(o.amount.yuan_string()));
    m.insert("amount_fen".into(), json!(o.amount.0));
    m.insert("capped".into(), json!(o.capped));
    m.insert("missing".into(), json!(o.missing));
    m.insert(
        "trace".into(),
        serde_json::to_value(&o.trace).unwrap_or(Value::Null),
    );
    m.insert("flags".into(), json!(o.flags));
    Value::Object(m)
}

/// `clusterdesk policy calc FILE.json`: `{"claims":[…],"ledger":[…]}` in,
/// `{"results":[…]}` out, one result per claim in order (one per county for a rank transfer).
/// Bad input is an error naming the claim (1-based) and the field.
pub fn calc_json(set: &PolicySet, input: &str) -> Result<Value, PolicyError> {
    let (claims, ledger) = parse_input(set, input)?;
    let mut results = Vec::new();
    for (i, claim) in claims.iter().enumerate() {
        let outs = set.evaluate(claim, &ledger).map_err(|e| e.at_claim(i + 1))?;
        results.extend(outs.iter().map(outcome_json));
    }
    Ok(json!({ "results": results }))
}

/// `clusterdesk policy list`: every policy with its clause and the parameters in force on
/// `as_of`, one block per policy.
pub fn list_text(set: &PolicySet, as_of: NaiveDate) -> String {
    let mut out = format!(
        "沧州市县域特色产业集群转型升级激励政策({} 项,参数以 {as_of} 为准)\n",
        set.len()
    );
    for p in set.policies() {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            p.clause,
            p.id,
            p.name,
            p.kind.as_str()
        ));
        out.push_str(&format!("  参数:{}\n", p.parameters_text(as_of)));
        out.push_str(&format!(
            "  资金来源:{}  责任单位:{}\n",
            p.funding.source,
            p.responsible.units.join("、")
        ));
        let readings: Vec<String> = p
            .readings
            .iter()
            .map(|r| format!("{}={}", r.name, crate::model::value_key(&r.default)))
            .collect();
        if !readings.is_empty() {
            out.push_str(&format!("  解读:{}\n", readings.join(";")));
        }
        let required: Vec<&str> = p
            .facts
            .iter()
            .filter(|f| f.required())
            .map(|f| f.name.as_str())
            .collect();
        if !required.is_empty() {
            out.push_str(&format!("  必需事实:{}\n", required.join("、")));
        }
    }
    out
}
