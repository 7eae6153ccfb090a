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
fn notes_rows_of_an_enterprise_file_are_not_enterprises() {
    use clusterdesk_domain::uscc::check_char;
    let first17 = "91130981MA0TEXT01";
    let code = format!("{first17}{}", check_char(first17.as_bytes()).unwrap());
    let csv = format!(
        "序号,统一社会信用代码,企业名称,所在县（市）,行业代码\n1,{code},泊头市甲铸造有限公司,泊头市,C3391\n,合计,1家,,\n填表人:张三,,审核人:李四,,\n"
    );
    let t = read_table("e.csv", csv.as_bytes()).unwrap();
    let plan = clusterdesk_plan::Plan::embedded().unwrap();
    let rows = clusterdesk_office::enterprises::parse(&plan, &t)
        .unwrap_or_else(|e| panic!("{:?}", e.iter().map(|e| e.message.clone()).collect::<Vec<_>>()));
    assert_eq!(rows.source_rows, [2]);
    assert_eq!(rows.inputs[0].uscc.to_string(), code);
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

/// What an official sees in one cell, or the refusal that names the cell.
enum Want {
    /// The value read at a cell (as entered: money in 万元, % as the screen shows it).
    Value {
        cell: &'static str,
        indicator: &'static str,
        shown: &'static str,
    },
    /// Refused: the cell (empty for a part of the file), its row and column, the rule and a
    /// piece of the message that says what is expected.
    Refused {
        cell: &'static str,
        row: usize,
        column: &'static str,
        rule: &'static str,
        says: &'static str,
    },
}

/// A fixture read as the importer reads it: the data set sheet picked, then its layout.
fn read_fixture(
    name: &str,
) -> Result<clusterdesk_office::layout::Layout<'static>, Vec<clusterdesk_office::CellError>> {
    use clusterdesk_office::layout;
    use std::sync::OnceLock;
    static PLAN: OnceLock<clusterdesk_plan::Plan> = OnceLock::new();
    let plan = PLAN.get_or_init(|| clusterdesk_plan::Plan::embedded().unwrap());
    let t = clusterdesk_office::table::read_table_for(
        name,
        &fixture(name),
        &layout::is_dataset_sheet,
        layout::DATASET_SHEET,
    )
    .map_err(|e| vec![*e])?;
    layout::read(plan, &t, None)
}

#[test]
fn every_fixture_reads_as_an_official_sees_it_or_is_refused_by_its_cell() {
    use Want::*;
    // Each expected value is what the cell shows on screen, worked out by hand:
    let table: &[(&str, Want)] = &[
        // 0.45 formatted 0% shows 45%; digitalization_rate is in %.
        (
            "percent_cell.xlsx",
            Value {
                cell: "C4",
                indicator: "digitalization_rate",
                shown: "45",
            },
        ),
        // 0.4567 formatted 0.00% shows 45.67%.
        (
            "percent_cell.xlsx",
            Value {
                cell: "C5",
                indicator: "digitalization_rate",
                shown: "45.67",
            },
        ),
        // Saved by LibreOffice, which writes the formats as custom ones (0%, 0.00%).
        (
            "percent_cell_libreoffice.xlsx",
            Value {
                cell: "C4",
                indicator: "digitalization_rate",
                shown: "45",
            },
        ),
        (
            "percent_cell_libreoffice.xlsx",
            Value {
                cell: "C5",
                indicator: "digitalization_rate",
                shown: "45.67",
            },
        ),
        (
            "formula_no_value.xlsx",
            Refused {
                cell: "C4",
                row: 4,
                column: "C",
                rule: "formula_without_value",
                says: "请在 Excel/WPS 中打开并保存后再上传",
            },
        ),
        // The visible 集群月报 (2025-01) holds 1,000.5 万元; the hidden backup's 900 is not read.
        (
            "hidden_sheet_first.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "1000.5",
            },
        ),
        (
            "notes_sheet_first.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "1000.5",
            },
        ),
        (
            "no_data_sheet.xlsx",
            Refused {
                cell: "",
                row: 0,
                column: "",
                rule: "sheet_missing",
                says: "“填表说明”、“联系人”、“集群月报”(隐藏)",
            },
        ),
        // A notes sheet alone: the sheet is named and what a data set sheet holds is said.
        (
            "notes_sheet_only.xlsx",
            Refused {
                cell: "A2",
                row: 2,
                column: "A",
                rule: "dataset_unknown",
                says: "工作表“填表说明”不是数据集填报表:应为系统生成的模板(第2行为",
            },
        ),
        // C3:D3 merged: neither C4 nor D4 can be told apart; the first is named.
        (
            "merged_header.xlsx",
            Refused {
                cell: "C4",
                row: 4,
                column: "C",
                rule: "header_merged",
                says: "列标题 C3:D3 是合并单元格",
            },
        ),
        // D3 empty; the template has 工业增加值 second.
        (
            "empty_header.xlsx",
            Refused {
                cell: "D4",
                row: 4,
                column: "D",
                rule: "header_empty",
                says: "D3 应为“工业增加值（万元）”",
            },
        ),
        // 1,050,909.68 + 180,340.64 = 1,231,250.32 on screen; the cell caches 1231250.3199999998.
        (
            "cached_double.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "1231250.32",
            },
        ),
        (
            "libreoffice_formula.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "1231250.32",
            },
        ),
        // １２３４．５ typed with a Chinese input method is 1,234.5.
        (
            "full_width.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "1234.5",
            },
        ),
        // C19 with a zero-width space after it, C18 with a BOM before it: the values are read.
        (
            "zero_width_bom.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "1000.5",
            },
        ),
        (
            "zero_width_bom.xlsx",
            Value {
                cell: "C5",
                indicator: "revenue",
                shown: "20",
            },
        ),
        // 1-11月 is the template's 1–11月.
        (
            "hyphen_header.xlsx",
            Value {
                cell: "C4",
                indicator: "revenue",
                shown: "11000.5",
            },
        ),
        // 序号 in A, codes in B, revenue in D; 合计, 填表人 and 填报日期 rows are not data.
        (
            "index_column.xlsx",
            Value {
                cell: "D4",
                indicator: "revenue",
                shown: "1000.5",
            },
        ),
        (
            "index_column.xlsx",
            Value {
                cell: "D5",
                indicator: "revenue",
                shown: "20",
            },
        ),
        (
            "edited_header.xlsx",
            Refused {
                cell: "C3",
                row: 3,
                column: "C",
                rule: "column_unknown",
                says: "应为“营业收入（万元）”",
            },
        ),
        (
            "wrong_period.xlsx",
            Refused {
                cell: "F2",
                row: 2,
                column: "F",
                rule: "period_format",
                says: "按月填报,期间应写作“2025-03”或“2025年3月”",
            },
        ),
        (
            "xfd_cell.xlsx",
            Refused {
                cell: "XFD1048576",
                row: 1_048_576,
                column: "XFD",
                rule: "dimension_out_of_bounds",
                says: "超出模板范围",
            },
        ),
        (
            "shared_strings_bomb.xlsx",
            Refused {
                cell: "",
                row: 0,
                column: "",
                rule: "xlsx_too_large",
                says: "部件 xl/sharedStrings.xml 解压后达",
            },
        ),
    ];
    let mut failed = Vec::new();
    for (name, want) in table {
        let got = read_fixture(name);
        let ok = match (want, &got) {
            (
                Value {
                    cell,
                    indicator,
                    shown,
                },
                Ok(lay),
            ) => {
                let letters = cell.bytes().take_while(u8::is_ascii_alphabetic).count();
                let row: usize = cell[letters..].parse().unwrap();
                let col = lay
                    .cols
                    .iter()
                    .find(|(_, i)| i.code == *indicator)
                    .map(|(c, _)| *c);
                let value = lay
                    .rows
                    .iter()
                    .find(|(r, _)| *r == row)
                    .and_then(|(_, e)| e.values.iter().find(|(k, _)| k == indicator))
                    .map(|(_, v)| v.as_str());
                col.map(clusterdesk_office::column_letter).as_deref() == Some(&cell[..letters])
                    && value == Some(*shown)
            }
            (
                Refused {
                    cell,
                    row,
                    column,
                    rule,
                    says,
                },
                Err(errs),
            ) => {
                let e = &errs[0];
                (e.cell.as_str(), e.row, e.column.as_str(), e.rule.as_str()) == (*cell, *row, *column, *rule)
                    && e.message.contains(says)
            }
            _ => false,
        };
        if !ok {
            let got = match got {
                Ok(lay) => format!(
                    "read {:?}",
                    lay.rows
                        .iter()
                        .map(|(r, e)| (r, e.values.clone()))
                        .collect::<Vec<_>>()
                ),
                Err(errs) => format!(
                    "refused {:?}",
                    errs.iter()
                        .map(|e| (
                            e.cell.clone(),
                            e.row,
                            e.column.clone(),
                            e.rule.clone(),
                            e.message.clone()
                        ))
                        .collect::<Vec<_>>()
                ),
            };
            failed.push(format!("{name}: {got}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn notes_rows_and_the_index_column_are_not_data() {
    let lay = read_fixture("index_column.xlsx").unwrap_or_else(|e| panic!("{e:?}"));
    // Two clusters; the 合计, 填表人/审核人 and 填报日期 rows (7, 8, 9) are left out.
    let rows: Vec<(usize, &str)> = lay.rows.iter().map(|(r, e)| (*r, e.unit.as_str())).collect();
    assert_eq!(rows, [(4, "C19"), (5, "C18")]);
    assert_eq!(
        (lay.county.as_str(), lay.period.to_string()),
        ("130981", "2025-01".to_string())
    );
}

#[test]
fn the_data_sheet_is_named_and_hidden_ones_are_never_read() {
    let lay = read_fixture("hidden_sheet_first.xlsx").unwrap();
    assert_eq!(lay.period.to_string(), "2025-01");
    // A workbook read for any table skips the hidden sheet too.
    let t = read_table("h.xlsx", &fixture("hidden_sheet_first.xlsx")).unwrap();
    assert_eq!(t.sheet, "集群月报");
}
