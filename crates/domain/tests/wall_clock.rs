//! No source file but the clock reads the wall clock: time is an input (DESIGN.md, Time).
//! `Instant` (a monotonic stopwatch for durations) is allowed; the calendar time is not.

use std::path::{Path, PathBuf};

const FORBIDDEN: &[&str] = &[
    "Utc::now",
    "Local::now",
    "Local::today",
    "Utc::today",
    "SystemTime::now",
    "chrono::offset::Local",
    "OffsetDateTime::now",
    "CURRENT_TIMESTAMP",
    "datetime('now'",
    "date('now'",
];

/// The one file allowed to read the wall clock.
const CLOCK: &str = "crates/domain/src/clock.rs";

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source folder") {
        let path = entry.expect("directory entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            // Tests may read the time to measure themselves; the code under test may not.
            if name != "tests" && name != "target" {
                rust_sources(&path, out);
            }
        } else if name.ends_with(".rs") || name.ends_with(".sql") {
            out.push(path);
        }
    }
}

#[test]
fn only_the_clock_reads_the_wall_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    rust_sources(&root.join("crates"), &mut files);
    assert!(
        files.len() > 50,
        "found the workspace's sources ({})",
        files.len()
    );
    let mut offenders = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        if rel == CLOCK {
            continue;
        }
        let text = std::fs::read_to_string(f).expect("readable source");
        let mut in_test_module = false;
        for (i, line) in text.lines().enumerate() {
            // Unit tests at the foot of a file (`#[cfg(test)]`) may fix a clock however they like.
            if line.trim_start().starts_with("#[cfg(test)]") {
                in_test_module = true;
            }
            if in_test_module {
                break;
            }
            for word in FORBIDDEN {
                if line.contains(word) {
                    offenders.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "read the time from the Clock (clusterdesk_domain::Clock), not the wall clock:\n{}",
        offenders.join("\n")
    );
}
