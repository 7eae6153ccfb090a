//! `clusterdesk progress` on a demo database: every clause of 二 with its status, as JSON.

use std::process::Command;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clusterdesk"));
    c.env("CLUSTERDESK_DEMO_PASSWORD", "Cli-Test-Pass-2026!");
    c
}

#[test]
fn progress_as_of_2025_12_lists_every_target_with_its_final_status() {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdcli"));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("demo.db").display().to_string();
    let out = bin()
        .args(["--db", &db, "demo", "--enterprises", "400", "--to", "2026-10"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = bin()
        .args(["--db", &db, "progress", "--as-of", "2025-12", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["as_of"], "2025-12");
    let targets = v["targets"].as_array().unwrap();
    let mut clauses: Vec<&str> = targets.iter().map(|t| t["clause"].as_str().unwrap()).collect();
    clauses.dedup();
    assert_eq!(clauses.len(), 12, "{clauses:?}");
    let statuses = [
        "achieved",
        "on_track",
        "needs_acceleration",
        "limited_progress",
        "deteriorating",
    ];
    for t in targets {
        assert_eq!(t["is_final"], true, "{}", t["id"]);
        assert_eq!(t["value_period"], "2025", "{}", t["id"]);
        assert!(
            statuses.contains(&t["status"].as_str().unwrap()),
            "{}: {}",
            t["id"],
            t["status"]
        );
        assert!(t["forecast"].is_object(), "{}", t["id"]);
        assert!(!t["series"].as_array().unwrap().is_empty(), "{}", t["id"]);
    }

    // The table, for a county by name.
    let out = bin()
        .args([
            "--db",
            &db,
            "progress",
            "--as-of",
            "2025-12",
            "--county",
            "泊头市",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("泊头市 目标进度(截至2025年12月)"), "{text}");
    assert!(text.contains("二.4c"));

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
    let _ = std::fs::remove_dir_all(&dir);
}
