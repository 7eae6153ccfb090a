//! Importing the enterprise registry from real .xlsx and CSV files: all or nothing, errors by
//! cell, idempotent, any of the encodings Chinese offices use.

use clusterdesk_domain::uscc::check_char;
use clusterdesk_office::enterprises::{ImportError, import, template};
use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

fn uscc(first17: &str) -> String {
    format!("{first17}{}", check_char(first17.as_bytes()).unwrap())
}

async fn store() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    (
        Store::open(&url, Arc::new(Plan::embedded().unwrap()))
            .await
            .unwrap(),
        dir,
    )
}

async fn count(s: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
        .fetch_one(s.pool())
        .await
        .unwrap()
}

fn xlsx(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("企业名录").unwrap();
    let head = [
        "统一社会信用代码",
        "企业名称",
        "所在县(市)",
        "所属集群",
        "加入集群日期",
        "行业代码",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write((r + 1) as u32, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_file_with_three_bad_rows_is_refused_whole_with_cells_named() {
    let (s, _d) = store().await;
    let good = uscc("91130981MA0TEXT01");
    let (third, fourth) = (uscc("91130981MA0TEXT03"), uscc("91130981MA0TEXT04"));
    let file = xlsx(&[
        [
            &good,
            "泊头市甲铸造有限公司",
            "泊头市",
            "铸造",
            "2021-01-01",
            "C3391",
        ],
        [
            "91110000600037341N",
            "泊头市乙铸造有限公司",
            "泊头市",
            "铸造",
            "",
            "3391",
        ],
        [
            &third,
            "泊头市丙铸造有限公司",
            "泊头市",
            "不存在的集群",
            "",
            "3391",
        ],
        [&fourth, "丁公司", "北京市", "", "", "3391"],
    ]);
    let err = import(&s, &Actor::system("t"), "企业.xlsx", &file, false)
        .await
        .unwrap_err();
    let ImportError::Cells(errs) = err else {
        panic!("cell errors expected")
    };
    let cells: Vec<(&str, &str, &str)> = errs
        .iter()
        .map(|e| (e.sheet.as_str(), e.cell.as_str(), e.rule.as_str()))
        .collect();
    assert_eq!(
        cells,
        [
            ("企业名录", "A3", "uscc_check"),
            ("企业名录", "D4", "cluster_unknown"),
            ("企业名录", "C5", "county_unknown")
        ]
    );
    assert_eq!(errs[0].value, "91110000600037341N");
    assert_eq!(errs[0].file, "企业.xlsx");
    assert_eq!(count(&s).await, 0, "nothing half-imported");
}

#[tokio::test]
async fn the_same_file_twice_changes_nothing_the_second_time() {
    let (s, _d) = store().await;
    let a = uscc("91130981MA0TEXT11");
    let b = uscc("91130982MA0TEXT12");
    let file = xlsx(&[
        [
            &a,
            "泊头市甲环保设备有限公司",
            "130981",
            "C17",
            "2022-03-01",
            "3591",
        ],
        [&b, "任丘市乙石化有限公司", "任丘市", "石油化工", "", "2511"],
    ]);
    let actor = Actor::system("t");
    let dry = import(&s, &actor, "e.xlsx", &file, true).await.unwrap();
    assert_eq!((dry.created, dry.updated, dry.unchanged), (2, 0, 0));
    assert_eq!(count(&s).await, 0, "a dry run writes nothing");
    let first = import(&s, &actor, "e.xlsx", &file, false).await.unwrap();
    assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
    let second = import(&s, &actor, "e.xlsx", &file, false).await.unwrap();
    assert_eq!((second.created, second.updated, second.unchanged), (0, 0, 2));
    let d = s.get_enterprise(&actor, &a).await.unwrap();
    assert_eq!(d.enterprise.cluster_code.as_deref(), Some("C17"));
    assert_eq!(d.memberships[0].valid_from, "2022-03-01");
}

#[tokio::test]
async fn csv_in_utf8_with_bom_and_in_gb18030_both_import() {
    let (s, _d) = store().await;
    let a = uscc("91130922MA0TEXT21");
    let text = format!(
        "统一社会信用代码,企业名称,所在县(市),所属集群,行业代码\n{a},青县甲石油器材有限公司,青县,石油器材,3512\n"
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let r = import(&s, &Actor::system("t"), "a.csv", &bom, false)
        .await
        .unwrap();
    assert_eq!(r.created, 1);
    let renamed = text.replace("青县甲", "青县乙");
    let (gb, _, _) = encoding_rs::GB18030.encode(&renamed);
    let r = import(&s, &Actor::system("t"), "b.csv", &gb, false)
        .await
        .unwrap();
    assert_eq!(r.updated, 1, "same USCC, new name");
    let d = s.get_enterprise(&Actor::system("t"), &a).await.unwrap();
    assert_eq!(d.enterprise.name, "青县乙石油器材有限公司");
}

#[tokio::test]
async fn a_county_operator_cannot_import_into_another_county() {
    let (s, _d) = store().await;
    let actor = Actor {
        role: clusterdesk_domain::Role::CountyOperator,
        org_code: "130981".into(),
        ..Actor::system("botou")
    };
    let code = uscc("91130982MA0TEXT31");
    let file = xlsx(&[[&code, "任丘市丙公司", "任丘市", "", "", "2511"]]);
    let ImportError::Cells(errs) = import(&s, &actor, "x.xlsx", &file, false).await.unwrap_err() else {
        panic!()
    };
    assert_eq!(errs[0].rule, "forbidden");
    assert_eq!(errs[0].cell, "C2");
    assert_eq!(count(&s).await, 0);
}

#[tokio::test]
async fn junk_and_missing_columns_get_clear_errors() {
    let (s, _d) = store().await;
    let ImportError::Cells(e) = import(&s, &Actor::system("t"), "x.xlsx", b"not a spreadsheet", false)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(e[0].rule, "file_not_xlsx");
    let ImportError::Cells(e) = import(
        &s,
        &Actor::system("t"),
        "x.csv",
        "企业名称\n某公司\n".as_bytes(),
        false,
    )
    .await
    .unwrap_err() else {
        panic!()
    };
    assert!(
        e.iter()
            .any(|x| x.rule == "column_missing" && x.message.contains("统一社会信用代码"))
    );
}

#[tokio::test]
async fn the_template_opens_and_names_every_column() {
    let plan = Plan::embedded().unwrap();
    let bytes = template(&plan).unwrap();
    let t = clusterdesk_office::table::read_table("t.xlsx", &bytes).unwrap();
    assert_eq!(t.sheet, "企业名录");
    assert_eq!(t.rows[0][0], "统一社会信用代码*");
    assert_eq!(t.rows[0].len(), clusterdesk_office::enterprises::COLUMNS.len());
}

/// Names as they will be shown (domain::text): a direction override or a name past its limit
/// is refused on its cell, nothing of the file written; a decomposed name is stored composed.
#[tokio::test]
async fn names_that_would_show_otherwise_than_stored_are_refused_on_their_cell() {
    let (s, _d) = store().await;
    let (a, b, c) = (
        uscc("91130981MA0TEXT21"),
        uscc("91130981MA0TEXT22"),
        uscc("91130981MA0TEXT23"),
    );
    // 101 characters: one over the enterprise name's limit of 100.
    let long = "沧".repeat(101);
    let file = xlsx(&[
        [&a, "泊头市甲设备有限公司", "泊头市", "", "", "3591"],
        [&b, "泊头市\u{202E}司公限有\u{202C}", "泊头市", "", "", "3591"],
        [&c, &long, "泊头市", "", "", "3591"],
    ]);
    let ImportError::Cells(errs) = import(&s, &Actor::system("t"), "e.xlsx", &file, false)
        .await
        .unwrap_err()
    else {
        panic!("cell errors expected")
    };
    let cells: Vec<(&str, &str)> = errs.iter().map(|e| (e.cell.as_str(), e.rule.as_str())).collect();
    assert_eq!(cells, [("B3", "text"), ("B4", "text")]);
    assert!(errs[0].message.contains("U+202E"), "{}", errs[0].message);
    assert!(
        errs[1].message.contains("最多100个字符,现为101个"),
        "{}",
        errs[1].message
    );
    assert_eq!(count(&s).await, 0, "nothing half-imported");

    // "é" typed as e + U+0301 is stored as the one character U+00E9.
    let file = xlsx(&[[&a, "泊头市Cafe\u{301}设备有限公司", "泊头市", "", "", "3591"]]);
    import(&s, &Actor::system("t"), "e.xlsx", &file, false)
        .await
        .unwrap();
    let name: String = sqlx::query_scalar("SELECT name FROM enterprises")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(name, "泊头市Caf\u{e9}设备有限公司");
}
