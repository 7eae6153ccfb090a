//! The incentive policy loader (`PolicySet::load`, what the server and `policy list` / `policy
//! test` use) with one policy file of the plan replaced or added, then `policy calc` on
//! arbitrary JSON, the file's own `*.test.yaml` and `policy list` against what loaded.
//!
//! Input: the file's path on the first line (`policies/NAME.yaml`), its YAML up to the first
//! NUL, and after it the `calc` input (`{"claims":[…],"ledger":[…]}`). Refusals are errors,
//! never panics.
#![no_main]

use chrono::NaiveDate;
use clusterdesk_policy::{PolicySet, calc_json, list_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (file, calc) = text.split_once('\0').unwrap_or((&text, ""));
    let (path, yaml) = file.split_once('\n').unwrap_or((file, ""));
    let mut files = clusterdesk_fuzz::policy_files().to_vec();
    match files.iter_mut().find(|(p, _)| p == path) {
        Some(f) => f.1 = yaml.to_string(),
        None => files.push((path.to_string(), yaml.to_string())),
    }
    let Ok(set) = PolicySet::load(&files) else { return };
    let _ = calc_json(&set, calc);
    if let Some(stem) = path.strip_suffix(".yaml") {
        let tests = format!("{stem}.test.yaml");
        let _ = set.run_tests(
            &files
                .iter()
                .filter(|(p, _)| *p == tests)
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    for day in ["2023-01-01", "2024-06-30", "2026-12-31"] {
        let _ = list_text(&set, NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("a date"));
    }
});
