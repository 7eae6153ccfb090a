//! Incentive claims through the pages, as people use them: filing to disbursement, the
//! scan of unclaimed rewards, drafts with evidence and amounts the department approves.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG is set.

use crate::common;

use clusterdesk_store::Actor;
use common::csrf_of;
use common::incentives::*;
use serde_json::json;

#[tokio::test]
async fn the_pages_take_a_claim_from_filing_to_disbursement() {
    let w = world().await;
    let app = &w.app;
    // 市财政局 sets the budget on the page, in 万元.
    let czj = app.client_for("czj").await;
    let (s, html) = app.get_as(&czj, "/budgets").await;
    assert_eq!(s, 200);
    let r = czj
        .post(app.url("/budgets"))
        .form(&[
            ("csrf", csrf_of(&html)),
            ("year", year().to_string()),
            ("funding_source", "市级财政".into()),
            ("amount_wan", "100".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("100.00"));

    // The enterprise files on the form, with an evidence file.
    let qiye = app.client_for("qiye").await;
    let (s, html) = app
        .get_as(&qiye, "/claims/new?policy=green_factory_provincial")
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("三(四)1"));
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&html))
        .text("policy", "green_factory_provincial")
        .text("event_date", "2024-05-20")
        .text("fact.recognised_provincial_green_factory", "true")
        .text("go", "submit")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"%PDF-1.4 certificate".to_vec())
                .file_name("认定文件.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let r = qiye
        .post(app.url("/claims/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = to.trim_start_matches("/claims/").parse().unwrap();
    let (_, html) = app.get_as(&qiye, &to).await;
    assert!(
        html.contains("300,000.00") && html.contains("认定文件.pdf"),
        "{html}"
    );

    // A bad amount keeps what was typed and names the field.
    let (_, html) = app.get_as(&qiye, "/claims/new?policy=informatization").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&html))
        .text("policy", "informatization")
        .text("event_date", "2024-03-01")
        .text("base_yuan", "12.345")
        .text("go", "submit");
    let r = qiye
        .post(app.url("/claims/new"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("base_yuan") && html.contains("value=\"12.345\""));

    // County review, bureau approval, finance disbursement on the claim page.
    assert_eq!(
        act_page(&app.client_for("botou").await, app, id, "review").await,
        303
    );
    let gxj = app.client_for("gxj").await;
    // The wrong step is refused on the page too, with the reason.
    let (_, html) = app.get_as(&gxj, &format!("/claims/{id}")).await;
    assert_eq!(
        app.form_as(
            &gxj,
            &format!("/claims/{id}/act"),
            &[("csrf", csrf_of(&html).as_str()), ("action", "disburse")]
        )
        .await
        .0,
        403
    );
    assert_eq!(act_page(&gxj, app, id, "approve").await, 303);
    assert_eq!(act_page(&czj, app, id, "disburse").await, 303);
    let (_, html) = app.get_as(&czj, &format!("/claims/{id}")).await;
    assert!(html.contains("已拨付"));

    // The ledger and budget pages show it.
    let (s, html) = app.get_as(&qiye, "/ledger").await;
    assert_eq!(s, 200);
    assert!(html.contains("300,000.00") && html.contains("三(四)1"));
    let (_, html) = app.get_as(&czj, "/budgets").await;
    assert!(html.contains("30.00") && html.contains("70.00"), "{html}");
    // …and the ledger downloads, amounts as plain yuan.
    let r = czj.get(app.url("/ledger?format=csv")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.contains("300000.00") && csv.contains("省级绿色工厂奖励"),
        "{csv}"
    );
    let r = czj
        .get(app.url("/claims?all=1&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // Every page of the module answers.
    for path in [
        "/policies",
        "/policies/informatization",
        "/policies/calc?policy=informatization&date=2024-03-01&base=1500000",
        "/claims",
        "/scan",
    ] {
        let (s, html) = app.get_as(&czj, path).await;
        assert_eq!(s, 200, "{path}");
        if path.contains("calc") {
            assert!(html.contains("750,000.00"));
        }
        if path == "/policies" {
            // 三(三)1's cap, named in words: 最高不超过100万元.
            assert!(html.contains("上限(元):1,000,000.00"), "{html}");
            assert!(!html.contains("cap_yuan") && !html.contains(">green_factory_national<"));
        }
    }
}

#[tokio::test]
async fn the_scan_lists_unclaimed_rewards_and_what_is_missing() {
    use clusterdesk_domain::QualKind;
    use clusterdesk_store::registry::Qualification;
    let w = world().await;
    let app = &w.app;
    let sys = Actor::system("test");
    for (uscc, kind, level, from) in [
        (&w.botou_a, QualKind::GreenFactory, "provincial", "2024-03-01"),
        (&w.botou_a, QualKind::LittleGiant, "national_key", "2024-06-01"),
        (&w.botou_b, QualKind::Listed, "overseas", "2025-01-10"),
        (&w.renqiu_a, QualKind::WellKnownTrademark, "", "2023-09-01"),
        (&w.renqiu_a, QualKind::GreenFactory, "provincial", "2019-01-01"),
    ] {
        app.store
            .add_qualification(
                &sys,
                uscc,
                &Qualification {
                    kind,
                    level: level.into(),
                    valid_from: from.into(),
                    valid_to: None,
                    detail: String::new(),
                },
            )
            .await
            .unwrap();
    }
    let botou = app.client_for("botou").await;
    let (s, r) = app.json_as(&botou, "/api/v1/scan").await;
    assert_eq!(s, 200, "{r}");
    let rows: Vec<(String, String, i64)> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["policy"].as_str().unwrap().to_string(),
                x["status"].as_str().unwrap().to_string(),
                x["amount_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    // 泊头 only; the 任丘 trademark is not in scope.
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.contains(&("green_factory_provincial".into(), "eligible".into(), 30_000_000)));
    assert!(rows.contains(&("little_giant".into(), "eligible".into(), 100_000_000)));
    assert!(rows.contains(&("listing_overseas_accepted".into(), "unknown".into(), 0)));
    assert_eq!(r["eligible_fen"], 130_000_000);
    let unknown = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["status"] == "unknown")
        .unwrap();
    assert_eq!(unknown["missing"][0], "main_overseas_exchange");
    // The page asks the fact's question from the policy file, not its name.
    let (s, html) = app.get_as(&botou, "/scan").await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("main_overseas_exchange"),
        "a fact's name on the page"
    );
    assert!(html.contains("缺少:申请上市的是否为境外主要证券交易所"), "{html}");

    // Once claimed, it is no longer offered.
    let (s, _) = file(
        &botou,
        app,
        json!({"policy": "green_factory_provincial", "uscc": w.botou_a, "event_date": "2024-03-01"}),
    )
    .await;
    assert_eq!(s, 201);
    let (_, r) = app.json_as(&botou, "/api/v1/scan").await;
    assert_eq!(r["rows"].as_array().unwrap().len(), 3);
    // The city sees 任丘 too; an event before the plan (2019) is not offered by default, but is
    // with --year.
    let admin = app.client_for("admin").await;
    let (_, r) = app.json_as(&admin, "/api/v1/scan").await;
    assert_eq!(r["rows"].as_array().unwrap().len(), 4);
    let (_, r) = app.json_as(&admin, "/api/v1/scan?year=2019").await;
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    assert_eq!(app.json_as(&admin, "/api/v1/scan?year=abc").await.0, 422);
}

#[tokio::test]
async fn drafts_evidence_and_amounts_the_department_approves() {
    let w = world().await;
    let app = &w.app;
    set_budget_of(&w, "未明确", "10000000").await;
    let qiye = app.client_for("qiye").await;
    // 三(一)2 揭榜挂帅: the enterprise files without an amount, as a draft first.
    let (s, v) = file(
        &qiye,
        app,
        json!({"policy": "jiebang_guashuai", "event_date": "2025-04-01", "submit": false,
               "facts": {"project": "JB-2025-03"}}),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let id = v["claim"]["id"].as_i64().unwrap();
    assert_eq!(v["claim"]["status"], "draft");
    assert_eq!(v["claim"]["eval_status"], "unknown");
    assert_eq!(v["claim"]["department"], "KJJ");
    // The county cannot review a draft; the enterprise submits it.
    let botou = app.client_for("botou").await;
    assert_eq!(act(&botou, app, id, "review", json!({})).await.0, 409);
    let (s, v) = act(&qiye, app, id, "submit", json!({})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(act(&botou, app, id, "review", json!({})).await.0, 200);
    // Evidence is closed once the county has reviewed.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"late".to_vec()).file_name("late.txt"),
    );
    let r = qiye
        .post(app.url(&format!("/api/v1/claims/{id}/evidence")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    // 市科技局 approves an amount; “每个项目给予最高300万元” caps it.
    let kjj = app.client_for("kjj").await;
    assert_eq!(act(&kjj, app, id, "approve", json!({})).await.0, 422);
    assert_eq!(
        act(&kjj, app, id, "approve", json!({"approved_yuan": "abc"}))
            .await
            .0,
        422
    );
    let (s, v) = act(&kjj, app, id, "approve", json!({"approved_yuan": "3500000"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["claim"]["status"], "approved");
    assert_eq!(v["claim"]["amount_yuan"], "3000000.00");
    assert_eq!(v["claim"]["outcome"]["capped"], true);
    // A fixed-amount policy takes no approved amount.
    let (_, v) = file(
        &qiye,
        app,
        json!({"policy": "green_factory_provincial", "event_date": "2025-04-01"}),
    )
    .await;
    let gid = v["claim"]["id"].as_i64().unwrap();
    act(&botou, app, gid, "review", json!({})).await;
    let (s, v) = act(
        &app.client_for("gxj").await,
        app,
        gid,
        "approve",
        json!({"approved_yuan": "1"}),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    // Every step is in the change log too.
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM change_log WHERE entity = 'claim' AND entity_key = $1")
            .bind(id.to_string())
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(n, 4);
}
