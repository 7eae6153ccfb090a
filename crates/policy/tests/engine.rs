//! The engine through its public API: each formula kind, rounding, caps, the ledger, the rank
//! transfer, the JSON contract and load-time refusals.

use chrono::NaiveDate;
use clusterdesk_domain::{Fen, Uscc};
use clusterdesk_policy::{
    Claim, LedgerEntry, PolicyError, PolicySet, Status, calc_json, list_text, read_folder,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

const E1: &str = "91130981MA0AB12CXA";
const E2: &str = "91130982MA0CD34EFX";

fn plan_files() -> Vec<(String, String)> {
    read_folder(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plan/policies")).unwrap()
}

fn set() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| PolicySet::load(&plan_files()).unwrap())
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn claim(policy: &str, date: &str) -> Claim {
    let mut c = Claim::new(policy, d(date));
    c.enterprise = Some(Uscc::parse(E1).unwrap());
    c
}

fn yuan(s: &str) -> Fen {
    Fen::parse_yuan(s).unwrap()
}

fn paid(policy: &str, ent: &str, date: &str, amount: &str) -> LedgerEntry {
    LedgerEntry {
        policy: policy.into(),
        enterprise: Some(Uscc::parse(ent).unwrap()),
        county: None,
        date: d(date),
        paid: yuan(amount),
        project: None,
    }
}

fn one(c: &Claim, ledger: &[LedgerEntry]) -> clusterdesk_policy::Outcome {
    let mut v = set().evaluate(c, ledger).unwrap();
    assert_eq!(v.len(), 1);
    v.remove(0)
}

// ---- formula kinds ----

#[test]
fn fixed_amount() {
    let o = one(&claim("new_above_scale", "2024-03-01"), &[]);
    assert_eq!(
        (o.status, o.amount, o.capped),
        (Status::Eligible, yuan("20000"), false)
    );
    assert_eq!(o.clause, "三(二)2");
}

#[test]
fn share_with_cap_and_its_boundary() {
    let cases = [
        ("1999999.99", "999999.99", false),
        ("2000000.00", "1000000.00", false), // equal to the cap: not capped
        ("2000000.01", "1000000.00", true),  // 1,000,000.005 exceeds the cap
        ("2000000.02", "1000000.00", true),
        ("3000000", "1000000.00", true),
    ];
    for (base, want, capped) in cases {
        let mut c = claim("informatization", "2024-03-01");
        c.base = Some(yuan(base));
        let o = one(&c, &[]);
        assert_eq!(o.status, Status::Eligible, "{base}");
        assert_eq!(o.amount, yuan(want), "{base}");
        assert_eq!(o.capped, capped, "{base}");
    }
}

#[test]
fn rounding_is_down_to_fen_by_default_and_half_up_on_request() {
    let mut c = claim("informatization", "2024-03-01");
    c.base = Some(yuan("0.03")); // 1.5 fen
    let o = one(&c, &[]);
    assert_eq!(o.amount, Fen(1));
    let r = o.trace.iter().find(|s| s.step == "rounding").unwrap();
    assert!(r.text.contains("向下取整到分"));
    c.readings.insert("rounding".into(), json!("half_up_to_fen"));
    assert_eq!(one(&c, &[]).amount, Fen(2));
    // 30% of 0.05 = 0.015 -> 0.01
    let mut t = claim("international_trademark", "2024-03-01");
    t.base = Some(yuan("0.05"));
    assert_eq!(one(&t, &[]).amount, Fen(1));
}

#[test]
fn cap_only() {
    let mut c = claim("tech_transformation", "2024-03-01");
    c.approved = Some(yuan("5000000"));
    let o = one(&c, &[]);
    assert_eq!((o.amount, o.capped), (yuan("5000000"), false));
    c.approved = Some(yuan("5000000.01"));
    let o = one(&c, &[]);
    assert_eq!((o.amount, o.capped), (yuan("5000000"), true));
    assert!(!o.flags.is_empty());
    c.approved = None;
    let o = one(&c, &[]);
    assert_eq!(o.status, Status::Unknown);
    assert_eq!(o.missing, vec!["approved_yuan"]);
}

#[test]
fn milestone_series() {
    let mut c = claim("listing_a_share_accepted", "2024-03-01");
    c.facts.insert("accepted_by".into(), json!("sse"));
    // Default reading: each stage is its own trigger, paid without the first stage.
    let o = one(&c, &[]);
    assert_eq!((o.status, o.amount), (Status::Eligible, yuan("2000000")));
    // Requiring the first stage.
    c.readings.insert("requires_previous_stage".into(), json!(true));
    assert_eq!(one(&c, &[]).status, Status::NotEligible);
    let first = paid("listing_a_share_counselling", E1, "2023-01-01", "1000000");
    assert_eq!(one(&c, std::slice::from_ref(&first)).amount, yuan("2000000"));
    // Each stage once.
    let again = paid("listing_a_share_accepted", E1, "2023-06-01", "2000000");
    assert_eq!(one(&c, &[first, again]).status, Status::NotEligible);
}

#[test]
fn ledger_one_time_per_enterprise() {
    let c = claim("well_known_trademark", "2024-03-01");
    let o = one(&c, &[paid("well_known_trademark", E1, "2023-01-01", "200000")]);
    assert_eq!((o.status, o.amount), (Status::NotEligible, Fen::ZERO));
    assert!(o.trace.iter().any(|s| s.text.contains("只享受一次")));
    // Another enterprise's payout does not count.
    let o = one(&c, &[paid("well_known_trademark", E2, "2023-01-01", "200000")]);
    assert_eq!(o.status, Status::Eligible);
}

#[test]
fn cumulative_cap_subtracts_earlier_payouts() {
    let mut c = claim("international_trademark", "2024-03-01");
    c.base = Some(yuan("600000")); // 30% = 180,000
    let ledger = [paid("international_trademark", E1, "2023-01-01", "150000")];
    let o = one(&c, &ledger);
    assert_eq!((o.amount, o.capped), (yuan("50000"), true));
}

#[test]
fn green_factory_two_events_never_two_levels_for_one() {
    let prov = paid("green_factory_provincial", E1, "2022-12-01", "300000");
    let o = one(
        &claim("green_factory_national", "2024-03-01"),
        std::slice::from_ref(&prov),
    );
    assert_eq!(o.amount, yuan("500000"));
    let same_day = paid("green_factory_provincial", E1, "2024-03-01", "300000");
    assert_eq!(
        one(&claim("green_factory_national", "2024-03-01"), &[same_day]).status,
        Status::NotEligible
    );
}

#[test]
fn required_and_defaulted_facts() {
    let c = claim("little_giant", "2024-03-01");
    let o = one(&c, &[]);
    assert_eq!(
        (o.status, o.missing.clone()),
        (Status::Unknown, vec!["recognition_level".to_string()])
    );
    let mut c2 = c.clone();
    c2.facts.insert("recognition_level".into(), json!("national"));
    assert_eq!(one(&c2, &[]).status, Status::NotEligible);
    let mut c3 = c.clone();
    c3.facts.insert("recognition_level".into(), json!("national_key"));
    assert_eq!(one(&c3, &[]).amount, yuan("1000000"));
    let mut a = claim("listing_a_share_counselling", "2024-03-01");
    a.facts
        .insert("counselling_filed_with_hebei_bureau".into(), json!(true));
    assert_eq!(one(&a, &[]).missing, vec!["entered_counselling"]);
}

// ---- rank transfer ----

const C14: [&str; 14] = [
    "130983", "130982", "130984", "130981", "130926", "130929", "130928", "130923", "130927", "130922",
    "130921", "130930", "130925", "130924",
];

fn rank(scores: &[i64]) -> Result<BTreeMap<String, (i64, bool)>, PolicyError> {
    let mut c = Claim::new("park_entry_ranking", d("2024-12-31"));
    c.scores = Some(
        C14.iter()
            .zip(scores)
            .map(|(code, s)| (code.to_string(), Decimal::from(*s)))
            .collect(),
    );
    let out = set().evaluate(&c, &[])?;
    assert_eq!(
        out.iter().map(|o| o.amount.0).sum::<i64>(),
        0,
        "transfers sum to zero"
    );
    Ok(out
        .into_iter()
        .map(|o| (o.county.clone().unwrap(), (o.amount.0 / 100, !o.flags.is_empty())))
        .collect())
}

#[test]
fn rank_transfer_distinct_scores() {
    let r = rank(&[95, 92, 90, 88, 85, 80, 78, 75, 70, 66, 60, 55, 50, 40]).unwrap();
    assert_eq!(r.len(), 14);
    let want = [
        5_000_000, 3_000_000, 1_000_000, 0, 0, 0, 0, 0, 0, 0, 0, -1_000_000, -3_000_000, -5_000_000,
    ];
    for (code, w) in C14.iter().zip(want) {
        assert_eq!(r[*code], (w, false), "{code}");
    }
}

#[test]
fn rank_transfer_tie_at_second_and_third() {
    let r = rank(&[95, 90, 90, 88, 85, 80, 78, 75, 70, 66, 60, 55, 50, 40]).unwrap();
    assert_eq!(r["130983"], (5_000_000, false));
    assert_eq!(r["130982"], (2_000_000, true));
    assert_eq!(r["130984"], (2_000_000, true));
    assert_eq!(r["130924"], (-5_000_000, false));
}

#[test]
fn rank_transfer_tie_among_last_places() {
    // Last two tied: −3,000,000 − 5,000,000 pooled, −4,000,000 each.
    let r = rank(&[95, 92, 90, 88, 85, 80, 78, 75, 70, 66, 60, 55, 40, 40]).unwrap();
    assert_eq!(r["130930"], (-1_000_000, false));
    assert_eq!(r["130925"], (-4_000_000, true));
    assert_eq!(r["130924"], (-4_000_000, true));
    // Places 11–14 tied: 0 − 1,000,000 − 3,000,000 − 5,000,000 = −9,000,000 over four.
    let r = rank(&[95, 92, 90, 88, 85, 80, 78, 75, 70, 66, 10, 10, 10, 10]).unwrap();
    for code in &C14[10..] {
        assert_eq!(r[*code], (-2_250_000, true));
    }
    assert_eq!(r["130922"], (0, false));
}

#[test]
fn rank_transfer_uneven_split_is_deterministic() {
    let mut c = Claim::new("park_entry_ranking", d("2024-12-31"));
    let scores = [95, 92, 90, 90, 90, 80, 78, 75, 70, 66, 60, 55, 50, 40];
    c.scores = Some(
        C14.iter()
            .zip(scores)
            .map(|(code, s)| (code.to_string(), Decimal::from(s)))
            .collect(),
    );
    let out = set().evaluate(&c, &[]).unwrap();
    let by: BTreeMap<_, _> = out
        .iter()
        .map(|o| (o.county.clone().unwrap(), o.amount.0))
        .collect();
    // 1,000,000 yuan = 100,000,000 fen over three: 33,333,334 to the lowest code, 33,333,333 to the others.
    assert_eq!(by["130926"], 33_333_334);
    assert_eq!(by["130981"], 33_333_333);
    assert_eq!(by["130984"], 33_333_333);
    assert_eq!(out.iter().map(|o| o.amount.0).sum::<i64>(), 0);
}

#[test]
fn rank_transfer_needs_six_counties() {
    let mut c = Claim::new("park_entry_ranking", d("2024-12-31"));
    c.scores = Some(
        C14[..5]
            .iter()
            .enumerate()
            .map(|(i, code)| (code.to_string(), Decimal::from(i as i64)))
            .collect(),
    );
    let e = set().evaluate(&c, &[]).unwrap_err();
    assert!(e.to_string().contains("至少需要 6 个"), "{e}");
    c.scores = Some(
        C14[..6]
            .iter()
            .enumerate()
            .map(|(i, code)| (code.to_string(), Decimal::from(i as i64)))
            .collect(),
    );
    assert_eq!(set().evaluate(&c, &[]).unwrap().len(), 6);
}

// ---- the JSON contract ----

#[test]
fn contract_example() {
    let input = r#"{"claims":[{"policy":"informatization","enterprise":"91130981MA0AB12CXA","date":"2024-03-01","base_yuan":"3000000"}],
        "ledger":[{"policy":"listing_a_share_counselling","enterprise":"91130981MA0AB12CXA","date":"2023-01-01","paid_yuan":"1000000"}]}"#;
    let v = calc_json(set(), input).unwrap();
    let r = &v["results"][0];
    assert_eq!(r["policy"], "informatization");
    assert_eq!(r["clause"], "三(三)1");
    assert_eq!(r["status"], "eligible");
    assert_eq!(r["amount_yuan"], "1000000.00");
    assert_eq!(r["amount_fen"], 100000000);
    assert_eq!(r["capped"], true);
    assert_eq!(r["missing"], json!([]));
    let steps: Vec<&str> = r["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    for s in ["rule", "base", "share", "cap", "rounding", "result"] {
        assert!(steps.contains(&s), "{s} in {steps:?}");
    }
    assert!(
        r["trace"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["clause"].as_str().is_some_and(|c| !c.is_empty()))
    );
}

#[test]
fn contract_rank_transfer_gives_one_signed_result_per_county() {
    let scores: serde_json::Map<String, Value> = C14
        .iter()
        .enumerate()
        .map(|(i, c)| (c.to_string(), json!(100.5 - i as f64)))
        .collect();
    let v = calc_json(
        set(),
        &json!({"claims":[{"policy":"park_entry_ranking","date":"2024-12-31","scores":scores}]}).to_string(),
    )
    .unwrap();
    let rs = v["results"].as_array().unwrap();
    assert_eq!(rs.len(), 14);
    assert_eq!(rs[0]["county"], "130983");
    assert_eq!(rs[0]["amount_yuan"], "5000000.00");
    assert_eq!(rs[13]["amount_yuan"], "-5000000.00");
}

fn calc_err(claim: Value) -> String {
    calc_json(
        set(),
        &json!({ "claims": [ {"policy":"new_above_scale","enterprise":E1,"date":"2024-03-01"}, claim ] })
            .to_string(),
    )
    .unwrap_err()
    .to_string()
}

#[test]
fn bad_input_names_claim_and_field() {
    let e =
        calc_err(json!({"policy":"new_above_scale","enterprise":"91130981MA0AB12CXB","date":"2024-03-01"}));
    assert_eq!(
        e,
        "第2条申请的字段 enterprise:统一社会信用代码“91130981MA0AB12CXB”校验位错误:应为“A”"
    );
    let e = calc_err(json!({"policy":"no_such","date":"2024-03-01"}));
    assert!(e.starts_with("第2条申请的字段 policy:"), "{e}");
    let e =
        calc_err(json!({"policy":"informatization","enterprise":E1,"date":"2024-03-01","base_yuan":"-5"}));
    assert!(e.starts_with("第2条申请的字段 base_yuan:"), "{e}");
    let e = calc_err(json!({"policy":"informatization","enterprise":E1,"date":"2024-13-01","base_yuan":"5"}));
    assert!(e.starts_with("第2条申请的字段 date:"), "{e}");
    let e = calc_err(json!({"policy":"informatization","enterprise":E1,"date":"2024-03-01","base":"5"}));
    assert!(e.starts_with("第2条申请的字段 base:未知字段"), "{e}");
    let e =
        calc_err(json!({"policy":"little_giant","enterprise":E1,"date":"2024-03-01","facts":{"level":"x"}}));
    assert!(e.starts_with("第2条申请的字段 facts.level:"), "{e}");
    let e = calc_err(json!({"policy":"park_entry_ranking","date":"2024-03-01","scores":{"130981":1}}));
    assert!(e.starts_with("第2条申请的字段 scores:"), "{e}");
    let e = calc_json(
        set(),
        &json!({"claims":[],"ledger":[{"policy":"little_giant","enterprise":E1,"date":"x","paid_yuan":"1"}]})
            .to_string(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("第1条台账记录的字段 date:"), "{e}");
}

#[test]
fn list_shows_every_policy_with_clause_and_parameters() {
    let t = list_text(set(), d("2025-01-01"));
    for p in set().policies() {
        assert!(t.contains(&p.id) && t.contains(&p.clause), "{}", p.id);
    }
    assert!(t.contains("cap_yuan=1,000,000.00"));
    assert!(t.contains("share=50%"));
}

// ---- dated parameters and load-time refusals ----

const MINI: &str = r#"
id: mini
name: 测试
clause: 三(二)2
clause_text: 每年度新建入统企业奖励2万元
funding: {source: 市级财政, clause: 三(二)2}
responsible: {units: [市工信局], clause: 三(二)2}
kind: fixed
parameters:
  amount_yuan:
    - {from: 2022-08-10, value: "20000", clause: 三(二)2, quote: 奖励2万元}
    - {from: 2025-01-01, value: "30000", clause: 三(二)2, quote: 假设的新文件}
readings:
  - {name: events_before_issue, clause: 三(二)2, default: excluded, options: [paid, excluded], why: 测试}
  - {name: per, clause: 三(二)2, default: enterprise, why: 测试}
"#;

fn load_one(path: &str, text: &str) -> Result<PolicySet, PolicyError> {
    PolicySet::load(&[(path.to_string(), text.to_string())])
}

#[test]
fn dated_parameters_follow_the_event_date() {
    let s = load_one("policies/mini.yaml", MINI).unwrap();
    let amount = |date: &str| {
        let mut c = Claim::new("mini", d(date));
        c.enterprise = Some(Uscc::parse(E1).unwrap());
        s.evaluate(&c, &[]).unwrap().remove(0)
    };
    assert_eq!(amount("2024-12-31").amount, yuan("20000"));
    assert_eq!(amount("2025-01-01").amount, yuan("30000"));
    assert_eq!(amount("2022-08-09").status, Status::NotEligible); // events_before_issue=excluded
}

#[test]
fn unknown_field_is_refused_naming_the_file() {
    let text = MINI.replace("kind: fixed", "kind: fixed\nbonus: 1");
    let e = load_one("policies/mini.yaml", &text).unwrap_err();
    assert!(
        matches!(&e, PolicyError::Load { file, .. } if file == "policies/mini.yaml"),
        "{e}"
    );
    assert!(e.to_string().contains("bonus"), "{e}");
}

#[test]
fn value_without_clause_is_refused() {
    let text = MINI.replace(
        "value: \"30000\", clause: 三(二)2",
        "value: \"30000\", clause: \"\"",
    );
    let e = load_one("policies/mini.yaml", &text).unwrap_err().to_string();
    assert!(e.contains("没有条款"), "{e}");
    let text = MINI.replace(
        "{from: 2025-01-01, value: \"30000\", clause: 三(二)2, quote: 假设的新文件}",
        "{from: 2025-01-01, value: \"30000\", quote: x}",
    );
    assert!(load_one("policies/mini.yaml", &text).is_err());
}

#[test]
fn other_refusals() {
    // Two values from the same date: two rules would apply.
    let text = MINI.replace("2025-01-01", "2022-08-10");
    assert!(
        load_one("policies/mini.yaml", &text)
            .unwrap_err()
            .to_string()
            .contains("两个取值")
    );
    // Unknown reading.
    let text = MINI.replace("name: per,", "name: perhaps,");
    assert!(load_one("policies/mini.yaml", &text).is_err());
    // File name must be the id.
    assert!(load_one("policies/other.yaml", MINI).is_err());
    // Duplicate id.
    let two = [
        ("policies/mini.yaml".to_string(), MINI.to_string()),
        ("x/policies/mini.yaml".to_string(), MINI.to_string()),
    ];
    assert!(PolicySet::load(&two).unwrap_err().to_string().contains("重复"));
    // Test files and files outside policies/ are not policies.
    let files = [
        ("policies/mini.test.yaml".to_string(), "junk: [".to_string()),
        ("plan/org.yaml".to_string(), "x: 1".to_string()),
    ];
    assert!(PolicySet::load(&files).unwrap().is_empty());
}

#[test]
fn yaml_test_report_format() {
    let s = load_one("policies/mini.yaml", MINI).unwrap();
    let tests = r#"
cases:
  - name: right
    claim: {enterprise: 91130981MA0AB12CXA, date: 2024-01-01}
    expect: {status: eligible, amount_yuan: "20000"}
  - name: wrong
    claim: {enterprise: 91130981MA0AB12CXA, date: 2024-01-01}
    expect: {amount_yuan: "1"}
"#;
    let r = s.run_tests(&[("policies/mini.test.yaml".into(), tests.into())]);
    assert_eq!((r.passed, r.failed), (1, 1));
    let text = r.render();
    assert!(text.lines().next().unwrap().contains("policies/mini.test.yaml") && text.contains("wrong"));
    assert!(text.ends_with("1 passed, 1 failed"));
}

#[test]
fn rank_transfer_runs_once_a_year() {
    let mut c = Claim::new("park_entry_ranking", d("2024-12-31"));
    c.scores = Some(
        C14.iter()
            .enumerate()
            .map(|(i, code)| (code.to_string(), Decimal::from(100 - i as i64)))
            .collect(),
    );
    let done = LedgerEntry {
        policy: "park_entry_ranking".into(),
        enterprise: None,
        county: Some("130983".into()),
        date: d("2024-06-30"),
        paid: yuan("5000000"),
        project: None,
    };
    let out = set().evaluate(&c, std::slice::from_ref(&done)).unwrap();
    assert!(
        out.iter()
            .all(|o| o.status == Status::NotEligible && o.amount == Fen::ZERO)
    );
    let next_year = LedgerEntry {
        date: d("2023-06-30"),
        ..done
    };
    let out = set().evaluate(&c, &[next_year]).unwrap();
    assert_eq!(out[0].amount, yuan("5000000"));
}
