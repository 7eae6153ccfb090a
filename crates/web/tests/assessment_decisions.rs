//! The bureau's decisions on the assessment over the real server: the 三(二)2 targets issued by
//! 市工信局 (`/api/v1/assessment/above-scale-targets`, `/assessment/targets`) and the 三(二)1
//! transfer finalized and revoked (`/api/v1/assessment/{year}/transfer`, the buttons on
//! `/assessment`).
//!
//! Fixture (as in assessment.rs): park entries in 2025-12 on each county's first cluster, 14 for
//! 沧县 (130921) down to 1 for 河间市 (130984) in code order; nothing else. Revenue growth has no
//! data (left out; weights 30 + 25 + 15 = 70 remain), net new is 0 everywhere, nobody submitted.
//! The plan file's 2025 targets: 泊头市 (130981) 20, 沧县 40.
//!
//! - 泊头市 net 0 / 20 → 0.00%, score 0; composite 25 × 23.08 / 70 = 8.24, 11th.
//! - Issued target 0 for 泊头市: net 0 meets a target of 0 → score 100; composite
//!   (30 × 100 + 25 × 23.08) / 70 = 3577 / 70 = 51.10, 1st (沧县 35.71 2nd).
//! - Transfer: 沧县 +500万 (500,000,000 fen), 青县 +300万, 东光县 +100万, 任丘市 −100万,
//!   黄骅市 −300万, 河间市 −500万; 泊头市 0.

use crate::common;

use clusterdesk_domain::Role;
use clusterdesk_store::Actor;
use clusterdesk_store::values::Value;
use common::{csrf_of, spawn_app};
use serde_json::json;

async fn app_with_data() -> common::TestApp {
    let app = spawn_app().await.with_cast().await;
    app.add_user("gxj", Role::CityDepartment, "GXJ").await;
    app.add_user("czj", Role::CityDepartment, "CZJ").await;
    crate::assessment::with_park_entries(&app).await;
    app
}

async fn json_of(r: reqwest::Response) -> serde_json::Value {
    r.json().await.unwrap()
}

fn row<'a>(rows: &'a serde_json::Value, county: &str) -> &'a serde_json::Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["county"] == county)
        .unwrap()
}

#[tokio::test]
async fn targets_api_and_page() {
    let app = app_with_data().await;
    let admin = app.client_for("admin").await;
    let gxj = app.client_for("gxj").await;
    let czj = app.client_for("czj").await;
    let botou = app.client_for("botou").await;
    let url = "/api/v1/assessment/above-scale-targets?year=2025";

    let t = app.json_as(&botou, url).await.1;
    assert_eq!(t["can_edit"], false);
    assert_eq!(t["rows"].as_array().unwrap().len(), 14);
    let b = row(&t["rows"], "130981");
    assert_eq!(
        (b["target"].as_i64(), b["source"].as_str()),
        (Some(20), Some("plan"))
    );
    assert_eq!(b["source_text"], "规划文件示例数");

    // Refused to a county and to a department other than the bureau's.
    for c in [&botou, &czj] {
        assert_eq!(
            app.put_json_as(c, url, &json!({"targets": {"130981": 0}}))
                .await
                .0,
            403
        );
    }
    // Bad input: 422 with the county named, nothing written.
    for (body, needle) in [
        (
            json!({"targets": {"130981": 0, "130921": -3}}),
            "沧县(130921):目标 -3 不能为负数",
        ),
        (
            json!({"targets": {"130981": 1.5}}),
            "泊头市(130981):目标 1.5 应为",
        ),
        (json!({"targets": {"130981": "abc"}}), "泊头市(130981):目标“abc”"),
        (json!({"targets": {"130981": 10001}}), "上限"),
        (
            json!({"targets": {"999999": 1}}),
            "“999999”不是本方案的县(市)代码",
        ),
        (json!({"targets": {}}), "没有县(市)目标"),
        (json!({"target": 3}), "请求体应为"),
    ] {
        let r = admin.put(app.url(url)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let m = json_of(r).await["error"]["message"].as_str().unwrap().to_string();
        assert!(m.contains(needle), "{m}");
    }
    let r = admin
        .put(app.url(url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = admin
        .put(app.url("/api/v1/assessment/above-scale-targets?year=2040"))
        .json(&json!({"targets": {"130981": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let t = app.json_as(&admin, url).await.1;
    assert!(
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["source"] == "plan")
    );

    // The coordinating department (GXJ) issues 泊头市's target: 0.
    let (s, t) = app
        .put_json_as(
            &gxj,
            url,
            &json!({"targets": {"130981": 0}, "note": "沧工信〔2025〕1号"}),
        )
        .await;
    assert_eq!(s, 200);
    let b = row(&t["rows"], "130981");
    assert_eq!(
        (b["target"].as_i64(), b["source"].as_str()),
        (Some(0), Some("issued"))
    );
    assert!(
        b["source_text"]
            .as_str()
            .unwrap()
            .starts_with("市工信局下达(gxj,")
    );

    // The assessment scores it: net 0 meets 0 → 100; composite 51.10, 1st.
    let a = app.json_as(&botou, "/api/v1/assessment?year=2025").await.1;
    let rows = a["rows"].as_array().unwrap();
    assert_eq!(rows[0]["county"], "130981");
    assert_eq!(rows[0]["composite"], "51.10");
    assert_eq!(rows[0]["rank"], 1);
    assert_eq!(rows[1]["composite"], "35.71");
    let above = row(&a["above_scale"], "130981");
    assert_eq!(above["target"], 0);
    assert_eq!(above["target_source"], "issued");
    assert!(above["attainment_pct"].is_null());

    // The page: the bureau's form, a field refused beside it with what was typed kept.
    let html = app.page_as(&admin, "/assessment/targets?year=2025").await;
    assert!(html.contains("净增规上工业企业目标 · 2025年"), "{html}");
    assert_eq!(html.matches("name=\"t1309").count(), 14);
    assert!(
        html.contains(r#"name="t130981" value="0""#),
        "the issued value is shown"
    );
    assert!(
        html.contains(r#"name="t130921" value="" placeholder="40""#),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("year", "2025"),
        ("t130921", "41"),
        ("t130981", "abc"),
        ("t130982", "-2"),
    ];
    let (s, html) = app.form_as(&admin, "/assessment/targets", &form).await;
    assert_eq!(s, 200);
    assert!(html.contains("有 2 个县(市)的目标填写有误"), "{html}");
    assert!(html.contains("泊头市:目标“abc”应为 0–10000 的整数"), "{html}");
    assert!(html.contains("任丘市:目标 -2 不能为负数"), "{html}");
    assert!(html.contains(r#"name="t130981" value="abc""#));
    assert!(html.contains(r#"name="t130921" value="41""#));
    let t = app.json_as(&admin, url).await.1;
    assert_eq!(row(&t["rows"], "130921")["target"], 40, "nothing saved");
    assert_eq!(row(&t["rows"], "130981")["target"], 0);

    let bad = [("csrf", "x"), ("year", "2025"), ("t130921", "41")];
    assert_eq!(app.form_as(&admin, "/assessment/targets", &bad).await.0, 403);
    let botou_html = app.page_as(&botou, "/assessment/targets?year=2025").await;
    let botou_csrf = csrf_of(&botou_html);
    assert_eq!(
        app.form_as(
            &botou,
            "/assessment/targets",
            &[("csrf", botou_csrf.as_str()), ("year", "2025"), ("t130981", "5")]
        )
        .await
        .0,
        403
    );

    let form = [
        ("csrf", csrf.as_str()),
        ("year", "2025"),
        ("note", "沧工信〔2025〕2号"),
        ("t130921", "41"),
        ("t130981", "0"),
    ];
    let r = admin
        .post(app.url("/assessment/targets"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/assessment/targets?year=2025&saved=1");
    let html = app.page_as(&admin, "/assessment/targets?year=2025&saved=1").await;
    assert!(html.contains("已保存"));
    assert!(html.contains("市工信局下达(admin,"));
    assert!(html.contains("沧工信〔2025〕2号"));
    let t = app.json_as(&admin, url).await.1;
    assert_eq!(row(&t["rows"], "130921")["target"], 41);
    assert_eq!(row(&t["rows"], "130921")["source"], "issued");

    // Counties read every county's target, without the form; the assessment page links here
    // and shows the sources.
    let html = app.page_as(&botou, "/assessment/targets?year=2025").await;
    assert!(!html.contains("targets-form"));
    assert!(html.contains(r#"<tr id="t-130981" class="own">"#));
    assert!(html.contains("规划文件示例数"));
    let html = app.page_as(&botou, "/assessment?year=2025").await;
    assert!(html.contains(r#"href="/assessment/targets?year=2025""#));
    assert!(html.contains("目标来源"));
    assert!(html.contains("市工信局下达(admin,"));
    assert!(
        !html.contains("action=\"/assessment/transfer\""),
        "no finalize button for a county"
    );
    assert_eq!(app.get_as(&botou, "/assessment/targets?year=abc").await.0, 400);
}

#[tokio::test]
async fn transfer_finalized_refused_twice_revoked_and_again() {
    let app = app_with_data().await;
    let admin = app.client_for("admin").await;
    let gxj = app.client_for("gxj").await;
    let czj = app.client_for("czj").await;
    let botou = app.client_for("botou").await;
    let url = "/api/v1/assessment/2025/transfer";

    let s = app.json_as(&czj, url).await.1;
    assert!(s["decision"]["finalized"].is_null());
    assert_eq!(s["decision"]["can_finalize"], false);
    assert_eq!(s["live"]["total_fen"], 0);
    for c in [&botou, &czj] {
        assert_eq!(app.post_as(c, url).await.0, 403);
    }

    let (status, s) = app.post_as(&admin, url).await;
    assert_eq!(status, 201);
    let f = &s["decision"]["finalized"];
    assert_eq!(f["finalized_by"], "admin");
    assert_eq!(f["clause"], "三(二)1");
    assert_eq!(f["total_fen"], 0);
    let amount = |c: &str| row(&f["rows"], c)["amount_fen"].as_i64().unwrap();
    assert_eq!(amount("130921"), 500_000_000);
    assert_eq!(amount("130922"), 300_000_000);
    assert_eq!(amount("130923"), 100_000_000);
    assert_eq!(amount("130981"), 0);
    assert_eq!(amount("130982"), -100_000_000);
    assert_eq!(amount("130983"), -300_000_000);
    assert_eq!(amount("130984"), -500_000_000);
    assert_eq!(row(&f["rows"], "130984")["rank"], 14);

    let r = gxj.post(app.url(url)).send().await.unwrap();
    assert_eq!(r.status(), 409);
    let m = json_of(r).await["error"]["message"].as_str().unwrap().to_string();
    assert!(m.contains("已于") && m.contains("由 admin 定稿"), "{m}");
    let s = app.json_as(&botou, url).await.1;
    assert_eq!(s["decision"]["finalized"]["rows"].as_array().unwrap().len(), 14);
    assert_eq!(s["decision"]["can_revoke"], false);

    // Revoking: a city administrator, with a reason.
    let revoke = "/api/v1/assessment/2025/transfer/revoke";
    for (c, body, status) in [
        (&gxj, json!({"reason": "数据更正"}), 403),
        (&admin, json!({"reason": " "}), 422),
        (&admin, json!({"why": "x"}), 422),
    ] {
        assert_eq!(app.post_json_as(c, revoke, &body).await.0, status, "{body}");
    }
    let (status, s) = app
        .post_json_as(
            &admin,
            revoke,
            &json!({"reason": "河间市补报入园企业,更正后重新定稿"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(s["decision"]["finalized"].is_null());
    assert_eq!(
        s["decision"]["last_revocation"]["reason"],
        "河间市补报入园企业,更正后重新定稿"
    );
    let again = json!({"reason": "再撤销一次"});
    assert_eq!(app.post_json_as(&admin, revoke, &again).await.0, 404);
    assert_eq!(
        app.post_as(&admin, "/api/v1/assessment/abc/transfer").await.0,
        400
    );

    // The same through the page: a confirmation, CSRF, then 已定稿 with who and the amounts.
    let html = app.page_as(&admin, "/assessment?year=2025").await;
    assert!(html.contains("未定稿"), "{html}");
    assert!(html.contains("上次定稿已于"));
    let csrf = csrf_of(&html);
    let r = admin
        .post(app.url("/assessment/transfer"))
        .form(&[("csrf", csrf.as_str()), ("year", "2025")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("请先勾选"));
    assert_eq!(
        app.form_as(
            &admin,
            "/assessment/transfer",
            &[("csrf", "x"), ("year", "2025"), ("confirm", "1")]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.form_as(
            &admin,
            "/assessment/transfer",
            &[("csrf", csrf.as_str()), ("year", "2025"), ("confirm", "1")]
        )
        .await
        .0,
        303
    );
    let r = admin
        .post(app.url("/assessment/transfer"))
        .form(&[("csrf", csrf.as_str()), ("year", "2025"), ("confirm", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "refused on the page, with the message");
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("须先由市工信局管理员写明理由撤销")
    );

    // A later correction: the page warns that today's computation differs.
    app.store
        .upsert_values(
            &Actor::system("test"),
            &[Value {
                unit_code: app.store.plan().clusters_of("130984")[0].code.clone(),
                indicator_code: "park_entries".into(),
                period: "2025-11".into(),
                num_value: Some(20),
                text_value: None,
            }],
        )
        .await
        .unwrap();
    let html = app.page_as(&czj, "/assessment?year=2025").await;
    assert!(html.contains("已定稿"));
    assert!(html.contains("由 admin 定稿"));
    assert!(html.contains("与定稿不一致"));
    assert!(
        html.contains("河间市:定稿时入园 1 家、-5,000,000.00 元,现按最新数据为入园 21 家、5,000,000.00 元"),
        "{html}"
    );
    assert!(
        !html.contains("/assessment/transfer/revoke"),
        "市财政局 reads, does not revoke"
    );

    let (s, html) = app
        .form_as(
            &admin,
            "/assessment/transfer/revoke",
            &[("csrf", csrf.as_str()), ("year", "2025"), ("reason", "改")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("请写明撤销理由"));
    assert!(html.contains(">改</textarea>"), "the reason typed is kept");
    assert_eq!(
        app.form_as(
            &admin,
            "/assessment/transfer/revoke",
            &[
                ("csrf", csrf.as_str()),
                ("year", "2025"),
                ("reason", "河间市11月补报,按更正数据重新定稿"),
            ]
        )
        .await
        .0,
        303
    );
    let s = app.post_as(&admin, url).await.1;
    let f = &s["decision"]["finalized"];
    // 河间市 21 entries now 1st (+500万); 沧县 14 2nd (+300万), 青县 13 3rd (+100万); the last
    // three are 泊头市 (4, 12th, −100万), 任丘市 (3, −300万), 黄骅市 (2, −500万).
    let amount = |c: &str| row(&f["rows"], c)["amount_fen"].as_i64().unwrap();
    assert_eq!(amount("130984"), 500_000_000);
    assert_eq!(amount("130921"), 300_000_000);
    assert_eq!(amount("130922"), 100_000_000);
    assert_eq!(amount("130981"), -100_000_000);
    assert_eq!(amount("130982"), -300_000_000);
    assert_eq!(amount("130983"), -500_000_000);
    assert_eq!(f["total_fen"], 0);
    // The county's own panel gives its finalized share.
    let html = app.page_as(&botou, "/assessment?year=2025").await;
    assert!(html.contains("承担 1,000,000.00 元(已定稿)"), "{html}");
    assert!(!html.contains("/assessment/transfer/revoke"));
}
