//! Reading a plan folder and checking every rule at load.

use crate::table::{Row, read_table};
use crate::*;
use clusterdesk_domain::period::PeriodType;
use include_dir::{Dir, include_dir};
use std::collections::HashMap;

static PLAN_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../plan");

pub(crate) const META: &str = "plan.yaml";
pub(crate) const ORG_UNITS: &str = "org_units.csv";
pub(crate) const CLUSTERS: &str = "clusters.csv";
pub(crate) const INDICATORS: &str = "indicators.csv";
pub(crate) const TARGETS: &str = "targets.csv";
pub(crate) const QUOTAS: &str = "quotas.csv";
pub(crate) const TASKS: &str = "tasks.csv";
const CONSUMED: [&str; 10] = [
    META,
    ORG_UNITS,
    CLUSTERS,
    INDICATORS,
    TARGETS,
    QUOTAS,
    TASKS,
    crate::datasets::DATASETS,
    crate::assessment::ASSESSMENT,
    crate::validation::VALIDATION,
];

pub(crate) fn embedded_files() -> Vec<SourceFile> {
    fn walk(dir: &Dir<'_>, out: &mut Vec<SourceFile>) {
        for entry in dir.entries() {
            let hidden = entry
                .path()
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            match entry {
                include_dir::DirEntry::Dir(d) => walk(d, out),
                include_dir::DirEntry::File(f) => {
                    // Non-UTF-8 files are passed on as empty text only if they cannot be read;
                    // the plan folder holds text files.
                    let text = f.contents_utf8().unwrap_or_default().to_string();
                    out.push(SourceFile {
                        path: normalize(&f.path().to_string_lossy()),
                        text,
                    });
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&PLAN_DIR, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

pub(crate) fn read_dir(dir: &std::path::Path) -> Result<Vec<SourceFile>, PlanError> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut Vec<SourceFile>,
    ) -> Result<(), PlanError> {
        let shown = |p: &std::path::Path| p.strip_prefix(root).unwrap_or(p).to_string_lossy().into_owned();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| PlanError::file(dir.display().to_string(), format!("无法读取目录:{e}")))?;
        let mut paths = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| PlanError::file(dir.display().to_string(), format!("无法读取目录:{e}")))?;
            paths.push(entry.path());
        }
        paths.sort();
        for path in paths {
            if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
            {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
            } else {
                let bytes = std::fs::read(&path)
                    .map_err(|e| PlanError::file(shown(&path), format!("无法读取文件:{e}")))?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| PlanError::file(shown(&path), "不是有效的UTF-8文本"))?;
                out.push(SourceFile {
                    path: normalize(&shown(&path)),
                    text,
                });
            }
        }
        Ok(())
    }
    if !dir.is_dir() {
        return Err(PlanError::file(dir.display().to_string(), "计划目录不存在"));
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.trim_start_matches('/').to_string()
}

pub(crate) fn from_files(files: Vec<SourceFile>) -> Result<Plan, PlanError> {
    let mut consumed: HashMap<&'static str, String> = HashMap::new();
    let mut extra_files: Vec<SourceFile> = Vec::new();
    for f in files {
        let path = normalize(&f.path);
        if consumed.keys().any(|k| *k == path) || extra_files.iter().any(|e| e.path == path) {
            return Err(PlanError::file(path, "文件重复"));
        }
        match CONSUMED.iter().find(|c| **c == path) {
            Some(c) => {
                consumed.insert(c, f.text);
            }
            None => extra_files.push(SourceFile { path, text: f.text }),
        }
    }
    extra_files.sort_by(|a, b| a.path.cmp(&b.path));
    // Optional: without it the city is its own reference.
    let reference = match extra_files
        .iter()
        .position(|f| f.path == crate::reference::REFERENCE)
    {
        Some(i) => crate::reference::parse_reference(&extra_files.remove(i).text)?,
        None => Vec::new(),
    };
    let text = |name: &'static str| {
        consumed
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| PlanError::file(name, "缺少文件"))
    };

    let meta_text = text(META)?;
    let meta = parse_meta(meta_text)?;
    let org_units = parse_org_units(text(ORG_UNITS)?)?;
    check_meta_refs(&meta, meta_text, &org_units)?;
    let clusters = parse_clusters(text(CLUSTERS)?, &org_units)?;
    let indicators = parse_indicators(text(INDICATORS)?)?;
    let mut targets = parse_targets(TARGETS, text(TARGETS)?, &indicators, &meta, false)?;
    parse_follow_on_targets(&extra_files, &mut targets, &indicators, &meta)?;
    let quotas = parse_quotas(text(QUOTAS)?, &indicators)?;
    let tasks = parse_tasks(text(TASKS)?, &org_units)?;
    let datasets = crate::datasets::parse_datasets(text(crate::datasets::DATASETS)?, &indicators)?;
    let assessment = consumed
        .get(crate::assessment::ASSESSMENT)
        .map(|t| crate::assessment::parse_assessment(t, &org_units, &datasets))
        .transpose()?;
    // Optional: a plan without validation rules checks types only.
    let validation_rules = match consumed.get(crate::validation::VALIDATION) {
        Some(t) => crate::validation::parse_rules(t, &datasets, &indicators)?,
        None => Vec::new(),
    };
    Ok(Plan {
        assessment,
        datasets,
        validation_rules,
        reference,
        meta,
        org_units,
        clusters,
        indicators,
        targets,
        quotas,
        tasks,
        extra_files,
    })
}

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
    #[serde(default)]
    source: String,
    #[serde(default)]
    note: String,
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

fn parse_meta(text: &str) -> Result<PlanMeta, PlanError> {
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

fn check_meta_refs(meta: &PlanMeta, text: &str, units: &[OrgUnit]) -> Result<(), PlanError> {
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

// ---------------------------------------------------------------- org_units.csv

fn is_dept_code(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=16).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

fn parse_org_units(text: &str) -> Result<Vec<OrgUnit>, PlanError> {
    let table = read_table(
        ORG_UNITS,
        text,
        &["code", "name", "kind", "parent", "aliases", "note"],
    )?;
    let mut units: Vec<OrgUnit> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let kinds: Vec<&str> = OrgKind::ALL.iter().map(|k| k.code()).collect();
    for row in table.rows() {
        let code = row.required("code", "代码")?;
        let name = row.required("name", "名称")?;
        let kind = row.enumeration("kind", "类型", OrgKind::parse, &kinds)?;
        if kind.is_region() {
            RegionCode::parse(code).map_err(|e| row.err("code", e.message))?;
        } else if !is_dept_code(code) {
            return Err(row.err(
                "code",
                format!("部门代码“{code}”应为2–16位大写ASCII字母、数字或_(如 GXJ)"),
            ));
        }
        if let Some(i) = units.iter().position(|u| u.code == code) {
            return Err(row.err("code", format!("代码“{code}”与第{}行重复", lines[i])));
        }
        let aliases = row.list("aliases", "别名")?;
        units.push(OrgUnit {
            code: code.to_string(),
            name: name.to_string(),
            kind,
            parent: row.optional("parent"),
            aliases,
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    // Parents, the shape of the tree, and names that must resolve to one unit.
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        let line = lines[i];
        let err = |col: &str, msg: String| PlanError::at_column(ORG_UNITS, line, col, msg);
        match (&u.parent, u.kind) {
            (None, OrgKind::City) => {}
            (Some(p), OrgKind::City) => return Err(err("parent", format!("市级单位不应有上级(“{p}”)"))),
            (None, k) => return Err(err("parent", format!("{}“{}”缺少上级代码", k.label_zh(), u.name))),
            (Some(p), k) => {
                let Some(parent) = units.iter().find(|x| &x.code == p) else {
                    return Err(err("parent", format!("上级代码“{p}”不在组织机构表中")));
                };
                let fits = match k {
                    OrgKind::County | OrgKind::District | OrgKind::Zone => parent.kind == OrgKind::City,
                    OrgKind::Department => parent.kind.is_region(),
                    OrgKind::City => unreachable!(),
                };
                if !fits {
                    return Err(err(
                        "parent",
                        format!(
                            "{}“{}”的上级“{p}”是{},不能作其上级",
                            k.label_zh(),
                            u.name,
                            parent.kind.label_zh()
                        ),
                    ));
                }
                if k.is_region() && u.code[..4] != parent.code[..4] {
                    return Err(err("code", format!("代码“{}”与上级“{p}”的前4位不一致", u.code)));
                }
            }
        }
        for n in std::iter::once(&u.name).chain(u.aliases.iter()) {
            if let Some(j) = names.insert(n.as_str(), i)
                && j != i
            {
                return Err(err("aliases", format!("名称或别名“{n}”与第{}行重复", lines[j])));
            }
        }
    }
    let cities = units.iter().filter(|u| u.kind == OrgKind::City).count();
    if cities != 1 {
        return Err(PlanError::file(
            ORG_UNITS,
            format!("应恰有1个市级单位(city),实有{cities}个"),
        ));
    }
    Ok(units)
}

// ---------------------------------------------------------------- clusters.csv

fn parse_clusters(text: &str, units: &[OrgUnit]) -> Result<Vec<Cluster>, PlanError> {
    let table = read_table(
        CLUSTERS,
        text,
        &[
            "code",
            "name",
            "county",
            "attachment",
            "industries",
            "full_name",
            "note",
        ],
    )?;
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for row in table.rows() {
        let code = row.required("code", "集群代码")?;
        if code.len() > 16
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(row.err(
                "code",
                format!("集群代码“{code}”应为不超过16位的ASCII字母、数字、-或_"),
            ));
        }
        if let Some(i) = clusters.iter().position(|c| c.code == code) {
            return Err(row.err("code", format!("集群代码“{code}”与第{}行重复", lines[i])));
        }
        let name = row.required("name", "集群名称")?;
        let county = row.required("county", "县(市)代码")?;
        match units.iter().find(|u| u.code == county) {
            None => return Err(row.err("county", format!("县(市)代码“{county}”不在组织机构表中"))),
            Some(u) if u.kind != OrgKind::County => {
                return Err(row.err(
                    "county",
                    format!(
                        "“{county}”({})是{},集群只能属于县(市)(kind=county)",
                        u.name,
                        u.kind.label_zh()
                    ),
                ));
            }
            Some(_) => {}
        }
        let attachment: u32 = row.int("attachment", "附件序号")?;
        if attachment == 0 {
            return Err(row.err("attachment", "附件序号应从1开始"));
        }
        if let Some(i) = clusters.iter().position(|c| c.attachment == attachment) {
            return Err(row.err(
                "attachment",
                format!("附件序号{attachment}与第{}行重复", lines[i]),
            ));
        }
        let list = row.list("industries", "行业代码")?;
        if list.is_empty() {
            return Err(row.err("industries", "行业代码不能为空(GB/T 4754-2017,多个以;分隔)"));
        }
        let mut industries = Vec::new();
        for s in &list {
            let ic = IndustryCode::parse(s).map_err(|e| row.err("industries", e.message))?;
            if industries.contains(&ic) {
                return Err(row.err("industries", format!("行业代码“{s}”重复")));
            }
            industries.push(ic);
        }
        let full_name = row.required("full_name", "集群全称")?;
        clusters.push(Cluster {
            code: code.to_string(),
            name: name.to_string(),
            full_name: full_name.to_string(),
            county: county.to_string(),
            attachment,
            industries,
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(clusters)
}

// ---------------------------------------------------------------- indicators.csv

fn is_indicator_code(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 48
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn parse_indicators(text: &str) -> Result<Vec<Indicator>, PlanError> {
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
    let table = read_table(INDICATORS, text, &cols)?;
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
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(out)
}

fn check_indicator<'a>(row: &Row<'_>, indicators: &'a [Indicator]) -> Result<&'a Indicator, PlanError> {
    let code = row.required("indicator", "指标代码")?;
    indicators
        .iter()
        .find(|i| i.code == code)
        .ok_or_else(|| row.err("indicator", format!("指标“{code}”不在指标表中")))
}

fn check_id(row: &Row<'_>, label: &str) -> Result<String, PlanError> {
    let id = row.required("id", label)?;
    if id.chars().any(char::is_whitespace) {
        return Err(row.err("id", format!("{label}“{id}”不能含空白")));
    }
    Ok(id.to_string())
}

// ---------------------------------------------------------------- targets.csv

/// `targets.csv`, or a follow-on plan's file in `targets.d/` (`follow_on`): the same columns, but
/// its deadlines may lie beyond this plan's target year, since a later plan continues this one.
fn parse_targets(
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
fn parse_follow_on_targets(
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

fn parse_quotas(text: &str, indicators: &[Indicator]) -> Result<Vec<Quota>, PlanError> {
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
    let table = read_table(QUOTAS, text, &cols)?;
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
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(out)
}

// ---------------------------------------------------------------- tasks.csv

fn parse_tasks(text: &str, units: &[OrgUnit]) -> Result<Vec<Task>, PlanError> {
    let cols = [
        "id",
        "clause",
        "action",
        "action_title",
        "item",
        "title",
        "responsible",
        "summary",
        "note",
    ];
    let table = read_table(TASKS, text, &cols)?;
    let mut out: Vec<Task> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "任务编号")?;
        if let Some(i) = out.iter().position(|t| t.id == id) {
            return Err(row.err("id", format!("任务编号“{id}”与第{}行重复", lines[i])));
        }
        let clause = row.required("clause", "条款编号")?;
        let action = row.required("action", "行动编号")?;
        if !clause.starts_with(action) {
            return Err(row.err("clause", format!("条款编号“{clause}”应以行动编号“{action}”开头")));
        }
        let action_title = row.required("action_title", "行动名称")?;
        if let Some(other) = out
            .iter()
            .find(|t| t.action == action && t.action_title != action_title)
        {
            return Err(row.err(
                "action_title",
                format!(
                    "行动“{action}”的名称“{action_title}”与任务“{}”的“{}”不一致",
                    other.id, other.action_title
                ),
            ));
        }
        let item: u32 = row.int("item", "项目序号")?;
        if item == 0 {
            return Err(row.err("item", "项目序号应从1开始"));
        }
        let title = row.required("title", "任务标题")?;
        let responsible = row.list("responsible", "责任单位")?;
        for code in &responsible {
            match units.iter().find(|u| &u.code == code) {
                None => return Err(row.err("responsible", format!("责任单位“{code}”不在组织机构表中"))),
                Some(u) if u.kind != OrgKind::Department => {
                    return Err(row.err(
                        "responsible",
                        format!("责任单位“{code}”({})是{},不是部门", u.name, u.kind.label_zh()),
                    ));
                }
                Some(_) => {}
            }
        }
        let summary = row.required("summary", "任务摘要")?;
        out.push(Task {
            id,
            clause: clause.to_string(),
            action: action.to_string(),
            action_title: action_title.to_string(),
            item,
            title: title.to_string(),
            responsible,
            summary: summary.to_string(),
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(out)
}
