//! The plan loader (`Plan::from_files`, what `Plan::embedded()` and `plan-check DIR` use) with
//! one file of the embedded plan replaced by the fuzz input: the first byte picks the file,
//! the rest is its text. It must refuse with an error, never panic.
#![no_main]

use clusterdesk_plan::{Plan, SourceFile};
use libfuzzer_sys::fuzz_target;

/// The files the loader reads, and a follow-on plan's targets.
const FILES: [&str; 12] = [
    "plan.yaml",
    "org_units.csv",
    "clusters.csv",
    "indicators.csv",
    "targets.csv",
    "quotas.csv",
    "tasks.csv",
    "datasets.yaml",
    "assessment.yaml",
    "validation.yaml",
    "reference.csv",
    "targets.d/fuzz.csv",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let path = FILES[which as usize % FILES.len()];
    let text = String::from_utf8_lossy(rest).into_owned();
    let mut files: Vec<SourceFile> = clusterdesk_fuzz::plan_files().to_vec();
    match files.iter_mut().find(|f| f.path == path) {
        Some(f) => f.text = text,
        None => files.push(SourceFile {
            path: path.to_string(),
            text,
        }),
    }
    let Ok(plan) = Plan::from_files(files) else { return };
    // What every page asks of a loaded plan.
    let _ = plan.city();
    let _ = plan.counties().count();
    for c in &plan.clusters {
        let _ = plan.clusters_of(&c.county);
    }
    for clause in plan.target_clauses() {
        let _ = plan.targets_of_clause(clause);
    }
    let _ = plan.qualification_kinds();
});
