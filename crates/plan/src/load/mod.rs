//! Reading a plan folder and checking every rule at load.

use crate::*;
use include_dir::{Dir, include_dir};
use std::collections::HashMap;

mod indicators;
mod meta;
mod org;
mod rows;
mod targets;
mod tasks;

use indicators::parse_indicators;
use meta::{check_meta_refs, parse_meta};
use org::{parse_clusters, parse_org_units};
use targets::{parse_follow_on_targets, parse_quotas, parse_targets};
use tasks::parse_tasks;

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
