//! The target detail, cluster metrics and provenance pages, the county map and the downloads,
//! over the real server.

use crate::common;

use clusterdesk_domain::Role;
use clusterdesk_store::Actor;
use clusterdesk_store::values::Value;
use common::{TestApp, spawn_app};

const YI: i64 = 10_000_000_000; // 1亿元 in fen

fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

/// The cast, and revenue entered by the bureau's `admin`: C17 (泊头) 20亿 a month in 2024 and 25亿
/// a month in 2025, then March 2025 corrected to 26亿 (a change with history); C11 (任丘) 40亿 a
/// month in 2024 and 2025.
async fn app_with_data() -> TestApp {
    let app = spawn_app().await.with_cast().await;
    app.add_user("botou_leader", Role::CountyLeader, "130981").await;
    let admin = Actor {
        user_id: 1,
        username: "admin".into(),
        display_name: "admin".into(),
        role: Role::CityAdmin,
        org_code: "130900".into(),
        must_change_password: false,
    };
    let mut vals = Vec::new();
    for m in 1..=12 {
        vals.push(v("C17", "revenue", &format!("2024-{m:02}"), 20 * YI));
        vals.push(v("C17", "revenue", &format!("2025-{m:02}"), 25 * YI));
        vals.push(v("C11", "revenue", &format!("2024-{m:02}"), 40 * YI));
        vals.push(v("C11", "revenue", &format!("2025-{m:02}"), 40 * YI));
    }
    app.store.upsert_values(&admin, &vals).await.unwrap();
    app.store
        .upsert_values(&admin, &[v("C17", "revenue", "2025-03", 26 * YI)])
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn target_detail_ranks_counties_and_highlights_ones_own() {
    let app = app_with_data().await;
    let admin = app.client_for("admin").await;
    // 二.1a for the city: the trend chart, the verdict and fourteen county rows.
    let (st, html) = app.get_as(&admin, "/progress/%E4%BA%8C.1a?as_of=2025-12").await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("按当前趋势能否完成"));
    assert!(html.contains("class=\"chart trend\""), "trend chart");
    assert!(html.contains("class=\"chart tilemap\""), "county map");
    let table = &html[html.find("ctable").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr").count(), 15, "header and 14 counties");
    // The city is nobody's own county.
    assert!(!table.contains("class=\"own\""));
    // 2025 revenue: C17 11 × 25 + 26 = 301亿 and C11 480亿 are over 100亿: the city has 2.
    // Each figure links to the values behind it.
    assert!(html.contains("/values?unit=130900&#38;indicator=revenue&#38;period=2025"));

    // 泊头's leader: its own row highlighted, its rank, the other counties' figures hidden.
    let leader = app.client_for("botou_leader").await;
    let (st, html) = app.get_as(&leader, "/progress/%E4%BA%8C.1a?as_of=2025-12").await;
    assert_eq!(st, 200);
    let table = &html[html.find("ctable").unwrap()..];
    let table = &table[..table.find("</table>").unwrap()];
    assert_eq!(table.matches("<tr class=\"own\">").count(), 1);
    assert!(html.contains("本县排名:"), "{html}");
    assert!(
        !table.contains("/values?unit=130982"),
        "no way into 任丘's figures"
    );
    assert!(table.contains("/values?unit=130981"));
    // Unknown target: 404; a bad month: 400.
    assert_eq!(app.get_as(&admin, "/progress/%E4%BA%8C.9z").await.0, 404);
    assert_eq!(
        app.get_as(&admin, "/progress/%E4%BA%8C.1a?as_of=2025-13").await.0,
        400
    );

    // /progress for the leader: 本县排名 for every target row, and the county map.
    let (st, html) = app.get_as(&leader, "/progress?as_of=2025-12").await;
    assert_eq!(st, 200);
    assert!(html.contains("<h2>本县排名</h2>"));
    assert!(html.contains("class=\"chart tilemap\""));
    // The city's map by a cluster metric: 14 counties, each a link; an unknown metric falls
    // back to revenue rather than failing.
    let (st, html) = app.get_as(&admin, "/progress?as_of=2025-12&map=high_tech").await;
    assert_eq!(st, 200);
    let svg = &html[html.find("chart tilemap").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<a href=\"/counties/").count(), 14);
    assert!(svg.contains("高新技术企业数"));
    let (st, html) = app.get_as(&admin, "/progress?as_of=2025-12&map=%3Cx%3E").await;
    assert_eq!(st, 200);
    assert!(html.contains("集群营业收入(亿元)"));
}

#[tokio::test]
async fn progress_downloads_have_the_header_row() {
    let app = app_with_data().await;
    let admin = app.client_for("admin").await;
    let r = admin
        .get(app.url("/progress?as_of=2025-12&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let body = r.bytes().await.unwrap();
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "条款,目标,当前值,期间,目标值,按进度应达,状态,最终结果,预测,口径"
    );
    // Thirteen target rows (二.3c has two); 二.1a: 2 clusters over 100亿 in 2025.
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 13);
    assert!(rows[0].starts_with("二.1a,"));
    assert!(rows[0].contains(",2个,2025,"), "{}", rows[0]);
    let r = admin
        .get(app.url("/progress?as_of=2025-12&format=xlsx"))
        .send()
        .await
        .unwrap();
    let bytes = r.bytes().await.unwrap();
    let t = clusterdesk_office::table::read_table("x.xlsx", &bytes).unwrap();
    assert_eq!(t.rows[0][0], "条款");
    assert_eq!(t.rows[0][9], "口径");
    assert_eq!(t.rows.len(), 14);
}

#[tokio::test]
async fn cluster_metrics_page_sorts_downloads_and_warns_of_placeholders() {
    let app = app_with_data().await;
    let admin = app.client_for("admin").await;
    let (st, html) = app.get_as(&admin, "/clusters/metrics?year=2025").await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("class=\"chart tiers\""));
    assert!(html.contains("class=\"chart bubbles\""));
    // The shipped reference.csv holds placeholders: the caveat is beside the LQ.
    assert!(html.contains("id=\"lq-caveat\""));
    assert!(html.contains("示例数据"));
    // Sorted by revenue (default, descending): C11 (480亿) before C17 (301亿).
    let (a, b) = (
        html.find("/clusters/C11\"").unwrap(),
        html.find("/clusters/C17\"").unwrap(),
    );
    assert!(a < b);
    // Ascending: clusters without revenue last, C17 before C11.
    let (_, html) = app
        .get_as(&admin, "/clusters/metrics?year=2025&sort=revenue&dir=asc")
        .await;
    let (a, b) = (
        html.find("/clusters/C11\"").unwrap(),
        html.find("/clusters/C17\"").unwrap(),
    );
    assert!(b < a);
    // Figures link to their values: C17's 2025 revenue, 301.00 亿元.
    assert!(html.contains("<a href=\"/values?unit=C17&#38;indicator=revenue&#38;period=2025\">301.00</a>"));
    // The download: the header row, 45 clusters.
    let r = admin
        .get(app.url("/clusters/metrics?year=2025&format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let body = r.bytes().await.unwrap();
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    assert!(text.starts_with("集群代码,集群,县(市),行业大类,营业收入(亿元),档位(二.1),营收增速,"));
    assert_eq!(text.lines().count(), 46);
    // C17: 2025 301亿 (200–500亿 tier) over 2024 240亿 = +25.4167% → 25.42%.
    let c17 = text.lines().find(|l| l.starts_with("C17,")).unwrap();
    assert!(c17.contains(",301.00,200–500亿级,25.42%,"), "{c17}");
    let r = admin
        .get(app.url("/clusters/metrics?year=2025&format=xlsx"))
        .send()
        .await
        .unwrap();
    let t = clusterdesk_office::table::read_table("x.xlsx", &r.bytes().await.unwrap()).unwrap();
    assert_eq!(&t.rows[0][..3], ["集群代码", "集群", "县(市)"]);
    // A county sees its own clusters only; another county is refused; a bad year is a 400.
    let botou = app.client_for("botou").await;
    let (st, html) = app.get_as(&botou, "/clusters/metrics?year=2025").await;
    assert_eq!(st, 200);
    assert!(html.contains("/clusters/C17\"") && !html.contains("/clusters/C11\""));
    assert_eq!(app.get_as(&botou, "/clusters/metrics?county=130982").await.0, 403);
    assert_eq!(app.get_as(&admin, "/clusters/metrics?year=20x5").await.0, 400);
}

#[tokio::test]
async fn provenance_shows_who_and_when_and_is_scoped() {
    let app = app_with_data().await;
    let admin = app.client_for("admin").await;
    // C17's 2025 revenue: twelve months, entered by admin, March changed 25 → 26亿.
    let (st, html) = app
        .get_as(&admin, "/values?unit=C17&indicator=revenue&period=2025")
        .await;
    assert_eq!(st, 200, "{html}");
    assert_eq!(html.matches("<td class=\"num\">25.00亿元</td>").count(), 11);
    assert_eq!(html.matches("<td class=\"num\">26.00亿元</td>").count(), 1);
    assert!(html.contains("admin(admin)"));
    assert!(html.contains("25.00亿元 → 26.00亿元"), "the change history");
    assert!(html.contains("修改"));
    assert!(
        html.contains("年") && html.contains("月"),
        "Beijing time in Chinese"
    );
    // 泊头市 adds up its clusters: C17 11 × 25 + 26 = 301亿; C18 and C19 reported nothing.
    let (st, html) = app
        .get_as(&admin, "/values?unit=130981&indicator=revenue&period=2025")
        .await;
    assert_eq!(st, 200);
    assert!(html.contains("合计 301.00亿元"), "{html}");
    assert!(html.contains("未报送"));
    assert!(html.contains("/values?unit=C17&#38;indicator=revenue&#38;period=2025"));
    // The city lists its counties: 泊头 301亿, 任丘 480亿 → 781亿.
    let (st, html) = app
        .get_as(&admin, "/values?unit=130900&indicator=revenue&period=2025")
        .await;
    assert_eq!(st, 200);
    assert!(html.contains("合计 781.00亿元"), "{html}");

    // 泊头's operator opens its own cluster and county, not 任丘's, nor the city total.
    let botou = app.client_for("botou").await;
    assert_eq!(
        app.get_as(&botou, "/values?unit=C17&indicator=revenue&period=2025")
            .await
            .0,
        200
    );
    assert_eq!(
        app.get_as(&botou, "/values?unit=130981&indicator=revenue&period=2025")
            .await
            .0,
        200
    );
    for path in [
        "/values?unit=C11&indicator=revenue&period=2025",
        "/values?unit=130982&indicator=revenue&period=2025",
        "/values?unit=130900&indicator=revenue&period=2025",
    ] {
        let (st, html) = app.get_as(&botou, path).await;
        assert_eq!(st, 403, "{path}");
        assert!(html.contains("无权访问"));
    }
    // Bad input: a clear refusal, never a 500.
    for (path, status) in [
        ("/values?unit=C17", 400),
        ("/values?unit=C17&indicator=revenue&period=2025-13", 400),
        ("/values?unit=C17&indicator=nope&period=2025", 404),
        ("/values?unit=X99&indicator=revenue", 404),
    ] {
        assert_eq!(app.get_as(&admin, path).await.0, status, "{path}");
    }
    // Without a session: the login page.
    let r = app
        .anonymous()
        .get(app.url("/values?unit=C17&indicator=revenue"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn the_same_numbers_as_json() {
    let app = app_with_data().await;
    let botou = app.client_for("botou").await;
    // The values behind C17's 2025 revenue: twelve months; March created then updated.
    let r = botou
        .get(app.url("/api/v1/values?unit=C17&indicator=revenue&period=2025"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let march = rows.iter().find(|r| r["period"] == "2025-03").unwrap();
    assert_eq!(march["num_value"], 26 * YI);
    let actions: Vec<&str> = march["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(march["updated_by"], "admin");
    for (path, status) in [
        ("/api/v1/values?unit=C11&indicator=revenue", 403),
        ("/api/v1/values?unit=C17", 400),
        ("/api/v1/values?unit=C17&indicator=revenue&period=20x5", 400),
    ] {
        let (s, b) = app.json_as(&botou, path).await;
        assert_eq!(s, status, "{path}");
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| c > '\u{4e00}')
        );
    }
    // The target detail for 泊头: its own line with figures, the others' ranks only.
    let (s, body) = app
        .json_as(&botou, "/api/v1/progress/targets/%E4%BA%8C.1a?as_of=2025-12")
        .await;
    assert_eq!(s, 200);
    let counties = body["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 14);
    let own: Vec<_> = counties.iter().filter(|c| c["own"] == true).collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["code"], "130981");
    // 泊头: C17 301亿 → one cluster over 100亿 in 2025.
    assert_eq!(own[0]["value"], "1");
    let renqiu = counties.iter().find(|c| c["code"] == "130982").unwrap();
    assert!(renqiu["value"].is_null() && renqiu["target"].is_null());
    assert_eq!(body["progress"]["value"], "1");
    let (_, doc) = app.json_as(&botou, "/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/values"].is_object());
    assert!(doc["paths"]["/api/v1/progress/targets/{target}"].is_object());
}
