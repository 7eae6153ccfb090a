//! Reads see writes (DESIGN.md): a value written for a new month shows in the progress of the
//! targets and in the dashboard figures on the very next read, with no job or cache in between.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG names a server.

use clusterdesk_domain::Period;
use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::fresh_db;
use clusterdesk_store::values::{Figures, Value};
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

const YI: i64 = 10_000_000_000; // 1 亿元 in fen

fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

fn rd_2025(r: &clusterdesk_store::progress::ProgressReport) -> Option<String> {
    let t = r.targets.iter().find(|t| t.id == "二.2a").expect("target 二.2a");
    t.series
        .iter()
        .find(|p| p.period == "2025")
        .map(|p| p.value.to_string())
}

#[tokio::test]
async fn a_newly_written_month_shows_at_once() {
    let (url, _dir) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    let admin = Actor::system("test");
    // C17 (泊头 环保设备) reports 2025-01 … 2025-11: R&D 100万元 and revenue 5亿元 a month.
    let months: Vec<String> = (1..=11).map(|m| format!("2025-{m:02}")).collect();
    let mut vals = Vec::new();
    for p in &months {
        vals.push(v("C17", "rd_expense", p, 1_000_000 * 100));
        vals.push(v("C17", "revenue", p, 5 * YI));
    }
    // And a year earlier 4亿元 a month, for the year-on-year figure.
    for m in 1..=12 {
        vals.push(v("C17", "revenue", &format!("2024-{m:02}"), 4 * YI));
    }
    store.upsert_values(&admin, &vals).await.unwrap();
    let dec = Period::parse("2025-12").unwrap();

    // 11 months × 100万元 = 1,100万元 = 11,000,000.00 元 (the year's months so far).
    let before = store.target_progress(&admin, dec, None).await.unwrap();
    assert_eq!(rd_2025(&before).as_deref(), Some("11000000.00"));
    let d = store.dashboard(&admin, "revenue", 10).await.unwrap();
    assert_eq!(d.latest_month.as_deref(), Some("2025-11"));
    // 2025-11: 5亿; January–November: 11 × 5亿 = 55亿.
    assert_eq!(d.month_total, 5 * YI);
    assert_eq!(d.ytd_total, 55 * YI);
    // 2024-01 … 2024-11: 11 × 4亿 = 44亿 (December 2024 is not part of the comparison).
    assert_eq!(d.ytd_prev_total, 44 * YI);
    assert_eq!(d.top_year.as_deref(), Some("2024"));

    // December is accepted: R&D 300万元, revenue 7亿元.
    store
        .upsert_values(
            &admin,
            &[
                v("C17", "rd_expense", "2025-12", 3_000_000 * 100),
                v("C17", "revenue", "2025-12", 7 * YI),
            ],
        )
        .await
        .unwrap();
    // 1,100万 + 300万 = 1,400万元 = 14,000,000.00 元.
    let after = store.target_progress(&admin, dec, None).await.unwrap();
    assert_eq!(rd_2025(&after).as_deref(), Some("14000000.00"));
    let d = store.dashboard(&admin, "revenue", 10).await.unwrap();
    assert_eq!(d.latest_month.as_deref(), Some("2025-12"));
    // 2025-12: 7亿; the year: 55亿 + 7亿 = 62亿; C17 is in 泊头市 (130981).
    assert_eq!(d.month_total, 7 * YI);
    assert_eq!(d.ytd_total, 62 * YI);
    assert_eq!(
        d.counties.get("130981"),
        Some(&Figures {
            month: 7 * YI,
            ytd: 62 * YI,
            ytd_prev: 48 * YI
        })
    );
    assert_eq!(d.clusters.len(), 1);
    assert_eq!(d.top_year.as_deref(), Some("2025"));

    // A correction of an accepted month shows too: December's R&D 300万 → 200万 gives 1,300万元.
    store
        .upsert_values(&admin, &[v("C17", "rd_expense", "2025-12", 2_000_000 * 100)])
        .await
        .unwrap();
    let corrected = store.target_progress(&admin, dec, None).await.unwrap();
    assert_eq!(rd_2025(&corrected).as_deref(), Some("13000000.00"));
}

#[tokio::test]
async fn the_dashboard_is_scoped() {
    let (url, _dir) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    let admin = Actor::system("test");
    // C17 is in 泊头市 (130981), C11 in 任丘市 (130982): 2亿 and 3亿 in 2025-03.
    store
        .upsert_values(
            &admin,
            &[
                v("C17", "revenue", "2025-03", 2 * YI),
                v("C11", "revenue", "2025-03", 3 * YI),
            ],
        )
        .await
        .unwrap();
    let city = store.dashboard(&admin, "revenue", 10).await.unwrap();
    assert_eq!(city.month_total, 5 * YI);
    let mut botou = admin.clone();
    botou.role = clusterdesk_domain::Role::CountyOperator;
    botou.org_code = "130981".into();
    let d = store.dashboard(&botou, "revenue", 10).await.unwrap();
    assert_eq!((d.month_total, d.ytd_total), (2 * YI, 2 * YI));
    assert_eq!(d.clusters.keys().collect::<Vec<_>>(), vec!["C17"]);
    let mut ent = admin.clone();
    ent.role = clusterdesk_domain::Role::Enterprise;
    assert!(store.dashboard(&ent, "revenue", 10).await.is_err());
}

/// The city's invention-patent sum (二.2b) joins only non-zero values to the memberships; a year
/// whose members all hold zero is still reported, as 0, and a year with values of non-members
/// only is still left out.
#[tokio::test]
async fn years_of_zero_patents_are_reported_as_zero() {
    use clusterdesk_domain::{Uscc, uscc};
    use clusterdesk_store::registry::EnterpriseInput;
    let (url, _dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let admin = Actor::system("test");
    let make = |n: u32| {
        let s = format!("91130981MA{n:07}");
        let c = uscc::check_char(s.as_bytes()).unwrap();
        format!("{s}{c}")
    };
    let (member, outsider) = (make(1), make(2));
    let ent = |u: &str, cluster: Option<&str>| EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: format!("测试企业{u}"),
        county_code: "130981".into(),
        industry: plan.cluster("C17").unwrap().industries[0].clone(),
        cluster_code: cluster.map(str::to_string),
        cluster_since: cluster.map(|_| "2020-01-01".to_string()),
        address: String::new(),
        contact: String::new(),
    };
    store
        .upsert_enterprises(&admin, &[ent(&member, Some("C17")), ent(&outsider, None)], false)
        .await
        .unwrap()
        .unwrap();
    // The member (C17 since 2020): 0 patents in 2021 and 2022, 5 in 2023. The outsider (in no
    // cluster): 7 in 2023 and 0 in 2024, which no member reported.
    store
        .upsert_values(
            &admin,
            &[
                v(&member, "invention_patents", "2021", 0),
                v(&member, "invention_patents", "2022", 0),
                v(&member, "invention_patents", "2023", 5),
                v(&outsider, "invention_patents", "2023", 7),
                v(&outsider, "invention_patents", "2024", 0),
            ],
        )
        .await
        .unwrap();
    let r = store
        .target_progress(&admin, Period::parse("2025-12").unwrap(), None)
        .await
        .unwrap();
    let t = r.targets.iter().find(|t| t.id == "二.2b").unwrap();
    let series: Vec<(String, String)> = t
        .series
        .iter()
        .map(|p| (p.period.clone(), p.value.to_string()))
        .collect();
    // 2021: 0; 2022: 0; 2023: the member's 5 (the outsider's 7 is not a cluster's); 2024 and
    // 2025: no member value, no point.
    assert_eq!(
        series,
        vec![
            ("2021".into(), "0".into()),
            ("2022".into(), "0".into()),
            ("2023".into(), "5".into())
        ]
    );
    // The county's report sums per cluster (no shortcut): the same figures for 泊头市.
    let r = store
        .target_progress(&admin, Period::parse("2025-12").unwrap(), Some("130981"))
        .await
        .unwrap();
    let t = r.targets.iter().find(|t| t.id == "二.2b").unwrap();
    let county: Vec<(String, String)> = t
        .series
        .iter()
        .map(|p| (p.period.clone(), p.value.to_string()))
        .collect();
    assert_eq!(county, series);
}
