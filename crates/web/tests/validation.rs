//! Validation rules in the reporting workflow, with the shipped plan/validation.yaml:
//! an error blocks the submission, a warning needs the submitter's explanation, and the county
//! leader sees that explanation.

use crate::common;

use common::reporting::JANUARY as PAGE;
use common::{TestApp, spawn_app};
use serde_json::{Value, json};

const SUB: &str = "/api/v1/submissions/cluster_monthly/130981/2025-01";

async fn put(c: &reqwest::Client, app: &TestApp, values: Value) -> (u16, Value) {
    let body = json!({"county": "130981", "period": "2025-01", "rows": [{"unit": "C19", "values": values}]});
    app.post_json_as(c, "/api/v1/datasets/cluster_monthly/values", &body)
        .await
}

/// Submit through the page's form, with the given explanation fields.
async fn submit_page(c: &reqwest::Client, app: &TestApp, extra: &[(&str, &str)]) -> (u16, String) {
    let mut form = vec![
        ("dataset", "cluster_monthly"),
        ("county", "130981"),
        ("period", "2025-01"),
        ("action", "submit"),
    ];
    form.extend_from_slice(extra);
    app.post_form_as(c, PAGE, "/reporting/transition", &form).await
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

    let (_, v) = app.json_as(&botou, &format!("{SUB}/validation")).await;
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );

    // Submitting with the error: 422, the finding listed.
    let (s, v) = app.post_json_as(&botou, SUB, &json!({"action": "submit"})).await;
    assert_eq!(s, 422);
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
    let form = app
        .page_as(
            &botou,
            "/reporting/form?dataset=cluster_monthly&county=130981&period=2025-01",
        )
        .await;
    assert!(
        form.contains("cell-finding-warning") && form.contains("⚠ 警告:实缴税金不大于营业收入"),
        "{form}"
    );

    // Without an explanation: refused, on the API and on the page (a blank one does not count).
    let (s, v) = app.post_json_as(&botou, SUB, &json!({"action": "submit"})).await;
    assert_eq!(s, 422);
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
    let page = app.page_as(&leader, PAGE).await;
    assert!(page.contains(why) && page.contains("⚠ 警告"), "{page}");
    assert!(page.contains("县审核通过"));
    let (_, v) = app.json_as(&leader, &format!("{SUB}/validation")).await;
    assert_eq!(v["comments"][0]["comment"], why);
    assert_eq!(v["comments"][0]["by"], "botou");
    assert_eq!(v["comments"][0]["rule_id"], "cm_tax_le_revenue");

    // Returned and resubmitted through the API with a new explanation: the new round's is
    // current, the first is kept as an earlier one.
    assert_eq!(
        app.post_json_as(
            &leader,
            SUB,
            &json!({"action": "return", "comment": "请核实税金"})
        )
        .await
        .0,
        200
    );
    assert_eq!(app.post_json_as(&botou, SUB, &json!({"action": "submit", "comments": [
            {"rule_id": "cm_tax_le_revenue", "unit_code": "C19", "indicator": "tax_paid", "comment": "已核实:含补缴税款"}
        ]})).await.0, 200);
    let (_, v) = app.json_as(&leader, &format!("{SUB}/validation")).await;
    assert_eq!(v["comments"][0]["comment"], "已核实:含补缴税款", "{v}");
    assert_eq!(v["earlier_comments"][0]["comment"], why, "{v}");

    // Another county cannot read 泊头's findings.
    let renqiu = app.client_for("renqiu").await;
    assert_eq!(app.get_as(&renqiu, &format!("{SUB}/validation")).await.0, 403);
}
