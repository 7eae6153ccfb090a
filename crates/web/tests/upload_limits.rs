//! Uploads over HTTP: one limit, refused in Chinese (a page for forms, the JSON error shape
//! for the API), and a hostile spreadsheet refused without taking the server down.

use crate::common;

use common::{csrf_of, spawn_app, spawn_app_with};

const MB: usize = 1024 * 1024;

fn xfd_fixture() -> Vec<u8> {
    let path = format!(
        "{}/../office/tests/fixtures/xfd_cell.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(path).unwrap()
}

async fn upload_form(
    c: &reqwest::Client,
    url: &str,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<(u16, String), reqwest::Error> {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("dry_run", "1")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let r = c.post(url).multipart(form).send().await?;
    Ok((r.status().as_u16(), r.text().await?))
}

#[tokio::test]
async fn a_sheet_with_a_cell_at_xfd1048576_is_refused_and_the_server_lives_on() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    let page = app.page_as(&botou, "/reporting").await;
    let csrf = csrf_of(&page);
    let (status, body) = upload_form(&botou, &app.url("/reporting"), &csrf, "x.xlsx", xfd_fixture())
        .await
        .unwrap();
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(
            "文件“x.xlsx”工作表“集群月报”的已用范围 A1:XFD1048576 超出模板范围(最多 200 列、100000 行)"
        ),
        "{body}"
    );
    let r = app.anonymous().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn a_file_between_two_and_twenty_mb_is_read_not_refused_by_the_parser() {
    // Axum's own multipart limit was 2 MB: a 3 MB upload failed with its English message.
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    let page = app.page_as(&botou, "/reporting").await;
    let csrf = csrf_of(&page);
    let mut csv = String::from(
        "集群月报\n数据集,cluster_monthly,县(市),130981,期间,2025-01\n集群代码,集群名称,营业收入(万元)\n",
    );
    while csv.len() < 3 * MB {
        csv.push_str("C19,泊头市铸造产业集群示例名称补足长度用的文字,1\n");
    }
    let (status, body) = upload_form(&botou, &app.url("/reporting"), &csrf, "big.csv", csv.into_bytes())
        .await
        .unwrap();
    // Read as a file: its repeated rows are refused as duplicates, counted, and listed briefly.
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("duplicate") && body.contains("errors_truncated"),
        "{body}"
    );
    assert!(
        body.contains("发现 44937 处错误"),
        "the count is of all the errors: {body}"
    );
    assert!(!body.contains("Error parsing"), "{body}");
}

#[tokio::test]
async fn an_upload_over_the_limit_gets_a_chinese_page_and_the_api_its_json_error() {
    let app = spawn_app_with(|s| s.upload_limit = MB).await.with_cast().await;
    let botou = app.client_for("botou").await;
    let page = app.page_as(&botou, "/reporting").await;
    let csrf = csrf_of(&page);
    let (status, body) = upload_form(
        &botou,
        &app.url("/reporting"),
        &csrf,
        "big.csv",
        vec![b'a'; 2 * MB],
    )
    .await
    .expect("the server answers before the client is done");
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("文件过大:上传文件不得超过 1 MB"), "{body}");
    assert!(body.contains("<html"), "a page: {body}");
    assert!(
        !body.contains("length limit") && !body.contains("multipart"),
        "{body}"
    );

    let r = botou
        .post(app.url("/api/v1/datasets/cluster_monthly/values"))
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * MB])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "payload_too_large");
    assert_eq!(v["error"]["message"], "文件过大:上传文件不得超过 1 MB");
}

#[tokio::test]
async fn the_limit_defaults_to_twenty_mb() {
    assert_eq!(clusterdesk_web::DEFAULT_UPLOAD_LIMIT_MB, 20);
    let app = spawn_app().await;
    let _ = app;
    // The env var is read once per AppState; unset here, it is the default.
    if std::env::var("CLUSTERDESK_UPLOAD_LIMIT_MB").is_err() {
        assert_eq!(clusterdesk_web::upload_limit_from_env(), 20 * MB);
    }
}

#[tokio::test]
async fn an_upload_without_the_sessions_csrf_token_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await.with_cast().await;
    let botou = app.client_for("botou").await;
    let csv = "集群月报\n数据集,cluster_monthly,县(市),130981,期间,2025-01\n集群代码,集群名称,营业收入(万元)\nC19,,1234.5\n";
    let send = |csrf: Option<&'static str>| {
        let mut form = reqwest::multipart::Form::new();
        if let Some(t) = csrf {
            form = form.text("csrf", t);
        }
        let form = form.part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("集群月报.csv"),
        );
        botou.post(app.url("/reporting")).multipart(form).send()
    };
    // No token, then a token that is not the session's.
    for csrf in [None, Some("not-the-token")] {
        let r = send(csrf).await.unwrap();
        assert_eq!(r.status(), 403, "{csrf:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains("表单已过期或来源不明,请刷新页面后重试"), "{body}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM data_values")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    // A claim's evidence, the other multipart form, is refused the same way.
    let admin = app.client_for("admin").await;
    let form = reqwest::multipart::Form::new().text("csrf", "x").part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF".to_vec()).file_name("a.pdf"),
    );
    let r = admin
        .post(app.url("/claims/1/evidence"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
