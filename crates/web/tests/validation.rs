//! Validation rules in the reporting workflow, with the shipped plan/validation.yaml:
//! an error blocks the submission, a warning needs the submitter's explanation, and the county
//! leader sees that explanation.

use crate::common;

use common::{TestApp, csrf_of, spawn_app};
use serde_json::{Value, json};

const PAGE: &str = "/reporting?dataset=cluster_monthly&county=130981&period=2025-01";
const SUB: &str = "/api/v1/submissions/cluster_monthly/130981/2025-01";

async fn put(c: &reqwest::Client, app: &TestApp, values: Value) -> (u16, Value) {
    let body = json!({"county": "130981", "period": "2025-01", "rows": [{"unit": "C19", "values": values}]});
    let r = c
        .post(app.url("/api/v1/datasets/cluster_monthly/values"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Submit through the page's form, with the given explanation fields.
async fn submit_page(c: &reqwest::Client, app: &TestApp, extra: &[(&str, &str)]) -> (u16, String) {
    let page = c.get(app.url(PAGE)).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("dataset", "cluster_monthly"),
        ("county", "130981"),
        ("period", "2025-01"),
        ("action", "submit"),
    ];
    form.extend_from_slice(extra);
    let r = c
        .post(app.url("/reporting/transition"))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn errors_block_warnings_need_an_explanation_the_leader_reads_it() {
    let app = spawn_app().await.with_cast().await;
    app.add_user("botou_leader", clusterdesk_domain::Role::CountyLeader, "130981")
        .await;
    let botou = app.client_for("botou").await;
    let leader = app.client_for("botou_leader").await;

    // C19, January: value added 120万元 > revenue 100万元 breaks cm_value_added_le_revenue (error).
    // The write itself goes through: findings do not block it.
    let (s, v) = put(&botou, &app, json!({"revenue": "100", "value_added": "120"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["created"], 2);
    let f = &v["findings"].as_array().unwrap()[0];
    assert_eq!(
        (
            f["rule_id"].as_str(),
            f["importance"].as_str(),
            f["unit_code"].as_str(),
            f["indicator"].as_str()
        ),
        (
            Some("cm_value_added_le_revenue"),
            Some("error"),
            Some("C19"),
            Some("value_added")
        )
    );
    assert_eq!(
        (f["left"].as_str(), f["right"].as_str()),
        (Some("120 万元"), Some("100 万元"))
    );

    let v: Value = botou
        .get(app.url(&format!("{SUB}/validation")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );

    // Submitting with the error: 422, the finding listed.
    let r = botou
        .post(app.url(SUB))
        .json(&json!({"action": "submit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "validation_failed");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1项校验错误须先改正"),
        "{v}"
    );
    assert_eq!(v["findings"][0]["rule_id"], "cm_value_added_le_revenue");
    // The page refuses it too, with the reason and the finding marked by word and icon.
    let (s, body) = submit_page(&botou, &app, &[]).await;
    assert_eq!(s, 422);
    assert!(
        body.contains("1项校验错误须先改正") && body.contains("✖ 错误"),
        "{body}"
    );

    // Fix it; tax paid 150万元 > revenue 100万元 is a warning (cm_tax_le_revenue).
    let (s, v) = put(&botou, &app, json!({"value_added": "30", "tax_paid": "150"})).await;
    assert_eq!(s, 200, "{v}");
    let f = &v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v}");
    assert_eq!(
        (f[0]["rule_id"].as_str(), f[0]["importance"].as_str()),
        (Some("cm_tax_le_revenue"), Some("warning"))
    );
    // The entry form marks the cell.
    let form = botou
        .get(app.url("/reporting/form?dataset=cluster_monthly&county=130981&period=2025-01"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("cell-finding-warning") && form.contains("⚠ 警告:实缴税金不大于营业收入"),
        "{form}"
    );

    // Without an explanation: refused, on the API and on the page (a blank one does not count).
    let r = botou
        .post(app.url(SUB))
        .json(&json!({"action": "submit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1项警告须逐项填写说明"),
        "{v}"
    );
    let field = "wc|cm_tax_le_revenue|C19|tax_paid";
    let (s, body) = submit_page(&botou, &app, &[(field, "   ")]).await;
    assert_eq!(s, 422);
    assert!(body.contains("1项警告须逐项填写说明"), "{body}");
    assert!(
        body.contains(&format!("name=\"{field}\"")),
        "the explanation field is on the page"
    );

    // With it: submitted.
    let why = "1月补缴2024年度企业所得税";
    let (s, body) = submit_page(&botou, &app, &[(field, why)]).await;
    assert_eq!(s, 200, "{body}");
    assert!(body.contains("已提交"), "{body}");

    // The county leader reads the explanation beside the warning, on the page and the API.
    let page = leader
        .get(app.url(PAGE))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(why) && page.contains("⚠ 警告"), "{page}");
    assert!(page.contains("县审核通过"));
    let v: Value = leader
        .get(app.url(&format!("{SUB}/validation")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["comments"][0]["comment"], why);
    assert_eq!(v["comments"][0]["by"], "botou");
    assert_eq!(v["comments"][0]["rule_id"], "cm_tax_le_revenue");

    // Returned and resubmitted through the API with a new explanation: the new round's is
    // current, the first is kept as an earlier one.
    let r = leader
        .post(app.url(SUB))
        .json(&json!({"action": "return", "comment": "请核实税金"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = botou
        .post(app.url(SUB))
        .json(&json!({"action": "submit", "comments": [
            {"rule_id": "cm_tax_le_revenue", "unit_code": "C19", "indicator": "tax_paid", "comment": "已核实:含补缴税款"}
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = leader
        .get(app.url(&format!("{SUB}/validation")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["comments"][0]["comment"], "已核实:含补缴税款", "{v}");
    assert_eq!(v["earlier_comments"][0]["comment"], why, "{v}");

    // Another county cannot read 泊头's findings.
    let renqiu = app.client_for("renqiu").await;
    let r = renqiu
        .get(app.url(&format!("{SUB}/validation")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
