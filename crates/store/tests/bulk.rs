//! The bulk loader: rows in, one change-log summary, and all or nothing on a bad row.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.

use clusterdesk_domain::{IndustryCode, Uscc};
use clusterdesk_plan::Plan;
use clusterdesk_store::registry::EnterpriseInput;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store, StoreError};
use std::sync::Arc;

const ENT: &str = "91110000600037341L";

async fn store() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let s = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    // One registered enterprise in 黄骅市, in the chemical cluster C01.
    let admin = Actor::system("test");
    s.upsert_enterprises(
        &admin,
        &[EnterpriseInput {
            uscc: Uscc::parse(ENT).unwrap(),
            name: "测试化工有限公司".into(),
            county_code: "130983".into(),
            industry: IndustryCode::parse("2511").unwrap(),
            cluster_code: Some("C01".into()),
            cluster_since: None,
            address: String::new(),
            contact: String::new(),
        }],
        false,
    )
    .await
    .unwrap()
    .unwrap();
    (s, dir)
}

/// (count, sum of num_value) of the values table.
async fn totals(s: &Store) -> (i64, i64) {
    sqlx::query_as("SELECT COUNT(*), CAST(COALESCE(SUM(num_value), 0) AS BIGINT) FROM data_values")
        .fetch_one(s.pool())
        .await
        .unwrap()
}

async fn bulk_log(s: &Store) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT actor, entity_key, new_value FROM change_log WHERE entity = 'value_bulk_load' ORDER BY id",
    )
    .fetch_all(s.pool())
    .await
    .unwrap()
}

const GOOD: &str = "\u{feff}unit_code,indicator_code,period,value
C01,revenue,2024-01,150000000
C01,revenue,2024-02,250000000
91110000600037341L,revenue,2024-01,1234567
91110000600037341L,employees,2024-01,35
C01,quarter_progress,2024Q1,\"完成技改项目3个,新增产值1.2亿元\"
C01,revenue,2024,4000000000
";

#[tokio::test]
async fn a_csv_loads_in_one_go_with_one_change_log_entry() {
    let (s, _d) = store().await;
    let by = Actor::system("loader");
    let sum = s
        .bulk_load_values_csv(&by, "history.csv", GOOD.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(sum.rows, 6);
    assert_eq!(sum.first_period.as_deref(), Some("2024"));
    assert_eq!(sum.last_period.as_deref(), Some("2024Q1"));
    // 150000000 + 250000000 + 1234567 + 35 + 4000000000 = 4401234602 (the text value has no number)
    assert_eq!(totals(&s).await, (6, 4_401_234_602));
    let text: Option<String> = sqlx::query_scalar(
        "SELECT text_value FROM data_values WHERE indicator_code = 'quarter_progress' AND period = '2024Q1'",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(text.as_deref(), Some("完成技改项目3个,新增产值1.2亿元"));
    let who: String = sqlx::query_scalar("SELECT DISTINCT updated_by FROM data_values")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(who, "loader");
    // One summary entry, not six.
    let log = bulk_log(&s).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, "loader");
    assert_eq!(log[0].1, "history.csv");
    let v: serde_json::Value = serde_json::from_str(&log[0].2).unwrap();
    assert_eq!(v["values"], 6);
    let per_value: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_log WHERE entity = 'value'")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(per_value, 0);

    // Loading the same file again refuses it at its first row (line 2): nothing overwritten.
    let e = s
        .bulk_load_values_csv(&by, "history.csv", GOOD.as_bytes(), false)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    assert!(e.to_string().contains("第2行"), "{e}");
    assert!(e.to_string().contains("C01/revenue/2024-01"), "{e}");
    assert_eq!(totals(&s).await, (6, 4_401_234_602));
    assert_eq!(bulk_log(&s).await.len(), 1);
}

/// Each bad row is refused with its CSV line named, and nothing of the file is written.
#[tokio::test]
async fn a_bad_row_names_its_line_and_nothing_is_written() {
    let (s, _d) = store().await;
    let by = Actor::system("loader");
    let head = "unit_code,indicator_code,period,value\nC01,revenue,2024-01,100\nC01,revenue,2024-02,200\n";
    for (row, want) in [
        ("C01,no_such_indicator,2024-03,1", "指标代码“no_such_indicator”"),
        ("C99,revenue,2024-03,1", "单位“C99”"),
        ("91350100M000100Y43,revenue,2024-03,1", "单位“91350100M000100Y43”"),
        ("C01,revenue,2024-13,1", "月份应为01–12"),
        ("C01,revenue,2024-3,1", "应写作“2024-03”"),
        ("C01,revenue,2024-03,12.5", "不是整数"),
        ("C01,revenue,2024-03,-1", "不能为负数"),
        ("C01,quarter_progress,2024Q1,", "缺少文字"),
        (
            &format!("{ENT},above_scale_enterprises,2024-03,1"),
            "只按集群填报",
        ),
        ("C01,revenue,2024-03", "应有4列"),
        // Repeats line 2 of the same file.
        ("C01,revenue,2024-01,100", "C01/revenue/2024-01"),
    ] {
        let file = format!("{head}C01,revenue,2024-04,400\n{row}\nC01,revenue,2024-05,500\n");
        let e = s
            .bulk_load_values_csv(&by, "bad.csv", file.as_bytes(), false)
            .await
            .unwrap_err();
        let m = e.to_string();
        // header (1) + three good rows (2–4) -> the bad row is line 5.
        assert!(m.starts_with("bad.csv 第5行:"), "{row}: {m}");
        assert!(m.contains(want), "{row}: {m}");
        assert!(m.contains("整个文件未装载"), "{m}");
        assert_eq!(totals(&s).await, (0, 0), "{row}");
        assert!(bulk_log(&s).await.is_empty(), "{row}");
    }
    let e = s
        .bulk_load_values_csv(&by, "bad.csv", "unit,indicator,period,value\n".as_bytes(), false)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("第1行:表头应为"), "{e}");
}

#[tokio::test]
async fn a_dry_run_checks_everything_and_writes_nothing() {
    let (s, _d) = store().await;
    let by = Actor::system("loader");
    let sum = s
        .bulk_load_values_csv(&by, "history.csv", GOOD.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!((sum.rows, sum.dry_run), (6, true));
    assert_eq!(totals(&s).await, (0, 0));
    assert!(bulk_log(&s).await.is_empty());
}

#[tokio::test]
async fn typed_values_load_and_only_the_city_administrator_may() {
    let (s, _d) = store().await;
    let values: Vec<Value> = (1..=12)
        .map(|m| Value {
            unit_code: "C02".into(),
            indicator_code: "tax_paid".into(),
            period: format!("2023-{m:02}"),
            num_value: Some(m * 1000),
            text_value: None,
        })
        .collect();
    let mut county = Actor::system("botou");
    county.role = clusterdesk_domain::Role::CountyOperator;
    county.org_code = "130981".into();
    let e = s
        .bulk_load_values(&county, "list", values.clone(), false)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Forbidden(_)), "{e}");
    let sum = s
        .bulk_load_values(&Actor::system("demo"), "list", values, false)
        .await
        .unwrap();
    // 1000 × (1 + 2 + … + 12) = 1000 × 78 = 78000
    assert_eq!(sum.rows, 12);
    assert_eq!(totals(&s).await, (12, 78_000));
    // A typed list names the position of a bad value.
    let bad = vec![
        Value {
            unit_code: "C02".into(),
            indicator_code: "tax_paid".into(),
            period: "2024-01".into(),
            num_value: Some(1),
            text_value: None,
        },
        Value {
            unit_code: "C02".into(),
            indicator_code: "tax_paid".into(),
            period: "2024-02".into(),
            num_value: Some(-5),
            text_value: None,
        },
    ];
    let e = s
        .bulk_load_values(&Actor::system("demo"), "list", bad, false)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("第2个值"), "{e}");
    assert_eq!(totals(&s).await, (12, 78_000));
}
