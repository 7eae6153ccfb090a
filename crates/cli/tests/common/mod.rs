//! Shared by the CLI tests: a fixture database written through the store API (SQLite, or
//! PostgreSQL when CLUSTERDESK_TEST_PG is set) and the real binary run against it with `--db`.

#![allow(dead_code)]

use clusterdesk_domain::{QualKind, Uscc, uscc};
use clusterdesk_plan::Plan;
use clusterdesk_store::registry::{EnterpriseInput, Qualification};
use clusterdesk_store::testsupport::{TempDir, fresh_db, intended_engine};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Engine, Store};
use std::process::{Command, Output};
use std::sync::Arc;

/// 1 亿元 in fen.
pub const YI: i64 = 10_000_000_000;
/// 1 万元 in fen.
pub const WAN: i64 = 1_000_000;

/// The tests' time (`CLUSTERDESK_TEST_NOW`, else 2026-12-02 10:00 Beijing), as the binary reads it.
pub fn test_now() -> String {
    std::env::var("CLUSTERDESK_TEST_NOW")
        .ok()
        .filter(|s| !s.is_empty() && s != "system")
        .unwrap_or_else(|| clusterdesk_store::testsupport::DEFAULT_TEST_NOW.into())
}

/// The binary, run at the tests' time rather than the machine's (the fixtures are test data).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clusterdesk"));
    c.env("CLUSTERDESK_NOW", test_now());
    c
}

/// Run the binary on `db` with `args`; it must succeed.
pub fn run_ok(db: &str, args: &[&str]) -> Output {
    let out = bin().arg("--db").arg(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A valid USCC of an enterprise registered in `county`, numbered `n`.
pub fn make_uscc(county: &str, n: u32) -> String {
    let s = format!("91{county}MA{n:07}");
    let c = uscc::check_char(s.as_bytes()).unwrap();
    format!("{s}{c}")
}

pub fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

pub fn q(kind: QualKind, level: &str, from: &str, to: Option<&str>) -> Qualification {
    Qualification {
        kind,
        level: level.into(),
        valid_from: from.into(),
        valid_to: to.map(str::to_string),
        detail: String::new(),
    }
}

/// A fresh database with the embedded plan: the store to fill, its `--db` argument, and the
/// guard that removes it. Checks that the database is on the engine the run intends.
pub async fn fixture_db() -> (Store, String, Option<TempDir>) {
    let (url, guard) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    let store = Store::open(&url, plan).await.unwrap();
    clusterdesk_store::testsupport::mark_test_data(&store).await;
    assert_eq!(store.engine(), intended_engine(), "{url}");
    if intended_engine() == Engine::Postgres {
        assert!(url.starts_with("postgres://"), "{url}");
    } else {
        assert!(!url.contains("://"), "{url}");
    }
    (store, url, guard)
}

/// An enterprise of `county` in `cluster` since 2018-01-01.
pub fn enterprise(plan: &Plan, u: &str, county: &str, cluster: &str) -> EnterpriseInput {
    EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: format!("测试企业{}", &u[14..17]),
        county_code: county.into(),
        industry: plan.cluster(cluster).unwrap().industries[0].clone(),
        cluster_code: Some(cluster.into()),
        cluster_since: Some("2018-01-01".into()),
        address: String::new(),
        contact: String::new(),
    }
}

pub fn admin() -> Actor {
    Actor::system("test")
}
