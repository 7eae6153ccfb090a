//! The demo city: deterministic for a seed, plausible, and consistent with the plan.

use clusterdesk_domain::Period;
use clusterdesk_plan::Plan;
use clusterdesk_store::demo::{DemoOptions, generate};
use clusterdesk_store::testsupport::{fresh_db, test_clock};
use clusterdesk_store::{Actor, Store};
use std::sync::Arc;

fn opts(seed: u64) -> DemoOptions {
    DemoOptions {
        enterprises: 400,
        from: Period::parse("2021-01").unwrap(),
        to: Period::parse("2022-06").unwrap(),
        seed,
        password: "Demo-Test-Pass-1!".into(),
    }
}

/// Every business row of the database as text, without timestamps.
async fn dump(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT uscc || '|' || name || '|' || county_code || '|' || industry_code FROM enterprises ORDER BY uscc",
        "SELECT uscc || '|' || cluster_code || '|' || valid_from || '|' || COALESCE(valid_to, '') FROM memberships ORDER BY uscc, valid_from, cluster_code",
        "SELECT uscc || '|' || kind || '|' || level || '|' || valid_from || '|' || COALESCE(valid_to, '') FROM qualifications ORDER BY uscc, kind, valid_from, level",
        "SELECT unit_code || '|' || indicator_code || '|' || period || '|' || COALESCE(CAST(num_value AS TEXT), text_value, '') FROM data_values ORDER BY unit_code, indicator_code, period",
        "SELECT username || '|' || role || '|' || org_code FROM users ORDER BY username",
        "SELECT dataset || '|' || county_code || '|' || period || '|' || status || '|' || COALESCE(submitted_at, '') FROM submissions ORDER BY dataset, county_code, period",
    ] {
        let rows: Vec<String> = sqlx::query_scalar(sql).fetch_all(store.pool()).await.unwrap();
        assert!(!rows.is_empty(), "{sql}");
        out.extend(rows);
    }
    out
}

async fn fresh_store() -> (Store, Option<clusterdesk_store::testsupport::TempDir>) {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    (
        Store::open_with_clock(&url, plan, test_clock()).await.unwrap(),
        dir,
    )
}

#[tokio::test]
async fn the_same_seed_gives_identical_data_and_another_seed_does_not() {
    let (a, _da) = fresh_store().await;
    let (b, _db) = fresh_store().await;
    let (c, _dc) = fresh_store().await;
    generate(&a, &opts(7)).await.unwrap();
    generate(&b, &opts(7)).await.unwrap();
    generate(&c, &opts(8)).await.unwrap();
    let (da, db, dc) = (dump(&a).await, dump(&b).await, dump(&c).await);
    assert_eq!(da.len(), db.len());
    assert!(da == db, "seed 7 twice differs");
    assert!(da != dc, "seeds 7 and 8 agree");
}

#[tokio::test]
async fn the_demo_is_plausible_and_refuses_a_full_database() {
    let (s, _d) = fresh_store().await;
    let report = generate(&s, &opts(7)).await.unwrap();
    assert_eq!(report.enterprises, 400);
    let admin = Actor::system("test");
    let clusters = s.list_clusters(&admin).await.unwrap();
    assert_eq!(clusters.len(), 45);
    assert!(
        clusters.iter().all(|c| c.enterprise_count >= 1),
        "every cluster has enterprises"
    );
    // Every enterprise sits in a cluster of its own county.
    let bad: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships m JOIN enterprises e ON e.uscc = m.uscc
         JOIN clusters c ON c.code = m.cluster_code WHERE c.county_code <> e.county_code",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(bad, 0);
    // Monthly cluster revenue for every month of the span: 45 clusters x 18 months.
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM data_values WHERE indicator_code = 'revenue' AND period LIKE '____-__'
         AND unit_code IN (SELECT code FROM clusters)",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(n, 45 * 18);
    // 任丘 石油化工 (attachment 11) is among the largest clusters, 吴桥 杂技 (28) the smallest.
    let totals = s.cluster_totals("revenue", "2021-").await.unwrap();
    let get = |code: &str| totals.iter().find(|(c, _)| c == code).map(|(_, v)| *v).unwrap();
    assert!(get("C11") > get("C19") && get("C19") > get("C28"));
    // Every USCC that the demo wrote passes the GB 32100 check.
    let codes: Vec<String> = sqlx::query_scalar("SELECT uscc FROM enterprises")
        .fetch_all(s.pool())
        .await
        .unwrap();
    assert!(codes.iter().all(|c| clusterdesk_domain::Uscc::parse(c).is_ok()));
    // Demo data goes only into an empty database: refused as a conflict, with the reason.
    match generate(&s, &opts(7)).await {
        Err(clusterdesk_store::StoreError::Conflict(m)) => {
            assert_eq!(m, "数据库中已有企业数据;演示数据只能写入空数据库")
        }
        Err(e) => panic!("expected a conflict, got {e}"),
        Ok(_) => panic!("a second demo into a full database was accepted"),
    }
    let again: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(again, 400, "the refused run wrote nothing");
}

/// The demo's accepted history passes the shipped validation rules without an error (warnings
/// are realistic: a cluster's year can differ from its past). Four and a half years, so that
/// the outlier rules have the three earlier Februaries they need.
#[tokio::test]
async fn the_accepted_demo_history_has_no_validation_errors() {
    let (s, _d) = fresh_store().await;
    let o = DemoOptions {
        to: Period::parse("2025-06").unwrap(),
        ..opts(7)
    };
    generate(&s, &o).await.unwrap();
    let admin = Actor::system("test");
    let accepted: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT dataset, county_code, period FROM submissions WHERE status = 'accepted'
         ORDER BY dataset, county_code, period",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    let count = |ds: &str| accepted.iter().filter(|a| a.0 == ds).count();
    assert!(count("cluster_monthly") > 14 * 50, "{}", count("cluster_monthly"));
    // Every data set has a history. The tests run after 2026-12, so everything up to 2025-06 was
    // due and is accepted: 2021Q1–2025Q2 (18 quarters) and the years 2021–2024.
    assert_eq!(count("cluster_quarterly"), 14 * 18);
    assert_eq!(count("cluster_yearly"), 14 * 4);
    // 企业月报 from January of the year before the last month: 2024-01–2025-06, 18 months.
    assert_eq!(count("enterprise_monthly"), 14 * 18);
    let (mut warnings, mut errors) = (0, Vec::new());
    let t0 = std::time::Instant::now();
    for (ds, county, period) in &accepted {
        for f in s.validate(&admin, ds, county, period).await.unwrap() {
            if f.is_error() {
                errors.push(format!(
                    "{ds} {county} {period} {} {}: {}",
                    f.rule_id, f.unit_code, f.message
                ));
            } else {
                warnings += 1;
                if std::env::var("SHOW_WARNINGS").is_ok() {
                    eprintln!("{county} {period} {} {}: {}", f.rule_id, f.unit_code, f.message);
                }
            }
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
    eprintln!(
        "demo history: {} accepted periods validated in {:?}, {warnings} warnings",
        accepted.len(),
        t0.elapsed()
    );
}

/// A demo inside one calendar year (no full year, no year after the first) still generates.
#[tokio::test]
async fn a_demo_of_a_few_months_generates() {
    let (s, _d) = fresh_store().await;
    let o = DemoOptions {
        enterprises: 100,
        from: Period::parse("2025-01").unwrap(),
        to: Period::parse("2025-06").unwrap(),
        ..opts(7)
    };
    let r = generate(&s, &o).await.unwrap();
    assert_eq!(r.enterprises, 100);
    // Monthly cluster revenue for every month asked: 45 clusters × 6 months (2025-01..06), and
    // none outside them.
    let months: Vec<(String, i64)> = sqlx::query_as(
        "SELECT period, COUNT(*) FROM data_values WHERE indicator_code = 'revenue'
         AND unit_code LIKE 'C%' AND period LIKE '____-__' GROUP BY period ORDER BY period",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    let want: Vec<(String, i64)> = (1..=6).map(|m| (format!("2025-{m:02}"), 45)).collect();
    assert_eq!(months, want);
    let enterprises: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(enterprises, 100);
}

/// The demo made on the tests' date (`CLUSTERDESK_TEST_NOW`; scripts/test runs this at the 2nd
/// and the 11th of a month and on 5 January): it ends with last month, writes nothing dated
/// after its today, and always holds the cases the pages show: a county overdue with a due
/// month, a month awaiting the county leader and one awaiting the city.
#[tokio::test]
async fn a_demo_made_today_holds_the_cases_and_nothing_after_today() {
    let (s, _d) = fresh_store().await;
    let today = s.today();
    let last = clusterdesk_store::demo::last_month(today);
    let o = DemoOptions {
        enterprises: 200,
        from: Period::parse("2025-01").unwrap(),
        to: last,
        ..opts(7)
    };
    generate(&s, &o).await.unwrap();
    let now = s.now();
    let today_text = today.to_string();

    let (checked, after) = dated_after_today(&s).await;
    assert!(checked > 100, "found the demo's dates ({checked})");
    assert!(after.is_empty(), "dated after today ({now}): {after:?}");
    let newest: String =
        sqlx::query_scalar("SELECT MAX(period) FROM data_values WHERE period LIKE '____-__'")
            .fetch_one(s.pool())
            .await
            .unwrap();
    assert_eq!(newest, last.to_string(), "the history ends with last month");

    // The bureau's overdue list names 泊头 with a month whose deadline has passed.
    let city = Actor::system("test");
    let overdue = s.overdue(&city, today, Some("cluster_monthly")).await.unwrap();
    let botou: Vec<_> = overdue.iter().filter(|o| o.county_code == "130981").collect();
    assert!(!botou.is_empty(), "泊头 is overdue on {today}: {overdue:?}");
    assert!(
        botou
            .iter()
            .all(|o| o.deadline < today_text && o.days_overdue > 0)
    );
    // One month awaits 任丘's leader, one awaits the city (河间).
    let states: Vec<(String, String)> = sqlx::query_as(
        "SELECT county_code, status FROM submissions WHERE dataset = 'cluster_monthly'
         AND status IN ('submitted', 'county_approved')",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    assert!(
        states.contains(&("130982".into(), "submitted".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("130984".into(), "county_approved".into())),
        "{states:?}"
    );

    // A demo that would end in this month or later is refused: its data would be after today.
    let (s2, _d2) = fresh_store().await;
    let err = generate(&s2, &DemoOptions { to: last.next(), ..o })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("演示数据最晚到"), "{err}");
}

/// The whole demo history (2021-01 to last month) tells the truth on the tests' date: nothing
/// dated after today, nothing overdue but 泊头's latest 集群月报 (none before the plan's first
/// periods: 集群年报 2014–2021 is not owed), and every period sent or accepted holds values of
/// its data set for the county's units, 企业月报 enterprise values included.
#[tokio::test]
async fn the_whole_demo_tells_the_truth() {
    let (s, _d) = fresh_store().await;
    let today = s.today();
    let last = clusterdesk_store::demo::last_month(today);
    let o = DemoOptions {
        enterprises: 400,
        from: Period::parse("2021-01").unwrap(),
        to: last,
        ..opts(7)
    };
    generate(&s, &o).await.unwrap();

    let (checked, after) = dated_after_today(&s).await;
    assert!(checked > 1000, "found the demo's dates ({checked})");
    assert!(after.is_empty(), "dated after today ({}): {after:?}", s.now());

    // The plan owes 集群年报 from 2022, the year it was issued, not for 2021 or earlier.
    let plan = s.plan().clone();
    let yearly = plan.datasets.iter().find(|d| d.code == "cluster_yearly").unwrap();
    assert!(!yearly.owes(Period::parse("2014").unwrap()));
    assert!(!yearly.owes(Period::parse("2021").unwrap()));
    assert!(yearly.owes(Period::parse("2022").unwrap()));
    // Overdue, in every data set: only 泊头's 集群月报 (the demo's 催报 case), and no year
    // before 2022 of 集群年报.
    let city = Actor::system("test");
    let overdue = s.overdue(&city, today, None).await.unwrap();
    assert!(!overdue.is_empty());
    let other: Vec<_> = overdue
        .iter()
        .filter(|o| (o.dataset.as_str(), o.county_code.as_str()) != ("cluster_monthly", "130981"))
        .collect();
    assert!(other.is_empty(), "overdue besides 泊头's 集群月报: {other:?}");
    let old_years = overdue
        .iter()
        .filter(|o| o.dataset == "cluster_yearly" && o.period.as_str() < "2022")
        .count();
    assert_eq!(old_years, 0);

    // Every period sent, approved or accepted holds values of its data set for its county.
    let sent: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT dataset, county_code, period FROM submissions
         WHERE status IN ('submitted', 'county_approved', 'accepted') ORDER BY dataset, county_code, period",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    let mut empty = Vec::new();
    for (ds, county, period) in &sent {
        let d = plan.datasets.iter().find(|d| &d.code == ds).unwrap();
        let units = match d.level {
            clusterdesk_plan::datasets::RowUnit::Enterprise => {
                "SELECT uscc FROM enterprises WHERE county_code = $1"
            }
            clusterdesk_plan::datasets::RowUnit::Cluster => {
                "SELECT code FROM clusters WHERE county_code = $1"
            }
        };
        let list = d
            .indicators
            .iter()
            .map(|i| format!("'{i}'"))
            .collect::<Vec<_>>()
            .join(",");
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM data_values WHERE period = $2 AND indicator_code IN ({list})
             AND unit_code IN ({units})"
        ))
        .bind(county)
        .bind(period)
        .fetch_one(s.pool())
        .await
        .unwrap();
        if n == 0 {
            empty.push(format!("{ds} {county} {period}"));
        }
    }
    assert!(empty.is_empty(), "sent without values: {empty:?}");
    // 企业月报 is accepted for every county and every month from January of last year whose
    // deadline (the 10th of the next month) has passed; no earlier month is marked at all.
    let from = Period::month(last.year() - 1, 1);
    let due_months = Period::months_between(from, last)
        .into_iter()
        .filter(|m| clusterdesk_store::reporting::deadline(*m, 10) < today)
        .count();
    let accepted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM submissions WHERE dataset = 'enterprise_monthly' AND status = 'accepted'",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert!(due_months >= 12, "{due_months}");
    assert_eq!(accepted, 14 * due_months as i64);
    let earlier: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM submissions WHERE dataset = 'enterprise_monthly' AND period < $1",
    )
    .bind(from.to_string())
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(earlier, 0);
}

/// Every date or time value of every table, whatever its column's name ends in, that is after
/// the store's today (a date) or now (a timestamp); with the number of values checked.
async fn dated_after_today(s: &Store) -> (usize, Vec<String>) {
    let now = s.now();
    let today_text = s.today().to_string();
    let columns: Vec<(String, String)> = match s.engine() {
        clusterdesk_store::Engine::Sqlite => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(s.pool())
        .await
        .unwrap(),
        clusterdesk_store::Engine::Postgres => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(s.pool())
        .await
        .unwrap(),
    };
    let dated = |c: &str| {
        c == "at"
            || c.ends_with("_at")
            || c.ends_with("_from")
            || c.ends_with("_since")
            || c.ends_with("_date")
    };
    let mut checked = 0;
    let mut after = Vec::new();
    for (table, col) in columns.iter().filter(|(_, c)| dated(c)) {
        let values: Vec<Option<String>> =
            sqlx::query_scalar(&format!("SELECT DISTINCT CAST({col} AS TEXT) FROM {table}"))
                .fetch_all(s.pool())
                .await
                .unwrap();
        for v in values.into_iter().flatten() {
            let b = v.as_bytes();
            if v.len() < 10 || b[4] != b'-' || b[7] != b'-' {
                continue;
            }
            checked += 1;
            // A date is a Beijing calendar day; a timestamp an instant in UTC.
            let late = if v.len() == 10 { v > today_text } else { v > now };
            if late {
                after.push(format!("{table}.{col} = {v}"));
            }
        }
    }
    (checked, after)
}
