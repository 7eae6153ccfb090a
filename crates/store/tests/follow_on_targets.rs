//! A follow-on plan's target (a `targets.d/` file) is tracked beside the plan's own: not final
//! before its deadline, judged by the same progress measure, final once the deadline passes.

use clusterdesk_domain::Period;
use clusterdesk_plan::{Plan, SourceFile};
use clusterdesk_store::testsupport::fresh_db;
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store};
use rust_decimal::Decimal;
use std::sync::Arc;

const FOLLOW_ON: &str = "id,clause,name,indicator,measure,comparison,target_value,target_max,threshold_low_yuan,low_inclusive,threshold_high_yuan,high_inclusive,annual_growth_pct,baseline_year,deadline_year,strive,scope,note
续.1,续.1,2026–2027年新增参与制修订标准,standards,flow_since_baseline,ge,10,,,,,,,2025,2027,false,city,示例:后续方案
";

fn standards(period: &str, n: i64) -> Value {
    Value {
        unit_code: "C17".into(),
        indicator_code: "standards".into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

#[tokio::test]
async fn a_follow_on_target_is_tracked_to_its_own_deadline() {
    let mut files = Plan::embedded_files();
    files.push(SourceFile {
        path: "targets.d/2026-2027.csv".into(),
        text: FOLLOW_ON.into(),
    });
    let plan = Arc::new(Plan::from_files(files).unwrap());
    let (url, _dir) = fresh_db().await;
    let store = Store::open(&url, plan).await.unwrap();
    let admin = Actor::system("test");
    // Standards (a yearly flow): 6 in 2025 (the follow-on's baseline year, not counted), 4 in
    // 2026, 7 in 2027.
    store
        .upsert_values(
            &admin,
            &[standards("2025", 6), standards("2026", 4), standards("2027", 7)],
        )
        .await
        .unwrap();

    let at = |p: &str| Period::parse(p).unwrap();
    let r = store.target_progress(&admin, at("2026-12"), None).await.unwrap();
    // The plan's twelve clauses are still there, and the follow-on row after them.
    assert_eq!(r.targets.len(), 14);
    let t = r.targets.iter().find(|t| t.id == "续.1").unwrap();
    // As of 2026-12: flows after 2025 → 4. Required 10 over two years = 5 a year; observed 4 in
    // one year; ratio 0.8 → 需加快 (0.6–0.95). Not final: the deadline 2027 is ahead.
    assert!(!t.is_final);
    assert_eq!(t.value, Decimal::from(4));
    assert_eq!(t.target, Some(Decimal::from(10)));
    assert_eq!(t.method, "linear");
    assert_eq!(t.status.code(), "needs_acceleration", "{t:?}");
    assert!(t.ratio.is_some_and(|x| (x - 0.8).abs() < 1e-9), "{:?}", t.ratio);

    // As of 2027-12: 4 + 7 = 11 ≥ 10 → 已达成, final.
    let r = store.target_progress(&admin, at("2027-12"), None).await.unwrap();
    let t = r.targets.iter().find(|t| t.id == "续.1").unwrap();
    assert!(t.is_final);
    assert_eq!(t.value, Decimal::from(11));
    assert_eq!(t.status.code(), "achieved");
}
