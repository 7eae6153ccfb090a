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
    assert_eq!(
        (e.rule.as_str(), e.cell.as_str()),
        ("formula_without_value", "C4")
    );
    assert_eq!(
        e.message,
        "文件“formula_no_value.xlsx”单元格 C4 是公式但没有计算结果;请在 Excel/WPS 中打开并保存后再上传"
    );
}

#[test]
fn enterprise_codes_are_read_as_seen() {
    use clusterdesk_domain::uscc::check_char;
    let first17 = "91130981MA0TEXT01";
    let code = format!("{first17}{}", check_char(first17.as_bytes()).unwrap());
    // The code typed in full-width digits behind a zero-width space, the industry code with
    // a BOM and NBSP, the county header in full-width brackets.
    let wide: String = code
        .chars()
        .map(|c| match c {
            '0'..='9' | 'A'..='Z' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            c => c,
        })
        .collect();
    let csv = format!(
        "统一社会信用代码,企业名称,所在县（市）,行业代码\n\u{200B}{wide},泊头市甲铸造有限公司\u{00A0},泊头市,\u{FEFF}Ｃ3391\u{00A0}\n"
    );
    let t = read_table("e.csv", csv.as_bytes()).unwrap();
    let plan = clusterdesk_plan::Plan::embedded().unwrap();
    let rows = match clusterdesk_office::enterprises::parse(&plan, &t) {
        Ok(r) => r,
        Err(e) => panic!("{:?}", e.iter().map(|e| e.message.clone()).collect::<Vec<_>>()),
    };
    let e = &rows.inputs[0];
    assert_eq!(e.uscc.to_string(), code);
    assert_eq!(e.name, "泊头市甲铸造有限公司");
    assert_eq!(e.county_code, "130981");
    assert_eq!(e.industry.to_string(), "C3391");
}
