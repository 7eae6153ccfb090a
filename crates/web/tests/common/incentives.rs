//! The incentive tests' world: three enterprises in two counties, the people who handle
//! claims, and the requests the tests make of the claim API and pages.

use super::{TestApp, spawn_app};
use chrono::Datelike;
use clusterdesk_domain::{IndustryCode, Role, Uscc, uscc};
use clusterdesk_store::Actor;
use clusterdesk_store::registry::EnterpriseInput;
use reqwest::Client;
use serde_json::{Value, json};

pub fn make_uscc(county: &str, tail: &str) -> String {
    let s = format!("91{county}{tail}");
    assert_eq!(s.len(), 17);
    let c = uscc::check_char(s.as_bytes()).expect("charset");
    format!("{s}{c}")
}

/// Two 泊头 enterprises and one 任丘 enterprise, and the people who handle claims.
pub struct World {
    pub app: TestApp,
    pub botou_a: String,
    pub botou_b: String,
    pub renqiu_a: String,
}

pub async fn world() -> World {
    let app = spawn_app().await.with_cast().await;
    let botou_a = make_uscc("130981", "MA0AB12C1");
    let botou_b = make_uscc("130981", "MA0AB12C2");
    let renqiu_a = make_uscc("130982", "MA0AB12C3");
    let rows: Vec<EnterpriseInput> = [
        (&botou_a, "泊头甲铸造有限公司", "130981"),
        (&botou_b, "泊头乙环保设备有限公司", "130981"),
        (&renqiu_a, "任丘丙石化有限公司", "130982"),
    ]
    .into_iter()
    .map(|(u, n, c)| EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: n.into(),
        county_code: c.into(),
        industry: IndustryCode::parse("C3391").unwrap(),
        cluster_code: None,
        cluster_since: None,
        address: String::new(),
        contact: String::new(),
    })
    .collect();
    app.store
        .upsert_enterprises(&Actor::system("test"), &rows, false)
        .await
        .unwrap()
        .unwrap();
    app.add_user("qiye", Role::Enterprise, &botou_a).await;
    app.add_user("qiye_rq", Role::Enterprise, &renqiu_a).await;
    app.add_user("botou_leader", Role::CountyLeader, "130981").await;
    app.add_user("gxj", Role::CityDepartment, "GXJ").await;
    app.add_user("kjj", Role::CityDepartment, "KJJ").await;
    app.add_user("czj", Role::CityDepartment, "CZJ").await;
    World {
        app,
        botou_a,
        botou_b,
        renqiu_a,
    }
}

/// The budget year: the server's (Beijing) year at the tests' clock, as an approval takes it.
pub fn year() -> i64 {
    clusterdesk_store::testsupport::test_clock().today().year() as i64
}

pub async fn set_budget(w: &World, yuan: &str) {
    set_budget_of(w, "市级财政", yuan).await
}

pub async fn set_budget_of(w: &World, source: &str, yuan: &str) {
    let czj = w.app.client_for("czj").await;
    let body = json!({"year": year(), "funding_source": source, "amount_yuan": yuan});
    let (s, _) = w.app.put_json_as(&czj, "/api/v1/budgets", &body).await;
    assert_eq!(s, 200);
}

/// File a claim through the API: the status and the answer.
pub async fn file(c: &Client, app: &TestApp, body: Value) -> (u16, Value) {
    app.post_json_as(c, "/api/v1/claims", &body).await
}

pub async fn act(c: &Client, app: &TestApp, id: i64, action: &str, body: Value) -> (u16, Value) {
    app.post_json_as(c, &format!("/api/v1/claims/{id}/{action}"), &body)
        .await
}

/// A claim's action through its page's button, with the page's CSRF field.
pub async fn act_page(c: &Client, app: &TestApp, id: i64, action: &str) -> u16 {
    let fields = [("action", action), ("comment", "同意")];
    app.post_form_as(c, &format!("/claims/{id}"), &format!("/claims/{id}/act"), &fields)
        .await
        .0
}
