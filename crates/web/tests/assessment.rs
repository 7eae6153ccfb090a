//! `/api/v1/assessment` and the `/assessment` page over the real server.
//!
//! Fixture: park entries in 2025-12 on each county's first cluster, 14 for 沧县 (130921) down
//! to 1 for 河间市 (130984) in code order; nothing else. So revenue growth has no data (left
//! out, weights 30 + 25 + 15 = 70 remain), net new is 0 against every target (score 0), and no
//! county submitted (timeliness 0). Park points 100 × (14 − rank) / 13; 泊头市 (130981) is 11th:
//! 300/13 = 23.08, composite 25 × 23.08 / 70 = 577 / 70 = 8.2429 → 8.24, rank 11.
//! 沧县 1st: 25 × 100 / 70 = 35.71. Transfer: 沧县 +5,000,000.00, 青县 +3,000,000.00,
//! 东光县 +1,000,000.00, 任丘市 −1,000,000.00, 黄骅市 −3,000,000.00, 河间市 −5,000,000.00.

use crate::common;

use clusterdesk_domain::Role;
use clusterdesk_store::Actor;
use clusterdesk_store::values::Value;
use common::spawn_app;

async fn app_with_data() -> common::TestApp {
    let app = spawn_app().await.with_cast().await;
    app.add_user("botou_leader", Role::CountyLeader, "130981").await;
    app.add_user("auditor", Role::Auditor, "130900").await;
    with_park_entries(&app).await;
    app
}

/// The fixture's data: park entries in 2025-12 on each county's first cluster, 14 for the first
/// county in code order down to 1 for the last.
pub(crate) async fn with_park_entries(app: &common::TestApp) {
    let plan = app.store.plan();
    let values: Vec<Value> = plan
        .counties()
        .enumerate()
        .map(|(k, c)| Value {
            unit_code: plan.clusters_of(&c.code)[0].code.clone(),
            indicator_code: "park_entries".into(),
            period: "2025-12".into(),
            num_value: Some(14 - k as i64),
            text_value: None,
        })
        .collect();
    app.store
        .upsert_values(&Actor::system("test"), &values)
        .await
        .unwrap();
}

#[tokio::test]
async fn api_gives_scores_ranks_and_transfers() {
    let app = app_with_data().await;
    let r = app
        .anonymous()
        .get(app.url("/api/v1/assessment?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let admin = app.client_for("admin").await;
    let (_, body) = app.json_as(&admin, "/api/v1/assessment").await;
    assert_eq!(body["year"], 2025);
    assert_eq!(body["complete"], true);
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 14);
    assert_eq!(rows[0]["county"], "130921");
    assert_eq!(rows[0]["composite"], "35.71");
    let botou = rows.iter().find(|r| r["county"] == "130981").unwrap();
    assert_eq!(botou["composite"], "8.24");
    assert_eq!(botou["rank"], 11);
    let rev = body["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "revenue_growth")
        .unwrap();
    assert_eq!(rev["available"], false);
    let pe = &body["park_entry"];
    assert_eq!(pe["clause"], "三(二)1");
    assert_eq!(pe["total_fen"], 0);
    let amount = |c: &str| {
        pe["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["county"] == c)
            .unwrap()["amount_fen"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(amount("130921"), 500_000_000);
    assert_eq!(amount("130922"), 300_000_000);
    assert_eq!(amount("130981"), 0);
    assert_eq!(amount("130984"), -500_000_000);
    // The city sees what was counted for every county.
    assert!(!rows[0]["provenance"].as_array().unwrap().is_empty());

    // A county sees the published ranking, details only for itself.
    let c = app.client_for("botou").await;
    let (_, body) = app.json_as(&c, "/api/v1/assessment?year=2025").await;
    assert_eq!(body["own_county"], "130981");
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 14);
    assert!(rows[0]["provenance"].as_array().unwrap().is_empty());
    let own = rows.iter().find(|r| r["county"] == "130981").unwrap();
    assert!(!own["provenance"].as_array().unwrap().is_empty());

    // A malformed year (an empty one too: the document says integer) is refused, a year
    // without an assessment is not found, each with a message; the auditor (no business
    // data) may not look.
    for (q, status) in [
        ("year=abc", 400),
        ("year=", 400),
        ("year=2031", 404),
        ("year=2019", 404),
    ] {
        let (s, b) = app.json_as(&c, &format!("/api/v1/assessment?{q}")).await;
        assert_eq!(s, status, "{q}");
        assert!(!b["error"]["message"].as_str().unwrap().is_empty());
    }
    let q = app.client_for("auditor").await;
    assert_eq!(app.get_as(&q, "/api/v1/assessment").await.0, 403);
}

#[tokio::test]
async fn county_page_highlights_its_row_and_downloads() {
    let app = app_with_data().await;
    let r = app
        .anonymous()
        .get(app.url("/assessment?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));

    let c = app.client_for("botou_leader").await;
    let html = app.page_as(&c, "/assessment?year=2025").await;
    assert!(html.contains("本县排名 · 泊头市"), "{html}");
    assert!(html.contains("第 11 名"));
    assert!(html.contains(r#"<tr id="c-130981" class="own">"#));
    assert!(!html.contains(r#"<tr id="c-130921" class="own">"#));
    assert!(html.contains(r#"href="/assessment""#), "navigation link");
    assert!(html.contains("+5,000,000.00"));
    assert!(html.contains("-5,000,000.00"));
    assert!(html.contains("三(二)1"));

    let r = c
        .get(app.url("/assessment?year=2025&table=ranking&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = r.text().await.unwrap();
    let text = text.trim_start_matches('\u{feff}');
    assert!(text.starts_with("名次,县(市),综合得分,"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("11,泊头市,8.24,")), "{text}");

    let r = c
        .get(app.url("/assessment?year=2025&table=transfer&format=csv"))
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(text.contains("14,河间市,1,-5000000.00,,,三(二)1"), "{text}");

    let r = c
        .get(app.url("/assessment?year=2025&table=above_scale&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "an .xlsx is a zip");

    assert_eq!(app.get_as(&c, "/assessment?year=abc").await.0, 400);
}

/// The one rule between counties (#13 item 3, SECURITY.md 数据范围): the assessment is
/// circulated city-wide (四(四)), so a county reads every county's indicator values, scores
/// and places, on the page, in the API and in every download; what was counted stays with
/// its own county. Hand-computed from the fixture: 沧县 entered 14 enterprises (1st, 100
/// points), 河间市 1 (14th, 0 points), 泊头市 4 (11th: 100 × 3 / 13 = 23.08).
#[tokio::test]
async fn a_county_reads_the_circulated_values_of_every_county() {
    let app = app_with_data().await;
    let c = app.client_for("botou").await;
    let text = app
        .page_as(&c, "/assessment?year=2025&table=ranking&format=csv")
        .await;
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| {
        head.iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name}: {head:?}"))
    };
    let (raw, score) = (col("工业企业入园进区(家)"), col("工业企业入园进区得分(权重25)"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let row = |county: &str| {
        rows.iter()
            .find(|r| r[1] == county)
            .unwrap_or_else(|| panic!("{county}: {text}"))
    };
    assert_eq!((row("沧县")[raw], row("沧县")[score]), ("14", "100.00"));
    assert_eq!((row("河间市")[raw], row("河间市")[score]), ("1", "0.00"));
    assert_eq!((row("泊头市")[raw], row("泊头市")[score]), ("4", "23.08"));

    let html = app.page_as(&c, "/assessment?year=2025").await;
    assert!(
        html.contains("考核结果按方案四(四)在全市通报"),
        "the page says the rule"
    );

    // What was counted: the county's own only, the city's for every county.
    let (_, body) = app.json_as(&c, "/api/v1/assessment?year=2025").await;
    for r in body["rows"].as_array().unwrap() {
        let park = r["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["code"] == "park_entries")
            .unwrap();
        assert!(park["raw"].is_string(), "{r}");
        assert_eq!(
            r["provenance"].as_array().unwrap().is_empty(),
            r["county"] != "130981",
            "{r}"
        );
    }
}
