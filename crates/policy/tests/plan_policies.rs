//! The Cangzhou policy files: all 21 load, and every YAML test beside them passes.

use clusterdesk_policy::{PolicySet, read_folder};
use std::path::PathBuf;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plan/policies")
}

const IDS: &[&str] = &[
    "jiebang_guashuai",
    "major_sci_tech_project",
    "park_entry_ranking",
    "new_above_scale",
    "small_to_above_scale",
    "tech_transformation",
    "informatization",
    "green_factory_national",
    "green_factory_provincial",
    "little_giant",
    "listing_a_share_counselling",
    "listing_a_share_accepted",
    "listing_overseas_accepted",
    "listing_overseas_approved",
    "entrepreneur_training",
    "lean_management",
    "well_known_trademark",
    "international_trademark",
    "design_award_match",
    "design_center_provincial",
    "design_center_national",
];

#[test]
fn all_21_policies_load() {
    let files = read_folder(&folder()).unwrap();
    let set = PolicySet::load(&files).unwrap();
    assert_eq!(set.len(), 21);
    for id in IDS {
        let p = set.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(!p.clause_text.is_empty());
    }
}

#[test]
fn every_yaml_test_passes_with_three_cases_per_policy() {
    let files = read_folder(&folder()).unwrap();
    let set = PolicySet::load(&files).unwrap();
    let report = set.run_tests(&files);
    println!("{}", report.render());
    assert!(report.ok(), "{}", report.render());
    for id in IDS {
        let n = report
            .cases
            .iter()
            .filter(|c| c.file == format!("{id}.test.yaml"))
            .count();
        assert!(n >= 3, "{id}: only {n} cases");
    }
    assert!(
        report
            .render()
            .ends_with(&format!("{} passed, 0 failed", report.passed))
    );
}

#[test]
fn clause_texts_are_verbatim_from_the_seed() {
    // The seed text lives in `shared/`, beside the checkout (`/work/main` and `/work/shared`;
    // CI puts a copy of `shared/` beside its clone). Without it this check cannot run: fail.
    let seed = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/seed/000_1fd0ebb41e88c6b0.txt"
    ));
    let text = std::fs::read_to_string(&seed).unwrap_or_else(|e| {
        panic!(
            "the plan's full text (沧政办规〔2022〕13号) is needed to check that every clause quote \
             is verbatim, and {} could not be read: {e}. Put a copy of `shared/` beside the checkout.",
            seed.display()
        )
    });
    let set = PolicySet::load(&read_folder(&folder()).unwrap()).unwrap();
    for p in set.policies() {
        assert!(
            text.contains(&p.clause_text),
            "{}: clause_text not verbatim",
            p.id
        );
        if let Some(q) = &p.funding.quote {
            assert!(text.contains(q), "{}: funding quote “{q}” not verbatim", p.id);
        }
        for values in p.parameters.values() {
            for v in values {
                assert!(
                    text.contains(&v.quote),
                    "{}: quote “{}” not verbatim",
                    p.id,
                    v.quote
                );
            }
        }
    }
}
