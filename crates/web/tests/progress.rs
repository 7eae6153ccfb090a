//! `/api/v1/progress` and the `/progress` page over the real server.

mod common;

use common::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn progress_needs_a_session_and_lists_the_twelve_clauses() {
    let app = spawn_app().await.with_cast().await;
    let r = app
        .anonymous()
        .get(app.url("/api/v1/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");

    let admin = app.client_for("admin").await;
    let r = admin
        .get(app.url("/api/v1/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["as_of"], "2025-12");
    let targets = body["targets"].as_array().unwrap();
    let mut clauses: Vec<&str> = targets.iter().map(|t| t["clause"].as_str().unwrap()).collect();
    clauses.dedup();
    assert_eq!(
        clauses,
        [
            "二.1a", "二.1b", "二.1c", "二.2a", "二.2b", "二.2c", "二.3a", "二.3b", "二.3c", "二.4a",
            "二.4b", "二.4c"
        ]
    );
    for t in targets {
        for key in [
            "id",
            "clause",
            "name",
            "indicator",
            "unit",
            "baseline",
            "value",
            "status",
            "status_label",
            "series",
        ] {
            assert!(t.get(key).is_some(), "{key} missing in {t}");
        }
    }

    // A county operator gets its own county; another county is refused; bad input is a 400
    // or a 404 with a Chinese message, never a 500.
    let botou = app.client_for("botou").await;
    let r = botou
        .get(app.url("/api/v1/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["county"], "130981");
    let r = botou
        .get(app.url("/api/v1/progress?as_of=2025-12&county=130982"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    for (q, status) in [
        ("as_of=2025-13", 400),
        ("as_of=2025Q4", 400),
        ("as_of=abc", 400),
        ("county=999999", 404),
    ] {
        let r = admin
            .get(app.url(&format!("/api/v1/progress?{q}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{q}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}'),
            "{q}: {body}"
        );
    }

    // The page: the twelve clause ids, a bar per target row, the status words.
    let r = admin
        .get(app.url("/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    for c in clauses {
        assert!(html.contains(&format!("<strong>{c}</strong>")), "{c}");
    }
    assert_eq!(html.matches("class=\"pbar\"").count(), targets.len());
    assert!(html.contains("目标进度"));
    let r = botou.get(app.url("/progress")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("泊头市 · 目标进度"));
    let r = admin
        .get(app.url("/progress?as_of=2025-99"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Cluster metrics: the same access rules, one row per cluster, a clear 400 for a bad year.
    let r = app
        .anonymous()
        .get(app.url("/api/v1/cluster-metrics?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = admin
        .get(app.url("/api/v1/cluster-metrics?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["clusters"].as_array().unwrap().len(), 45);
    let r = botou
        .get(app.url("/api/v1/cluster-metrics?year=2025"))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["clusters"].as_array().unwrap().len(), 3);
    let r = admin
        .get(app.url("/api/v1/cluster-metrics?year=20x5"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // The OpenAPI document describes both routes.
    let doc: Value = admin
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/progress"].is_object());
    assert!(doc["paths"]["/api/v1/cluster-metrics"].is_object());

    // The phasing is editable by the bureau only; a county operator is refused.
    let body = serde_json::json!({"target": "二.3a", "county": "130981", "milestones": [{"year": 2025, "value": "400"}]});
    let r = botou
        .put(app.url("/api/v1/progress/milestones"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = admin
        .put(app.url("/api/v1/progress/milestones"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r: Value = botou
        .get(app.url("/api/v1/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "二.3a")
        .unwrap();
    assert_eq!(t["target"], "400");
    let r = admin
        .put(app.url("/api/v1/progress/milestones"))
        .json(&serde_json::json!({"target": "二.3a", "milestones": [{"year": 2025, "value": "9"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // The same edit through the page: one form per scope, CSRF checked.
    let html = admin
        .get(app.url("/progress/phasing?target=%E4%BA%8C.3a"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("目标分解 · 二.3a"), "{html}");
    assert_eq!(
        html.matches("<form id=\"f-").count(),
        15,
        "the city and 14 counties"
    );
    let csrf = common::csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("target", "二.3a"),
        ("county", "130981"),
        ("y2025", "300"),
    ];
    let r = admin
        .post(app.url("/progress/phasing"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r: Value = botou
        .get(app.url("/api/v1/progress?as_of=2025-12"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "二.3a")
        .unwrap();
    assert_eq!(t["target"], "300");
    let bad = [
        ("csrf", "x"),
        ("target", "二.3a"),
        ("county", "130981"),
        ("y2025", "1"),
    ];
    let r = admin
        .post(app.url("/progress/phasing"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = botou
        .get(app.url("/progress/phasing?target=%E4%BA%8C.3a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
