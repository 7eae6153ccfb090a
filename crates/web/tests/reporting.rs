//! 数据填报 through the pages: template download and upload, scoped to the county.

use crate::common;

use common::reporting::{file, step, template, upload, upload_revenue};
use common::{csrf_of, spawn_app};

#[tokio::test]
async fn a_county_downloads_its_template_and_uploads_its_data() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    let page = app.page_as(&botou, "/reporting").await;
    assert!(page.contains("下载填报模板"));
    let r = botou.get(app.url(&template("130981"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // Another county's template is refused.
    assert_eq!(app.get_as(&botou, &template("130982")).await.0, 403);

    let csrf = csrf_of(&page);
    let (status, body) = upload_revenue(&botou, &app, "-1").await;
    assert_eq!(status, 422);
    assert!(body.contains("non_negative") && body.contains("C4"), "{body}");
    let (status, body) = upload_revenue(&botou, &app, "1234.5").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("导入成功"));
    // 1,234.5 万元 = 12,345,000 yuan = 1,234,500,000 fen.
    let v: i64 = sqlx::query_scalar(
        "SELECT num_value FROM data_values WHERE unit_code = 'C19' AND period = '2025-01'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(v, 1_234_500_000);
    // 泊头's operator cannot upload 任丘's file.
    let (status, body) = upload(&botou, &app.url("/reporting"), &csrf, file("130982", "C11", "1")).await;
    assert_eq!(status, 422);
    assert!(body.contains("forbidden"), "{body}");
}

#[tokio::test]
async fn submit_approve_accept_lock_and_unlock() {
    let app = spawn_app().await.with_cast().await;
    app.add_user("botou_leader", clusterdesk_domain::Role::CountyLeader, "130981")
        .await;
    let botou = app.client_for("botou").await;
    let leader = app.client_for("botou_leader").await;
    let admin = app.client_for("admin").await;

    // Nothing to submit yet.
    assert_eq!(step(&botou, &app, "submit", "").await.0, 422);
    assert_eq!(upload_revenue(&botou, &app, "100").await.0, 200);
    // The leader cannot approve a draft; the operator cannot accept.
    assert_eq!(step(&leader, &app, "approve", "").await.0, 409);
    assert_eq!(step(&botou, &app, "submit", "").await.0, 200);
    assert_eq!(step(&botou, &app, "accept", "").await.0, 403);
    // Submitted data cannot be changed by upload.
    let (s, body) = upload_revenue(&botou, &app, "200").await;
    assert_eq!(s, 422);
    assert!(body.contains("period_locked"), "{body}");
    // A return needs a reason.
    assert_eq!(step(&leader, &app, "return", "").await.0, 422);
    assert_eq!(step(&leader, &app, "approve", "").await.0, 200);
    let (s, body) = step(&admin, &app, "accept", "").await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("市已接收(锁定)"));
    assert!(body.contains("<dt>提交时间</dt>"), "{body}");
    // Locked: only the bureau unlocks, with a reason; then the county may correct.
    assert_eq!(step(&botou, &app, "unlock", "改数").await.0, 403);
    assert_eq!(step(&admin, &app, "unlock", "").await.0, 422);
    let (s, body) = step(&admin, &app, "unlock", "县里发现1月数据录入错误").await;
    assert_eq!(s, 200);
    // Back in 填报中: the old submission time is not shown beside it.
    assert!(body.contains(">填报中</span>"), "{body}");
    assert!(!body.contains("提交时间"), "{body}");
    assert_eq!(upload_revenue(&botou, &app, "200").await.0, 200);
    let events: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT to_status, actor, comment FROM submission_events WHERE county_code = '130981' ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let path: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(path, ["submitted", "county_approved", "accepted", "draft"]);
    assert_eq!(events[3].2, "县里发现1月数据录入错误");
    // The city sees the matrix; a county sees only its own row.
    let page = app.page_as(&admin, "/reporting/status").await;
    assert!(page.contains("任丘市") && page.contains("泊头市"));
    let page = app.page_as(&botou, "/reporting/status").await;
    assert!(page.contains("泊头市") && !page.contains("任丘市"));
    // 集群年报 at 2026-12-02: 2025's report is the newest one asked for, and nothing before the
    // data set's first period 2022 is asked (2021's was due on 2022-01-31, before the plan was
    // issued in August 2022), so the columns are 2022 to 2025.
    let page = app
        .page_as(&admin, "/reporting/status?dataset=cluster_yearly")
        .await;
    let head = &page[page.find("<table class=\"matrix\">").unwrap()..];
    let head = &head[..head.find("</thead>").unwrap()];
    let years: Vec<&str> = head
        .split("<th class=\"num\">")
        .skip(1)
        .map(|h| &h[..h.find("</th>").unwrap()])
        .collect();
    assert_eq!(years, ["2022年", "2023年", "2024年", "2025年", "逾期"]);
}

#[tokio::test]
async fn other_systems_write_values_and_move_the_workflow_through_the_api() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    let url = "/api/v1/datasets/cluster_monthly/values";
    let bad = serde_json::json!({"county": "130981", "period": "2025-01", "rows": [
        {"unit": "C19", "values": {"revenue": "-1", "park_entries": "2"}},
        {"unit": "C99", "values": {"revenue": "5"}}
    ]});
    let (s, v) = app.post_json_as(&botou, url, &bad).await;
    assert_eq!(s, 422);
    assert_eq!(v["rejected"], 2);
    assert_eq!(v["errors"][0]["row"], 0);
    assert_eq!(v["errors"][0]["indicator"], "revenue");
    assert_eq!(v["errors"][0]["rule"], "non_negative");
    assert_eq!(v["errors"][1]["unit"], "C99");
    // Errors name the row and the indicator of the request, not a cell of a sheet nobody sent:
    // the second row's unknown indicator, and the third row repeating the first's cluster.
    let named = serde_json::json!({"county": "130981", "period": "2025-01", "rows": [
        {"unit": "C19", "values": {"revenue": "1"}},
        {"unit": "C17", "values": {"revenue": "2", "no_such": "3"}},
        {"unit": "C19", "values": {"revenue": "4"}}
    ]});
    let (s, v) = app.post_json_as(&botou, url, &named).await;
    assert_eq!(s, 422);
    let errs: Vec<(i64, &str, &str, &str)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["unit"].as_str().unwrap(),
                e["indicator"].as_str().unwrap(),
                e["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errs,
        [
            (1, "C17", "no_such", "indicator_unknown"),
            (2, "C19", "", "duplicate")
        ]
    );
    assert_eq!(v["rejected"], 2);
    let good = serde_json::json!({"county": "130981", "period": "2025-01", "rows": [
        {"unit": "C19", "values": {"revenue": "88.8", "park_entries": "2"}}
    ]});
    let (_, v) = app.post_json_as(&botou, url, &good).await;
    assert_eq!(
        (v["created"].as_u64(), v["unchanged"].as_u64()),
        (Some(2), Some(0))
    );
    let (_, v) = app.post_json_as(&botou, url, &good).await;
    assert_eq!(v["unchanged"], 2);
    // 88.8 万元 = 888,000 yuan = 88,800,000 fen.
    let n: i64 = sqlx::query_scalar(
        "SELECT num_value FROM data_values WHERE unit_code = 'C19' AND indicator_code = 'revenue'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(n, 88_800_000);
    // 任丘's data: refused.
    let other = serde_json::json!({"county": "130982", "period": "2025-01", "rows": [{"unit": "C11", "values": {"revenue": "1"}}]});
    let (_, v) = app.post_json_as(&botou, url, &other).await;
    assert_eq!(v["errors"][0]["rule"], "forbidden");

    let sub = "/api/v1/submissions/cluster_monthly/130981/2025-01";
    let (_, v) = app.json_as(&botou, sub).await;
    assert_eq!(
        (v["status"].as_str(), v["actions"][0].as_str()),
        (Some("draft"), Some("submit"))
    );
    assert_eq!(
        app.post_json_as(&botou, sub, &serde_json::json!({"action": "submit"}))
            .await
            .0,
        200
    );
    assert_eq!(
        app.post_json_as(&botou, sub, &serde_json::json!({"action": "submit"}))
            .await
            .0,
        409
    );
    assert_eq!(
        app.post_json_as(&botou, sub, &serde_json::json!({"action": "fly"}))
            .await
            .0,
        400
    );
    assert_eq!(
        app.get_as(&botou, "/api/v1/submissions/cluster_monthly/130982/2025-01")
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn the_entry_form_saves_keeps_what_was_typed_when_refused_and_shows_last_year() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    // Last year's January, entered through the API: 500 万元 for 铸造.
    let url = "/api/v1/datasets/cluster_monthly/values";
    let last = serde_json::json!({"county": "130981", "period": "2024-01", "rows": [{"unit": "C19", "values": {"revenue": "500"}}]});
    assert_eq!(app.post_json_as(&botou, url, &last).await.0, 200);

    let form_url = "/reporting/form?dataset=cluster_monthly&county=130981&period=2025-01";
    let page = app.page_as(&botou, form_url).await;
    assert!(page.contains("name=\"v.C19.revenue\""));
    assert!(
        page.contains("<div class=\"last-year\">500</div>"),
        "last year's value beside the cell"
    );
    let csrf = csrf_of(&page);
    let post = |pairs: Vec<(&'static str, String)>| {
        let c = botou.clone();
        let u = app.url("/reporting/form");
        async move { c.post(u).form(&pairs).send().await.unwrap() }
    };
    let base = |rev: &str, entries: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("dataset", "cluster_monthly".to_string()),
            ("county", "130981".to_string()),
            ("period", "2025-01".to_string()),
            ("v.C19.revenue", rev.to_string()),
            ("v.C17.park_entries", entries.to_string()),
        ]
    };
    let r = post(base("612.5", "-2")).await;
    assert_eq!(r.status(), 422);
    let body = r.text().await.unwrap();
    assert!(body.contains("value=\"612.5\""), "what was typed is kept");
    assert!(body.contains("cell-error"));
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM data_values WHERE period = '2025-01'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing saved from a refused form");
    let r = post(base("612.5", "2")).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("已保存"));
    // 612.5 万元 = 6,125,000 yuan = 612,500,000 fen.
    let v: i64 = sqlx::query_scalar(
        "SELECT num_value FROM data_values WHERE unit_code = 'C19' AND period = '2025-01'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(v, 612_500_000);
}

/// A reason is stored as the reader will see it (domain::text): a direction override or a NUL
/// is refused with its code point and nothing moves; pasted invisible characters and Windows
/// line breaks are stored clean; 2,001 characters are one too many.
#[tokio::test]
async fn a_return_reason_is_stored_as_it_will_be_read() {
    let app = spawn_app().await.with_cast().await;
    app.add_user("botou_leader", clusterdesk_domain::Role::CountyLeader, "130981")
        .await;
    let botou = app.client_for("botou").await;
    let leader = app.client_for("botou_leader").await;
    let (s, _) = upload_revenue(&botou, &app, "100").await;
    assert_eq!(s, 200);
    assert_eq!(step(&botou, &app, "submit", "").await.0, 200);

    let (s, body) = step(&leader, &app, "return", "数据\u{202E}误有").await;
    assert_eq!(s, 422);
    assert!(body.contains("U+202E"), "{body}");
    let (s, body) = step(&leader, &app, "return", "数据有误\u{0}").await;
    assert_eq!(s, 422);
    assert!(body.contains("U+0000"), "{body}");
    let (s, body) = step(&leader, &app, "return", &"错".repeat(2001)).await;
    assert_eq!(s, 422);
    assert!(body.contains("最多2000个字符,现为2001个"), "{body}");
    // Still submitted: none of the three moved it.
    let status: String = sqlx::query_scalar(
        "SELECT status FROM submissions WHERE county_code = '130981' AND period = '2025-01'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(status, "submitted");

    let (s, body) = step(&leader, &app, "return", "\u{FEFF}1月数据\u{200B}有误\r\n请核对").await;
    assert_eq!(s, 200, "{body}");
    let comment: String = sqlx::query_scalar(
        "SELECT comment FROM submission_events WHERE county_code = '130981' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(comment, "1月数据有误\n请核对");
}

/// The audit trail hears what the monthly job does (GB/T 22239-2019 8.1.4.3 a): a value
/// write with the digest of its changes, each workflow step, a refusal and a download, each
/// with its caller; and the chain stays whole.
#[tokio::test]
async fn the_monthly_job_leaves_its_trail() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    let (s, _) = upload_revenue(&botou, &app, "100").await;
    assert_eq!(s, 200);
    assert_eq!(step(&botou, &app, "submit", "").await.0, 200);
    // Another county's template: refused, and the refusal recorded.
    assert_eq!(app.get_as(&botou, &template("130982")).await.0, 403);
    // Its own template: a download.
    let r = botou.get(app.url(&template("130981"))).send().await.unwrap();
    assert_eq!(r.status(), 200);

    let all = app.store.audit_recent(Some("botou"), None, 50).await.unwrap();
    let find = |action: &str| {
        all.iter()
            .find(|r| r.action == action)
            .unwrap_or_else(|| panic!("no {action} record in {all:?}"))
    };
    let write = find("values_write");
    let detail: serde_json::Value = serde_json::from_str(&write.detail).unwrap();
    assert_eq!(detail["values"], 1, "{detail}");
    // SHA-256 of the one change logged: key, action, old (none), new, tab-separated.
    let logged: (String, String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT entity_key, action, old_value, new_value FROM change_log WHERE entity = 'value'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    let line = format!(
        "{}\t{}\t{}\t{}\n",
        logged.0,
        logged.1,
        logged.2.unwrap_or_default(),
        logged.3.unwrap_or_default()
    );
    use sha2::Digest;
    let want: String = sha2::Sha256::digest(line.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(detail["sha256"], want.as_str());
    let sub = find("submission");
    assert_eq!(sub.target, "cluster_monthly/130981/2025-01");
    assert!(sub.detail.contains("\"to\":\"submitted\""), "{}", sub.detail);
    let denied = find("denied");
    assert_eq!(
        denied.target,
        "GET /reporting/template.xlsx?dataset=cluster_monthly&county=130982&period=2025-01"
    );
    assert_eq!(denied.address, "127.0.0.1");
    let download = find("download");
    assert!(download.detail.contains(".xlsx"), "{}", download.detail);
    assert!(
        clusterdesk_domain::audit::verify(app.store.audit_chain().await.unwrap()).is_ok(),
        "the chain is whole"
    );
}
