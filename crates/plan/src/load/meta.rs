//! `plan.yaml`: the plan's metadata, and its references into the org units.

use super::META;
use crate::*;

// ---------------------------------------------------------------- plan.yaml

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    id: String,
    name: String,
    #[serde(default)]
    notice_title: String,
    doc_number: String,
    #[serde(default)]
    issuer: String,
    issued: String,
    published: String,
    city: String,
    baseline_year: i32,
    target_year: i32,
    #[serde(default)]
    lead_group: String,
    #[serde(default)]
    coordinator: String,
    #[serde(default)]
    counties_responsible_for_all_tasks: bool,
    #[serde(default = "default_min_others")]
    confidentiality_min_others: u32,
    #[serde(default)]
    source: String,
    #[serde(default)]
    note: String,
}

/// Statistics practice: an aggregate shown to a member is over at least three others.
fn default_min_others() -> u32 {
    3
}

/// The line of a top-level key in the YAML text, for errors found after parsing.
fn yaml_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

fn meta_err(text: &str, key: &str, message: String) -> PlanError {
    PlanError {
        file: META.into(),
        line: yaml_line(text, key),
        column: Some(key.into()),
        message,
    }
}

pub(super) fn parse_meta(text: &str) -> Result<PlanMeta, PlanError> {
    let raw: RawMeta = serde_yaml_ng::from_str(text).map_err(|e| PlanError {
        file: META.into(),
        line: e.location().map(|l| l.line()),
        column: None,
        message: format!("YAML格式或字段错误:{e}"),
    })?;
    if raw.id.is_empty()
        || !raw
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        return Err(meta_err(
            text,
            "id",
            format!("计划标识“{}”应为小写ASCII字母、数字、-或_", raw.id),
        ));
    }
    for (key, v) in [("name", &raw.name), ("doc_number", &raw.doc_number)] {
        if v.trim().is_empty() {
            return Err(meta_err(text, key, format!("{key}不能为空")));
        }
    }
    for (key, v) in [("issued", &raw.issued), ("published", &raw.published)] {
        if !is_date(v) {
            return Err(meta_err(text, key, format!("日期“{v}”无效(格式:2022-08-10)")));
        }
    }
    let city = RegionCode::parse(&raw.city).map_err(|e| meta_err(text, "city", e.message))?;
    if !(1949..=2100).contains(&raw.baseline_year)
        || raw.target_year <= raw.baseline_year
        || raw.target_year > 2100
    {
        return Err(meta_err(
            text,
            "target_year",
            format!("目标年{}应晚于基年{}", raw.target_year, raw.baseline_year),
        ));
    }
    if !(1..=100).contains(&raw.confidentiality_min_others) {
        return Err(meta_err(
            text,
            "confidentiality_min_others",
            format!(
                "confidentiality_min_others 应为1到100之间的整数,实为{}",
                raw.confidentiality_min_others
            ),
        ));
    }
    Ok(PlanMeta {
        notice_title: if raw.notice_title.is_empty() {
            raw.name.clone()
        } else {
            raw.notice_title
        },
        id: raw.id,
        name: raw.name,
        doc_number: raw.doc_number,
        issuer: raw.issuer,
        issued: raw.issued,
        published: raw.published,
        city,
        baseline_year: raw.baseline_year,
        target_year: raw.target_year,
        lead_group: raw.lead_group,
        coordinator: raw.coordinator,
        counties_responsible_for_all_tasks: raw.counties_responsible_for_all_tasks,
        confidentiality_min_others: raw.confidentiality_min_others,
        source: raw.source,
        note: raw.note.trim().to_string(),
    })
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        s[..4].parse::<i32>(),
        s[5..7].parse::<u32>(),
        s[8..].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

pub(super) fn check_meta_refs(meta: &PlanMeta, text: &str, units: &[OrgUnit]) -> Result<(), PlanError> {
    match units.iter().find(|u| u.code == meta.city.as_str()) {
        Some(u) if u.kind == OrgKind::City => {}
        Some(u) => {
            return Err(meta_err(
                text,
                "city",
                format!("“{}”({})不是市级单位", u.code, u.name),
            ));
        }
        None => {
            return Err(meta_err(
                text,
                "city",
                format!("市代码“{}”不在组织机构表中", meta.city),
            ));
        }
    }
    if !meta.coordinator.is_empty()
        && !units
            .iter()
            .any(|u| u.code == meta.coordinator && u.kind == OrgKind::Department)
    {
        return Err(meta_err(
            text,
            "coordinator",
            format!("统筹部门“{}”不是组织机构表中的部门", meta.coordinator),
        ));
    }
    Ok(())
}
