//! The home page as the city's dashboard: the latest month's cluster revenue and January to
//! that month with the change on a year earlier, per county, the plan's targets with their
//! status, and the largest enterprises — computed by hand from the values written here.

use crate::common;

use clusterdesk_store::Actor;
use clusterdesk_store::values::Value;
use common::spawn_app;

const YI: i64 = 10_000_000_000; // 1 亿元 in fen

fn v(unit: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: "revenue".into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

#[tokio::test]
async fn home_shows_the_latest_month_per_county_and_the_targets() {
    let app = spawn_app().await.with_cast().await;
    let sys = Actor::system("test");
    // C17 (泊头 环保设备): 2024 months 4亿元 each, 2025-01 … 2025-03 5亿元 each.
    // C28 (吴桥 杂技文化旅游): 2025-01 … 2025-03 1亿元 each, nothing a year earlier.
    let mut vals = Vec::new();
    for m in 1..=12 {
        vals.push(v("C17", &format!("2024-{m:02}"), 4 * YI));
    }
    for m in 1..=3 {
        vals.push(v("C17", &format!("2025-{m:02}"), 5 * YI));
        vals.push(v("C28", &format!("2025-{m:02}"), YI));
    }
    app.store.upsert_values(&sys, &vals).await.unwrap();

    let admin = app.client_for("admin").await;
    let (s, html) = app.get_as(&admin, "/").await;
    assert_eq!(s, 200);
    // The city: March 5 + 1 = 6亿元; January–March 15 + 3 = 18亿元; a year earlier 3 × 4 =
    // 12亿元, so +50.0%.
    assert!(html.contains("2025年3月集群营业收入"), "{html}");
    assert!(html.contains("6.00<small>亿元"));
    assert!(html.contains("2025年1–3月累计"));
    assert!(html.contains("18.00<small>亿元"));
    assert!(html.contains("比上年同期 +50.0%"));
    // 泊头: 15 against 12 → +25.0%; 吴桥 has no year-earlier figure → —.
    let row = |name: &str| -> String {
        let at = html.find(&format!(">{name}</a></td>")).expect(name);
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    let botou = row("泊头市");
    assert!(botou.contains("<td class=\"num\">5.00<"), "{botou}");
    assert!(botou.contains("<td class=\"num\">15.00</td>"));
    assert!(botou.contains("+25.0%"));
    // Nobody has submitted March: the figure is marked as not yet accepted by the city.
    assert!(botou.contains("填报中"), "{botou}");
    let wuqiao = row("吴桥县");
    assert!(wuqiao.contains("<td class=\"num\">3.00<"), "{wuqiao}");
    assert!(wuqiao.contains("<td class=\"num\">—</td>"));
    // The targets, as of the latest month, each with its clause id.
    for id in ["二.1a", "二.2a", "二.3c-main", "二.4c"] {
        assert!(html.contains(&format!("<strong>{id}</strong>")), "{id}");
    }
    assert!(html.contains("href=\"/progress?as_of=2025-03\""));

    // A county leader sees its own county only.
    app.add_user("bt_leader", clusterdesk_domain::Role::CountyLeader, "130981")
        .await;
    let leader = app.client_for("bt_leader").await;
    let html = app.page_as(&leader, "/").await;
    assert!(html.contains("泊头市特色产业集群"));
    assert!(html.contains(">泊头市</a></td>"));
    assert!(!html.contains(">吴桥县</a></td>"));
    // Its month is its own: 5亿元, and +25.0% on a year earlier.
    assert!(html.contains("5.00<small>亿元"));
    assert!(html.contains("比上年同期 +25.0%"));
}
