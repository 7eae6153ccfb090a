//! `clusterdesk assessment` on a small fixture database of the 14 counties, as JSON and as text:
//! every score, the composite ranking, the 三(二)1 transfer and the 三(二)2 row computed by hand
//! below; a year without data is refused in Chinese. SQLite, or PostgreSQL when
//! CLUSTERDESK_TEST_PG is set.
//!
//! The plan's assessment.yaml as shipped: weights revenue growth 30, net new above-scale 30,
//! park entries 25, timeliness 15 (problems 0); 泊头's 2025 target of net new above-scale 20.
//! Counties in code order c1 130921 沧县 … c10 130930 孟村, c11 130981 泊头市, c12 130982 任丘市,
//! c13 130983 黄骅市, c14 130984 河间市; figures on each county's first cluster.
//!
//! - revenue: 2024-01 100亿 everywhere; 2025-01 100亿 (0%) except 泊头 110亿 (+10%), 任丘 105亿
//!   (+5%), 河间 90亿 (−10%). Min–max over −10%…+10%: 泊头 100, 任丘 (5 + 10)/20 = 75, 河间 0,
//!   the others (0 + 10)/20 = 50.
//! - park entries in 2025-12: c_k has k (沧县 1 … 河间 14), so c_k is placed 15 − k and gets
//!   100 × (14 − place)/13 = 100 × (k − 1)/13 points: 0, 7.69, 15.38, 23.08, 30.77, 38.46, 46.15,
//!   53.85, 61.54, 69.23, 76.92, 84.62, 92.31, 100.
//! - above scale in 泊头: A since 2020-01-01, no longer from 2025-06-30; B…G since 2025-03-01,
//!   B with revenue reported in 2023-05 (small before: 小升规). Start 1, entered 6, exits 1, net
//!   5 of 20 = 25% → 100 × 0.25 / 1.2 = 20.83 (the ratio capped at 120%). Others net 0 → 0.
//! - nobody submitted a monthly report: timeliness 0 everywhere.
//!
//! Composite = (30 rev + 30 net + 25 park + 15 time)/100 from the published scores, rounded
//! half away from zero to 0.01:
//!   泊头 3000 + 624.9 + 1923 = 5547.9 → 55.48;  任丘 2250 + 2115.5 = 4365.5 → 43.66;
//!   黄骅 1500 + 2307.75 → 38.08;  孟村 1500 + 1730.75 → 32.31;  献县 1500 + 1538.5 → 30.39;
//!   吴桥 1500 + 1346.25 → 28.46;  南皮 1500 + 1153.75 → 26.54;  河间 0 + 2500 → 25.00;
//!   肃宁 1500 + 961.5 → 24.62;  盐山 1500 + 769.25 → 22.69;  海兴 1500 + 577 → 20.77;
//!   东光 1500 + 384.5 → 18.85;  青县 1500 + 192.25 → 16.92;  沧县 1500 → 15.00.
//!
//! 三(二)1 "对考核前三名的县(市)分别给予500万、300万和100万的财政资金奖励,此部分奖励资金分别由考核后
//! 三名的县(市)承担", ranked on park entries: 河间 +500万, 黄骅 +300万, 任丘 +100万 (fen:
//! 500,000,000 / 300,000,000 / 100,000,000), paid by 沧县 −500万, 青县 −300万, 东光 −100万.

use crate::common;
use clusterdesk_domain::QualKind;
use common::*;

const C: [&str; 14] = [
    "130921", "130922", "130923", "130924", "130925", "130926", "130927", "130928", "130929", "130930",
    "130981", "130982", "130983", "130984",
];

async fn fixture() -> (String, Option<clusterdesk_store::testsupport::TempDir>) {
    let (store, url, guard) = fixture_db().await;
    let plan = store.plan().clone();
    let first_cluster = |c: &str| plan.clusters_of(c)[0].code.clone();
    let botou = C[10];
    let mut vals = Vec::new();
    for (k, county) in C.iter().enumerate() {
        let cl = first_cluster(county);
        vals.push(v(&cl, "revenue", "2024-01", 100 * YI));
        let rev25 = match *county {
            "130981" => 110,
            "130982" => 105,
            "130984" => 90,
            _ => 100,
        };
        vals.push(v(&cl, "revenue", "2025-01", rev25 * YI));
        vals.push(v(&cl, "park_entries", "2025-12", k as i64 + 1));
    }
    let ents: Vec<String> = (1..=7).map(|n| make_uscc(botou, n)).collect();
    let inputs: Vec<_> = ents
        .iter()
        .map(|u| enterprise(&plan, u, botou, &first_cluster(botou)))
        .collect();
    store
        .upsert_enterprises(&admin(), &inputs, false)
        .await
        .unwrap()
        .unwrap();
    // B reported revenue in 2023, before it crossed the line.
    vals.push(v(&ents[1], "revenue", "2023-05", 3 * WAN));
    store.upsert_values(&admin(), &vals).await.unwrap();
    let a = q(QualKind::AboveScale, "", "2020-01-01", Some("2025-06-30"));
    store.add_qualification(&admin(), &ents[0], &a).await.unwrap();
    for u in &ents[1..] {
        let e = q(QualKind::AboveScale, "", "2025-03-01", None);
        store.add_qualification(&admin(), u, &e).await.unwrap();
    }
    store.pool().close().await;
    (url, guard)
}

#[tokio::test]
async fn assessment_of_2025_gives_the_hand_computed_scores_and_transfers() {
    let (db, _guard) = fixture().await;
    let v = json(&run_ok(&db, &["assessment", "--year", "2025", "--json"]));
    assert_eq!(v["year"], 2025);
    assert_eq!(v["as_of"], "2025-12");
    assert_eq!(v["complete"], true);

    let rows = v["rows"].as_array().unwrap();
    let got: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["county"].as_str().unwrap(),
                r["composite"].as_str().unwrap(),
                r["rank"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("130981", "55.48", 1),
            ("130982", "43.66", 2),
            ("130983", "38.08", 3),
            ("130930", "32.31", 4),
            ("130929", "30.39", 5),
            ("130928", "28.46", 6),
            ("130927", "26.54", 7),
            ("130984", "25.00", 8),
            ("130926", "24.62", 9),
            ("130925", "22.69", 10),
            ("130924", "20.77", 11),
            ("130923", "18.85", 12),
            ("130922", "16.92", 13),
            ("130921", "15.00", 14),
        ]
    );
    // Each indicator's score for 泊头 and 任丘 (see the header).
    let scores = |county: &str| -> Vec<(String, String)> {
        let r = rows.iter().find(|r| r["county"] == county).unwrap();
        r["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["code"].as_str().unwrap().to_string(),
                    x["score"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert_eq!(
        scores("130981"),
        pairs(&[
            ("revenue_growth", "100.00"),
            ("net_new_above_scale", "20.83"),
            ("park_entries", "76.92"),
            ("reporting_timeliness", "0.00"),
            ("problems_closed_on_time", ""),
        ])
    );
    assert_eq!(
        scores("130982"),
        pairs(&[
            ("revenue_growth", "75.00"),
            ("net_new_above_scale", "0.00"),
            ("park_entries", "84.62"),
            ("reporting_timeliness", "0.00"),
            ("problems_closed_on_time", ""),
        ])
    );

    // 三(二)1: zero-sum transfer by place on park entries.
    let pe = &v["park_entry"];
    assert!(pe["error"].is_null(), "{}", pe["error"]);
    let mut transfers: Vec<(&str, u64, i64)> = pe["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["amount_fen"] != 0)
        .map(|r| {
            (
                r["county"].as_str().unwrap(),
                r["place"].as_u64().unwrap(),
                r["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    transfers.sort_by_key(|t| t.1);
    assert_eq!(
        transfers,
        [
            ("130984", 1, 500 * WAN),
            ("130983", 2, 300 * WAN),
            ("130982", 3, 100 * WAN),
            ("130923", 12, -100 * WAN),
            ("130922", 13, -300 * WAN),
            ("130921", 14, -500 * WAN),
        ]
    );
    assert_eq!(pe["total_fen"], 0);

    // 三(二)2 for 泊头: start 1 + entered 6 (1 小升规, 5 新建入统或无法区分) − exits 1 = end 6;
    // net 5 of the target 20.
    let a = v["above_scale"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["county"] == "130981")
        .unwrap();
    let g = |k: &str| a[k].as_i64().unwrap();
    assert_eq!(
        [
            g("start"),
            g("entered"),
            g("small_to_above"),
            g("newly_built_or_unknown"),
            g("exits"),
            g("net_new"),
            g("end"),
            g("target"),
        ],
        [1, 6, 1, 5, 1, 5, 6, 20]
    );

    let out = run_ok(&db, &["assessment", "--year", "2025"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("县域特色产业集群转型升级工作考核(四(四)):2025 年度"),
        "{text}"
    );
    assert!(text.contains("入园进区考核排名转移(三(二)1)"), "{text}");
    assert!(text.contains("合计 0.00 元"), "{text}");
    assert!(text.contains("5,000,000.00"), "{text}");
    assert!(text.contains("净增规上工业企业(三(二)2)"), "{text}");

    // The latest data are of 2025: 2031 is refused.
    let out = bin()
        .args(["--db", &db, "assessment", "--year", "2031"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("还没有数据"));
}
