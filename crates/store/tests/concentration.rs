//! Concentration (HHI, top-3 share) counts each enterprise's revenue for the whole year, also
//! when the enterprise reports it month by month.

use clusterdesk_domain::{Uscc, uscc};
use clusterdesk_plan::Plan;
use clusterdesk_store::registry::EnterpriseInput;
use clusterdesk_store::testsupport::fresh_db;
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

const YI: i64 = 10_000_000_000;

fn make_uscc(n: u32) -> String {
    let s = format!("91130981MA{n:07}");
    let c = uscc::check_char(s.as_bytes()).unwrap();
    format!("{s}{c}")
}

fn revenue(unit: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: "revenue".into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

#[tokio::test]
async fn monthly_revenue_is_summed_over_the_year() {
    let (url, _dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let admin = Actor::system("test");
    let (e1, e2) = (make_uscc(1), make_uscc(2));
    let ent = |u: &str| EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: format!("测试企业{u}"),
        county_code: "130981".into(),
        industry: plan.cluster("C17").unwrap().industries[0].clone(),
        cluster_code: Some("C17".into()),
        cluster_since: Some("2020-01-01".into()),
        address: String::new(),
        contact: String::new(),
    };
    store
        .upsert_enterprises(&admin, &[ent(&e1), ent(&e2)], false)
        .await
        .unwrap()
        .unwrap();
    // E1: 1亿 in each month of 2025 (12亿 in the year). E2: 4亿, all in December.
    let mut vals: Vec<Value> = (1..=12)
        .map(|m| revenue(&e1, &format!("2025-{m:02}"), YI))
        .collect();
    vals.push(revenue(&e2, "2025-12", 4 * YI));
    store.upsert_values(&admin, &vals).await.unwrap();

    let r = store.cluster_metrics(&admin, 2025, None).await.unwrap();
    let c17 = r.clusters.iter().find(|c| c.code == "C17").unwrap();
    // Shares 12/16 = 75% and 4/16 = 25%: HHI = 75² + 25² = 6250. (Taking each enterprise's
    // December alone would give 1/5 and 4/5: 20² + 80² = 6800.)
    assert!((c17.hhi.unwrap() - 6250.0).abs() < 1e-9, "{:?}", c17.hhi);
    assert!((c17.top3_share.unwrap() - 1.0).abs() < 1e-12);

    // The map's variant leaves the concentration out and every other figure as it was.
    let light = store
        .cluster_metrics_without_concentration(&admin, 2025, None)
        .await
        .unwrap();
    let l17 = light.clusters.iter().find(|c| c.code == "C17").unwrap();
    assert_eq!((l17.hhi, l17.top3_share), (None, None));
    assert_eq!(l17.revenue, c17.revenue);
    assert_eq!(l17.enterprises, c17.enterprises);
    assert_eq!(l17.above_scale, c17.above_scale);
}

fn patents(unit: &str, year: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: "invention_patents".into(),
        period: year.into(),
        num_value: Some(n),
        text_value: None,
    }
}

/// A cluster's invention patents (二.2b, per member at the year's end): summed from the
/// non-zero values, but a year in which its members report only zeros is 0, not missing, and a
/// cluster whose members report nothing has no figure.
#[tokio::test]
async fn patent_sums_tell_zero_from_missing() {
    let (url, _dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let admin = Actor::system("test");
    let (e1, e2) = (make_uscc(11), make_uscc(12));
    let ent = |u: &str| EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: format!("测试企业{u}"),
        county_code: "130981".into(),
        industry: plan.cluster("C17").unwrap().industries[0].clone(),
        cluster_code: Some("C17".into()),
        cluster_since: Some("2020-01-01".into()),
        address: String::new(),
        contact: String::new(),
    };
    store
        .upsert_enterprises(&admin, &[ent(&e1), ent(&e2)], false)
        .await
        .unwrap()
        .unwrap();
    // 2024: both report 0. 2025: 3 and 0.
    let vals = [
        patents(&e1, "2024", 0),
        patents(&e2, "2024", 0),
        patents(&e1, "2025", 3),
        patents(&e2, "2025", 0),
    ];
    store.upsert_values(&admin, &vals).await.unwrap();
    let r = store.cluster_metrics(&admin, 2025, None).await.unwrap();
    let c17 = r.clusters.iter().find(|c| c.code == "C17").unwrap();
    assert_eq!(c17.invention_patents, Some(3));
    let r = store.cluster_metrics(&admin, 2024, None).await.unwrap();
    let c17 = r.clusters.iter().find(|c| c.code == "C17").unwrap();
    assert_eq!(c17.invention_patents, Some(0));
    let c18 = r.clusters.iter().find(|c| c.code == "C18").unwrap();
    assert_eq!(c18.invention_patents, None);
}
