//! The foundation's API contract and the scoping rules, over the real server.

use crate::common;

use common::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn health_is_open_and_everything_else_needs_a_session() {
    let app = spawn_app().await;
    let c = app.anonymous();
    assert_eq!(app.get_as(&c, "/healthz").await.0, 200);
    for path in [
        "/api/v1/clusters",
        "/api/v1/enterprises",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/api/v1/clusters/C19",
    ] {
        let (s, body) = app.json_as(&c, path).await;
        assert_eq!(s, 401, "{path}");
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    // Pages send the browser to the login page; the login page itself is open.
    let r = c.get(app.url("/enterprises")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    // With no account yet, the login page leads to the first-run page.
    let r = c.get(app.url("/login")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/setup");
    assert_eq!(app.get_as(&c, "/setup").await.0, 200);
}

#[tokio::test]
async fn the_first_administrator_needs_the_console_token() {
    let app = spawn_app().await;
    let c = app.anonymous();
    let form = |token: &str| {
        vec![
            ("token", token.to_string()),
            ("username", "chief".to_string()),
            ("display_name", "王科长".to_string()),
            ("password", common::PASSWORD.to_string()),
        ]
    };
    let r = c
        .post(app.url("/setup"))
        .form(&form("guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(app.store.user_count().await.unwrap(), 0);
    let r = c
        .post(app.url("/setup"))
        .form(&form("setup-token-1"))
        .send()
        .await
        .unwrap();
    // The security administrator signs in with a second factor: its secret and recovery codes are
    // shown once, and the first sign-in is the login page's.
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("请设置动态口令"), "{page}");
    assert_eq!(page.matches("<li>").count(), 10, "ten recovery codes");
    let secret: String = sqlx::query_scalar("SELECT totp_secret FROM users WHERE username = 'chief'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(page.contains(&format!("id=\"totp-secret\">{secret}<")), "{page}");
    assert_eq!(app.store.user_count().await.unwrap(), 1);
    let code = app.totp_code("chief").await.expect("a secret");
    let r = c
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "chief", "password": common::PASSWORD, "totp": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // 三员分立: the first account is the security administrator, who makes the others.
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["role"], "security_admin", "{v}");
    // The token works once: the page is gone when an account exists.
    let r = c
        .post(app.url("/setup"))
        .form(&form("setup-token-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
    assert_eq!(app.store.user_count().await.unwrap(), 1);
    assert_eq!(app.get_as(&c, "/login").await.0, 200);
}

#[tokio::test]
async fn login_answers_401_on_a_wrong_password() {
    let app = spawn_app().await.with_cast().await;
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "admin", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "nobody", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn the_city_sees_45_clusters_and_botou_sees_its_three() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let (_, all) = app.json_as(&admin, "/api/v1/clusters").await;
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 45);
    for k in ["code", "name", "county_code", "county_name"] {
        assert!(all[0].get(k).is_some(), "cluster objects carry {k}");
    }
    // 任丘市 owns attachments 5–11 per the plan's list.
    assert_eq!(all.iter().filter(|c| c["county_name"] == "任丘市").count(), 7);

    let botou = app.client_for("botou").await;
    let (_, mine) = app.json_as(&botou, "/api/v1/clusters").await;
    let mine = mine.as_array().unwrap();
    let mut names: Vec<&str> = mine.iter().map(|c| c["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["汽车模具", "环保设备", "铸造"]);
    assert!(mine.iter().all(|c| c["county_code"] == "130981"));

    // Another county's cluster is forbidden, not missing; a code that does not exist is missing.
    let renqiu_code = all.iter().find(|c| c["county_name"] == "任丘市").unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get_as(&botou, &format!("/api/v1/clusters/{renqiu_code}"))
            .await
            .0,
        403
    );
    assert_eq!(app.get_as(&botou, "/api/v1/clusters/NOPE").await.0, 404);
    let own = mine[0]["code"].as_str().unwrap();
    assert_eq!(
        app.get_as(&botou, &format!("/api/v1/clusters/{own}")).await.0,
        200
    );
}

fn renqiu_enterprise() -> Value {
    serde_json::json!({
        "uscc": "91130982MA0AB12C1X", "name": "任丘市测试石化有限公司", "county_code": "130982",
        "industry_code": "C2511", "cluster_code": null
    })
}

/// A valid USCC for a test: the check character is computed the way GB 32100 says.
fn uscc(first17: &str) -> String {
    let c = clusterdesk_domain::uscc::check_char(first17.as_bytes()).unwrap();
    format!("{first17}{c}")
}

#[tokio::test]
async fn a_county_cannot_read_or_change_another_countys_enterprises() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let mut e = renqiu_enterprise();
    let code = uscc("91130982MA0AB12C1");
    e["uscc"] = code.clone().into();
    let r = admin
        .post(app.url("/api/v1/enterprises"))
        .json(&e)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    let botou = app.client_for("botou").await;
    assert_eq!(
        app.get_as(&botou, &format!("/api/v1/enterprises/{code}")).await.0,
        404,
        "another county's enterprise answers as an unknown one"
    );
    assert_eq!(app.post_json_as(&botou, "/api/v1/enterprises", &e).await.0, 403);
    let (_, list) = app.json_as(&botou, "/api/v1/enterprises").await;
    assert_eq!(list["total"], 0);
    // Filtering by another county is refused, not silently emptied.
    assert_eq!(
        app.get_as(&botou, "/api/v1/enterprises?county=130982").await.0,
        403
    );

    let renqiu = app.client_for("renqiu").await;
    let (_, got) = app.json_as(&renqiu, &format!("/api/v1/enterprises/{code}")).await;
    assert_eq!(got["name"], "任丘市测试石化有限公司");
    assert_eq!(got["county_name"], "任丘市");
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_not_a_500() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let mut e = renqiu_enterprise();
    e["uscc"] = "91110000600037341N".into();
    let (s, body) = app.post_json_as(&admin, "/api/v1/enterprises", &e).await;
    assert_eq!(s, 422);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("校验位"),
        "{body}"
    );

    let mut e = renqiu_enterprise();
    e["uscc"] = uscc("91130982MA0AB12C2").into();
    e["cluster_code"] = "C17".into(); // 泊头市环保设备: not in 任丘市
    assert_eq!(app.post_json_as(&admin, "/api/v1/enterprises", &e).await.0, 422);

    assert_eq!(app.get_as(&admin, "/api/v1/enterprises/not-a-code").await.0, 400);
    let r = admin
        .post(app.url("/api/v1/enterprises"))
        .body("{")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
}

#[tokio::test]
async fn changes_keep_who_when_and_the_previous_value() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let mut e = renqiu_enterprise();
    let code = uscc("91130982MA0AB12C3");
    e["uscc"] = code.clone().into();
    app.post_json_as(&admin, "/api/v1/enterprises", &e).await;
    let (_, again) = app.post_json_as(&admin, "/api/v1/enterprises", &e).await;
    assert_eq!(again["unchanged"], 1);
    e["name"] = "任丘市测试石化股份有限公司".into();
    let (_, upd) = app.post_json_as(&admin, "/api/v1/enterprises", &e).await;
    assert_eq!(upd["updated"], 1);
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT actor, action, old_value FROM change_log WHERE entity = 'enterprise' AND entity_key = $1 ORDER BY id",
    )
    .bind(&code)
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "admin");
    assert_eq!(rows[1].1, "update");
    assert!(rows[1].2.as_deref().unwrap().contains("任丘市测试石化有限公司"));
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let (_, doc) = app.json_as(&admin, "/api/v1/openapi.json").await;
    for p in [
        "/api/v1/login",
        "/api/v1/clusters",
        "/api/v1/clusters/{code}",
        "/api/v1/enterprises",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p}");
    }
}

#[tokio::test]
async fn roles_without_business_data_see_none() {
    let app = spawn_app().await.with_cast().await;
    app.add_user("aud", clusterdesk_domain::Role::Auditor, "130900")
        .await;
    let aud = app.client_for("aud").await;
    assert_eq!(app.get_as(&aud, "/api/v1/clusters").await.0, 403);
    assert_eq!(app.get_as(&aud, "/api/v1/enterprises").await.0, 403);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    assert_eq!(app.post_as(&admin, "/api/v1/logout").await.0, 204);
    assert_eq!(app.get_as(&admin, "/api/v1/clusters").await.0, 401);
}

#[tokio::test]
async fn a_temporary_password_must_be_changed_first() {
    let app = spawn_app().await;
    app.store
        .create_user(
            &clusterdesk_store::Actor::system("test"),
            clusterdesk_store::accounts::NewUser {
                username: "newbie".into(),
                display_name: "新用户".into(),
                password: common::PASSWORD.into(),
                role: clusterdesk_domain::Role::CountyOperator,
                org_code: "130981".into(),
                temporary: true,
            },
        )
        .await
        .unwrap();
    let c = app.client_for("newbie").await;
    let (s, body) = app.json_as(&c, "/api/v1/clusters").await;
    assert_eq!(s, 403);
    assert_eq!(body["error"]["code"], "password_change_required");
    assert_eq!(app.get_as(&c, "/api/v1/me").await.0, 200);
    // Pages lead to the password form.
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/account/password");
    // A weak new password is refused with the rule, the strong one accepted.
    let r = c
        .post(app.url("/api/v1/account/password"))
        .json(&serde_json::json!({"current": common::PASSWORD, "new": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "{:?}", r.text().await);
    assert_eq!(
        app.post_json_as(
            &c,
            "/api/v1/account/password",
            &serde_json::json!({"current": common::PASSWORD, "new": "Another-Strong-Pass-9"})
        )
        .await
        .0,
        204
    );
    assert_eq!(app.get_as(&c, "/api/v1/clusters").await.0, 200);
}

#[tokio::test]
async fn a_page_form_without_the_csrf_token_is_refused() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let form = [
        ("uscc", "91130981MA0AB12CXA"),
        ("name", "某公司"),
        ("county_code", "130981"),
        ("industry_code", "3391"),
    ];
    // No token, then a token that is not the session's: both refused the same way.
    for csrf in [None, Some("not-the-token")] {
        let mut fields = form.to_vec();
        fields.extend(csrf.map(|t| ("csrf", t)));
        let (s, body) = app.form_as(&admin, "/enterprises/new", &fields).await;
        assert_eq!(s, 403, "{csrf:?}");
        assert!(body.contains("表单已过期或来源不明,请刷新页面后重试"), "{body}");
        // A page in the signed-in user's layout, not a bare message.
        assert!(body.contains("<nav class=\"side\""), "{body}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_page_failure_raised_with_a_question_mark_keeps_the_layout() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    // Not a claim number: the store's NotFound, through `?`, as a 404 page with the navigation.
    let (s, body) = app.get_as(&admin, "/claims/abc").await;
    assert_eq!(s, 404);
    assert!(body.contains("页面或数据不存在"), "{body}");
    assert!(body.contains("申请“abc”"), "{body}");
    assert!(body.contains("<nav class=\"side\""), "{body}");
    // Before sign-in there is no layout to draw: the login page is where one goes.
    assert_eq!(app.get_as(&app.anonymous(), "/claims/abc").await.0, 303);
}

#[tokio::test]
async fn dated_qualifications_are_kept_checked_and_scoped() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let mut e = renqiu_enterprise();
    let code = uscc("91130982MA0AB12C4");
    e["uscc"] = code.clone().into();
    app.post_json_as(&admin, "/api/v1/enterprises", &e).await;
    let url = format!("/api/v1/enterprises/{code}/qualifications");
    let q = serde_json::json!({"kind": "little_giant", "level": "国家级重点", "valid_from": "2023-07-01"});
    assert_eq!(app.post_json_as(&admin, &url, &q).await.0, 201);
    // 小巨人 has no provincial level in this registry; a date the wrong way round is refused.
    let bad = serde_json::json!({"kind": "little_giant", "level": "省级", "valid_from": "2023-07-01"});
    assert_eq!(app.post_json_as(&admin, &url, &bad).await.0, 422);
    let bad = serde_json::json!({"kind": "high_tech", "valid_from": "2023-07-01", "valid_to": "2022-01-01"});
    assert_eq!(app.post_json_as(&admin, &url, &bad).await.0, 422);
    // Another county's operator may not add one.
    let botou = app.client_for("botou").await;
    assert_eq!(app.post_json_as(&botou, &url, &q).await.0, 404);
    let (_, got) = app.json_as(&admin, &format!("/api/v1/enterprises/{code}")).await;
    let quals = got["qualifications"].as_array().unwrap();
    assert_eq!(quals.len(), 1);
    assert_eq!(quals[0]["kind"], "little_giant");
    assert_eq!(quals[0]["level"], "national_key");
    assert_eq!(quals[0]["valid_from"], "2023-07-01");
}

#[tokio::test]
async fn a_county_fills_in_its_own_cluster_plan_only() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    // The CSRF token comes with the page; take it from the form.
    let page = app.page_as(&botou, "/clusters/C19").await;
    let csrf = common::csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("f0", "铸造企业约300家"),
        ("f1", "环保压力大"),
    ];
    assert_eq!(app.form_as(&botou, "/clusters/C19/plan", &form).await.0, 303);
    let page = app.page_as(&botou, "/clusters/C19").await;
    assert!(page.contains("铸造企业约300家"));
    // 任丘's cluster: refused.
    assert_eq!(app.form_as(&botou, "/clusters/C11/plan", &form).await.0, 403);
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_log WHERE entity = 'cluster_plan'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_enterprise_list_downloads_as_csv_and_excel_within_scope() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let mut e = renqiu_enterprise();
    e["uscc"] = uscc("91130982MA0AB12C5").into();
    app.post_json_as(&admin, "/api/v1/enterprises", &e).await;
    let r = admin
        .get(app.url("/enterprises?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let body = r.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    assert!(text.starts_with("统一社会信用代码,企业名称"));
    assert!(text.contains("任丘市测试石化有限公司"));
    let r = admin
        .get(app.url("/enterprises?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // 泊头's operator downloads only 泊头's enterprises: none here.
    let botou = app.client_for("botou").await;
    let text = app.page_as(&botou, "/enterprises?format=csv").await;
    assert!(!text.contains("任丘市测试石化有限公司"));
}
