//! `org_units.csv` and `clusters.csv`: the org tree and the clusters the counties own.

use super::{CLUSTERS, ORG_UNITS};
use crate::table::read_table;
use crate::*;
use std::collections::HashMap;

// ---------------------------------------------------------------- org_units.csv

fn is_dept_code(s: &str) -> bool {
    let b = s.as_bytes();
    (2..=16).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

pub(super) fn parse_org_units(text: &str) -> Result<Vec<OrgUnit>, PlanError> {
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

pub(super) fn parse_clusters(text: &str, units: &[OrgUnit]) -> Result<Vec<Cluster>, PlanError> {
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
