//! 逾期催报, the county inbox and 版本对比 through the pages and the API, scoped per county.

use crate::common;

use common::reporting::{step, upload_revenue};
use common::{csrf_of, spawn_app};

/// The number in the navigation's unread badge, 0 when there is none.
fn badge(html: &str) -> usize {
    html.split("class=\"nav-badge\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|t| t.split('<').next())
        .map(|n| n.parse().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_bureau_reminds_a_county_which_alone_sees_it_in_its_inbox() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let botou = app.client_for("botou").await;
    let renqiu = app.client_for("renqiu").await;

    // The overdue list names 泊头市 (nothing was ever reported in this empty city).
    let (status, page) = app
        .get_as(&admin, "/reporting/overdue?dataset=cluster_monthly")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("泊头市") && page.contains("未报送"));
    let csrf = csrf_of(&page);
    // One of 泊头's overdue months, as the page offers it.
    let marker = "name=\"one\" value=\"cluster_monthly|130981|";
    let at = page.find(marker).expect("a 催报 button for 泊头") + marker.len();
    let month = page[at..at + 7].to_string();
    let one = format!("cluster_monthly|130981|{month}");

    let (_, before) = app.get_as(&botou, "/reporting/inbox").await;
    let unread_before = badge(&before);
    assert!(unread_before > 0, "overdue items are unread");

    // One county reminded, with a message; a county operator may not remind.
    let (status, page) = app
        .form_as(
            &admin,
            "/reporting/remind",
            &[
                ("csrf", &csrf),
                ("dataset", "cluster_monthly"),
                ("one", &one),
                ("message", "请尽快报送逾期数据"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已向 1 个县(市)发送 1 条催报"));
    assert!(page.contains("请尽快报送逾期数据"), "kept in the sent list");
    let (_, bp) = app.get_as(&botou, "/reporting").await;
    let (status, _) = app
        .form_as(
            &botou,
            "/reporting/remind",
            &[("csrf", &csrf_of(&bp)), ("one", &one)],
        )
        .await;
    assert_eq!(status, 403);

    // 泊头 sees it, one more unread; 任丘 does not, and cannot open 泊头's inbox.
    let (status, inbox) = app.get_as(&botou, "/reporting/inbox").await;
    assert_eq!(status, 200);
    assert!(inbox.contains("市工信局催报:请尽快报送逾期数据"), "{inbox}");
    assert_eq!(badge(&inbox), unread_before + 1);
    let (_, theirs) = app.get_as(&renqiu, "/reporting/inbox").await;
    assert!(!theirs.contains("请尽快报送逾期数据"));
    assert_eq!(app.get_as(&renqiu, "/reporting/inbox?county=130981").await.0, 403);
    assert_eq!(app.get_as(&renqiu, "/api/v1/inbox?county=130981").await.0, 403);
    assert_eq!(app.get_as(&app.anonymous(), "/api/v1/inbox").await.0, 401);
    app.add_user("auditor", clusterdesk_domain::Role::Auditor, "130900")
        .await;
    let auditor = app.client_for("auditor").await;
    assert_eq!(app.get_as(&auditor, "/reporting/inbox").await.0, 403);
    assert_eq!(app.get_as(&auditor, "/api/v1/reporting/overdue").await.0, 403);

    // The API lists the same items; marking the reminder read lowers the badge by one.
    let (_, items) = app.json_as(&botou, "/api/v1/inbox").await;
    let items = items.as_array().unwrap();
    let unread = items.iter().filter(|i| i["read"] == false).count();
    assert_eq!(unread, unread_before + 1);
    let key = items.iter().find(|i| i["kind"] == "reminder").unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app
        .form_as(
            &botou,
            "/reporting/inbox/read",
            &[("csrf", &csrf_of(&inbox)), ("key", &key)],
        )
        .await;
    assert_eq!(status, 303);
    let (_, after) = app.get_as(&botou, "/reporting").await;
    assert_eq!(badge(&after), unread_before);
    // One county's every overdue month at once: as many reminders as the API lists for 任丘.
    let (_, listed) = app
        .json_as(&admin, "/api/v1/reporting/overdue?dataset=cluster_monthly")
        .await;
    let listed = listed.as_array().unwrap();
    let renqiu_rows = listed.iter().filter(|o| o["county_code"] == "130982").count();
    assert!(renqiu_rows >= 11, "a year of months: {renqiu_rows}");
    let (status, page) = app
        .form_as(
            &admin,
            "/reporting/remind",
            &[
                ("csrf", &csrf),
                ("dataset", "cluster_monthly"),
                ("county", "130982"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("已向 1 个县(市)发送 {renqiu_rows} 条催报")),
        "{page}"
    );
    let (_, theirs) = app.json_as(&renqiu, "/api/v1/inbox").await;
    let theirs = theirs.as_array().unwrap();
    assert_eq!(
        theirs.iter().filter(|i| i["kind"] == "reminder").count(),
        renqiu_rows
    );

    // The bureau has no inbox badge; its overdue list records who reminded.
    let (_, page) = app
        .get_as(&admin, "/reporting/overdue?dataset=cluster_monthly")
        .await;
    assert_eq!(badge(&page), 0);
    let row = page
        .split("<tr>")
        .find(|r| r.contains(&format!("value=\"{one}\"")))
        .unwrap();
    assert!(row.contains("1 次,最近"), "{row}");
}

#[tokio::test]
async fn the_compare_page_shows_the_changed_cell_after_a_return() {
    let app = spawn_app().await.with_cast().await;
    let admin = app.client_for("admin").await;
    let botou = app.client_for("botou").await;
    let renqiu = app.client_for("renqiu").await;

    assert_eq!(upload_revenue(&botou, &app, "1234.5").await.0, 200);
    assert_eq!(step(&botou, &app, "submit", "").await.0, 200);
    assert_eq!(
        step(&admin, &app, "return", "营业收入与统计快报不符").await.0,
        200
    );
    assert_eq!(upload_revenue(&botou, &app, "1500").await.0, 200);

    // The submission page links to the comparison.
    let (_, sub) = app
        .get_as(
            &botou,
            "/reporting?dataset=cluster_monthly&county=130981&period=2025-01",
        )
        .await;
    assert!(sub.contains("/reporting/compare?dataset=cluster_monthly&amp;county=130981&amp;period=2025-01"));

    // Default: revision 1 (the submit) against the data as now.
    // 1,500 − 1,234.5 = +265.5 万元.
    let (status, page) = app
        .get_as(
            &botou,
            "/reporting/compare?dataset=cluster_monthly&county=130981&period=2025-01",
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let row = page
        .split("<tr class=\"diff-changed\">")
        .nth(1)
        .expect("a changed row")
        .split("</tr>")
        .next()
        .unwrap();
    for want in ["铸造", "营业收入(万元)", "1,234.5", "1,500", "+265.5", "已修改"] {
        assert!(row.contains(want), "{want} in {row}");
    }
    assert!(page.contains("1 个有变化"));

    // The API gives the same numbers in fen: 123,450,000 → 150,000,000, +26,550,000.
    let (_, out) = app
        .json_as(
            &botou,
            "/api/v1/reporting/compare?dataset=cluster_monthly&county=130981&period=2025-01&a=1&b=current",
        )
        .await;
    let r = &out["rows"][0];
    assert_eq!(
        (r["a_num"].as_i64(), r["b_num"].as_i64()),
        (Some(1_234_500_000), Some(1_500_000_000))
    );
    assert_eq!(r["change"].as_i64(), Some(265_500_000));

    // The returned period is in 泊头's inbox with the reason.
    let (_, inbox) = app.get_as(&botou, "/reporting/inbox").await;
    assert!(inbox.contains("退回理由:营业收入与统计快报不符"));

    // Another county cannot compare 泊头's revisions; a bad revision is a 400, a missing one 404.
    assert_eq!(
        app.get_as(
            &renqiu,
            "/reporting/compare?dataset=cluster_monthly&county=130981&period=2025-01"
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.get_as(
            &botou,
            "/reporting/compare?dataset=cluster_monthly&county=130981&period=2025-01&a=x"
        )
        .await
        .0,
        400
    );
    assert_eq!(
        app.get_as(
            &botou,
            "/reporting/compare?dataset=cluster_monthly&county=130981&period=2025-01&a=7"
        )
        .await
        .0,
        404
    );
}
