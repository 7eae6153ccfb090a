//! Files filled the way county offices fill them are read to the number an official sees on
//! screen: cached doubles of formulas, full-width digits, invisible characters in codes and
//! keys, and headers typed with another dash.

use clusterdesk_office::reporting::import;
use clusterdesk_plan::Plan;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::{Actor, Store};
use rust_xlsxwriter::{Formula, Workbook};
use std::sync::Arc;

async fn store() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    (
        Store::open(&url, Arc::new(Plan::embedded().unwrap()))
            .await
            .unwrap(),
        dir,
    )
}

async fn stored(s: &Store, unit: &str, ind: &str, period: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT num_value FROM data_values WHERE unit_code = $1 AND indicator_code = $2 AND period = $3",
    )
    .bind(unit)
    .bind(ind)
    .bind(period)
    .fetch_optional(s.pool())
    .await
    .unwrap()
    .flatten()
}

/// A 泊头市 集群月报 sheet: row 2 the keys as given, row 3 the headers, row 4 one cluster
/// whose revenue cell is written by `revenue` and whose park entries are the text given.
fn xlsx(
    keys: [&str; 6],
    heads: [&str; 4],
    code: &str,
    revenue: impl FnOnce(&mut rust_xlsxwriter::Worksheet),
    entries: &str,
) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("集群月报").unwrap();
    ws.write(0, 0, "泊头市 集群月报").unwrap();
    for (c, k) in keys.iter().enumerate() {
        ws.write(1, c as u16, *k).unwrap();
    }
    for (c, h) in heads.iter().enumerate() {
        ws.write(2, c as u16, *h).unwrap();
    }
    ws.write(3, 0, code).unwrap();
    ws.write(3, 1, "").unwrap();
    revenue(ws);
    ws.write(3, 3, entries).unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_formulas_cached_double_full_width_digits_and_a_bom_read_as_shown() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    let file = xlsx(
        // A full-width period with an NBSP after it, a zero-width space in the county code.
        [
            "数据集",
            "cluster_monthly",
            "县(市)",
            "1309\u{200b}81",
            "期间",
            "２０２５-０１\u{a0}",
        ],
        ["集群代码", "集群名称", "营业收入（万元）", "入园企业数（家）"],
        // A BOM before the cluster code, as pasted from a UTF-8 text file.
        "\u{feff}C19",
        // What `=上月累计+本月` caches for 1,231,250.32: the nearest double, 1231250.3199999998.
        |ws| {
            ws.write_formula(
                3,
                2,
                Formula::new("=1231250+0.32").set_result("1231250.3199999998"),
            )
            .unwrap();
        },
        // Typed with a Chinese input method.
        "１２",
    );
    let r = import(&s, &a, "泊头.xlsx", &file, None, false)
        .await
        .unwrap_or_else(|e| panic!("refused: {e:?}"));
    assert_eq!(r.period, "2025-01");
    assert_eq!(r.county, "130981");
    // 1,231,250.32 万元 = 12,312,503,200 元 = 1,231,250,320,000 分.
    assert_eq!(
        stored(&s, "C19", "revenue", "2025-01").await,
        Some(1_231_250_320_000)
    );
    assert_eq!(stored(&s, "C19", "park_entries", "2025-01").await, Some(12));
}

#[tokio::test]
async fn a_header_with_an_ascii_hyphen_is_the_templates_header() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    let keys = |p: &'static str| ["数据集", "cluster_monthly", "县(市)", "130981", "期间", p];
    // January: 1,000.5 万元.
    let jan = xlsx(
        keys("2025-01"),
        ["集群代码", "集群名称", "营业收入（万元）", "入园企业数（家）"],
        "C19",
        |ws| {
            ws.write(3, 2, 1000.5).unwrap();
        },
        "2",
    );
    import(&s, &a, "1.xlsx", &jan, None, false).await.unwrap();
    // February's year to date 2,500.5 万元 under `1-2月`, a zero-width space after the code.
    let feb = xlsx(
        keys("2025-02"),
        [
            "集群代码",
            "集群名称",
            "营业收入(万元,1-2月累计)",
            "入园企业数(家)",
        ],
        "C19\u{200b}",
        |ws| {
            ws.write(3, 2, 2500.5).unwrap();
        },
        "1",
    );
    import(&s, &a, "2.xlsx", &feb, None, false)
        .await
        .unwrap_or_else(|e| panic!("refused: {e:?}"));
    // February's own value: 2,500.5 − 1,000.5 = 1,500 万元 = 1,500 × 10^6 fen.
    assert_eq!(stored(&s, "C19", "revenue", "2025-02").await, Some(1_500_000_000));
}

#[tokio::test]
async fn a_header_naming_another_month_is_still_refused() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    let file = xlsx(
        ["数据集", "cluster_monthly", "县(市)", "130981", "期间", "2025-02"],
        [
            "集群代码",
            "集群名称",
            "营业收入(万元,1-3月累计)",
            "入园企业数(家)",
        ],
        "C19",
        |ws| {
            ws.write(3, 2, 2500.5).unwrap();
        },
        "1",
    );
    let Err(clusterdesk_office::reporting::ImportError::Cells(errs)) =
        import(&s, &a, "x.xlsx", &file, None, true).await
    else {
        panic!("accepted a 1–3月 header for February");
    };
    assert_eq!(errs[0].cell, "C3");
    assert_eq!(errs[0].rule, "column_unknown");
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (remake with tests/fixtures/make.py)"))
}

#[tokio::test]
async fn fixtures_are_stored_as_they_show() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    for name in [
        "percent_cell.xlsx",
        "index_column.xlsx",
        "hidden_sheet_first.xlsx",
    ] {
        import(&s, &a, name, &fixture(name), None, false)
            .await
            .unwrap_or_else(|e| panic!("{name} refused: {e:?}"));
    }
    // 45% and 45.67%, stored at the plan's scale 2.
    assert_eq!(stored(&s, "C19", "digitalization_rate", "2025").await, Some(4500));
    assert_eq!(stored(&s, "C18", "digitalization_rate", "2025").await, Some(4567));
    // hidden_sheet_first.xlsx (imported last) gives C19 1,000.5 万元 = 1,000,500,000 fen; its
    // hidden backup of 2024-12 is not read.
    assert_eq!(stored(&s, "C19", "revenue", "2025-01").await, Some(1_000_500_000));
    assert_eq!(stored(&s, "C19", "revenue", "2024-12").await, None);
    // index_column.xlsx: C18 20 万元 = 20,000,000 fen; its 合计 row is not a unit.
    assert_eq!(stored(&s, "C18", "revenue", "2025-01").await, Some(20_000_000));
}

#[tokio::test]
async fn values_under_a_merged_header_are_refused_and_nothing_is_written() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    let Err(clusterdesk_office::reporting::ImportError::Cells(errs)) =
        import(&s, &a, "m.xlsx", &fixture("merged_header.xlsx"), None, false).await
    else {
        panic!("accepted values under a merged header");
    };
    let got: Vec<(&str, &str)> = errs.iter().map(|e| (e.cell.as_str(), e.rule.as_str())).collect();
    assert_eq!(got, [("C4", "header_merged"), ("D4", "header_merged")]);
    // C3 holds the merged text, 营业收入; the template's second column is 工业增加值.
    assert!(
        errs[0].message.ends_with("(C3 应为“营业收入（万元）”)"),
        "{}",
        errs[0].message
    );
    assert!(
        errs[1].message.ends_with("(D3 应为“工业增加值（万元）”)"),
        "{}",
        errs[1].message
    );
    assert_eq!(stored(&s, "C19", "revenue", "2025-01").await, None);
}

#[tokio::test]
async fn a_period_the_data_set_cannot_have_says_how_it_is_written() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    let Err(clusterdesk_office::reporting::ImportError::Cells(errs)) =
        import(&s, &a, "p.xlsx", &fixture("wrong_period.xlsx"), None, true).await
    else {
        panic!("accepted 2025年1月份");
    };
    assert_eq!(
        (errs[0].cell.as_str(), errs[0].rule.as_str()),
        ("F2", "period_format")
    );
    assert_eq!(
        errs[0].message,
        "期间“2025年1月份”无效:数据集“集群月报”按月填报,期间应写作“2025-03”或“2025年3月”"
    );
}
