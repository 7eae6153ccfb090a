//! Every registered route × every demo account × anonymous, against the rule the route
//! declares (`features::rules()`): anonymous gets 401 (API) or the login page (pages), a role
//! outside the rule 403, and nobody a 5xx. GETs run for everyone, with an object of the
//! caller's own county and one of another county where the path takes one; POSTs and PUTs
//! run only where the rule refuses (anonymous and roles outside it), with an empty body, so
//! nothing changes.

use crate::common;

use axum::http::Method;
use clusterdesk_domain::Period;
use clusterdesk_store::demo::{DemoOptions, generate};
use clusterdesk_web::access::{Access, Rule};
use common::{PASSWORD, TestApp, spawn_app};
use serde_json::{Value, json};

/// The demo accounts and their roles (as `clusterdesk demo` prints them).
const ACCOUNTS: [(&str, &str); 12] = [
    ("admin", "city_admin"),
    ("gxj", "city_department"),
    ("kjj", "city_department"),
    ("czj", "city_department"),
    ("leader", "leader"),
    ("botou", "county_operator"),
    ("botou_leader", "county_leader"),
    ("renqiu", "county_operator"),
    ("sysadmin", "system_admin"),
    ("secadmin", "security_admin"),
    ("auditor", "auditor"),
    ("qiye", "enterprise"),
];

async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    generate(
        &app.store,
        &DemoOptions {
            enterprises: 120,
            from: Period::parse("2026-01").unwrap(),
            to: Period::parse("2026-11").unwrap(),
            seed: 11,
            password: PASSWORD.into(),
            totp_secret: None,
        },
    )
    .await
    .expect("demo data");
    app
}

/// The objects a path can name: one set in 泊头市 (the county of `botou`, `botou_leader` and
/// the enterprise account `qiye`), one in 任丘市 (`renqiu`'s), one in 黄骅市 (nobody's county).
struct Objects {
    county: &'static str,
    cluster: &'static str,
    uscc: String,
    claim: i64,
}

fn first_uscc(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => m
            .get("uscc")
            .and_then(|u| u.as_str().map(String::from))
            .or_else(|| m.values().find_map(first_uscc)),
        Value::Array(a) => a.iter().find_map(first_uscc),
        _ => None,
    }
}

async fn claim_for(admin: &reqwest::Client, app: &TestApp, uscc: &str) -> i64 {
    let r = admin
        .post(app.url("/api/v1/claims"))
        .json(&json!({"policy": "green_factory_provincial", "uscc": uscc, "event_date": "2024-05-20"}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    v["claim"]["id"].as_i64().unwrap()
}

/// The path with its parameters filled from `o`.
fn fill(path: &str, o: &Objects) -> String {
    let code = if path.starts_with("/counties/") {
        o.county
    } else if path.starts_with("/api/v1/datasets/") {
        "cluster_monthly"
    } else {
        o.cluster
    };
    path.replace("{code}", code)
        .replace("{county}", o.county)
        .replace("{uscc}", &o.uscc)
        .replace("{id}", &o.claim.to_string())
        .replace("{evidence}", "1")
        .replace("{target}", "二.1a")
        .replace("{year}", "2025")
        .replace("{dataset}", "cluster_monthly")
        .replace("{period}", "2026-10")
        .replace("{action}", "review")
        .replace("{username}", "botou")
}

async fn send(c: &reqwest::Client, app: &TestApp, rule: &Rule, path: &str) -> reqwest::Response {
    let url = app.url(path);
    let req = match rule.method {
        Method::GET => c.get(url),
        Method::POST if !rule.api => c.post(url).form(&[("x", "")]),
        Method::POST => c.post(url).json(&json!({})),
        Method::PUT => c.put(url).json(&json!({})),
        Method::DELETE => c.delete(url),
        ref m => panic!("{m} {path}: no method of that kind is registered today"),
    };
    req.send().await.unwrap()
}

#[tokio::test]
async fn every_route_answers_as_its_rule_declares() {
    let app = demo_app().await;
    let mut clients = Vec::new();
    for (user, role) in ACCOUNTS {
        let role = clusterdesk_domain::Role::parse(role).expect("a role");
        clients.push((user, role, app.client_for(user).await));
    }
    let admin = &clients[0].2;
    // The enterprise account's own enterprise is in 泊头市; another from 黄骅市's list.
    let me: Value = clients[11]
        .2
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let own_uscc = me["org_code"].as_str().unwrap().to_string();
    let (_, list) = app.json_as(admin, "/api/v1/enterprises?county=130983").await;
    let other_uscc = first_uscc(&list).expect("an enterprise of 黄骅市");
    let (_, list) = app.json_as(admin, "/api/v1/enterprises?county=130982").await;
    let renqiu_uscc = first_uscc(&list).expect("an enterprise of 任丘市");
    let own = Objects {
        county: "130981",
        cluster: "C17",
        claim: claim_for(admin, &app, &own_uscc).await,
        uscc: own_uscc,
    };
    let renqiu = Objects {
        county: "130982",
        cluster: "C05",
        claim: claim_for(admin, &app, &renqiu_uscc).await,
        uscc: renqiu_uscc,
    };
    let other = Objects {
        county: "130983",
        cluster: "C01",
        claim: claim_for(admin, &app, &other_uscc).await,
        uscc: other_uscc,
    };

    let anonymous = app.anonymous();
    let rules = clusterdesk_web::features::rules();
    let mut checked = 0;
    for rule in &rules {
        let get = rule.method == Method::GET;
        let mut paths = vec![fill(&rule.path, &own)];
        for o in [&renqiu, &other] {
            let p = fill(&rule.path, o);
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
        for path in &paths {
            let what = format!("{} {path}", rule.method);
            // Anonymous.
            if rule.access != Access::Public || get {
                let r = send(&anonymous, &app, rule, path).await;
                let s = r.status().as_u16();
                assert!(s < 500, "anonymous {what}: {s}");
                if rule.access != Access::Public {
                    if rule.api {
                        assert_eq!(s, 401, "anonymous {what}");
                    } else {
                        assert_eq!(s, 303, "anonymous {what}");
                        let to = r.headers()["location"].to_str().unwrap();
                        assert!(to.starts_with("/login"), "anonymous {what} goes to {to}");
                    }
                }
                checked += 1;
            }
            for (user, role, c) in &clients {
                let allowed = rule.access.allows(*role);
                if allowed && !get {
                    continue;
                }
                let r = send(c, &app, rule, path).await;
                let s = r.status().as_u16();
                assert!(s < 500, "{user} {what}: {s}");
                if allowed {
                    assert_ne!(s, 401, "{user} {what}");
                } else {
                    assert_eq!(s, 403, "{user} {what}: outside {:?}", rule.access);
                    let body = r.text().await.unwrap();
                    // A page refusal is drawn in the user's layout; the API's is its JSON error.
                    let want = if rule.api {
                        "\"forbidden\""
                    } else {
                        "<nav class=\"side\""
                    };
                    assert!(body.contains(want), "{user} {what}: {body}");
                }
                checked += 1;
            }
        }
    }
    // Every route was tried: the registry's list is the one this test walks.
    assert!(rules.len() > 100, "{} routes", rules.len());
    assert!(checked > rules.len() * 10, "{checked} requests");
}
