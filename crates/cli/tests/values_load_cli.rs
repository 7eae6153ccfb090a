//! `clusterdesk values load`: a CSV history in one go; a bad row names its line and nothing is kept.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_clusterdesk"))
}

#[test]
fn values_load_adds_a_history_all_or_nothing() {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdvalues"));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("t.db").display().to_string();
    let good = dir.join("history.csv");
    // Three months of cluster C01's revenue in fen:
    // 1.5, 2.5 and 3.0 亿元 = 15,000,000,000 + 25,000,000,000 + 30,000,000,000 fen.
    std::fs::write(
        &good,
        "unit_code,indicator_code,period,value\nC01,revenue,2024-01,15000000000\nC01,revenue,2024-02,25000000000\nC01,revenue,2024-03,30000000000\n",
    )
    .unwrap();
    let bad = dir.join("bad.csv");
    // Line 2 is fine, line 3 has an indicator the plan does not know.
    std::fs::write(
        &bad,
        "unit_code,indicator_code,period,value\nC01,revenue,2024-01,1\nC01,turnover,2024-02,2\n",
    )
    .unwrap();

    let out = bin()
        .args(["--db", &db, "values", "load"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv 第3行:指标代码“turnover”不在本方案中"),
        "{err}"
    );

    // A dry run checks and writes nothing, so the real load after it still succeeds; and the
    // refused file above left nothing behind (its line 2 has the same key as line 2 here).
    let out = bin()
        .args(["--db", &db, "values", "load", "--dry-run"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("检查通过(未写入):3 个数据值"));
    let out = bin()
        .args(["--db", &db, "values", "load"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("history.csv:装载完成:3 个数据值,期间 2024-01 至 2024-03"),
        "{text}"
    );

    // Loading it twice is refused at its first row: the values are stored and not overwritten.
    let out = bin()
        .args(["--db", &db, "values", "load"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("history.csv 第2行:数据值(C01/revenue/2024-01)已存在"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
