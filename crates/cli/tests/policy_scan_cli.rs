//! `clusterdesk policy scan` on a demo database (text and JSON), and `--facts` on CSV facts.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clusterdesk"));
    c.env("CLUSTERDESK_DEMO_PASSWORD", "Cli-Test-Pass-2026!");
    c
}

fn tmp() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdscan"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn scan_lists_findings_with_amounts_and_what_is_missing() {
    let dir = tmp();
    let db = dir.join("demo.db").display().to_string();
    let out = bin()
        .args(["--db", &db, "demo", "--enterprises", "600", "--to", "2026-10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bin()
        .args(["--db", &db, "policy", "scan", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    let mut total = 0;
    for r in rows {
        match r["status"].as_str().unwrap() {
            "eligible" => {
                assert!(r["amount_fen"].as_i64().unwrap() > 0);
                total += r["amount_fen"].as_i64().unwrap();
            }
            "unknown" => assert!(!r["missing"].as_array().unwrap().is_empty()),
            other => panic!("status {other}"),
        }
        assert!(r["event_date"].as_str().unwrap() >= "2022-08-10");
    }
    assert_eq!(v["eligible_fen"], total);
    // The text form says the same in Chinese.
    let out = bin().args(["--db", &db, "policy", "scan"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("免申即享扫描"), "{text}");
    // A bad year is refused, naming the flag.
    let out = bin()
        .args(["--db", &db, "policy", "scan", "--year", "20"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--year"));
    let _ = std::fs::remove_dir_all(&dir);
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
