//! Reporting data sets through files: template layout, cumulative figures, cell errors, idempotence.

use clusterdesk_domain::uscc::check_char;
use clusterdesk_office::reporting::{ImportError, import, template};
use clusterdesk_plan::Plan;
use clusterdesk_store::registry::EnterpriseInput;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::{Actor, Store};
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

const HEAD: &str = "集群代码,集群名称,\"营业收入(万元,1–{m}月累计)\",入园企业数(家)";

/// A 泊头市 集群月报 file for one month: (cluster, revenue 万元 year to date, park entries).
fn cluster_file(month: u32, rows: &[(&str, &str, &str)]) -> Vec<u8> {
    let head = if month == 1 {
        "集群代码,集群名称,营业收入(万元),入园企业数(家)".to_string()
    } else {
        HEAD.replace("{m}", &month.to_string())
    };
    let mut s =
        format!("泊头市 集群月报\n数据集,cluster_monthly,县(市),130981,期间,2025-{month:02}\n{head}\n");
    for (c, rev, entries) in rows {
        s.push_str(&format!("{c},,{rev},{entries}\n"));
    }
    s.into_bytes()
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

#[tokio::test]
async fn cumulative_figures_are_stored_as_the_months_own_value() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    // January: 1,000.5 万元 = 10,005,000 yuan = 1,000,500,000 fen.
    import(
        &s,
        &a,
        "1.csv",
        &cluster_file(1, &[("C19", "1000.5", "2")]),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(stored(&s, "C19", "revenue", "2025-01").await, Some(1_000_500_000));
    // February year to date 2,500.5 万元: February's own value is 1,500 万元 = 1,500,000,000 fen.
    let r = import(
        &s,
        &a,
        "2.csv",
        &cluster_file(2, &[("C19", "2500.5", "1")]),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.summary.created, 2);
    assert_eq!(stored(&s, "C19", "revenue", "2025-02").await, Some(1_500_000_000));
    assert_eq!(stored(&s, "C19", "park_entries", "2025-02").await, Some(1));
    // The same file again changes nothing.
    let r = import(
        &s,
        &a,
        "2.csv",
        &cluster_file(2, &[("C19", "2500.5", "1")]),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        (r.summary.created, r.summary.updated, r.summary.unchanged),
        (0, 0, 2)
    );
    // A correction updates and keeps the previous value in the change log.
    let r = import(
        &s,
        &a,
        "2.csv",
        &cluster_file(2, &[("C19", "2600.5", "1")]),
        None,
        false,
    )
    .await
    .unwrap();
    assert_eq!(r.summary.updated, 1);
    let old: String =
        sqlx::query_scalar("SELECT old_value FROM change_log WHERE entity = 'value' AND action = 'update'")
            .fetch_one(s.pool())
            .await
            .unwrap();
    assert!(old.contains("1500000000"), "{old}");
}

#[tokio::test]
async fn a_bad_file_is_refused_whole_with_every_cell_named() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    import(
        &s,
        &a,
        "1.csv",
        &cluster_file(1, &[("C19", "1000", "0")]),
        None,
        false,
    )
    .await
    .unwrap();
    let file = cluster_file(
        2,
        &[
            ("C17", "-5", "1"),    // negative revenue
            ("C99", "10", "0"),    // no such cluster
            ("C11", "10", "0"),    // 任丘's cluster in 泊头's file
            ("C19", "900", "0"),   // below January's 1,000
            ("C18", "12abc", "0"), // not a number
        ],
    );
    let Err(ImportError::Cells(errs)) = import(&s, &a, "2.csv", &file, None, false).await else {
        panic!("refused")
    };
    let got: Vec<(&str, &str)> = errs.iter().map(|e| (e.cell.as_str(), e.rule.as_str())).collect();
    assert_eq!(
        got,
        [
            ("C4", "non_negative"),
            ("A5", "cluster_unknown"),
            ("A6", "cluster_county"),
            ("C7", "cumulative_decrease"),
            ("C8", "number_format")
        ]
    );
    assert_eq!(errs[0].sheet, "2");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM data_values WHERE period = '2025-02'")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing half-imported");
}

#[tokio::test]
async fn a_cumulative_figure_needs_the_months_before_it() {
    let (s, _d) = store().await;
    let Err(ImportError::Cells(errs)) = import(
        &s,
        &Actor::system("t"),
        "3.csv",
        &cluster_file(3, &[("C19", "3000", "0")]),
        None,
        false,
    )
    .await
    else {
        panic!("refused")
    };
    assert_eq!(errs[0].rule, "cumulative_gap");
    assert_eq!(errs[0].cell, "C4");
}

#[tokio::test]
async fn the_file_must_be_the_county_and_data_set_it_claims() {
    let (s, _d) = store().await;
    let botou = Actor {
        role: clusterdesk_domain::Role::CountyOperator,
        org_code: "130982".into(),
        ..Actor::system("renqiu")
    };
    let Err(ImportError::Cells(errs)) = import(
        &s,
        &botou,
        "x.csv",
        &cluster_file(1, &[("C19", "1", "0")]),
        None,
        false,
    )
    .await
    else {
        panic!("refused")
    };
    assert_eq!(
        (errs[0].cell.as_str(), errs[0].rule.as_str()),
        ("D2", "forbidden")
    );
    let Err(ImportError::Cells(errs)) = import(
        &s,
        &Actor::system("t"),
        "x.csv",
        &cluster_file(1, &[("C19", "1", "0")]),
        Some("cluster_yearly"),
        false,
    )
    .await
    else {
        panic!("refused")
    };
    assert_eq!(errs[0].rule, "dataset_mismatch");
}

#[tokio::test]
async fn enterprise_rows_are_checked_against_the_registry() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    let first17 = "91130981MA0REP010";
    let code = format!("{first17}{}", check_char(first17.as_bytes()).unwrap());
    let input = EnterpriseInput {
        uscc: clusterdesk_domain::Uscc::parse(&code).unwrap(),
        name: "泊头市测试铸造有限公司".into(),
        county_code: "130981".into(),
        industry: clusterdesk_domain::IndustryCode::parse("3391").unwrap(),
        cluster_code: Some("C19".into()),
        cluster_since: None,
        address: String::new(),
        contact: String::new(),
    };
    s.upsert_enterprises(&a, &[input], false).await.unwrap().unwrap();
    let text = format!(
        "泊头市 企业月报\n数据集,enterprise_monthly,县(市),130981,期间,2025-01\n统一社会信用代码,企业名称,营业收入(万元),\"从业人员(人,期末数)\"\n{code},,120.25,35\n91110000600037341N,,1,1\n"
    );
    let Err(ImportError::Cells(errs)) = import(&s, &a, "e.csv", text.as_bytes(), None, false).await else {
        panic!()
    };
    assert_eq!(
        (errs[0].cell.as_str(), errs[0].rule.as_str()),
        ("A5", "uscc_check")
    );
    let good = text.lines().take(4).collect::<Vec<_>>().join("\n");
    let r = import(&s, &a, "e.csv", good.as_bytes(), None, false)
        .await
        .unwrap();
    assert_eq!(r.summary.created, 2);
    // 120.25 万元 = 1,202,500 yuan = 120,250,000 fen.
    assert_eq!(stored(&s, &code, "revenue", "2025-01").await, Some(120_250_000));
    assert_eq!(stored(&s, &code, "employees", "2025-01").await, Some(35));
}

#[tokio::test]
async fn the_template_names_its_data_set_county_period_and_units() {
    let (s, _d) = store().await;
    let p = clusterdesk_domain::Period::parse("2025-03").unwrap();
    let bytes = template(&s, &Actor::system("t"), "cluster_monthly", "130981", p)
        .await
        .unwrap();
    let t = clusterdesk_office::table::read_table("t.xlsx", &bytes).unwrap();
    assert_eq!(t.sheet, "集群月报");
    assert_eq!(
        t.rows[1][..6],
        ["数据集", "cluster_monthly", "县(市)", "130981", "期间", "2025-03"]
    );
    assert_eq!(t.rows[2][2], "营业收入\u{ff08}万元\u{ff0c}1–3月累计\u{ff09}");
    let clusters: Vec<&str> = t.rows[3..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(clusters, ["C17", "C18", "C19"]);
    assert!(
        template(
            &s,
            &Actor::system("t"),
            "cluster_monthly",
            "130981",
            clusterdesk_domain::Period::parse("2025Q1").unwrap()
        )
        .await
        .is_err()
    );
}

/// Validation findings come back with the import, placed on the sheet's cells, computed on the
/// state the import leaves (or would leave, on a dry run); they do not block the import.
#[tokio::test]
async fn validation_findings_are_reported_by_cell_without_blocking() {
    let (s, _d) = store().await;
    let a = Actor::system("t");
    // Row 4 is C19 (columns: A code, B name, C revenue, D value added): value added 120万元 >
    // revenue 100万元 breaks cm_value_added_le_revenue; C17 on row 5 has no revenue, so
    // cm_revenue_required finds C5 empty.
    let file = "泊头市 集群月报\n数据集,cluster_monthly,县(市),130981,期间,2025-01\n\
                集群代码,集群名称,营业收入(万元),工业增加值(万元)\nC19,,100,120\nC17,,,5\n";
    for dry_run in [true, false] {
        let r = import(&s, &a, "v.csv", file.as_bytes(), None, dry_run)
            .await
            .unwrap();
        let mut at: Vec<(String, String, String)> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.finding.rule_id.clone(),
                    f.finding.unit_code.clone(),
                    f.cell.clone(),
                )
            })
            .collect();
        at.sort();
        assert_eq!(
            at,
            vec![
                ("cm_revenue_required".into(), "C17".into(), "C5".into()),
                ("cm_value_added_le_revenue".into(), "C19".into(), "D4".into()),
            ],
            "dry run {dry_run}"
        );
        assert_eq!(r.findings[0].sheet, r.findings[1].sheet);
        assert_eq!(r.summary.created, 3, "dry run {dry_run}");
    }
    // The import went through despite the error finding: 120万元 = 1,200,000 yuan = 120,000,000 fen.
    assert_eq!(
        stored(&s, "C19", "value_added", "2025-01").await,
        Some(120_000_000)
    );
    // The JSON of the report keeps its keys and adds the findings, each with its cell.
    let r = import(&s, &a, "v.csv", file.as_bytes(), None, true)
        .await
        .unwrap();
    let j = serde_json::to_value(&r).unwrap();
    assert_eq!(j["summary"]["unchanged"], 3);
    assert!(j["findings"].as_array().unwrap().iter().any(|f| f["cell"] == "D4"
        && f["rule_id"] == "cm_value_added_le_revenue"
        && f["importance"] == "error"));
}
