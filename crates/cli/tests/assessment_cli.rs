//! `clusterdesk assessment` on a small demo database: the ranking, the zero-sum 三(二)1 transfer
//! and the 三(二)2 table, as JSON and as text; a bad year is refused in Chinese.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clusterdesk"));
    c.env("CLUSTERDESK_DEMO_PASSWORD", "Cli-Test-Pass-2026!");
    c
}

#[test]
fn assessment_of_2025_ranks_fourteen_counties_and_transfers_sum_to_zero() {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdcli"));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("demo.db").display().to_string();
    let out = bin()
        .args(["--db", &db, "demo", "--enterprises", "400", "--to", "2026-10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = bin()
        .args(["--db", &db, "assessment", "--year", "2025", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["year"], 2025);
    assert_eq!(v["as_of"], "2025-12");
    assert_eq!(v["complete"], true);
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 14);
    // Best first: composites never rise down the table and ranks follow them.
    let comp: Vec<f64> = rows
        .iter()
        .map(|r| r["composite"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(comp.windows(2).all(|w| w[0] >= w[1]), "{comp:?}");
    assert_eq!(rows[0]["rank"], 1);
    for (k, r) in rows.iter().enumerate() {
        assert!(r["rank"].as_u64().unwrap() as usize <= k + 1);
    }
    // 2024 exists in the demo: every county has last year's rank.
    assert!(rows.iter().all(|r| r["last_rank"].is_u64()));
    // 三(二)1: zero-sum; the first place receives, the last pays, unless tied.
    let pe = &v["park_entry"];
    assert!(pe["error"].is_null(), "{}", pe["error"]);
    assert_eq!(pe["total_fen"], 0);
    let amounts: i64 = pe["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(amounts, 0);
    // 三(二)2: net new = entered − exits, end = start + net new, for every county.
    for a in v["above_scale"].as_array().unwrap() {
        let g = |k: &str| a[k].as_i64().unwrap();
        assert_eq!(g("net_new"), g("entered") - g("exits"));
        assert_eq!(g("end"), g("start") + g("net_new"));
        assert_eq!(g("entered"), g("small_to_above") + g("newly_built_or_unknown"));
        assert!(a["target"].is_i64(), "the 2025 targets are in the plan");
    }

    let out = bin()
        .args(["--db", &db, "assessment", "--year", "2025"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("县域特色产业集群转型升级工作考核(四(四)):2025 年度"),
        "{text}"
    );
    assert!(text.contains("入园进区考核排名转移(三(二)1)"), "{text}");
    assert!(text.contains("合计 0.00 元"), "{text}");
    assert!(text.contains("净增规上工业企业(三(二)2)"), "{text}");

    let out = bin()
        .args(["--db", &db, "assessment", "--year", "2031"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("还没有数据"));
    let _ = std::fs::remove_dir_all(&dir);
}
