//! Files as other programs write them are read to what an official sees, or refused naming
//! the cell and what is expected. The fixtures are made by tests/fixtures/make.py.

use clusterdesk_office::table::read_table;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (remake with tests/fixtures/make.py)"))
}

#[test]
fn a_formula_without_a_cached_value_is_refused_by_its_cell() {
    let e = match read_table("formula_no_value.xlsx", &fixture("formula_no_value.xlsx")) {
        Ok(t) => panic!("read: {} rows", t.rows.len()),
        Err(e) => e,
    };
    assert_eq!((e.rule.as_str(), e.cell.as_str()), ("formula_without_value", "C4"));
    assert_eq!(
        e.message,
        "文件“formula_no_value.xlsx”单元格 C4 是公式但没有计算结果;请在 Excel/WPS 中打开并保存后再上传"
    );
}
