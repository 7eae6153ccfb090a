//! assessment.yaml: the embedded assessment loads with weights adding up to 100; a broken one
//! is refused naming the file, the line and the rule.

use clusterdesk_plan::assessment::{Scoring, Source};
use clusterdesk_plan::*;

fn embedded_text() -> String {
    Plan::embedded_files()
        .into_iter()
        .find(|f| f.path == "assessment.yaml")
        .expect("assessment.yaml is embedded")
        .text
}

/// The embedded plan with assessment.yaml's text edited by `f`.
fn with(f: impl Fn(&str) -> String) -> Result<Plan, PlanError> {
    let mut files = Plan::embedded_files();
    let a = files.iter_mut().find(|f| f.path == "assessment.yaml").unwrap();
    a.text = f(&a.text);
    Plan::from_files(files)
}

fn line_containing(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn refused(f: impl Fn(&str) -> String) -> PlanError {
    match with(f) {
        Ok(_) => panic!("a broken assessment.yaml was accepted"),
        Err(e) => {
            assert_eq!(e.file, "assessment.yaml", "{e}");
            e
        }
    }
}

#[test]
fn the_embedded_assessment_follows_the_plan() {
    let plan = Plan::embedded().unwrap();
    let a = plan
        .assessment
        .as_ref()
        .expect("the Cangzhou plan has an assessment");
    let w: Vec<(&str, u32)> = a.indicators.iter().map(|i| (i.code.as_str(), i.weight)).collect();
    assert_eq!(
        w,
        [
            ("revenue_growth", 30),
            ("net_new_above_scale", 30),
            ("park_entries", 25),
            ("reporting_timeliness", 15),
            ("problems_closed_on_time", 0),
        ]
    );
    let net = a.indicator("net_new_above_scale").unwrap();
    assert_eq!(net.clause, "三(二)2");
    assert_eq!(net.scoring, Scoring::TargetRatio);
    assert_eq!(net.cap_pct, Some(120.into()));
    assert_eq!(a.indicator("park_entries").unwrap().source, Source::ParkEntries);
    assert_eq!(a.indicator("park_entries").unwrap().clause, "三(二)1");
    assert_eq!(a.park_entry_policy, "park_entry_ranking");
    assert_eq!(a.tie_break[0], "park_entries");
    // Every county of the plan has a 2025 target.
    let t = &a.above_scale_targets[&2025];
    assert_eq!(t.len(), plan.counties().count());
}

#[test]
fn weights_must_add_up_to_100() {
    let text = embedded_text();
    let e = refused(|t| t.replace("weight: 15", "weight: 16"));
    assert_eq!(e.line, Some(line_containing(&text, "indicators:")), "{e}");
    assert!(e.message.contains("合计为 101"), "{e}");
}

#[test]
fn unknown_scoring_source_and_direction_name_their_line() {
    let text = embedded_text();
    let e = refused(|t| t.replace("scoring: min_max", "scoring: median"));
    assert_eq!(e.line, Some(line_containing(&text, "scoring: min_max")), "{e}");
    assert_eq!(e.column.as_deref(), Some("scoring"));
    assert!(e.message.contains("median"), "{e}");

    let e = refused(|t| t.replace("source: park_entries", "source: parks"));
    assert_eq!(
        e.line,
        Some(line_containing(&text, "source: park_entries")),
        "{e}"
    );
    assert!(e.message.contains("来源“parks”未知"), "{e}");

    let e = refused(|t| t.replacen("direction: higher", "direction: up", 1));
    assert_eq!(e.line, Some(line_containing(&text, "direction: higher")), "{e}");
}

#[test]
fn target_ratio_needs_its_cap_and_cap_only_there() {
    let text = embedded_text();
    let e = refused(|t| t.replace("    cap_pct: 120\n", ""));
    assert_eq!(
        e.line,
        Some(line_containing(&text, "scoring: target_ratio")),
        "{e}"
    );
    assert!(e.message.contains("cap_pct"), "{e}");
    let e = refused(|t| t.replace("scoring: min_max\n", "scoring: min_max\n    cap_pct: 100\n"));
    assert!(e.message.contains("只有 target_ratio"), "{e}");
}

#[test]
fn tie_break_names_known_indicators_once() {
    let text = embedded_text();
    let e = refused(|t| t.replace("tie_break: [park_entries,", "tie_break: [parks,"));
    assert_eq!(e.line, Some(line_containing(&text, "tie_break:")), "{e}");
    assert!(e.message.contains("“parks”"), "{e}");
    let e = refused(|t| {
        t.replace(
            "tie_break: [park_entries,",
            "tie_break: [park_entries, park_entries,",
        )
    });
    assert!(e.message.contains("重复"), "{e}");
}

#[test]
fn targets_name_counties_and_are_positive() {
    let text = embedded_text();
    let e = refused(|t| t.replacen("\"130928\": 2,", "\"130902\": 3,", 1));
    // 130902 新华区 is a district, not a county with clusters.
    assert_eq!(e.line, Some(line_containing(&text, "\"130928\": 2,")), "{e}");
    assert!(e.message.contains("130902"), "{e}");
    let e = refused(|t| t.replacen("\"130928\": 2,", "\"130928\": 0,", 1));
    assert!(e.message.contains("应为正整数"), "{e}");
    let e = refused(|t| t.replace("  - year: 2025\n", "  - year: 2024\n"));
    assert!(e.message.contains("2024 年的规上目标重复"), "{e}");
}

#[test]
fn unknown_field_and_missing_dataset() {
    let e = refused(|t| t.replace("decimals: 2", "decimals: 2\nrounding: up"));
    assert!(e.line.is_some(), "{e}");
    assert!(e.message.contains("rounding"), "{e}");
    let e = refused(|t| t.replace("dataset: cluster_monthly", "dataset: cluster_daily"));
    assert!(e.message.contains("cluster_daily"), "{e}");
}

#[test]
fn a_plan_without_assessment_loads() {
    let files: Vec<SourceFile> = Plan::embedded_files()
        .into_iter()
        .filter(|f| f.path != "assessment.yaml")
        .collect();
    assert!(Plan::from_files(files).unwrap().assessment.is_none());
}
