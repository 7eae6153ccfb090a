//! Target progress read from a database: the reads, the scoping and the edits, on a small
//! fixture whose figures are computed by hand (the computation itself is checked without a
//! database on the same fixture in `crates/analytics/tests/targets.rs`). Runs on SQLite, and on
//! PostgreSQL when CLUSTERDESK_TEST_PG names a server.
//!
//! Fixture (亿元 = 10¹⁰ fen):
//! - clusters C11 任丘 石油化工, C17 泊头 环保设备, C19 泊头 铸造;
//! - enterprises E1 (泊头, C17), E2 (任丘, C11), E3 (泊头, C19 from 2020-01-01 to 2023-07-01,
//!   then in no cluster), E4 (泊头, C17; only its 2025 revenue is known).

use clusterdesk_domain::{Period, QualKind, Role, Uscc, uscc};
use clusterdesk_plan::Plan;
use clusterdesk_store::progress::{ProgressReport, TargetProgress};
use clusterdesk_store::registry::{EnterpriseInput, Qualification};
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store, StoreError};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

const YI: i64 = 10_000_000_000;

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

fn q(kind: QualKind, level: &str, from: &str, to: Option<&str>) -> Qualification {
    Qualification {
        kind,
        level: level.into(),
        valid_from: from.into(),
        valid_to: to.map(str::to_string),
        detail: String::new(),
    }
}

async fn fixture() -> (Store, Option<TempDir>, [String; 3]) {
    fixture_with(None).await
}

/// The embedded plan with `reference.csv` replaced by `reference` (or left out: the city is then
/// its own reference, whatever placeholder figures the shipped file holds).
async fn fixture_with(reference: Option<&str>) -> (Store, Option<TempDir>, [String; 3]) {
    let (url, dir) = fresh_db().await;
    let mut files: Vec<_> = Plan::embedded_files()
        .into_iter()
        .filter(|f| f.path != "reference.csv")
        .collect();
    if let Some(text) = reference {
        files.push(clusterdesk_plan::SourceFile {
            path: "reference.csv".into(),
            text: text.into(),
        });
    }
    let plan = Arc::new(Plan::from_files(files).unwrap());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let admin = Actor::system("test");
    let e1 = make_uscc("130981", 1);
    let e2 = make_uscc("130982", 2);
    let e3 = make_uscc("130981", 3);
    let e4 = make_uscc("130981", 4);
    let ent = |u: &str, county: &str, cluster: &str| EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: format!("测试企业{u}"),
        county_code: county.into(),
        industry: plan.cluster(cluster).unwrap().industries[0].clone(),
        cluster_code: Some(cluster.into()),
        cluster_since: Some("2020-01-01".into()),
        address: String::new(),
        contact: String::new(),
    };
    store
        .upsert_enterprises(
            &admin,
            &[
                ent(&e1, "130981", "C17"),
                ent(&e2, "130982", "C11"),
                ent(&e3, "130981", "C19"),
                ent(&e4, "130981", "C17"),
            ],
            false,
        )
        .await
        .unwrap()
        .unwrap();
    // E3 leaves its cluster on 2023-07-01 (valid_to is the first day it no longer holds).
    sqlx::query("UPDATE memberships SET valid_to = '2023-07-01' WHERE uscc = $1")
        .bind(&e3)
        .execute(store.pool())
        .await
        .unwrap();

    let mut vals = Vec::new();
    // Revenue. C11: year values 450亿 (2021), 520亿 (2025). C17: twelve months of 10亿 in 2021
    // (120亿) and of 25亿 in 2025 (300亿). C19: exactly 100亿 (2021) and exactly 500亿 (2025).
    vals.push(v("C11", "revenue", "2021", 450 * YI));
    vals.push(v("C11", "revenue", "2025", 520 * YI));
    for m in 1..=12 {
        vals.push(v("C17", "revenue", &format!("2021-{m:02}"), 10 * YI));
        vals.push(v("C17", "revenue", &format!("2025-{m:02}"), 25 * YI));
    }
    vals.push(v("C19", "revenue", "2021", 100 * YI));
    vals.push(v("C19", "revenue", "2025", 500 * YI));
    // Data after the as-of month must be ignored: a 2026 value that would change 二.1b.
    vals.push(v("C17", "revenue", "2026-01", 600 * YI));
    // R&D: C11 10亿 (2021) → 17.49亿 (2025).
    vals.push(v("C11", "rd_expense", "2021", 10 * YI));
    vals.push(v("C11", "rd_expense", "2025", 1749 * YI / 100));
    // Invention patents (enterprise stocks).
    for (u, y, n) in [
        (&e1, "2021", 100),
        (&e1, "2025", 200),
        (&e2, "2021", 50),
        (&e2, "2025", 200),
        (&e3, "2021", 40),
        (&e3, "2025", 1000),
    ] {
        vals.push(v(u, "invention_patents", y, n));
    }
    // Enterprise revenue in 2025 (for concentration): E1 30亿, E4 10亿 in C17.
    vals.push(v(&e1, "revenue", "2025", 30 * YI));
    vals.push(v(&e4, "revenue", "2025", 10 * YI));
    // Standards (flow): C17 5 (2021, the baseline: not counted), 3 (2022), 4 (2023), 8 (2025);
    // C11 20 (2024).
    for (c, y, n) in [
        ("C17", "2021", 5),
        ("C17", "2022", 3),
        ("C17", "2023", 4),
        ("C17", "2025", 8),
        ("C11", "2024", 20),
    ] {
        vals.push(v(c, "standards", y, n));
    }
    // Digitalisation rate (percent × 100).
    for (c, y, n) in [
        ("C17", "2021", 4000),
        ("C11", "2021", 5000),
        ("C17", "2025", 6100),
        ("C11", "2025", 5950),
        ("C19", "2025", 6000),
    ] {
        vals.push(v(c, "digitalization_rate", y, n));
    }
    // 工业巡诊 (三(二)3, ≥600 a year): 100 a month on the 泊头 county unit in 2025-01..03, and
    // 200 on C11 in 2025-06 → the city 500 in 2025.
    for m in 1..=3 {
        vals.push(v("130981", "diagnosis_visits", &format!("2025-{m:02}"), 100));
    }
    vals.push(v("C11", "diagnosis_visits", "2025-06", 200));
    store.upsert_values(&admin, &vals).await.unwrap();

    for (u, qual) in [
        (&e1, q(QualKind::HighTech, "", "2020-01-01", Some("2023-01-01"))),
        (&e1, q(QualKind::HighTech, "", "2023-06-01", Some("2026-06-01"))),
        (&e2, q(QualKind::HighTech, "", "2022-03-01", Some("2025-03-01"))),
        (&e3, q(QualKind::HighTech, "", "2019-01-01", None)),
        (&e1, q(QualKind::InnovativeSme, "", "2022-05-01", None)),
        (&e1, q(QualKind::SpecializedSme, "", "2023-01-01", None)),
        (&e2, q(QualKind::LittleGiant, "national", "2024-01-01", None)),
        (&e2, q(QualKind::Listed, "main_board", "2019-01-01", None)),
        (&e1, q(QualKind::Listed, "neeq", "2024-01-01", None)),
        (
            &e1,
            q(QualKind::InnovationPlatform, "provincial", "2021-06-01", None),
        ),
        (
            &e1,
            q(QualKind::InnovationPlatform, "national", "2024-01-01", None),
        ),
        (
            &e2,
            q(
                QualKind::InnovationPlatform,
                "provincial",
                "2020-01-01",
                Some("2022-01-01"),
            ),
        ),
        (&e1, q(QualKind::WellKnownTrademark, "", "2023-05-01", None)),
        (&e2, q(QualKind::WellKnownTrademark, "", "2021-06-01", None)),
        (&e3, q(QualKind::WellKnownTrademark, "", "2024-02-01", None)),
        (&e1, q(QualKind::LeadingEnterprise, "", "2022-10-01", None)),
    ] {
        store.add_qualification(&admin, u, &qual).await.unwrap();
    }
    (store, dir, [e1, e2, e3])
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn row<'a>(r: &'a ProgressReport, id: &str) -> &'a TargetProgress {
    r.targets
        .iter()
        .find(|t| t.id == id)
        .unwrap_or_else(|| panic!("{id}"))
}

/// The store reads every kind of row the computation needs, up to the as-of month and in the
/// reader's scope. The figures, with their hand computation, are checked without a database on
/// the same fixture in `crates/analytics/tests/targets.rs`; here one figure per kind of read.
#[tokio::test]
async fn the_reads_reach_the_computation() {
    let (store, _dir, _) = fixture().await;
    let admin = Actor::system("test");
    let at = |p: &str| Period::parse(p).unwrap();
    let r = store.target_progress(&admin, at("2025-12"), None).await.unwrap();
    assert_eq!((r.targets.len(), r.quotas.len()), (13, 9));
    // Cluster values, yearly (C11 450, C19 100) and monthly (C17 12 × 10 = 120): 超100亿 2 in
    // 2021; 3 in 2025. The 600亿 of 2026-01 is after the as-of month: 超500亿 is C11 alone.
    let t = row(&r, "二.1a");
    assert_eq!((t.baseline, t.value), (d("2"), d("3")));
    assert_eq!(row(&r, "二.1b").value, d("1"));
    // Enterprise stocks summed over the members at the year end: 2021 E1 100 + E2 50 + E3 40 =
    // 190; 2025 E1 200 + E2 200 = 400 (E3 left in 2023: its 1000 do not count).
    let t = row(&r, "二.2b");
    assert_eq!((t.baseline, t.value), (d("190"), d("400")));
    // Qualifications of members (every platform: E1 provincial + E1 national = 2; 高企 2 → 1,
    // E2's expired and E3 left), recognitions after the baseline (E1's 2023 trademark).
    assert_eq!(row(&r, "二.2c").value, d("2"));
    let t = row(&r, "二.3a");
    assert_eq!((t.baseline, t.value), (d("2"), d("1")));
    assert_eq!(row(&r, "二.4a").value, d("1"));
    // Yearly flows since the baseline: 3 + 4 + 20 + 8 = 35; a rate averaged over the clusters:
    // (61.00 + 59.50 + 60.00)/3 = 60.17%.
    assert_eq!(row(&r, "二.4b").value, d("35"));
    assert_eq!(row(&r, "二.4c").value, d("60.17"));
    // Values on a county unit count for the city: 工业巡诊 300 (泊头) + 200 (C11) = 500.
    let quota = |r: &ProgressReport, id: &str| r.quotas.iter().find(|q| q.id == id).unwrap().clone();
    assert_eq!(quota(&r, "三(二)3").value, Some(500));
    // 泊头 as of 2025-02: its own 200 (任丘's C11 is not counted); its three clusters' leading
    // enterprises (C17: E1).
    let r = store
        .target_progress(&admin, at("2025-02"), Some("130981"))
        .await
        .unwrap();
    assert_eq!(quota(&r, "三(二)3").value, Some(200));
    let q = quota(&r, "三(五)1");
    let units: Vec<(&str, i64)> = q.units.iter().map(|u| (u.code.as_str(), u.value)).collect();
    assert_eq!(units, [("C17", 1), ("C18", 0), ("C19", 0)]);
    // Mid-2025: the 2025 yearly value of the standards is not in yet (3 + 4 + 20 = 27).
    let r = store.target_progress(&admin, at("2025-06"), None).await.unwrap();
    assert_eq!(row(&r, "二.4b").value, d("27"));
}

#[tokio::test]
async fn a_county_sees_its_own_share_and_nothing_else() {
    let (store, _dir, _) = fixture().await;
    let botou = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyOperator,
        org_code: "130981".into(),
        must_change_password: false,
    };
    let r = store
        .target_progress(&botou, Period::parse("2025-12").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(r.county.as_deref(), Some("130981"));
    assert_eq!(r.scope_name, "泊头市");
    // 二.1a for 泊头 (C17, C19): 2021 C17 120 → 1; 2025 C17 300, C19 500 → 2. Its share of 25:
    // weights are the counties' 2021 counts (泊头 1, 任丘 1, others 0): 12.5 each, the
    // remainder to the lower code → 泊头 13.
    let t = row(&r, "二.1a");
    assert_eq!(
        (t.baseline, t.value, t.target, t.target_city),
        (d("1"), d("2"), Some(d("13")), Some(d("25")))
    );
    // Other levels are split by the counties' 2021 cluster revenue: 泊头 120 + 100 = 220亿,
    // 任丘 450亿, the rest none. 二.3a 1300: 泊头 1300 × 220/670 = 426.87, 任丘 873.13 → 426 +
    // 873 = 1299; the one left goes to the larger remainder (泊头 .87) → 427.
    let t = row(&r, "二.3a");
    assert_eq!((t.target, t.target_city), (Some(d("427")), Some(d("1300"))));
    // 二.2c 突破150 = at least 151: 151 × 220/670 = 49.58, 151 × 450/670 = 101.42 → 49 + 101,
    // the one left to 泊头 → 50, met at 50 (≥).
    let t = row(&r, "二.2c");
    assert_eq!((t.target, t.comparison.code()), (Some(d("50")), "ge"));
    // 二.2b for 泊头: 2021 E1 100 + E3 40 = 140; 2025 E1 200 (E3 left).
    let t = row(&r, "二.2b");
    assert_eq!((t.baseline, t.value), (d("140"), d("200")));
    // 二.4c: a rate: the county aims at the city's 60%. 2025 (61.00 + 60.00)/2 = 60.50%.
    let t = row(&r, "二.4c");
    assert_eq!((t.value, t.target), (d("60.50"), Some(d("60.00"))));
    // Another county is refused; an unknown one is not found; a month is required.
    let e = store
        .target_progress(&botou, Period::parse("2025-12").unwrap(), Some("130982"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    let admin = Actor::system("test");
    let e = store
        .target_progress(&admin, Period::parse("2025-12").unwrap(), Some("999999"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    let e = store
        .target_progress(&admin, Period::parse("2025Q4").unwrap(), None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    // An enterprise account does not see the plan's progress.
    let ent = Actor {
        role: Role::Enterprise,
        org_code: "x".into(),
        ..botou
    };
    let e = store
        .target_progress(&ent, Period::parse("2025-12").unwrap(), None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
}

/// The metrics read the clusters' values, the enterprises' revenue, memberships and
/// qualifications, in the reader's scope. The figures are checked without a database on the
/// same fixture in `crates/analytics/tests/targets.rs`.
#[tokio::test]
async fn cluster_metrics_read_what_they_need() {
    let (store, _dir, _) = fixture().await;
    let admin = Actor::system("test");
    let r = store.cluster_metrics(&admin, 2025, None).await.unwrap();
    assert_eq!(r.clusters.len(), 45);
    let c = |code: &str| r.clusters.iter().find(|c| c.code == code).unwrap().clone();
    assert_eq!(c("C11").revenue, Some(520 * YI));
    // C17: members E1 and E4, revenue 30亿 and 10亿: HHI = 75² + 25² = 6250; E1's 高企, its two
    // platforms and its 200 patents; standards 8.
    let c17 = c("C17");
    assert_eq!(c17.enterprises, 2);
    assert!((c17.hhi.unwrap() - 6250.0).abs() < 1e-9);
    assert_eq!((c17.high_tech, c17.platforms), (1, 2));
    assert_eq!((c17.invention_patents, c17.standards), (Some(200), Some(8)));
    // Without concentration the enterprises' revenue is not read.
    let r = store
        .cluster_metrics_without_concentration(&admin, 2025, None)
        .await
        .unwrap();
    let c17 = r.clusters.iter().find(|c| c.code == "C17").unwrap();
    assert_eq!((c17.hhi, c17.enterprises), (None, 2));
    // A county sees its own clusters.
    let botou = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyLeader,
        org_code: "130981".into(),
        must_change_password: false,
    };
    let r = store.cluster_metrics(&botou, 2025, None).await.unwrap();
    let codes: Vec<&str> = r.clusters.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["C17", "C18", "C19"]);
}

#[tokio::test]
async fn cluster_metrics_read_the_previous_year_and_the_reference_file() {
    // Hebei: total +10% and division 35 (C17) +20% from 2024 to 2025.
    let reference = "division,division_name,region,year,measure,value,unit,source,note
total,合计,河北省,2024,revenue,50000,亿元,河北统计年鉴2025,
total,合计,河北省,2025,revenue,55000,亿元,河北统计年鉴2026,
35,专用设备制造业,河北省,2024,revenue,1000,亿元,河北统计年鉴2025,
35,专用设备制造业,河北省,2025,revenue,1200,亿元,河北统计年鉴2026,
";
    let (store, _dir, _) = fixture_with(Some(reference)).await;
    let admin = Actor::system("test");
    // C17 in 2024: twelve months of 20亿 = 240亿.
    let vals: Vec<Value> = (1..=12)
        .map(|m| v("C17", "revenue", &format!("2024-{m:02}"), 20 * YI))
        .collect();
    store.upsert_values(&admin, &vals).await.unwrap();
    let r = store.cluster_metrics(&admin, 2025, None).await.unwrap();
    let c17 = r.clusters.iter().find(|c| c.code == "C17").unwrap();
    // C17: (300/800) / (1200/55000) = 17.1875; 240亿 → 300亿: reference 24亿, industry mix
    // 24亿, local shift 12亿.
    assert!((c17.lq.unwrap() - 17.1875).abs() < 1e-9, "{:?}", c17.lq);
    assert_eq!(c17.lq_reference, "河北省2025年");
    let s = c17.shift_share.unwrap();
    assert_eq!(
        (s.reference, s.industry_mix, s.local_shift, s.change),
        (24 * YI, 24 * YI, 12 * YI, 60 * YI)
    );
}

#[tokio::test]
async fn the_phasing_and_the_county_split_are_editable() {
    use clusterdesk_store::progress::MilestoneEdit;
    let (store, _dir, _) = fixture().await;
    let admin = Actor::system("test");
    let edit = |year: i32, value: Option<&str>| MilestoneEdit {
        year,
        value: value.map(d),
    };
    let as_of = Period::parse("2025-12").unwrap();
    // The city's 二.4b path: 2023 set to 10 (default 15).
    store
        .set_target_milestones(&admin, "二.4b", None, &[edit(2023, Some("10"))])
        .await
        .unwrap();
    let r = store.target_progress(&admin, as_of, None).await.unwrap();
    let t = row(&r, "二.4b");
    let m2023 = t.series.iter().find(|p| p.period == "2023").unwrap().milestone;
    assert_eq!(m2023, Some(d("10")));
    assert_eq!(t.target, Some(d("30")), "the city's target stays the plan's");
    // 泊头's share of 二.3a set to 500 (default 427): its target follows.
    store
        .set_target_milestones(&admin, "二.3a", Some("130981"), &[edit(2025, Some("500"))])
        .await
        .unwrap();
    let r = store
        .target_progress(&admin, as_of, Some("130981"))
        .await
        .unwrap();
    assert_eq!(row(&r, "二.3a").target, Some(d("500")));
    // Back to the default.
    store
        .set_target_milestones(&admin, "二.3a", Some("130981"), &[edit(2025, None)])
        .await
        .unwrap();
    let r = store
        .target_progress(&admin, as_of, Some("130981"))
        .await
        .unwrap();
    assert_eq!(row(&r, "二.3a").target, Some(d("427")));
    // Refusals: the city's deadline, a year outside the plan, a fraction of a count, another
    // role, an unknown target.
    for (id, county, e) in [
        ("二.3a", None, edit(2025, Some("1400"))),
        ("二.3a", None, edit(2021, Some("1"))),
        ("二.3a", None, edit(2026, Some("1"))),
        ("二.3a", None, edit(2023, Some("1.5"))),
        ("二.3a", None, edit(2023, Some("-1"))),
    ] {
        let err = store
            .set_target_milestones(&admin, id, county, &[e])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    }
    let botou = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyOperator,
        org_code: "130981".into(),
        must_change_password: false,
    };
    let err = store
        .set_target_milestones(&botou, "二.3a", Some("130981"), &[edit(2025, Some("1"))])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)));
    let err = store
        .set_target_milestones(&admin, "二.9", None, &[edit(2023, Some("1"))])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound(_)));
    // Percent targets take the plan value as shown: 55.5% in 2024 for the city's 二.4c.
    store
        .set_target_milestones(&admin, "二.4c", None, &[edit(2024, Some("55.5"))])
        .await
        .unwrap();
    // Read back: the city's 二.4c phasing from 45.00% (2021) to 60.00% (2025) is linear, 3.75
    // points a year: 48.75, 52.50, then 2024 the edited 55.50 instead of 56.25, and 60.00.
    let r = store.target_progress(&admin, as_of, None).await.unwrap();
    let phasing: Vec<(i32, Decimal, bool)> = row(&r, "二.4c")
        .phasing
        .iter()
        .map(|p| (p.year, p.value, p.edited))
        .collect();
    assert_eq!(
        phasing,
        [
            (2021, d("45.00"), false),
            (2022, d("48.75"), false),
            (2023, d("52.50"), false),
            (2024, d("55.50"), true),
            (2025, d("60.00"), false),
        ]
    );
}

#[tokio::test]
async fn provenance_adds_up_units_down_to_enterprises() {
    let (store, _dir, [e1, _, _]) = fixture().await;
    let admin = Actor::system("test");
    let y2025 = Some(Period::parse("2025").unwrap());
    // Patents are reported per enterprise. 泊头's clusters at the end of 2025: C17 has E1 (200)
    // and E4 (none); C19 had E3 (1,000), which left on 2023-07-01 → nothing; C18 none.
    let p = store
        .provenance(&admin, "130981", "invention_patents", y2025)
        .await
        .unwrap();
    let c = |code: &str| p.contributors.iter().find(|c| c.code == code).unwrap().value;
    assert_eq!((c("C17"), c("C18"), c("C19")), (Some(200), None, None));
    assert_eq!(p.total, Some(200));
    // The city: 泊头 200 + 任丘 (C11: E2 200) = 400.
    let p = store
        .provenance(&admin, "130900", "invention_patents", y2025)
        .await
        .unwrap();
    assert_eq!(p.total, Some(400));
    assert_eq!(p.contributors.len(), 14);
    // C17 lists its member enterprise E1 with 200.
    let p = store
        .provenance(&admin, "C17", "invention_patents", y2025)
        .await
        .unwrap();
    assert_eq!(p.contributors.len(), 1);
    assert_eq!(
        (p.contributors[0].code.as_str(), p.contributors[0].value),
        (e1.as_str(), Some(200))
    );
    // Revenue of C17 in 2025: its own twelve monthly values, each with its history (created).
    let p = store.provenance(&admin, "C17", "revenue", y2025).await.unwrap();
    assert_eq!(p.rows.len(), 12);
    assert!(
        p.rows
            .iter()
            .all(|r| r.num_value == Some(25 * YI) && r.history.len() == 1)
    );
    assert_eq!(p.rows[0].history[0].action, "create");
    // Scoped: 泊头 cannot open 任丘's cluster, nor the city total; an unknown indicator is 404.
    let botou = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyOperator,
        org_code: "130981".into(),
        must_change_password: false,
    };
    for unit in ["C11", "130982", "130900"] {
        let e = store
            .provenance(&botou, unit, "revenue", y2025)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden(_)), "{unit}: {e}");
    }
    assert!(store.provenance(&botou, "C17", "revenue", y2025).await.is_ok());
    let e = store.provenance(&admin, "C17", "nope", y2025).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound(_)));
}

#[tokio::test]
async fn target_detail_ranks_the_counties_by_attainment() {
    let (store, _dir, _) = fixture().await;
    let admin = Actor::system("test");
    let as_of = Period::parse("2025-12").unwrap();
    // 二.1a in 2025: 泊头 C17 300亿 and C19 500亿 → 2 of its share 13 (see the county test):
    // 2/13 = 15.4%; 任丘 C11 520亿 → 1 of 12: 8.3%. The other twelve have no target share (0)
    // and no data: unranked.
    let det = store.target_detail(&admin, "二.1a", as_of).await.unwrap();
    assert_eq!(det.counties.len(), 14);
    let c = |code: &str| det.counties.iter().find(|c| c.code == code).unwrap().clone();
    let (botou, renqiu) = (c("130981"), c("130982"));
    assert!((botou.attainment.unwrap() - 2.0 / 13.0).abs() < 1e-12);
    assert!((renqiu.attainment.unwrap() - 1.0 / 12.0).abs() < 1e-12);
    assert_eq!(
        (botou.rank, renqiu.rank, c("130983").rank),
        (Some(1), Some(2), None)
    );
    assert_eq!(det.ranked, 2);
    // The city has 3 clusters over 100亿 (C11, C17, C19).
    assert_eq!(det.progress.value, d("3"));
    // 泊头's leader: its own progress, the city's beside it, 任丘's figures withheld.
    let leader = Actor {
        user_id: 9,
        username: "botou".into(),
        display_name: "泊头".into(),
        role: Role::CountyLeader,
        org_code: "130981".into(),
        must_change_password: false,
    };
    let det = store.target_detail(&leader, "二.1a", as_of).await.unwrap();
    assert_eq!(det.progress.target, Some(d("13")));
    assert_eq!(det.city.as_ref().unwrap().target, Some(d("25")));
    assert_eq!(det.counties.iter().filter(|c| c.own).count(), 1);
    let renqiu = det.counties.iter().find(|c| c.code == "130982").unwrap();
    assert_eq!((renqiu.value, renqiu.target, renqiu.rank), (None, None, Some(2)));
    let ranks = store.county_ranks(&leader, "130981", as_of).await.unwrap();
    let r = ranks.iter().find(|r| r.target == "二.1a").unwrap();
    assert_eq!((r.rank, r.of), (Some(1), 2));
    // Another county's ranks are refused; an unknown target is not found.
    assert!(matches!(
        store.county_ranks(&leader, "130982", as_of).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));
    assert!(matches!(
        store.target_detail(&admin, "二.9", as_of).await.unwrap_err(),
        StoreError::NotFound(_)
    ));
}
