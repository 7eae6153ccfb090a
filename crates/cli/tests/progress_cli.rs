//! `clusterdesk progress` on a small fixture database whose figures are computed by hand below
//! from 二 of the plan; the binary is run with `--db` on SQLite, or on PostgreSQL when
//! CLUSTERDESK_TEST_PG is set.
//!
//! Fixture (1亿 = 10¹⁰ fen), clusters C11 任丘 石油化工, C17 泊头 环保设备, C19 泊头 铸造:
//! - revenue: C11 450亿 (year 2021), 520亿 (year 2025); C17 10亿 in each month of 2021 (120亿)
//!   and 25亿 in each month of 2025 (300亿); C19 exactly 100亿 (2021) and exactly 500亿 (2025).
//! - R&D (rd_expense): C17 8亿 (2021), 14亿 (2025).
//! - digitalisation rate (percent × 100): 2021 C17 40.00, C11 50.00; 2025 C17 61.02, C11 59.00.

use crate::common;
use common::*;

async fn fixture() -> (String, Option<clusterdesk_store::testsupport::TempDir>) {
    let (store, url, guard) = fixture_db().await;
    let mut vals = vec![
        v("C11", "revenue", "2021", 450 * YI),
        v("C11", "revenue", "2025", 520 * YI),
        v("C19", "revenue", "2021", 100 * YI),
        v("C19", "revenue", "2025", 500 * YI),
        v("C17", "rd_expense", "2021", 8 * YI),
        v("C17", "rd_expense", "2025", 14 * YI),
        v("C17", "digitalization_rate", "2021", 4000),
        v("C11", "digitalization_rate", "2021", 5000),
        v("C17", "digitalization_rate", "2025", 6102),
        v("C11", "digitalization_rate", "2025", 5900),
    ];
    for m in 1..=12 {
        vals.push(v("C17", "revenue", &format!("2021-{m:02}"), 10 * YI));
        vals.push(v("C17", "revenue", &format!("2025-{m:02}"), 25 * YI));
    }
    store.upsert_values(&admin(), &vals).await.unwrap();
    store.pool().close().await;
    (url, guard)
}

fn target<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id}"))
}

/// (baseline, value, target, status) of a target, as the JSON writes them.
fn figures(t: &serde_json::Value) -> (String, String, String, String) {
    let s = |k: &str| match &t[k] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    (s("baseline"), s("value"), s("target"), s("status"))
}

fn f(a: &str, b: &str, c: &str, d: &str) -> (String, String, String, String) {
    (a.into(), b.into(), c.into(), d.into())
}

#[tokio::test]
async fn progress_as_of_2025_12_gives_the_hand_computed_figures() {
    let (db, _guard) = fixture().await;
    let v = json(&run_ok(&db, &["progress", "--as-of", "2025-12", "--json"]));
    assert_eq!(v["as_of"], "2025-12");
    let mut clauses: Vec<&str> = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["clause"].as_str().unwrap())
        .collect();
    clauses.dedup();
    assert_eq!(clauses.len(), 12, "{clauses:?}");

    // 二.1a "营业收入超100亿元的集群达到25个" — 超 is strictly more. 2021: C11 450 and C17 120
    // count, C19 at exactly 100 does not → 2. 2025: C11 520, C17 300, C19 500 → 3. Growth
    // needed (25/2)^(1/4) − 1 = 0.8803 a year, achieved (3/2)^(1/4) − 1 = 0.1067; ratio
    // 0.121 lies in 0–0.6 → 进展有限, final since 2025 is complete.
    let t = target(&v, "二.1a");
    assert_eq!(figures(t), f("2", "3", "25", "limited_progress"));
    assert_eq!(t["status_label"], "进展有限");
    assert_eq!(t["is_final"], true);
    assert_eq!(t["value_period"], "2025");

    // 二.1b "其中超500亿元的集群达到2个": 2021 none; 2025 C11 520 only (C19's exactly 500 is not
    // 超500) → 1. From 0 the measure is linear: 1/4 a year against 2/4 → 0.5 → 进展有限.
    assert_eq!(figures(target(&v, "二.1b")), f("0", "1", "2", "limited_progress"));

    // 二.1c "200亿–500亿元的集群达到8个", both ends included: 2021 C11 450 → 1; 2025 C17 300 and
    // C19 500 → 2 (C11's 520 is above). (2)^(1/4) − 1 = 0.189 against 8^(1/4) − 1 = 0.682 →
    // 0.278 → 进展有限.
    assert_eq!(figures(target(&v, "二.1c")), f("1", "2", "8", "limited_progress"));

    // 二.2a "研发投入年均增长15%以上": 8亿 = 800,000,000.00 元 in 2021; the 2025 level needed is
    // 8亿 × 1.15⁴ = 8亿 × 1.74900625 = 1,399,205,000.00 元; 14亿 = 1,400,000,000.00 元 reaches
    // it ((14/8)^(1/4) − 1 = 0.15016 ≥ 0.15) → 已达成.
    let t = target(&v, "二.2a");
    assert_eq!(
        figures(t),
        f("800000000.00", "1400000000.00", "1399205000.00", "achieved")
    );
    assert_eq!(t["unit"], "元");
    assert_eq!(t["target_growth_pct"], "15");

    // 二.4c "集群企业关键业务环节数字化率达到60%": the mean of the clusters that report.
    // 2021 (40.00 + 50.00) / 2 = 45.00; 2025 (61.02 + 59.00) / 2 = 60.01 ≥ 60 → 已达成.
    let t = target(&v, "二.4c");
    assert_eq!(figures(t), f("45.00", "60.01", "60.00", "achieved"));
    assert_eq!(t["unit"], "%");

    // 泊头 alone (C17, C19): 二.1a 2021 C17 120 → 1 (C19 exactly 100 is not 超100); 2025 C17 300
    // and C19 500 → 2. 二.1c 2021 none (120 < 200); 2025 both → 2.
    let b = json(&run_ok(
        &db,
        &["progress", "--as-of", "2025-12", "--county", "130981", "--json"],
    ));
    assert_eq!(b["county"], "130981");
    let t = target(&b, "二.1a");
    assert_eq!((&t["baseline"], &t["value"]), (&"1".into(), &"2".into()));
    let t = target(&b, "二.1c");
    assert_eq!((&t["baseline"], &t["value"]), (&"0".into(), &"2".into()));

    // The table, for a county by name: its heading, and 二.1a's line with the status word.
    let out = run_ok(&db, &["progress", "--as-of", "2025-12", "--county", "泊头市"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("泊头市 目标进度(截至2025年12月)"), "{text}");
    let line = text.lines().find(|l| l.starts_with("二.1a ")).unwrap();
    assert!(line.contains("进展有限·终"), "{line}");

    // Bad input: a clear Chinese message and a failing exit code.
    for args in [
        ["--as-of", "2025-13"],
        ["--as-of", "2025Q4"],
        ["--county", "不存在县"],
    ] {
        let out = bin().args(["--db", &db, "progress"]).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("错误:"), "{args:?}: {err}");
    }
}

/// A set clock is refused on a database that is neither demo nor test data: a real deployment
/// never runs at a false time. The same database without the setting opens.
#[tokio::test]
async fn a_set_clock_is_refused_on_a_real_database() {
    let (url, _guard) = clusterdesk_store::testsupport::fresh_db().await;
    let plan = std::sync::Arc::new(clusterdesk_plan::Plan::embedded().unwrap());
    drop(clusterdesk_store::Store::open(&url, plan).await.unwrap());
    let out = bin()
        .args(["--db", &url, "progress", "--as-of", "2025-12"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("只能用于演示或测试数据库"), "{err}");
    let out = bin()
        .env_remove("CLUSTERDESK_NOW")
        .args(["--db", &url, "progress", "--as-of", "2025-12"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
