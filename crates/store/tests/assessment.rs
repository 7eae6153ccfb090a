//! The county assessment on a hand-made fixture of the 14 counties; every figure is computed by
//! hand in the comments. Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.
//!
//! Counties in code order: c1 130921 沧县, c2 130922 青县, c3 130923 东光县, c4 130924 海兴县,
//! c5 130925 盐山县, c6 130926 肃宁县, c7 130927 南皮县, c8 130928 吴桥县, c9 130929 献县,
//! c10 130930 孟村, c11 130981 泊头市, c12 130982 任丘市, c13 130983 黄骅市, c14 130984 河间市.
//! Every figure is put on each county's first cluster.
//!
//! The plan's assessment.yaml is used as shipped (weights 30/30/25/15/0, tie-break park →
//! net new → revenue → timeliness, target ratio capped at 120%) with the 2024 targets removed
//! and the 2025 targets replaced: c1 4, c2 2, c9 5, every other county 2.
//!
//! 2025 (as of December; "today" 2026-03-01, so all twelve months are due):
//! - revenue: 2024-01 100亿 for everyone; 2025-01 110亿 (+10%) except c13 120亿 (+20%) and c14
//!   100亿 (0%). Min–max: 10% → (10 − 0)/(20 − 0) = 50; c13 100; c14 0.
//! - park entries (2025-06): 10, 8, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 0, 0 (c1..c14).
//!   Competition ranks 1, 2, 2, 4, 5, 6, 7, 7, 9, 9, 11, 11, 13, 13 of n = 14; points
//!   100 × (14 − r) / 13: 100, 92.31, 92.31, 76.92, 69.23, 61.54, 53.85, 53.85, 38.46, 38.46,
//!   23.08, 23.08, 7.69, 7.69.
//! - 规上: c1 starts with A (since 2020-01-01) and B (2019-01-01, no longer from 2025-06-30);
//!   C enters 2025-03-01 (revenue reported since 2022-05 → 小升规), D enters 2025-07-01 (no
//!   figures → 新建入统或无法区分). Start 2, entered 2, exits 1, net 1, target 4 → 25% →
//!   100 × 0.25 / 1.2 = 20.83. c2: three enter, net 3, target 2 → 150% capped at 120% → 100.
//!   c9: three enter, target 5 → 60% → 50. Everyone else net 0 → 0.
//! - timeliness: c1 twelve months on time → 100; c2 nine on time, three late → 75;
//!   c10 twelve on time → 100; c14 eleven on time (December's at 2026-01-10T15:30Z = Beijing
//!   2026-01-10 23:30, the deadline day, on time) and November's at 2025-12-10T16:30Z = Beijing
//!   12-11 00:30, late → 11/12 = 91.67; the others never submitted → 0.
//!
//! Composite = (30 rev + 30 net + 25 park + 15 time) / 100, rounded to 0.01:
//!   c1  1500 + 624.9 + 2500 + 1500           = 6124.9  → 61.25
//!   c2  1500 + 3000 + 2307.75 + 1125         = 7932.75 → 79.33
//!   c3  1500 + 2307.75                       = 3807.75 → 38.08
//!   c4  1500 + 1923                          = 3423    → 34.23
//!   c5  1500 + 1730.75                       = 3230.75 → 32.31
//!   c6  1500 + 1538.5                        = 3038.5  → 30.39 (30.385 half away from zero)
//!   c7  1500 + 1346.25                       = 2846.25 → 28.46, c8 the same: tied throughout
//!   c9  1500 + 1500 (net 50) + 961.5         = 3961.5  → 39.62
//!   c10 1500 + 961.5 + 1500 (time 100)       = 3961.5  → 39.62: equal composite, park equal,
//!       then net new 50 > 0 puts c9 ahead (tie broken)
//!   c11 1500 + 577 = 2077 → 20.77, c12 the same: tied throughout
//!   c13 3000 + 192.25                        = 3192.25 → 31.92
//!   c14 0 + 0 + 192.25 + 1375.05             = 1567.3  → 15.67
//! Ranks: c2 1, c1 2, c9 3, c10 4, c3 5, c4 6, c5 7, c13 8, c6 9, c7 = c8 10, c11 = c12 12, c14 14.
//!
//! 2024 (last year): only c14 has park entries (20 in 2024-05); no 2023 revenue and no 2024
//! targets → revenue growth and net new have no data and drop out; timeliness 0 for all.
//! Composite = 25 park + 15 time over 40: c14 25 × 100 / 40 = 62.5, rank 1; the others 0, rank 2.
//! So c14 falls 13 places (1 → 14), c2 gains 1 (2 → 1).
//!
//! 三(二)1 transfer on park entries: c1 1st +500万; c2, c3 tied 2nd–3rd pool 300万 + 100万 →
//! 200万 each; c11, c12 tied 11th–12th pool 0 − 100万 → −50万 each; c13, c14 tied 13th–14th pool
//! −300万 − 500万 → −400万 each. Sum 500 + 400 − 100 − 800 = 0.

use chrono::NaiveDate;
use clusterdesk_domain::{QualKind, Role, Uscc, uscc};
use clusterdesk_plan::Plan;
use clusterdesk_policy::PolicySet;
use clusterdesk_store::assessment::AssessmentReport;
use clusterdesk_store::registry::{EnterpriseInput, Qualification};
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store, StoreError};
use std::sync::Arc;

const YI: i64 = 10_000_000_000;
const C: [&str; 14] = [
    "130921", "130922", "130923", "130924", "130925", "130926", "130927", "130928", "130929", "130930",
    "130981", "130982", "130983", "130984",
];

fn make_uscc(county: &str, n: u32) -> String {
    let s = format!("91{county}MA{n:07}");
    let c = uscc::check_char(s.as_bytes()).unwrap();
    format!("{s}{c}")
}

fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

fn test_plan() -> Plan {
    let mut files = Plan::embedded_files();
    let a = files.iter_mut().find(|f| f.path == "assessment.yaml").unwrap();
    let mut text = String::new();
    let mut year = 0;
    for line in a.text.lines() {
        if let Some(y) = line.strip_prefix("  - year: ") {
            year = y.trim().parse().unwrap();
        }
        let line = if line.trim_start().starts_with("counties: {") && year == 2025 {
            let t: Vec<String> = C
                .iter()
                .map(|c| {
                    let n = match *c {
                        "130921" => 4,
                        "130929" => 5,
                        _ => 2,
                    };
                    format!("\"{c}\": {n}")
                })
                .collect();
            format!("    counties: {{{}}}", t.join(", "))
        } else {
            line.to_string()
        };
        text.push_str(&line);
        text.push('\n');
    }
    // Drop the 2024 block (its four lines).
    let start = text.find("  - year: 2024").unwrap();
    let end = text.find("  - year: 2025").unwrap();
    text.replace_range(start..end, "");
    a.text = text;
    Plan::from_files(files).unwrap()
}

fn policies(plan: &Plan) -> PolicySet {
    let files: Vec<(String, String)> = plan
        .extra_files
        .iter()
        .filter(|f| f.path.starts_with("policies/"))
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    PolicySet::load(&files).unwrap()
}

async fn fixture() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(test_plan());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let admin = Actor::system("test");
    let first_cluster = |c: &str| plan.clusters_of(c)[0].code.clone();

    // Enterprises: c1 A B C D; c2 three; c9 three.
    let mut ents = Vec::new();
    let mut quals: Vec<(String, &str, Option<&str>)> = Vec::new();
    let mut n = 0;
    let mut ent = |county: &str| {
        n += 1;
        let u = make_uscc(county, n);
        let cl = first_cluster(county);
        ents.push(EnterpriseInput {
            uscc: Uscc::parse(&u).unwrap(),
            name: format!("测试企业{n}"),
            county_code: county.into(),
            industry: plan.cluster(&cl).unwrap().industries[0].clone(),
            cluster_code: Some(cl),
            cluster_since: Some("2018-01-01".into()),
            address: String::new(),
            contact: String::new(),
        });
        u
    };
    let a = ent(C[0]);
    let b = ent(C[0]);
    let c = ent(C[0]);
    let d = ent(C[0]);
    quals.push((a, "2020-01-01", None));
    quals.push((b, "2019-01-01", Some("2025-06-30")));
    quals.push((c.clone(), "2025-03-01", None));
    quals.push((d, "2025-07-01", None));
    for county in [C[1], C[8]] {
        for _ in 0..3 {
            let u = ent(county);
            quals.push((u, "2025-01-01", None));
        }
    }
    store
        .upsert_enterprises(&admin, &ents, false)
        .await
        .unwrap()
        .unwrap();
    for (u, from, to) in &quals {
        let q = Qualification {
            kind: QualKind::AboveScale,
            level: String::new(),
            valid_from: (*from).into(),
            valid_to: to.map(str::to_string),
            detail: String::new(),
        };
        store.add_qualification(&admin, u, &q).await.unwrap();
    }

    let mut vals = vec![v(&c, "revenue", "2022-05", 3 * YI / 100)];
    let park = [10, 8, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 0, 0];
    for (k, county) in C.iter().enumerate() {
        let cl = first_cluster(county);
        vals.push(v(&cl, "revenue", "2024-01", 100 * YI));
        let rev25 = match k {
            12 => 120,
            13 => 100,
            _ => 110,
        };
        vals.push(v(&cl, "revenue", "2025-01", rev25 * YI));
        vals.push(v(&cl, "park_entries", "2025-06", park[k]));
    }
    vals.push(v(&first_cluster(C[13]), "park_entries", "2024-05", 20));
    store.upsert_values(&admin, &vals).await.unwrap();

    // Submissions of cluster_monthly for 2025: (county, month, submitted_at).
    let mut subs: Vec<(&str, u32, String)> = Vec::new();
    let on_time = |m: u32| {
        let (y, mm) = if m == 12 { (2026, 1) } else { (2025, m + 1) };
        format!("{y}-{mm:02}-05T01:00:00.000Z")
    };
    for m in 1..=12 {
        subs.push((C[0], m, on_time(m)));
        subs.push((C[9], m, on_time(m)));
        // c2: March, June and September late (the 12th of the month after).
        let late = [3, 6, 9].contains(&m);
        subs.push((
            C[1],
            m,
            if late {
                format!("2025-{:02}-12T01:00:00.000Z", m + 1)
            } else {
                on_time(m)
            },
        ));
        let c14 = match m {
            11 => "2025-12-10T16:30:00.000Z".to_string(),
            12 => "2026-01-10T15:30:00.000Z".to_string(),
            _ => on_time(m),
        };
        subs.push((C[13], m, c14));
    }
    for (county, m, at) in subs {
        sqlx::query(
            "INSERT INTO submissions (dataset, county_code, period, status, submitted_at, updated_by, updated_at)
             VALUES ('cluster_monthly', $1, $2, 'accepted', $3, 'test', $3)",
        )
        .bind(county)
        .bind(format!("2025-{m:02}"))
        .bind(&at)
        .execute(store.pool())
        .await
        .unwrap();
    }
    (store, dir)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn row<'a>(r: &'a AssessmentReport, county: &str) -> &'a clusterdesk_store::assessment::CountyResult {
    r.rows.iter().find(|x| x.county == county).unwrap()
}

fn score(r: &AssessmentReport, county: &str, code: &str) -> String {
    let k = r.indicators.iter().position(|i| i.code == code).unwrap();
    row(r, county).values[k].score.clone().unwrap_or_default()
}

#[tokio::test]
async fn scores_ranks_tie_breaks_and_transfers_by_hand() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    let r = store
        .assessment(&Actor::system("test"), &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(r.complete);
    // Indicator scores.
    assert_eq!(score(&r, C[0], "revenue_growth"), "50.00");
    assert_eq!(score(&r, C[12], "revenue_growth"), "100.00");
    assert_eq!(score(&r, C[13], "revenue_growth"), "0.00");
    assert_eq!(score(&r, C[1], "park_entries"), "92.31");
    assert_eq!(score(&r, C[10], "park_entries"), "23.08");
    assert_eq!(score(&r, C[0], "net_new_above_scale"), "20.83");
    assert_eq!(score(&r, C[1], "net_new_above_scale"), "100.00");
    assert_eq!(score(&r, C[8], "net_new_above_scale"), "50.00");
    assert_eq!(score(&r, C[1], "reporting_timeliness"), "75.00");
    assert_eq!(score(&r, C[13], "reporting_timeliness"), "91.67");
    assert_eq!(score(&r, C[2], "reporting_timeliness"), "0.00");
    // problems_closed_on_time: no data, weight 0, not available.
    let p = r
        .indicators
        .iter()
        .find(|i| i.code == "problems_closed_on_time")
        .unwrap();
    assert!(!p.available);
    assert_eq!(score(&r, C[0], "problems_closed_on_time"), "");

    // Composite and rank, best first.
    let got: Vec<(&str, &str, usize, bool, bool)> = r
        .rows
        .iter()
        .map(|x| {
            (
                x.county.as_str(),
                x.composite.as_str(),
                x.rank,
                x.tied,
                x.tie_broken,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (C[1], "79.33", 1, false, false),
            (C[0], "61.25", 2, false, false),
            (C[8], "39.62", 3, false, true),
            (C[9], "39.62", 4, false, true),
            (C[2], "38.08", 5, false, false),
            (C[3], "34.23", 6, false, false),
            (C[4], "32.31", 7, false, false),
            (C[12], "31.92", 8, false, false),
            (C[5], "30.39", 9, false, false),
            (C[6], "28.46", 10, true, false),
            (C[7], "28.46", 10, true, false),
            (C[10], "20.77", 12, true, false),
            (C[11], "20.77", 12, true, false),
            (C[13], "15.67", 14, false, false),
        ]
    );
    // Change against 2024.
    assert_eq!(row(&r, C[13]).last_rank, Some(1));
    assert_eq!(row(&r, C[13]).rank_change, Some(-13));
    assert_eq!(row(&r, C[1]).rank_change, Some(1));

    // 三(二)1.
    let pe = &r.park_entry;
    assert_eq!(pe.clause, "三(二)1");
    assert!(pe.error.is_none(), "{:?}", pe.error);
    assert!(!pe.provisional);
    let amount = |c: &str| pe.rows.iter().find(|t| t.county == c).unwrap().amount_fen;
    assert_eq!(amount(C[0]), 500_000_000);
    assert_eq!(amount(C[1]), 200_000_000);
    assert_eq!(amount(C[2]), 200_000_000);
    assert_eq!(amount(C[5]), 0);
    assert_eq!(amount(C[10]), -50_000_000);
    assert_eq!(amount(C[11]), -50_000_000);
    assert_eq!(amount(C[12]), -400_000_000);
    assert_eq!(amount(C[13]), -400_000_000);
    assert_eq!(pe.total_fen, 0);
    let flagged = |c: &str| !pe.rows.iter().find(|t| t.county == c).unwrap().flags.is_empty();
    assert!(flagged(C[1]) && flagged(C[12]) && flagged(C[10]));
    // The flag names the tied counties by name, not by code alone: c2 青县 ties with c3 东光县.
    let c2_flags = pe.rows.iter().find(|t| t.county == C[1]).unwrap().flags.join(" ");
    assert!(
        c2_flags.contains("青县(130922)") && c2_flags.contains("东光县(130923)"),
        "{c2_flags}"
    );
    // c7 and c8 tie in 7th–8th place, where no money moves: not flagged.
    assert!(!flagged(C[6]) && !flagged(C[0]));

    // 三(二)2.
    let a1 = r.above_scale.iter().find(|x| x.county == C[0]).unwrap();
    assert_eq!(
        (
            a1.start,
            a1.entered,
            a1.small_to_above,
            a1.newly_built_or_unknown,
            a1.exits,
            a1.net_new,
            a1.end
        ),
        (2, 2, 1, 1, 1, 1, 3)
    );
    assert_eq!(a1.target, Some(4));
    assert_eq!(a1.attainment_pct.as_deref(), Some("25.00"));
    assert_eq!(a1.gap, Some(-3));
    let a2 = r.above_scale.iter().find(|x| x.county == C[1]).unwrap();
    assert_eq!(
        (a2.net_new, a2.attainment_pct.as_deref(), a2.gap),
        (3, Some("150.00"), Some(1))
    );
}

#[tokio::test]
async fn as_of_june_and_scoping() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    // As of June: D (enters 07-01) not yet counted; B's exit on 06-30 counted → c1 net 0.
    let r = store
        .assessment(
            &Actor::system("test"),
            &set,
            2025,
            6,
            NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(),
        )
        .await
        .unwrap();
    assert!(!r.complete && r.park_entry.provisional);
    let a1 = r.above_scale.iter().find(|x| x.county == C[0]).unwrap();
    assert_eq!((a1.entered, a1.exits, a1.net_new), (1, 1, 0));
    // Deadlines 02-10 … 07-10 have passed on 08-01: six months due; c1 6/6.
    let k = r
        .indicators
        .iter()
        .position(|i| i.code == "reporting_timeliness")
        .unwrap();
    assert_eq!(row(&r, C[0]).values[k].raw_text, "100.00%(6/6)");

    // A county sees the full ranking but what was counted only for itself.
    let county = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyOperator,
        org_code: "130981".into(),
        must_change_password: false,
    };
    let r = store.assessment(&county, &set, 2025, 12, today()).await.unwrap();
    assert_eq!(r.rows.len(), 14);
    assert_eq!(r.own_county.as_deref(), Some("130981"));
    assert!(!row(&r, "130981").provenance.is_empty());
    assert!(row(&r, C[0]).provenance.is_empty());
    assert!(
        r.above_scale
            .iter()
            .find(|x| x.county == C[0])
            .unwrap()
            .events
            .is_empty()
    );

    let ent = Actor {
        role: Role::Enterprise,
        org_code: make_uscc("130981", 1),
        ..county
    };
    assert!(matches!(
        store.assessment(&ent, &set, 2025, 12, today()).await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        store
            .assessment(&Actor::system("t"), &set, 2019, 12, today())
            .await,
        Err(StoreError::Invalid(_))
    ));
}

fn actor(username: &str, role: Role, org: &str) -> Actor {
    Actor {
        user_id: 1,
        username: username.into(),
        display_name: username.into(),
        role,
        org_code: org.into(),
        must_change_password: false,
    }
}

async fn log_rows(store: &Store, entity: &str) -> Vec<(String, String, Option<String>, Option<String>)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT entity_key, action, old_value, new_value FROM change_log WHERE entity = $1 ORDER BY id",
    )
    .bind(entity)
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

/// 三(二)2 targets issued in the app override the plan file's. The fixture's plan file gives
/// 2025: c1 4, c2 2, c9 5, others 2; no 2024. Issued: c1 (沧县) 1, c2 (青县) 4, c11 (泊头市) 3.
/// - c1 net 1 / 1 = 100.00% → 100 × 1 / 1.2 = 83.33; composite (30 × 50 + 30 × 83.33
///   + 25 × 100 + 15 × 100) / 100 = 7999.9 / 100 = 79.999 → 80.00, now 1st.
/// - c2 net 3 / 4 = 75.00% → 100 × 0.75 / 1.2 = 62.50; composite (1500 + 1875 + 2307.75
///   + 1125) / 100 = 68.0775 → 68.08, now 2nd.
/// - c11 net 0 / 3 = 0.00%, gap −3, score 0.00; composite unchanged 20.77.
#[tokio::test]
async fn issued_targets_override_the_plan_file_and_rescore() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    let admin = actor("admin", Role::CityAdmin, "130900");
    let gxj = actor("gxj", Role::CityDepartment, "GXJ");
    let kjj = actor("kjj", Role::CityDepartment, "KJJ");
    let botou = actor("botou", Role::CountyOperator, "130981");
    let edit = |c: &str, t: Option<i64>| clusterdesk_store::assessment::TargetEdit {
        county: c.into(),
        target: t,
    };

    // Before: the plan file's working figures, marked as such; 2024 has none.
    let t = store.above_scale_targets(&botou, 2025).await.unwrap();
    assert_eq!(t.rows.len(), 14);
    assert!(!t.can_edit);
    let bt = t.rows.iter().find(|r| r.county == "130981").unwrap();
    assert_eq!((bt.target, bt.source.code()), (Some(2), "plan"));
    assert_eq!(bt.source_text, "规划文件示例数");
    let t24 = store.above_scale_targets(&admin, 2024).await.unwrap();
    assert!(t24.can_edit);
    assert!(
        t24.rows
            .iter()
            .all(|r| r.target.is_none() && r.source.code() == "none")
    );

    // Only the bureau may set them.
    for who in [&botou, &kjj] {
        assert!(matches!(
            store
                .set_above_scale_targets(who, 2025, &[edit("130981", Some(3))], "")
                .await,
            Err(StoreError::Forbidden(_))
        ));
    }
    // A bad value anywhere refuses the whole edit, naming the county; nothing is written.
    let bad = [edit("130921", Some(1)), edit("130981", Some(-1))];
    match store.set_above_scale_targets(&admin, 2025, &bad, "").await {
        Err(StoreError::Invalid(m)) => assert!(m.contains("泊头市(130981)") && m.contains("负数"), "{m}"),
        other => panic!("{other:?}"),
    }
    for bad in [
        vec![edit("130921", Some(1)), edit("130999", Some(3))],
        vec![edit("130921", Some(10_001))],
    ] {
        assert!(matches!(
            store.set_above_scale_targets(&admin, 2025, &bad, "").await,
            Err(StoreError::Invalid(_))
        ));
    }
    for y in [2021, 2031] {
        assert!(matches!(
            store
                .set_above_scale_targets(&admin, y, &[edit("130921", Some(1))], "")
                .await,
            Err(StoreError::Invalid(_))
        ));
    }
    let t = store.above_scale_targets(&admin, 2025).await.unwrap();
    let c1 = t.rows.iter().find(|r| r.county == C[0]).unwrap();
    assert_eq!((c1.target, c1.source.code()), (Some(4), "plan"));
    assert!(log_rows(&store, "above_scale_target").await.is_empty());

    // Issued by the bureau.
    // The issuing account exists: the source names it by its display name.
    store
        .create_user(
            &Actor::system("setup"),
            clusterdesk_store::accounts::NewUser {
                username: "admin".into(),
                display_name: "市工信局管理员".into(),
                password: "Assess-Pass-2026!".into(),
                role: Role::CityAdmin,
                org_code: "130900".into(),
                temporary: false,
            },
        )
        .await
        .unwrap();
    let n = store
        .set_above_scale_targets(
            &admin,
            2025,
            &[edit(C[0], Some(1)), edit(C[1], Some(4)), edit("130981", Some(3))],
            "沧工信〔2025〕1号",
        )
        .await
        .unwrap();
    assert_eq!(n, 3);
    let t = store.above_scale_targets(&botou, 2025).await.unwrap();
    let bt = t.rows.iter().find(|r| r.county == "130981").unwrap();
    assert_eq!(
        (bt.target, bt.source.code(), bt.plan_target),
        (Some(3), "issued", Some(2))
    );
    assert!(
        bt.source_text.starts_with("市工信局下达(市工信局管理员,"),
        "{}",
        bt.source_text
    );
    assert_eq!(bt.note, "沧工信〔2025〕1号");
    let c3 = t.rows.iter().find(|r| r.county == C[2]).unwrap();
    assert_eq!((c3.target, c3.source.code()), (Some(2), "plan"));

    let r = store
        .assessment(&Actor::system("test"), &set, 2025, 12, today())
        .await
        .unwrap();
    assert_eq!(score(&r, C[0], "net_new_above_scale"), "83.33");
    assert_eq!(score(&r, C[1], "net_new_above_scale"), "62.50");
    assert_eq!(score(&r, "130981", "net_new_above_scale"), "0.00");
    assert_eq!(
        (r.rows[0].county.as_str(), r.rows[0].composite.as_str()),
        (C[0], "80.00")
    );
    assert_eq!(
        (r.rows[1].county.as_str(), r.rows[1].composite.as_str()),
        (C[1], "68.08")
    );
    assert_eq!(row(&r, "130981").composite, "20.77");
    let a = |c: &str| r.above_scale.iter().find(|x| x.county == c).unwrap().clone();
    assert_eq!(
        (a(C[0]).target, a(C[0]).attainment_pct.as_deref(), a(C[0]).gap),
        (Some(1), Some("100.00"), Some(0))
    );
    assert_eq!(a(C[1]).attainment_pct.as_deref(), Some("75.00"));
    let b = a("130981");
    assert_eq!(
        (b.target, b.attainment_pct.as_deref(), b.gap),
        (Some(3), Some("0.00"), Some(-3))
    );
    assert_eq!(b.target_source.code(), "issued");
    assert_eq!(a(C[2]).target_source_text, "规划文件示例数");
    assert!(
        r.above_scale_target_note.contains("3 个县(市)为市工信局下达"),
        "{}",
        r.above_scale_target_note
    );

    // The change log keeps old and new; the coordinating department (GXJ) may change it too;
    // an empty target returns the county to the plan file's figure.
    store
        .set_above_scale_targets(&gxj, 2025, &[edit("130981", Some(5)), edit(C[1], None)], "")
        .await
        .unwrap();
    let log = log_rows(&store, "above_scale_target").await;
    assert_eq!(log.len(), 5, "{log:?}");
    assert_eq!(
        log[2],
        ("2025/130981".into(), "create".into(), None, Some("3".into()))
    );
    assert_eq!(
        log[3],
        (
            "2025/130981".into(),
            "update".into(),
            Some("3".into()),
            Some("5".into())
        )
    );
    assert_eq!(
        log[4],
        (format!("2025/{}", C[1]), "delete".into(), Some("4".into()), None)
    );
    let t = store.above_scale_targets(&admin, 2025).await.unwrap();
    let c2 = t.rows.iter().find(|r| r.county == C[1]).unwrap();
    assert_eq!((c2.target, c2.source.code()), (Some(2), "plan"));

    // A year the plan file lacks: 2024 for 河间市.
    store
        .set_above_scale_targets(&admin, 2024, &[edit("130984", Some(7))], "")
        .await
        .unwrap();
    let t24 = store.above_scale_targets(&admin, 2024).await.unwrap();
    let hj = t24.rows.iter().find(|r| r.county == "130984").unwrap();
    assert_eq!(
        (hj.target, hj.source.code(), hj.plan_target),
        (Some(7), "issued", None)
    );
}

/// 三(二)1 finalized: the fixture's transfer (see the top) stored in fen; refused a second time,
/// refused to others; revoked with a reason, then finalized again on changed data: with 5 park
/// entries for c14 (河间市) in 2025-07, the last three are c13 (0, 14th) −500万 and c11, c12 (1
/// each, tied 12th–13th) pooling −100万 − 300万 → −200万 each; c14 (5, tied 5th) 0.
#[tokio::test]
async fn transfer_finalized_once_revoked_and_finalized_again() {
    let (store, _dir) = fixture().await;
    let set = policies(store.plan());
    let admin = actor("admin", Role::CityAdmin, "130900");
    let gxj = actor("gxj", Role::CityDepartment, "GXJ");
    let czj = actor("czj", Role::CityDepartment, "CZJ");
    let botou = actor("botou", Role::CountyOperator, "130981");

    let s = store
        .county_transfer(&czj, &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(s.decision.finalized.is_none() && !s.decision.can_finalize);
    for who in [&botou, &czj] {
        assert!(matches!(
            store.finalize_county_transfer(who, &set, 2025, 12, today()).await,
            Err(StoreError::Forbidden(_))
        ));
    }
    // A year not yet complete is provisional.
    assert!(matches!(
        store
            .finalize_county_transfer(&admin, &set, 2025, 6, today())
            .await,
        Err(StoreError::Invalid(_))
    ));

    let s = store
        .finalize_county_transfer(&gxj, &set, 2025, 12, today())
        .await
        .unwrap();
    let f = s.decision.finalized.clone().unwrap();
    assert_eq!(f.finalized_by, "gxj");
    assert_eq!(
        (f.clause.as_str(), f.policy.as_str()),
        ("三(二)1", "park_entry_ranking")
    );
    let fin = |f: &clusterdesk_store::assessment::FinalizedTransfer, c: &str| {
        let r = f.rows.iter().find(|r| r.county == c).unwrap();
        (r.rank, r.entries, r.amount_fen)
    };
    assert_eq!(f.rows.len(), 14);
    assert_eq!(fin(&f, C[0]), (1, 10, 500_000_000));
    assert_eq!(fin(&f, C[1]), (2, 8, 200_000_000));
    assert_eq!(fin(&f, C[2]), (2, 8, 200_000_000));
    assert_eq!(fin(&f, C[5]), (6, 4, 0));
    assert_eq!(fin(&f, C[10]), (11, 1, -50_000_000));
    assert_eq!(fin(&f, C[11]), (11, 1, -50_000_000));
    assert_eq!(fin(&f, C[12]), (13, 0, -400_000_000));
    assert_eq!(fin(&f, C[13]), (13, 0, -400_000_000));
    assert_eq!(f.total_fen, 0);
    assert!(s.decision.differences.is_empty());

    // Once: a second finalization is a conflict; the county and 市财政局 read it.
    assert!(matches!(
        store
            .finalize_county_transfer(&admin, &set, 2025, 12, today())
            .await,
        Err(StoreError::Conflict(_))
    ));
    let s = store
        .county_transfer(&botou, &set, 2025, 12, today())
        .await
        .unwrap();
    assert_eq!(s.decision.finalized.unwrap().rows.len(), 14);
    assert!(!s.decision.can_revoke);
    let r = store.assessment(&czj, &set, 2025, 12, today()).await.unwrap();
    assert!(r.transfer_decision.finalized.is_some());

    // Data changes after finalizing (the city unlocks the accepted month, the county
    // corrects it): the difference is shown.
    store
        .transition(
            &admin,
            "cluster_monthly",
            C[13],
            "2025-07",
            clusterdesk_store::reporting::Action::Unlock,
            "更正园区入驻数",
        )
        .await
        .unwrap();
    store
        .upsert_values(
            &Actor::system("test"),
            &[v(
                &store.plan().clusters_of(C[13])[0].code,
                "park_entries",
                "2025-07",
                5,
            )],
        )
        .await
        .unwrap();
    let s = store
        .county_transfer(&admin, &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(s.decision.can_revoke);
    let d = s.decision.differences.join("\n");
    assert!(
        d.contains("河间市:定稿时入园 0 家、-4,000,000.00 元,现按最新数据为入园 5 家、0.00 元"),
        "{d}"
    );

    // Revoking: a city administrator, with a reason.
    assert!(matches!(
        store
            .revoke_county_transfer(&gxj, 2025, "数据更正后重新定稿")
            .await,
        Err(StoreError::Forbidden(_))
    ));
    assert!(matches!(
        store.revoke_county_transfer(&admin, 2025, "  ").await,
        Err(StoreError::Invalid(_))
    ));
    store
        .revoke_county_transfer(&admin, 2025, "河间市补报7月入园企业,数据更正后重新定稿")
        .await
        .unwrap();
    assert!(matches!(
        store.revoke_county_transfer(&admin, 2025, "再次撤销试试").await,
        Err(StoreError::NotFound(_))
    ));
    let log = log_rows(&store, "county_transfer").await;
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].0.as_str(), log[0].1.as_str()), ("2025", "finalize"));
    assert_eq!((log[1].0.as_str(), log[1].1.as_str()), ("2025", "revoke"));
    let old = log[1].2.clone().unwrap();
    assert!(old.contains("\"amount_fen\":-400000000"), "{old}");
    assert!(log[1].3.clone().unwrap().contains("补报7月"));
    let s = store
        .county_transfer(&admin, &set, 2025, 12, today())
        .await
        .unwrap();
    assert!(s.decision.finalized.is_none() && s.decision.can_finalize);
    assert_eq!(s.decision.last_revocation.unwrap().revoked_by, "admin");

    let s = store
        .finalize_county_transfer(&admin, &set, 2025, 12, today())
        .await
        .unwrap();
    let f = s.decision.finalized.unwrap();
    assert_eq!(fin(&f, C[0]), (1, 10, 500_000_000));
    assert_eq!(fin(&f, C[10]), (12, 1, -200_000_000));
    assert_eq!(fin(&f, C[11]), (12, 1, -200_000_000));
    assert_eq!(fin(&f, C[12]), (14, 0, -500_000_000));
    assert_eq!(fin(&f, C[13]), (5, 5, 0));
    assert_eq!(f.total_fen, 0);
}
