//! Incentive claims over the real server: filing → county review → department approval →
//! 市财政局 disbursement, with amounts computed by hand from the policy text; roles (403),
//! transitions (409), budgets (held), the ledger (one-time rewards), scoping, bad input (422).
//! The same through the pages: `incentive_pages.rs`.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.

use crate::common;

use common::incentives::*;
use serde_json::{Value, json};

/// A claim to the green-factory reward `policy` for `uscc`, recognised on 2024-05-20.
fn green(policy: &str, uscc: &str) -> Value {
    json!({"policy": policy, "uscc": uscc, "event_date": "2024-05-20"})
}

#[tokio::test]
async fn a_claim_goes_from_filing_to_disbursement_and_shows_in_ledger_and_budget() {
    let w = world().await;
    let app = &w.app;
    set_budget(&w, "5000000").await;
    let qiye = app.client_for("qiye").await;

    // 三(三)1: 50% of the actual investment, at most 1,000,000: 1,500,000 × 50% = 750,000.00.
    let (s, v) = file(
        &qiye,
        app,
        json!({"policy": "informatization", "event_date": "2024-03-01", "base_yuan": "1500000",
               "facts": {"project": "XXH-2024-01"}}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["claim"]["id"].as_i64().unwrap();
    assert_eq!(v["claim"]["status"], "submitted");
    assert_eq!(v["claim"]["uscc"], w.botou_a.as_str());
    assert_eq!(v["claim"]["amount_fen"], 75_000_000);
    assert_eq!(v["claim"]["department"], "GXJ");
    assert_eq!(v["claim"]["funding_source"], "市级财政");
    let trace = v["claim"]["outcome"]["trace"].to_string();
    assert!(
        trace.contains("三(三)1") && trace.contains("750,000.00"),
        "{trace}"
    );

    // Evidence: stored as bytes, read back the same.
    let bytes = "发票清单\n软件 1,500,000.00".as_bytes().to_vec();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.clone())
            .file_name("发票清单.txt")
            .mime_str("text/plain")
            .unwrap(),
    );
    let r = qiye
        .post(app.url(&format!("/api/v1/claims/{id}/evidence")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ev: Value = r.json().await.unwrap();
    let r = qiye
        .get(app.url(&format!("/api/v1/claims/{id}/evidence/{}", ev["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), bytes);

    // The county reviews, 市工信局 (responsible) approves, 市财政局 disburses.
    let botou = app.client_for("botou").await;
    let (s, v) = app.json_as(&botou, "/api/v1/claims?queue=true").await;
    assert_eq!(s, 200);
    assert!(v.as_array().unwrap().iter().any(|c| c["id"] == id));
    let (s, v) = act(&botou, app, id, "review", json!({"comment": "材料齐全"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["claim"]["status"], "county_reviewed");
    let gxj = app.client_for("gxj").await;
    let (s, v) = act(&gxj, app, id, "approve", json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["claim"]["status"], "approved");
    assert_eq!(v["claim"]["budget_year"], year());
    let czj = app.client_for("czj").await;
    let (_, b) = app.json_as(&czj, "/api/v1/budgets").await;
    assert_eq!(b[0]["committed_fen"], 75_000_000);
    assert_eq!(b[0]["remaining_fen"], 500_000_000 - 75_000_000);
    let (s, v) = act(&czj, app, id, "disburse", json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["claim"]["status"], "disbursed");
    let steps: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["submitted", "county_reviewed", "approved", "disbursed"]);
    let who: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(who, ["qiye", "botou", "gxj", "czj"]);

    // The ledger row carries the trace; the budget shows it paid.
    let (s, l) = app.json_as(&qiye, "/api/v1/ledger").await;
    assert_eq!(s, 200);
    assert_eq!(l.as_array().unwrap().len(), 1);
    assert_eq!(l[0]["paid_yuan"], "750000.00");
    assert_eq!(l[0]["claim_id"], id);
    assert_eq!(l[0]["project"], "XXH-2024-01");
    assert!(l[0]["outcome"]["trace"].to_string().contains("三(三)1"));
    let (_, b) = app.json_as(&czj, "/api/v1/budgets").await;
    assert_eq!(b[0]["committed_fen"], 0);
    assert_eq!(b[0]["paid_fen"], 75_000_000);
    assert_eq!(b[0]["remaining_fen"], 500_000_000 - 75_000_000);

    // 三(四)1 provincial green factory, filed by the county for another enterprise: 300,000;
    // city_admin (市工信局) approves.
    let (s, v) = file(&botou, app, green("green_factory_provincial", &w.botou_b)).await;
    assert_eq!(s, 201, "{v}");
    let id2 = v["claim"]["id"].as_i64().unwrap();
    assert_eq!(v["claim"]["amount_yuan"], "300000.00");
    let leader = app.client_for("botou_leader").await;
    assert_eq!(act(&leader, app, id2, "review", json!({})).await.0, 200);
    let admin = app.client_for("admin").await;
    assert_eq!(act(&admin, app, id2, "approve", json!({})).await.0, 200);
    // city_admin does not disburse: that is 市财政局's.
    assert_eq!(act(&admin, app, id2, "disburse", json!({})).await.0, 403);
    let (s, v) = act(&czj, app, id2, "disburse", json!({})).await;
    assert_eq!(s, 200, "{v}");
    let (_, l) = app.json_as(&admin, "/api/v1/ledger").await;
    let total: i64 = l
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["paid_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 75_000_000 + 30_000_000);
    let (_, b) = app.json_as(&czj, "/api/v1/budgets").await;
    assert_eq!(b[0]["remaining_fen"], 500_000_000 - 105_000_000);
}

#[tokio::test]
async fn the_wrong_role_gets_403_and_the_wrong_step_409() {
    let w = world().await;
    let app = &w.app;
    set_budget(&w, "5000000").await;
    let qiye = app.client_for("qiye").await;
    let (s, v) = file(
        &qiye,
        app,
        json!({"policy": "green_factory_national", "event_date": "2024-06-01"}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["claim"]["id"].as_i64().unwrap();
    // Not theirs to do, whatever the status.
    assert_eq!(act(&qiye, app, id, "review", json!({})).await.0, 403);
    assert_eq!(act(&qiye, app, id, "approve", json!({})).await.0, 403);
    let kjj = app.client_for("kjj").await; // 市科技局 is not responsible for 三(四)1
    assert_eq!(act(&kjj, app, id, "approve", json!({})).await.0, 403);
    let renqiu = app.client_for("renqiu").await; // another county
    assert_eq!(act(&renqiu, app, id, "review", json!({})).await.0, 404);
    let botou = app.client_for("botou").await;
    assert_eq!(act(&botou, app, id, "disburse", json!({})).await.0, 403);
    // Another enterprise cannot file for this one.
    let (s, _) = file(
        &app.client_for("qiye_rq").await,
        app,
        json!({"policy": "little_giant", "uscc": w.botou_a, "event_date": "2024-06-01",
               "facts": {"recognition_level": "national_key"}}),
    )
    .await;
    assert_eq!(s, 404, "another enterprise answers as an unknown one");

    // Right role, wrong step.
    let czj = app.client_for("czj").await;
    let (s, v) = act(&czj, app, id, "disburse", json!({})).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["error"]["code"], "conflict");
    let gxj = app.client_for("gxj").await;
    assert_eq!(act(&gxj, app, id, "approve", json!({})).await.0, 409);
    assert_eq!(act(&botou, app, id, "review", json!({})).await.0, 200);
    assert_eq!(act(&botou, app, id, "review", json!({})).await.0, 409);
    // A rejection needs a reason (422), and is final.
    assert_eq!(act(&gxj, app, id, "reject", json!({})).await.0, 422);
    let (s, v) = act(&gxj, app, id, "reject", json!({"reason": "认定文件不符"})).await;
    assert_eq!(s, 200);
    assert_eq!(v["claim"]["status"], "rejected");
    assert_eq!(v["claim"]["reject_reason"], "认定文件不符");
    assert_eq!(act(&gxj, app, id, "approve", json!({})).await.0, 409);
    assert_eq!(act(&gxj, app, id, "nonsense", json!({})).await.0, 404);
}

#[tokio::test]
async fn a_claim_beyond_the_budget_is_held_not_paid() {
    let w = world().await;
    let app = &w.app;
    set_budget(&w, "400000").await;
    let botou = app.client_for("botou").await;
    let gxj = app.client_for("gxj").await;
    let czj = app.client_for("czj").await;
    let mut ids = Vec::new();
    for (policy, uscc, facts) in [
        ("green_factory_provincial", &w.botou_a, json!({})),
        (
            "little_giant",
            &w.botou_b,
            json!({"recognition_level": "national_key"}),
        ),
    ] {
        let (s, v) = file(
            &botou,
            app,
            json!({"policy": policy, "uscc": uscc, "event_date": "2024-07-01", "facts": facts}),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let id = v["claim"]["id"].as_i64().unwrap();
        assert_eq!(act(&botou, app, id, "review", json!({})).await.0, 200);
        ids.push(id);
    }
    // 300,000 fits in 400,000; then 1,000,000 (三(五)1) does not fit in the 100,000 left.
    let (_, v) = act(&gxj, app, ids[0], "approve", json!({})).await;
    assert_eq!(v["claim"]["status"], "approved");
    let (s, v) = act(&gxj, app, ids[1], "approve", json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["claim"]["status"], "held");
    let reason = v["claim"]["hold_reason"].as_str().unwrap();
    assert!(reason.contains("100,000.00"), "{reason}");
    // Held is not paid.
    assert_eq!(act(&czj, app, ids[1], "disburse", json!({})).await.0, 409);
    let (_, b) = app.json_as(&czj, "/api/v1/budgets").await;
    assert_eq!(b[0]["committed_fen"], 30_000_000);
    assert_eq!(b[0]["held_fen"], 100_000_000);
    assert_eq!(b[0]["remaining_fen"], 10_000_000);
    // Releasing without more budget is refused; with more budget it goes through.
    assert_eq!(act(&gxj, app, ids[1], "release", json!({})).await.0, 409);
    set_budget(&w, "1300000").await;
    let (s, v) = act(&czj, app, ids[1], "release", json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["claim"]["status"], "approved");
    let (s, _) = act(&czj, app, ids[1], "disburse", json!({})).await;
    assert_eq!(s, 200);
    let (_, b) = app.json_as(&czj, "/api/v1/budgets").await;
    assert_eq!(b[0]["paid_fen"], 100_000_000);
    assert_eq!(b[0]["remaining_fen"], 0);
    let (_, l) = app.json_as(&czj, "/api/v1/ledger").await;
    assert_eq!(l.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_one_time_reward_is_paid_once() {
    let w = world().await;
    let app = &w.app;
    set_budget(&w, "5000000").await;
    let qiye = app.client_for("qiye").await;
    let body = json!({"policy": "well_known_trademark", "event_date": "2024-09-01"});
    let trademark = || file(&qiye, app, body.clone());
    let (s, v) = trademark().await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["claim"]["amount_yuan"], "200000.00");
    let id = v["claim"]["id"].as_i64().unwrap();
    // A second claim while the first is open is a conflict.
    let (s, v) = trademark().await;
    assert_eq!(s, 409, "{v}");
    let botou = app.client_for("botou").await;
    act(&botou, app, id, "review", json!({})).await;
    // 三(六)1: 市市场监管局 is the first responsible unit; city_admin may approve too.
    let (_, v) = app.json_as(&qiye, &format!("/api/v1/claims/{id}")).await;
    assert_eq!(v["claim"]["department"], "SCJGJ");
    // 三(六)1 does not say who pays: its budget is the source “未明确” until one is set, so
    // approval holds the claim.
    let admin = app.client_for("admin").await;
    let (_, v) = act(&admin, app, id, "approve", json!({})).await;
    assert_eq!(v["claim"]["status"], "held");
    assert!(v["claim"]["hold_reason"].as_str().unwrap().contains("未设置预算"));
    set_budget_of(&w, "未明确", "1000000").await;
    assert_eq!(act(&admin, app, id, "release", json!({})).await.0, 200);
    let czj = app.client_for("czj").await;
    assert_eq!(act(&czj, app, id, "disburse", json!({})).await.0, 200);
    // Once paid, the ledger makes a second claim not eligible.
    let (s, v) = trademark().await;
    assert_eq!(s, 422, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("不符合条件") && msg.contains("200,000.00"), "{msg}");
}

#[tokio::test]
async fn a_county_sees_only_its_own_claims() {
    let w = world().await;
    let app = &w.app;
    let botou = app.client_for("botou").await;
    let renqiu = app.client_for("renqiu").await;
    let (s, v) = file(&botou, app, green("green_factory_provincial", &w.botou_a)).await;
    assert_eq!(s, 201, "{v}");
    let id = v["claim"]["id"].as_i64().unwrap();
    let (s, v) = file(&renqiu, app, green("green_factory_provincial", &w.renqiu_a)).await;
    assert_eq!(s, 201, "{v}");
    let rq_id = v["claim"]["id"].as_i64().unwrap();
    // 泊头's operator cannot file for a 任丘 enterprise, nor see its claim.
    let (s, _) = file(&botou, app, green("green_factory_national", &w.renqiu_a)).await;
    assert_eq!(s, 404);
    let (_, list) = app.json_as(&botou, "/api/v1/claims").await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id]);
    assert_eq!(
        app.json_as(&botou, &format!("/api/v1/claims/{rq_id}")).await.0,
        404
    );
    assert_eq!(app.json_as(&renqiu, &format!("/api/v1/claims/{id}")).await.0, 404);
    // The enterprise sees its own; the city sees both.
    let (_, list) = app.json_as(&app.client_for("qiye").await, "/api/v1/claims").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = app
        .json_as(&app.client_for("admin").await, "/api/v1/claims")
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // Budgets are the city's.
    assert_eq!(app.json_as(&botou, "/api/v1/budgets").await.0, 403);
    // Only 市财政局 sets them.
    let r = app
        .client_for("admin")
        .await
        .put(app.url("/api/v1/budgets"))
        .json(&json!({"year": year(), "funding_source": "市级财政", "amount_yuan": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn bad_input_is_422_naming_the_field() {
    let w = world().await;
    let app = &w.app;
    let qiye = app.client_for("qiye").await;
    for (body, field) in [
        (
            json!({"policy": "informatization", "event_date": "2024-13-01", "base_yuan": "1"}),
            "event_date",
        ),
        (json!({"policy": "nope", "event_date": "2024-03-01"}), "policy"),
        (
            json!({"policy": "informatization", "event_date": "2024-03-01", "base_yuan": "-5"}),
            "base_yuan",
        ),
        (
            json!({"policy": "informatization", "event_date": "2024-03-01", "base_yuan": "1.234"}),
            "base_yuan",
        ),
        (
            json!({"policy": "informatization", "event_date": "2024-03-01"}),
            "base_yuan",
        ),
        (
            json!({"policy": "little_giant", "event_date": "2024-03-01"}),
            "recognition_level",
        ),
        (
            json!({"policy": "little_giant", "event_date": "2024-03-01", "facts": {"recognition_level": "county"}}),
            "recognition_level",
        ),
        (
            json!({"policy": "park_entry_ranking", "event_date": "2024-03-01"}),
            "policy",
        ),
        (
            json!({"policy": "informatization", "event_date": "2099-03-01", "base_yuan": "1"}),
            "event_date",
        ),
        (json!({"policy": 5}), "JSON"),
    ] {
        let (s, v) = file(&qiye, app, body.clone()).await;
        assert_eq!(s, 422, "{body} → {v}");
        let msg = v["error"]["message"].as_str().unwrap();
        assert!(msg.contains(field), "{body} → {msg}");
    }
    // Not JSON at all.
    let r = qiye
        .post(app.url("/api/v1/claims"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(app.post_as(&qiye, "/api/v1/claims/abc/review").await.0, 404);
    assert_eq!(app.post_as(&qiye, "/api/v1/claims/999/review").await.0, 404);
    // The calculator refuses bad input with the claim and field named.
    let r = qiye
        .post(app.url("/api/v1/policies/calc"))
        .body(r#"{"claims":[{"policy":"informatization","date":"2024-03-01","base_yuan":"x"}]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(v["error"]["message"].as_str().unwrap().contains("base_yuan"));
    // The OpenAPI document describes the incentive routes.
    let (s, doc) = app.json_as(&qiye, "/api/v1/openapi.json").await;
    assert_eq!(s, 200);
    for path in [
        "/api/v1/claims",
        "/api/v1/claims/{id}/{action}",
        "/api/v1/claims/{id}/evidence",
        "/api/v1/policies",
        "/api/v1/ledger",
        "/api/v1/budgets",
        "/api/v1/scan",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    // The catalogue lists every policy with its clause text.
    let (s, v) = app.json_as(&qiye, "/api/v1/policies").await;
    assert_eq!(s, 200);
    assert!(v.as_array().unwrap().len() >= 20);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|p| !p["clause_text"].as_str().unwrap().is_empty())
    );
}
