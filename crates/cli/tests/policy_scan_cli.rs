//! `clusterdesk policy scan` on a small fixture database (text and JSON), every amount
//! computed by hand from the clause of 沧政办规〔2022〕13号 it rests on; and `--facts` on CSV
//! facts. The database is SQLite, or PostgreSQL when CLUSTERDESK_TEST_PG is set.

use crate::common;
use clusterdesk_domain::QualKind;
use common::*;

fn tmp() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdscan"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Fixture, all events but one in 2025:
/// - E1 泊头 (C17): above scale from 2025-03-01, revenue reported in 2023-05; provincial green
///   factory 2025-04-01.
/// - E2 任丘 (C11): national key little giant 2025-05-01; above scale from 2025-01-01 with its
///   first revenue in 2024-02; provincial green factory 2024-12-31 (outside 2025).
/// - E3 泊头 (C19): national (not key) little giant 2025-06-01; national green factory
///   2025-09-01; newly recognised China well-known trademark 2025-07-01.
async fn fixture() -> (
    String,
    [String; 3],
    Option<clusterdesk_store::testsupport::TempDir>,
) {
    let (store, url, guard) = fixture_db().await;
    let plan = store.plan().clone();
    let e1 = make_uscc("130981", 1);
    let e2 = make_uscc("130982", 2);
    let e3 = make_uscc("130981", 3);
    store
        .upsert_enterprises(
            &admin(),
            &[
                enterprise(&plan, &e1, "130981", "C17"),
                enterprise(&plan, &e2, "130982", "C11"),
                enterprise(&plan, &e3, "130981", "C19"),
            ],
            false,
        )
        .await
        .unwrap()
        .unwrap();
    store
        .upsert_values(
            &admin(),
            &[
                v(&e1, "revenue", "2023-05", 3 * WAN),
                v(&e2, "revenue", "2024-02", 3 * WAN),
            ],
        )
        .await
        .unwrap();
    for (u, qual) in [
        (&e1, q(QualKind::AboveScale, "", "2025-03-01", None)),
        (&e1, q(QualKind::GreenFactory, "provincial", "2025-04-01", None)),
        (&e2, q(QualKind::LittleGiant, "national_key", "2025-05-01", None)),
        (&e2, q(QualKind::AboveScale, "", "2025-01-01", None)),
        (&e2, q(QualKind::GreenFactory, "provincial", "2024-12-31", None)),
        (&e3, q(QualKind::LittleGiant, "national", "2025-06-01", None)),
        (&e3, q(QualKind::GreenFactory, "national", "2025-09-01", None)),
        (&e3, q(QualKind::WellKnownTrademark, "", "2025-07-01", None)),
    ] {
        store.add_qualification(&admin(), u, &qual).await.unwrap();
    }
    store.pool().close().await;
    (url, [e1, e2, e3], guard)
}

#[tokio::test]
async fn scan_of_2025_gives_each_amount_by_its_clause() {
    let (db, [e1, e2, e3], _guard) = fixture().await;
    let v = json(&run_ok(&db, &["policy", "scan", "--year", "2025", "--json"]));
    assert_eq!(
        (&v["from"], &v["to"]),
        (&"2025-01-01".into(), &"2025-12-31".into())
    );
    let mut got: Vec<(String, String, String, String, i64)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (
                s("uscc"),
                s("policy"),
                s("clause"),
                s("status"),
                r["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let row = |u: &str, p: &str, c: &str, st: &str, fen: i64| {
        (u.to_string(), p.to_string(), c.to_string(), st.to_string(), fen)
    };
    let mut want = vec![
        // 三(二)2 "每年度新建入统企业奖励2万元,小升规企业奖励1万元": E1 crossed the line in 2025
        // (figures of 2024 put it above) and reported figures in 2023, before that year: it
        // existed as a small enterprise → 小升规 1万元 = 1,000,000 fen.
        row(&e1, "small_to_above_scale", "三(二)2", "eligible", WAN),
        // 三(四)1 "获得国家级绿色工厂、省级绿色工厂的企业分别给予50万、30万元支持": provincial →
        // 30万元 = 30,000,000 fen.
        row(&e1, "green_factory_provincial", "三(四)1", "eligible", 30 * WAN),
        // 三(五)1 "对认定的国家级专精特新重点小巨人企业市级财政奖励100万元" → 100,000,000 fen.
        row(&e2, "little_giant", "三(五)1", "eligible", 100 * WAN),
        // E2's first figures are of 2024, the year its figures crossed the line: no proof it was
        // small before, so 新建入统 (2万) or 小升规 (1万) is unknown; no amount.
        row(&e2, "small_to_above_scale", "三(二)2", "unknown", 0),
        // 三(四)1 national → 50万元 = 50,000,000 fen.
        row(&e3, "green_factory_national", "三(四)1", "eligible", 50 * WAN),
        // 三(六)1 "对新认定中国驰名商标的单位,一次性奖励20万元" → 20,000,000 fen.
        row(&e3, "well_known_trademark", "三(六)1", "eligible", 20 * WAN),
        // Not listed: E3's national little giant (only 重点 is rewarded) and E2's green factory of
        // 2024-12-31 (outside 2025).
    ];
    want.sort();
    assert_eq!(got, want);
    let unknown = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "unknown")
        .unwrap();
    assert_eq!(
        unknown["missing"],
        serde_json::json!(["newly_built_entered_statistics"])
    );
    // 1 + 30 + 100 + 50 + 20 = 201万元 = 201,000,000 fen in five findings; one unknown.
    assert_eq!(v["eligible"], 5);
    assert_eq!(v["eligible_fen"], 201 * WAN);
    assert_eq!(v["unknown"], 1);
    assert_eq!(v["enterprises"], 3);

    // The text form says the same in Chinese: 2,010,000.00 元 in total.
    let out = run_ok(&db, &["policy", "scan", "--year", "2025"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "免申即享扫描(事件日期 2025-01-01 至 2025-12-31):3 家企业有相关认定;可享受 5 项,共 2,010,000.00 元;待定 1 项\n"
        ),
        "{text}"
    );
    let line = text
        .lines()
        .find(|l| l.contains(&e2) && l.contains("三(五)1"))
        .unwrap();
    assert!(line.contains("\t1,000,000.00 元\t"), "{line}");

    // A bad year is refused, naming the flag.
    let out = bin()
        .args(["--db", &db, "policy", "scan", "--year", "20"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--year"));
}

#[test]
fn scan_of_csv_facts_gives_exact_totals() {
    let dir = tmp();
    let check = |body: &str| {
        let c = clusterdesk_domain::uscc::check_char(body.as_bytes()).unwrap();
        format!("{body}{c}")
    };
    let (a, b) = (check("91130981MA0AB12C1"), check("91130982MA0AB12C2"));
    std::fs::write(
        dir.join("enterprises.csv"),
        format!("uscc,county,first_data_year\n{a},130981,2021\n{b},130982,\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("quals.csv"),
        format!(
            "uscc,kind,level,valid_from\n{a},above_scale,,2024-01-01\n{a},green_factory,provincial,2024-03-01\n\
             {b},above_scale,,2024-01-01\n{b},little_giant,national_key,2024-05-01\n{b},listed,chinext,2025-01-02\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("ledger.csv"),
        format!("uscc,policy,paid_date,paid_yuan\n{b},listing_a_share_counselling,2024-06-01,1000000\n"),
    )
    .unwrap();
    let out = bin()
        .args(["policy", "scan", "--facts", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // a: 小升规 10,000 + 省级绿色工厂 300,000; b: 小巨人 1,000,000 + 受理 2,000,000 (辅导备案
    // already paid); b's 入统 is unknown (no earlier figures).
    assert_eq!(v["eligible"], 4);
    assert_eq!(
        v["eligible_fen"],
        (10_000 + 300_000 + 1_000_000 + 2_000_000) * 100
    );
    assert_eq!(v["unknown"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}
