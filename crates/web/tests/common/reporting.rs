//! 数据填报 as the tests do it through the pages: 泊头市's 集群月报 for 2025-01, uploaded as a
//! file and moved through the workflow with the buttons of its page.

use super::TestApp;
use reqwest::Client;

/// The page of 泊头市's 集群月报 for 2025-01, with the workflow's buttons.
pub const JANUARY: &str = "/reporting?dataset=cluster_monthly&county=130981&period=2025-01";

/// The 集群月报 template of `county` for 2025-01.
pub fn template(county: &str) -> String {
    format!("/reporting/template.xlsx?dataset=cluster_monthly&county={county}&period=2025-01")
}

/// A 集群月报 file for `county` in 2025-01: one cluster's revenue (万元).
pub fn file(county: &str, cluster: &str, revenue: &str) -> Vec<u8> {
    format!("集群月报\n数据集,cluster_monthly,县(市),{county},期间,2025-01\n集群代码,集群名称,营业收入(万元)\n{cluster},,{revenue}\n")
        .into_bytes()
}

/// Upload `bytes` as 集群月报.csv on the page at `url`, with the form's CSRF token: the status
/// and the page.
pub async fn upload(c: &Client, url: &str, csrf: &str, bytes: Vec<u8>) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("集群月报.csv"),
        );
    let r = c.post(url).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Upload 泊头市's 2025-01 file with 铸造 (C19)'s `revenue` on /reporting, with the CSRF token
/// of that page: the status and the page.
pub async fn upload_revenue(c: &Client, app: &TestApp, revenue: &str) -> (u16, String) {
    let csrf = app.csrf_as(c, "/reporting").await;
    let bytes = file("130981", "C19", revenue);
    upload(c, &app.url("/reporting"), &csrf, bytes).await
}

/// A workflow step (`action`, with `comment`) on 泊头市's 2025-01 report through its page's
/// form: the status and the page.
pub async fn step(c: &Client, app: &TestApp, action: &str, comment: &str) -> (u16, String) {
    let fields = [
        ("dataset", "cluster_monthly"),
        ("county", "130981"),
        ("period", "2025-01"),
        ("action", action),
        ("comment", comment),
    ];
    app.post_form_as(c, JANUARY, "/reporting/transition", &fields)
        .await
}
