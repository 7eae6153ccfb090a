//! Hostile files are refused quickly, in little memory, with the cell or part named.
//!
//! Each refusal runs in a child process (this test binary, run again on one test), so that
//! its peak memory (VmHWM) is its own and not that of the tests running beside it.

use clusterdesk_office::reporting::{ImportError, import};
use clusterdesk_office::table::read_table;
use clusterdesk_office::{CellError, error_counts};
use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::{Actor, Store};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CHILD: &str = "CLUSTERDESK_BOUNDED_CHILD";
const MAX_SECONDS: f64 = 2.0;
const MAX_PEAK_KB: u64 = 200 * 1024;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (remake with tests/fixtures/make.py)"))
}

fn status_kb(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Run `refuse` (which reads one file and checks the refusal) in a child process and assert
/// that the child took under 2 s and peaked under 200 MB. `test` is this test's own name.
fn measured(test: &str, refuse: impl FnOnce()) {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        let t = Instant::now();
        refuse();
        println!(
            "MEASURED seconds={:.3} peak_kb={}",
            t.elapsed().as_secs_f64(),
            status_kb("VmHWM:")
        );
        return;
    }
    // The test's full name in this binary: its module's path below the crate root.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            &format!("{module}::{test}"),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, test)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "child {test} failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("MEASURED ").map(|(_, m)| m))
        .unwrap_or_else(|| panic!("child {test} did not measure: {stdout}"));
    let field = |k: &str| -> f64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(k))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (secs, peak) = (field("seconds="), field("peak_kb=") as u64);
    eprintln!("{test}: {secs:.3} s, peak {} MB", peak / 1024);
    assert!(secs < MAX_SECONDS, "{test} took {secs:.3} s");
    assert!(peak < MAX_PEAK_KB, "{test} peaked at {} MB", peak / 1024);
}

fn refused(name: &str) -> CellError {
    match read_table(name, &fixture(name)) {
        Ok(t) => panic!("{name} was read: {} rows", t.rows.len()),
        Err(e) => *e,
    }
}

#[test]
fn a_stray_cell_at_xfd1048576_is_refused_by_the_declared_range() {
    measured(
        "a_stray_cell_at_xfd1048576_is_refused_by_the_declared_range",
        || {
            let e = refused("xfd_cell.xlsx");
            assert_eq!(e.rule, "dimension_out_of_bounds");
            assert_eq!((e.sheet.as_str(), e.cell.as_str()), ("集群月报", "XFD1048576"));
            assert_eq!(
                e.message,
                "文件“xfd_cell.xlsx”工作表“集群月报”的已用范围 A1:XFD1048576 超出模板范围(最多 200 列、100000 行)"
            );
        },
    );
}

#[test]
fn a_stray_cell_at_xfd1048576_is_refused_by_its_own_reference() {
    measured(
        "a_stray_cell_at_xfd1048576_is_refused_by_its_own_reference",
        || {
            let e = refused("xfd_cell_nodim.xlsx");
            assert_eq!(e.rule, "cell_out_of_bounds");
            assert_eq!(
                (e.cell.as_str(), e.row, e.column.as_str()),
                ("XFD1048576", 1_048_576, "XFD")
            );
            assert_eq!(
                e.message,
                "文件“xfd_cell_nodim.xlsx”工作表“集群月报”单元格 XFD1048576 超出模板范围(最多 200 列、100000 行)"
            );
        },
    );
}

#[test]
fn shared_strings_that_unpack_to_a_gibibyte_are_refused() {
    measured("shared_strings_that_unpack_to_a_gibibyte_are_refused", || {
        let e = refused("shared_strings_bomb.xlsx");
        assert_eq!(
            (e.rule.as_str(), e.value.as_str()),
            ("xlsx_too_large", "xl/sharedStrings.xml")
        );
        assert!(
            e.message.contains("部件 xl/sharedStrings.xml 解压后达 1024 MB"),
            "{}",
            e.message
        );
        assert!(e.message.contains("不得超过 200 MB"), "{}", e.message);
    });
}

/// Set the declared unpacked size of `part` (a zip64 entry, as make.py writes the bomb) to
/// `size` in its central header (and its local one, where it has zip64 sizes).
fn forge_size(zip: &mut [u8], part: &str, size: u64) {
    let mut patched = 0;
    for (sig, name_len_at, name_at) in [(b"PK\x03\x04", 26, 30), (b"PK\x01\x02", 28, 46)] {
        let mut i = 0;
        while let Some(p) = zip[i..].windows(4).position(|w| w == sig) {
            let at = i + p;
            i = at + 4;
            let u16_at = |z: &[u8], o: usize| u16::from_le_bytes([z[o], z[o + 1]]) as usize;
            let (n, x) = (u16_at(zip, at + name_len_at), u16_at(zip, at + name_len_at + 2));
            if zip.get(at + name_at..at + name_at + n) != Some(part.as_bytes()) {
                continue;
            }
            let mut e = at + name_at + n;
            let end = e + x;
            while e + 4 <= end {
                let (tag, len) = (u16_at(zip, e), u16_at(zip, e + 2));
                if tag == 1 {
                    zip[e + 4..e + 12].copy_from_slice(&size.to_le_bytes());
                    patched += 1;
                }
                e += 4 + len;
            }
        }
    }
    // The central header at least, which is where the zip reader takes sizes from.
    assert!(patched >= 1, "{part} has no zip64 sizes to forge");
}

#[test]
fn a_bomb_that_understates_its_size_is_stopped_while_it_unpacks() {
    measured(
        "a_bomb_that_understates_its_size_is_stopped_while_it_unpacks",
        || {
            let mut zip = fixture("shared_strings_bomb.xlsx");
            forge_size(&mut zip, "xl/sharedStrings.xml", 1000);
            let e = *read_table("forged.xlsx", &zip).err().expect("refused");
            // Either the reader stops at the declared size (a bad checksum) or the cap stops it.
            assert!(
                e.rule == "xlsx_too_large" || e.rule == "file_unreadable",
                "{} {}",
                e.rule,
                e.message
            );
            assert!(e.message.contains("forged.xlsx"), "{}", e.message);
        },
    );
}

#[test]
fn a_cell_of_two_million_characters_is_refused_by_its_cell() {
    measured("a_cell_of_two_million_characters_is_refused_by_its_cell", || {
        let e = refused("huge_cell.xlsx");
        assert_eq!((e.rule.as_str(), e.cell.as_str()), ("cell_too_long", "C4"));
        assert_eq!(
            e.message,
            "文件“huge_cell.xlsx”工作表“集群月报”单元格 C4 的内容有 2000000 个字符,超过上限 10000 个字符"
        );
        assert!(
            e.value.chars().count() <= 21,
            "the answer does not carry the text"
        );
    });
}

#[test]
fn a_cell_of_256_mib_is_refused_by_its_part() {
    measured("a_cell_of_256_mib_is_refused_by_its_part", || {
        let e = refused("huge_text_256m.xlsx");
        assert_eq!(
            (e.rule.as_str(), e.value.as_str()),
            ("xlsx_too_large", "xl/sharedStrings.xml")
        );
        assert!(e.message.contains("解压后达 256 MB"), "{}", e.message);
    });
}

#[test]
fn a_csv_of_200000_rows_is_refused_at_the_row_past_the_cap() {
    measured("a_csv_of_200000_rows_is_refused_at_the_row_past_the_cap", || {
        let mut csv = String::from("统一社会信用代码,企业名称\n");
        for i in 0..200_000 {
            csv.push_str(&format!("junk{i},x\n"));
        }
        let e = *read_table("junk.csv", csv.as_bytes()).err().expect("refused");
        assert_eq!((e.rule.as_str(), e.row), ("too_many_rows", 100_001));
        assert_eq!(
            e.message,
            "文件“junk.csv”第 100001 行超出模板范围(最多 200 列、100000 行),请拆分后分批导入"
        );
    });
}

#[test]
fn a_csv_cell_past_the_cap_and_a_row_too_wide_are_refused() {
    let long = format!("a,{}\n", "字".repeat(10_001));
    let e = *read_table("long.csv", long.as_bytes()).err().unwrap();
    assert_eq!((e.rule.as_str(), e.cell.as_str()), ("cell_too_long", "B1"));
    assert!(e.message.contains("10001 个字符"), "{}", e.message);
    let wide = format!("{}\n", vec!["1"; 201].join(","));
    let e = *read_table("wide.csv", wide.as_bytes()).err().unwrap();
    assert_eq!((e.rule.as_str(), e.cell.as_str()), ("cell_out_of_bounds", "GS1"));
}

#[test]
fn junk_registry_rows_give_a_short_answer_with_counts() {
    let plan = Plan::embedded().unwrap();
    let mut csv = String::from("统一社会信用代码,企业名称,所在县(市),行业代码\n");
    for i in 0..50_000 {
        csv.push_str(&format!("junk{i},,nowhere,zz\n"));
    }
    let t = read_table("junk.csv", csv.as_bytes()).unwrap();
    let errs = clusterdesk_office::enterprises::parse(&plan, &t)
        .err()
        .expect("refused");
    let c = error_counts(&errs);
    assert!(c.truncated);
    assert_eq!(c.total, 200_000, "{:?}", c.by_rule);
    assert_eq!(c.by_rule.len(), 4, "{:?}", c.by_rule);
    assert!(c.by_rule.values().all(|n| *n == 50_000), "{:?}", c.by_rule);
    // 20 listed for each of the four rules, and one summary line each.
    assert_eq!(errs.len(), 4 * 21);
    let json = serde_json::to_string(&errs).unwrap();
    assert!(json.len() < 64 * 1024, "{} bytes", json.len());
    let summary = errs.iter().find(|e| e.rule == "errors_truncated").unwrap();
    assert_eq!(summary.count, Some(50_000));
    assert!(summary.message.contains("共 50000 处错误"), "{}", summary.message);
}

async fn store() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    (Store::open(&url, plan).await.unwrap(), dir)
}

#[tokio::test]
async fn junk_reporting_rows_give_a_short_answer_with_counts() {
    let (s, _d) = store().await;
    let mut csv = String::from(
        "泊头市 集群月报\n数据集,cluster_monthly,县(市),130981,期间,2025-01\n集群代码,集群名称,营业收入(万元)\n",
    );
    for i in 0..90_000 {
        csv.push_str(&format!("X{i},,1\n"));
    }
    let started = Instant::now();
    let Err(ImportError::Cells(errs)) =
        import(&s, &Actor::system("t"), "junk.csv", csv.as_bytes(), None, true).await
    else {
        panic!("refused")
    };
    assert!(started.elapsed() < Duration::from_secs(20));
    let c = error_counts(&errs);
    assert_eq!(c.by_rule.get("cluster_unknown"), Some(&90_000));
    assert_eq!(errs.len(), 21);
    assert_eq!(errs[0].cell, "A4");
    assert!(
        errs[20].message.contains("共 90000 处错误"),
        "{}",
        errs[20].message
    );
}
