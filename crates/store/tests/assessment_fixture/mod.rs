//! The assessment tests' fixture and helpers.
//!
//! The county assessment on a hand-made fixture of the 14 counties; every figure is computed by
//! hand in the comments. Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.
//!
//! Counties in code order: c1 130921 沧县, c2 130922 青县, c3 130923 东光县, c4 130924 海兴县,
//! c5 130925 盐山县, c6 130926 肃宁县, c7 130927 南皮县, c8 130928 吴桥县, c9 130929 献县,
//! c10 130930 孟村, c11 130981 泊头市, c12 130982 任丘市, c13 130983 黄骅市, c14 130984 河间市.
//! Every figure is put on each county's first cluster.
//!
//! The plan's assessment.yaml is used as shipped (weights 30/30/25/15/0, tie-break park →
//! net new → revenue → timeliness, target ratio capped at 120%) with the 2024 targets removed
//! and the 2025 targets replaced: c1 4, c2 2, c9 5, every other county 2.
//!
//! 2025 (as of December; "today" 2026-03-01, so all twelve months are due):
//! - revenue: 2024-01 100亿 for everyone; 2025-01 110亿 (+10%) except c13 120亿 (+20%) and c14
//!   100亿 (0%). Min–max: 10% → (10 − 0)/(20 − 0) = 50; c13 100; c14 0.
//! - park entries (2025-06): 10, 8, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 0, 0 (c1..c14).
//!   Competition ranks 1, 2, 2, 4, 5, 6, 7, 7, 9, 9, 11, 11, 13, 13 of n = 14; points
//!   100 × (14 − r) / 13: 100, 92.31, 92.31, 76.92, 69.23, 61.54, 53.85, 53.85, 38.46, 38.46,
//!   23.08, 23.08, 7.69, 7.69.
//! - 规上: c1 starts with A (since 2020-01-01) and B (2019-01-01, no longer from 2025-06-30);
//!   C enters 2025-03-01 (revenue reported since 2022-05 → 小升规), D enters 2025-07-01 (no
//!   figures → 新建入统或无法区分). Start 2, entered 2, exits 1, net 1, target 4 → 25% →
//!   100 × 0.25 / 1.2 = 20.83. c2: three enter, net 3, target 2 → 150% capped at 120% → 100.
//!   c9: three enter, target 5 → 60% → 50. Everyone else net 0 → 0.
//! - timeliness: c1 twelve months on time → 100; c2 nine on time, three late → 75;
//!   c10 twelve on time → 100; c14 eleven on time (December's at 2026-01-10T15:30Z = Beijing
//!   2026-01-10 23:30, the deadline day, on time) and November's at 2025-12-10T16:30Z = Beijing
//!   12-11 00:30, late → 11/12 = 91.67; the others never submitted → 0.
//!
//! Composite = (30 rev + 30 net + 25 park + 15 time) / 100, rounded to 0.01:
//!   c1  1500 + 624.9 + 2500 + 1500           = 6124.9  → 61.25
//!   c2  1500 + 3000 + 2307.75 + 1125         = 7932.75 → 79.33
//!   c3  1500 + 2307.75                       = 3807.75 → 38.08
//!   c4  1500 + 1923                          = 3423    → 34.23
//!   c5  1500 + 1730.75                       = 3230.75 → 32.31
//!   c6  1500 + 1538.5                        = 3038.5  → 30.39 (30.385 half away from zero)
//!   c7  1500 + 1346.25                       = 2846.25 → 28.46, c8 the same: tied throughout
//!   c9  1500 + 1500 (net 50) + 961.5         = 3961.5  → 39.62
//!   c10 1500 + 961.5 + 1500 (time 100)       = 3961.5  → 39.62: equal composite, park equal,
//!       then net new 50 > 0 puts c9 ahead (tie broken)
//!   c11 1500 + 577 = 2077 → 20.77, c12 the same: tied throughout
//!   c13 3000 + 192.25                        = 3192.25 → 31.92
//!   c14 0 + 0 + 192.25 + 1375.05             = 1567.3  → 15.67
//! Ranks: c2 1, c1 2, c9 3, c10 4, c3 5, c4 6, c5 7, c13 8, c6 9, c7 = c8 10, c11 = c12 12, c14 14.
//!
//! 2024 (last year): only c14 has park entries (20 in 2024-05); no 2023 revenue and no 2024
//! targets → revenue growth and net new have no data and drop out; timeliness 0 for all.
//! Composite = 25 park + 15 time over 40: c14 25 × 100 / 40 = 62.5, rank 1; the others 0, rank 2.
//! So c14 falls 13 places (1 → 14), c2 gains 1 (2 → 1).
//!
//! 三(二)1 transfer on park entries: c1 1st +500万; c2, c3 tied 2nd–3rd pool 300万 + 100万 →
//! 200万 each; c11, c12 tied 11th–12th pool 0 − 100万 → −50万 each; c13, c14 tied 13th–14th pool
//! −300万 − 500万 → −400万 each. Sum 500 + 400 − 100 − 800 = 0.

#![allow(dead_code)]

pub use chrono::NaiveDate;
pub use clusterdesk_domain::{QualKind, Role, Uscc, uscc};
pub use clusterdesk_plan::Plan;
pub use clusterdesk_policy::PolicySet;
pub use clusterdesk_store::assessment::AssessmentReport;
pub use clusterdesk_store::registry::{EnterpriseInput, Qualification};
pub use clusterdesk_store::testsupport::{TempDir, fresh_db};
pub use clusterdesk_store::values::Value;
pub use clusterdesk_store::{Actor, Store, StoreError};
pub use std::sync::Arc;

pub const YI: i64 = 10_000_000_000;
pub const C: [&str; 14] = [
    "130921", "130922", "130923", "130924", "130925", "130926", "130927", "130928", "130929", "130930",
    "130981", "130982", "130983", "130984",
];

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

pub fn test_plan() -> Plan {
    let mut files = Plan::embedded_files();
    let a = files.iter_mut().find(|f| f.path == "assessment.yaml").unwrap();
    let mut text = String::new();
    let mut year = 0;
    for line in a.text.lines() {
        if let Some(y) = line.strip_prefix("  - year: ") {
            year = y.trim().parse().unwrap();
        }
        let line = if line.trim_start().starts_with("counties: {") && year == 2025 {
            let t: Vec<String> = C
                .iter()
                .map(|c| {
                    let n = match *c {
                        "130921" => 4,
                        "130929" => 5,
                        _ => 2,
                    };
                    format!("\"{c}\": {n}")
                })
                .collect();
            format!("    counties: {{{}}}", t.join(", "))
        } else {
            line.to_string()
        };
        text.push_str(&line);
        text.push('\n');
    }
    // Drop the 2024 block (its four lines).
    let start = text.find("  - year: 2024").unwrap();
    let end = text.find("  - year: 2025").unwrap();
    text.replace_range(start..end, "");
    a.text = text;
    Plan::from_files(files).unwrap()
}

pub fn policies(plan: &Plan) -> PolicySet {
    let files: Vec<(String, String)> = plan
        .extra_files
        .iter()
        .filter(|f| f.path.starts_with("policies/"))
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    PolicySet::load(&files).unwrap()
}

pub async fn fixture() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(test_plan());
    let store = Store::open(&url, plan.clone()).await.unwrap();
    let admin = Actor::system("test");
    let first_cluster = |c: &str| plan.clusters_of(c)[0].code.clone();

    // Enterprises: c1 A B C D; c2 three; c9 three.
    let mut ents = Vec::new();
    let mut quals: Vec<(String, &str, Option<&str>)> = Vec::new();
    let mut n = 0;
    let mut ent = |county: &str| {
        n += 1;
        let u = make_uscc(county, n);
        let cl = first_cluster(county);
        ents.push(EnterpriseInput {
            uscc: Uscc::parse(&u).unwrap(),
            name: format!("测试企业{n}"),
            county_code: county.into(),
            industry: plan.cluster(&cl).unwrap().industries[0].clone(),
            cluster_code: Some(cl),
            cluster_since: Some("2018-01-01".into()),
            address: String::new(),
            contact: String::new(),
        });
        u
    };
    let a = ent(C[0]);
    let b = ent(C[0]);
    let c = ent(C[0]);
    let d = ent(C[0]);
    quals.push((a, "2020-01-01", None));
    quals.push((b, "2019-01-01", Some("2025-06-30")));
    quals.push((c.clone(), "2025-03-01", None));
    quals.push((d, "2025-07-01", None));
    for county in [C[1], C[8]] {
        for _ in 0..3 {
            let u = ent(county);
            quals.push((u, "2025-01-01", None));
        }
    }
    store
        .upsert_enterprises(&admin, &ents, false)
        .await
        .unwrap()
        .unwrap();
    for (u, from, to) in &quals {
        let q = Qualification {
            kind: QualKind::AboveScale,
            level: String::new(),
            valid_from: (*from).into(),
            valid_to: to.map(str::to_string),
            detail: String::new(),
        };
        store.add_qualification(&admin, u, &q).await.unwrap();
    }

    let mut vals = vec![v(&c, "revenue", "2022-05", 3 * YI / 100)];
    let park = [10, 8, 8, 6, 5, 4, 3, 3, 2, 2, 1, 1, 0, 0];
    for (k, county) in C.iter().enumerate() {
        let cl = first_cluster(county);
        vals.push(v(&cl, "revenue", "2024-01", 100 * YI));
        let rev25 = match k {
            12 => 120,
            13 => 100,
            _ => 110,
        };
        vals.push(v(&cl, "revenue", "2025-01", rev25 * YI));
        vals.push(v(&cl, "park_entries", "2025-06", park[k]));
    }
    vals.push(v(&first_cluster(C[13]), "park_entries", "2024-05", 20));
    store.upsert_values(&admin, &vals).await.unwrap();

    // Submissions of cluster_monthly for 2025: (county, month, submitted_at).
    let mut subs: Vec<(&str, u32, String)> = Vec::new();
    let on_time = |m: u32| {
        let (y, mm) = if m == 12 { (2026, 1) } else { (2025, m + 1) };
        format!("{y}-{mm:02}-05T01:00:00.000Z")
    };
    for m in 1..=12 {
        subs.push((C[0], m, on_time(m)));
        subs.push((C[9], m, on_time(m)));
        // c2: March, June and September late (the 12th of the month after).
        let late = [3, 6, 9].contains(&m);
        subs.push((
            C[1],
            m,
            if late {
                format!("2025-{:02}-12T01:00:00.000Z", m + 1)
            } else {
                on_time(m)
            },
        ));
        let c14 = match m {
            11 => "2025-12-10T16:30:00.000Z".to_string(),
            12 => "2026-01-10T15:30:00.000Z".to_string(),
            _ => on_time(m),
        };
        subs.push((C[13], m, c14));
    }
    for (county, m, at) in subs {
        sqlx::query(
            "INSERT INTO submissions (dataset, county_code, period, status, submitted_at, updated_by, updated_at)
             VALUES ('cluster_monthly', $1, $2, 'accepted', $3, 'test', $3)",
        )
        .bind(county)
        .bind(format!("2025-{m:02}"))
        .bind(&at)
        .execute(store.pool())
        .await
        .unwrap();
    }
    (store, dir)
}

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

pub fn row<'a>(r: &'a AssessmentReport, county: &str) -> &'a clusterdesk_store::assessment::CountyResult {
    r.rows.iter().find(|x| x.county == county).unwrap()
}

pub fn score(r: &AssessmentReport, county: &str, code: &str) -> String {
    let k = r.indicators.iter().position(|i| i.code == code).unwrap();
    row(r, county).values[k].score.clone().unwrap_or_default()
}

pub fn actor(username: &str, role: Role, org: &str) -> Actor {
    Actor {
        user_id: 1,
        username: username.into(),
        display_name: username.into(),
        role,
        org_code: org.into(),
        must_change_password: false,
    }
}

pub async fn log_rows(store: &Store, entity: &str) -> Vec<(String, String, Option<String>, Option<String>)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT entity_key, action, old_value, new_value FROM change_log WHERE entity = $1 ORDER BY id",
    )
    .bind(entity)
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}
