//! `/api/v1/progress` and the `/progress` page over the real server.

use crate::common;

use clusterdesk_store::Actor;
use common::spawn_app;
use serde_json::Value;

const YI: i64 = 10_000_000_000;

fn val(unit: &str, ind: &str, period: &str, n: i64) -> clusterdesk_store::values::Value {
    clusterdesk_store::values::Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

/// Revenue of three clusters (1亿 = 10¹⁰ fen): C11 任丘 450亿 (2021) and 520亿 (2025); C17 泊头
/// 10亿 a month in 2021 (120亿) and 25亿 a month in 2025 (300亿); C19 泊头 exactly 100亿 (2021)
/// and exactly 500亿 (2025); and the digitalisation rate (percent × 100) of C17 and C11.
async fn fill(store: &clusterdesk_store::Store) {
    let mut vals = vec![
        val("C11", "revenue", "2021", 450 * YI),
        val("C11", "revenue", "2025", 520 * YI),
        val("C19", "revenue", "2021", 100 * YI),
        val("C19", "revenue", "2025", 500 * YI),
        val("C17", "digitalization_rate", "2021", 4000),
        val("C11", "digitalization_rate", "2021", 5000),
        val("C17", "digitalization_rate", "2025", 6102),
        val("C11", "digitalization_rate", "2025", 5900),
    ];
    for m in 1..=12 {
        vals.push(val("C17", "revenue", &format!("2021-{m:02}"), 10 * YI));
        vals.push(val("C17", "revenue", &format!("2025-{m:02}"), 25 * YI));
    }
    store.upsert_values(&Actor::system("test"), &vals).await.unwrap();
}

fn target<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id}"))
}

#[tokio::test]
async fn progress_needs_a_session_and_lists_the_twelve_clauses() {
    let app = spawn_app().await.with_cast().await;
    fill(&app.store).await;
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
    let (s, body) = app.json_as(&admin, "/api/v1/progress?as_of=2025-12").await;
    assert_eq!(s, 200);
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
            "status",
            "status_label",
        ] {
            assert!(t[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {t}");
        }
        assert!(t["series"].is_array(), "series in {t}");
    }
    // 二.1a 超100亿 (strictly): 2021 C11 450 and C17 120 count, C19 at exactly 100 does not → 2;
    // 2025 C11 520, C17 300, C19 500 → 3 of 25; growth achieved (3/2)^(1/4) − 1 = 0.107 against
    // (25/2)^(1/4) − 1 = 0.880 needed: ratio 0.121, in 0–0.6 → 进展有限.
    let t = target(&body, "二.1a");
    assert_eq!(
        (&t["baseline"], &t["value"], &t["target"], &t["unit"]),
        (&"2".into(), &"3".into(), &"25".into(), &"个".into())
    );
    assert_eq!(
        (&t["status"], &t["status_label"], &t["indicator"]),
        (&"limited_progress".into(), &"进展有限".into(), &"revenue".into())
    );
    // 二.1b 超500亿: 2025 C11 520 only (C19's exactly 500 is not 超500) → 1, from 0.
    let t = target(&body, "二.1b");
    assert_eq!((&t["baseline"], &t["value"]), (&"0".into(), &"1".into()));
    // 二.4c the mean over reporting clusters: 2021 (40.00 + 50.00)/2 = 45.00; 2025 (61.02 +
    // 59.00)/2 = 60.01 ≥ 60 → 已达成.
    let t = target(&body, "二.4c");
    assert_eq!(
        (&t["baseline"], &t["value"], &t["status"]),
        (&"45.00".into(), &"60.01".into(), &"achieved".into())
    );
    // Targets without data are zero, not null: 二.3a (no high-tech enterprise) 0 → 0.
    let t = target(&body, "二.3a");
    assert_eq!((&t["baseline"], &t["value"]), (&"0".into(), &"0".into()));

    // A county operator gets its own county; another county is refused; bad input is a 400
    // or a 404 with a Chinese message, never a 500.
    let botou = app.client_for("botou").await;
    let (s, body) = app.json_as(&botou, "/api/v1/progress?as_of=2025-12").await;
    assert_eq!(s, 200);
    assert_eq!(body["county"], "130981");
    // 泊头 has C17 and C19: 二.1a 2021 C17 120 → 1; 2025 C17 300, C19 500 → 2.
    let t = target(&body, "二.1a");
    assert_eq!((&t["baseline"], &t["value"]), (&"1".into(), &"2".into()));
    assert_eq!(
        app.get_as(&botou, "/api/v1/progress?as_of=2025-12&county=130982")
            .await
            .0,
        403
    );
    for (q, status) in [
        ("as_of=2025-13", 400),
        ("as_of=2025Q4", 400),
        ("as_of=abc", 400),
        ("county=999999", 404),
    ] {
        let (s, body) = app.json_as(&admin, &format!("/api/v1/progress?{q}")).await;
        assert_eq!(s, status, "{q}");
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
    let (s, html) = app.get_as(&admin, "/progress?as_of=2025-12").await;
    assert_eq!(s, 200);
    for c in clauses {
        assert!(html.contains(&format!("<strong>{c}</strong>")), "{c}");
    }
    assert_eq!(html.matches("class=\"pbar\"").count(), targets.len());
    assert!(html.contains("目标进度"));
    let r = botou.get(app.url("/progress")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("泊头市 · 目标进度"));
    assert_eq!(app.get_as(&admin, "/progress?as_of=2025-99").await.0, 400);

    // Cluster metrics: the same access rules, one row per cluster, a clear 400 for a bad year.
    let r = app
        .anonymous()
        .get(app.url("/api/v1/cluster-metrics?year=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let (s, body) = app.json_as(&admin, "/api/v1/cluster-metrics?year=2025").await;
    assert_eq!(s, 200);
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
    let (_, doc) = app.json_as(&admin, "/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/progress"].is_object());
    assert!(doc["paths"]["/api/v1/cluster-metrics"].is_object());

    // The phasing is editable by the bureau only; a county operator is refused.
    let body = serde_json::json!({"target": "二.3a", "county": "130981", "milestones": [{"year": 2025, "value": "400"}]});
    assert_eq!(
        app.put_json_as(&botou, "/api/v1/progress/milestones", &body)
            .await
            .0,
        403
    );
    assert_eq!(
        app.put_json_as(&admin, "/api/v1/progress/milestones", &body)
            .await
            .0,
        204
    );
    let (_, r) = app.json_as(&botou, "/api/v1/progress?as_of=2025-12").await;
    let t = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "二.3a")
        .unwrap();
    assert_eq!(t["target"], "400");
    assert_eq!(
        app.put_json_as(
            &admin,
            "/api/v1/progress/milestones",
            &serde_json::json!({"target": "二.3a", "milestones": [{"year": 2025, "value": "9"}]})
        )
        .await
        .0,
        422
    );

    // The same edit through the page: one form per scope, CSRF checked.
    let html = app.page_as(&admin, "/progress/phasing?target=%E4%BA%8C.3a").await;
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
    assert_eq!(app.form_as(&admin, "/progress/phasing", &form).await.0, 303);
    let (_, r) = app.json_as(&botou, "/api/v1/progress?as_of=2025-12").await;
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
    assert_eq!(app.form_as(&admin, "/progress/phasing", &bad).await.0, 403);
    assert_eq!(
        app.get_as(&botou, "/progress/phasing?target=%E4%BA%8C.3a")
            .await
            .0,
        403
    );
}
