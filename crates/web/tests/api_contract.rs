//! The API keeps to its own OpenAPI document (what `scripts/schemathesis` checks at large):
//! every refusal is an `ErrorBody` with a status the document names, and what the document
//! does not allow is refused.

use crate::common;

use common::*;
use serde_json::Value;

/// The status, and the body as JSON (`Null` if it is not JSON).
async fn send(r: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let body = r.json().await.unwrap_or(Value::Null);
    (status, ct, body)
}

fn assert_error_body(what: &str, ct: &Option<String>, body: &Value) {
    assert!(
        ct.as_deref().is_some_and(|c| c.starts_with("application/json")),
        "{what}: {ct:?}"
    );
    assert!(body["error"]["code"].is_string(), "{what}: {body}");
    assert!(
        !body["error"]["message"].as_str().unwrap_or("").is_empty(),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn axums_own_refusals_answer_an_error_body() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;

    // A body that is not JSON, one without the JSON content type, a query that does not parse.
    let (s, ct, b) = send(
        c.post(app.url("/api/v1/inbox/read"))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(s, 400);
    assert_error_body("not JSON", &ct, &b);
    assert_eq!(b["error"]["code"], "bad_request");

    let (s, ct, b) = send(c.post(app.url("/api/v1/inbox/read")).body("{}")).await;
    assert_eq!(s, 415);
    assert_error_body("no content type", &ct, &b);
    assert_eq!(b["error"]["code"], "unsupported_media_type");

    let (s, ct, b) = send(c.get(app.url("/api/v1/enterprises?per_page=abc"))).await;
    assert_eq!(s, 400);
    assert_error_body("per_page=abc", &ct, &b);

    // A method the route does not have: JSON, and the `Allow` header kept.
    let r = c.delete(app.url("/api/v1/inbox/read")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers().get("allow").is_some());
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    let b: Value = r.json().await.unwrap();
    assert_error_body("DELETE", &ct, &b);
    assert_eq!(b["error"]["code"], "method_not_allowed");

    // The pages keep their own answers.
    assert_eq!(app.get_as(&c, "/nowhere").await.0, 404);
}

#[tokio::test]
async fn a_body_the_document_calls_an_object_must_be_one() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("botou").await;
    // serde would take a struct from an array: `[]` marked every item read.
    let (s, ct, b) = send(c.post(app.url("/api/v1/inbox/read")).json(&serde_json::json!([]))).await;
    assert_eq!(s, 422);
    assert_error_body("[]", &ct, &b);
    let (s, _, b) = send(c.post(app.url("/api/v1/inbox/read")).json(&serde_json::json!({}))).await;
    assert_eq!(s, 200);
    assert!(b["marked"].is_number(), "{b}");
}

#[tokio::test]
async fn a_year_is_an_integer_and_a_blank_one_is_refused() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;
    // Refused as each refuses a malformed year (the scan: 422); without data the metrics
    // may be not found before the year is looked at.
    for (path, statuses) in [
        ("/api/v1/scan?year=", &[422][..]),
        ("/api/v1/scan?year=%20", &[422]),
        ("/api/v1/assessment?year=", &[400]),
        ("/api/v1/assessment/above-scale-targets?year=", &[400]),
        ("/api/v1/cluster-metrics?year=", &[400, 404]),
    ] {
        let (s, ct, b) = send(c.get(app.url(path))).await;
        assert!(statuses.contains(&s), "{path}: {s}");
        assert_error_body(path, &ct, &b);
    }
}

#[tokio::test]
async fn the_enterprise_list_refuses_pages_outside_its_bounds() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;
    for q in ["page=0", "per_page=0", "per_page=501", "page=1000001"] {
        let (s, ct, b) = send(c.get(app.url(&format!("/api/v1/enterprises?{q}")))).await;
        assert_eq!(s, 422, "{q}");
        assert_error_body(q, &ct, &b);
    }
    let (s, _, b) = send(c.get(app.url("/api/v1/enterprises?page=1&per_page=500"))).await;
    assert_eq!(s, 200);
    assert!(b["items"].is_array());
}

#[tokio::test]
async fn a_uscc_in_a_path_is_malformed_or_names_no_enterprise() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;
    let (s, ct, b) = send(c.get(app.url("/api/v1/enterprises/not-a-uscc"))).await;
    assert_eq!(s, 400);
    assert_error_body("malformed", &ct, &b);
    // Well-formed, with a wrong check character: no such enterprise.
    let (s, ct, b) = send(c.get(app.url("/api/v1/enterprises/91110000600037341N"))).await;
    assert_eq!(s, 404);
    assert_error_body("check character", &ct, &b);
}

#[tokio::test]
async fn an_unknown_data_set_is_not_found() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;
    let (s, ct, b) = send(c.get(app.url("/api/v1/reporting/overdue?dataset=nope"))).await;
    assert_eq!(s, 404);
    assert_error_body("dataset=nope", &ct, &b);
}

#[tokio::test]
async fn every_operation_documents_the_shared_error_responses() {
    let app = spawn_app().await.with_cast().await;
    let c = app.client_for("admin").await;
    let (s, _, doc) = send(c.get(app.url("/api/v1/openapi.json"))).await;
    assert_eq!(s, 200);
    assert_eq!(
        doc["components"]["responses"]["Error"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    let mut n = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            n += 1;
            let responses = op["responses"].as_object().unwrap();
            let mut want = vec!["400", "401", "403", "404", "422", "500"];
            if op.get("requestBody").is_some() {
                want.extend(["413", "415"]);
            }
            if method != "get" {
                want.push("409");
            }
            if path == "/api/v1/login" {
                want.push("429");
            }
            for code in want {
                assert!(responses.contains_key(code), "{method} {path}: {code}");
            }
        }
    }
    assert!(n > 40, "{n} operations");
}
