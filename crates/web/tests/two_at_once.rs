//! Two requests at once on the monthly job, over HTTP, a fixed number of rounds each: two
//! spreadsheet imports of one county, imports of two counties, a submission against an
//! import, and a 退回 against an approval. Never a 5xx; whoever is refused is told why in
//! Chinese; no import is half kept; no figure changes after a submission; no two steps from
//! one state. (`store`'s `write_interleavings` forces each interleaving; this is the real
//! server under whatever the scheduler does.)

use crate::common::{TestApp, spawn_app};
use clusterdesk_domain::Role;
use clusterdesk_store::reporting::Action;

const ROUNDS: usize = 8;
const PERIOD: &str = "2025-01";

/// A real .xlsx in the template's layout: the title, the data set line, the header, and one
/// row per (cluster, 营业收入 in 万元).
fn xlsx(county: &str, rows: &[(&str, i64)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write(0, 0, "集群月报").unwrap();
    for (c, text) in ["数据集", "cluster_monthly", "县(市)", county, "期间", PERIOD]
        .iter()
        .enumerate()
    {
        sheet.write(1, c as u16, *text).unwrap();
    }
    for (c, text) in ["集群代码", "集群名称", "营业收入(万元)"].iter().enumerate() {
        sheet.write(2, c as u16, *text).unwrap();
    }
    for (r, (cluster, wan)) in rows.iter().enumerate() {
        sheet.write(3 + r as u32, 0, *cluster).unwrap();
        sheet.write(3 + r as u32, 2, *wan as f64).unwrap();
    }
    book.save_to_buffer().unwrap()
}

struct Desk {
    client: reqwest::Client,
    csrf: String,
}

async fn desk(app: &TestApp, user: &str, county: &str) -> Desk {
    let client = app.client_for(user).await;
    let page = format!("/reporting?dataset=cluster_monthly&county={county}&period={PERIOD}");
    Desk {
        csrf: app.csrf_as(&client, &page).await,
        client,
    }
}

async fn import(app: &TestApp, d: &Desk, bytes: Vec<u8>) -> (u16, String) {
    let form = reqwest::multipart::Form::new().text("csrf", d.csrf.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("集群月报.xlsx"),
    );
    let r = d
        .client
        .post(app.url("/reporting"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn step(app: &TestApp, d: &Desk, action: Action, comment: &str) -> (u16, String) {
    let form = [
        ("csrf", d.csrf.as_str()),
        ("dataset", "cluster_monthly"),
        ("county", "130981"),
        ("period", PERIOD),
        ("action", action.code()),
        ("comment", comment),
    ];
    app.form_as(&d.client, "/reporting/transition", &form).await
}

/// 营业收入 of a cluster in the period, in 万元 (stored in fen).
async fn revenue_wan(app: &TestApp, cluster: &str) -> Option<i64> {
    let fen: Option<i64> = sqlx::query_scalar(
        "SELECT num_value FROM data_values WHERE unit_code = $1 AND indicator_code = 'revenue' AND period = $2",
    )
    .bind(cluster)
    .bind(PERIOD)
    .fetch_optional(app.store.pool())
    .await
    .unwrap()
    .flatten();
    fen.map(|f| f / 1_000_000)
}

/// Done (200), or refused with a page that says why in Chinese (409 busy or changed
/// meanwhile, or the period no longer open; 422 a rule), never a 5xx or database text.
fn done_or_told(status: u16, body: &str, what: &str) -> bool {
    assert!(
        status == 200 || status == 409 || status == 422,
        "{what}: {status} {body}"
    );
    if status != 200 {
        let alert = body.split("role=\"alert\">").nth(1).unwrap_or("");
        let alert = &alert[..alert.find('<').unwrap_or(alert.len())];
        assert!(
            alert.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{what}: {status} without a Chinese reason: {body}"
        );
        assert!(!body.to_lowercase().contains("database"), "{what}: {body}");
    }
    status == 200
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_of_one_county_at_once_keep_one_file_whole() {
    let app = spawn_app().await.with_cast().await;
    let (a, b) = (
        desk(&app, "botou", "130981").await,
        desk(&app, "botou", "130981").await,
    );
    for round in 0..ROUNDS as i64 {
        // C17 and C19 are both 泊头's; each file gives both, so a mix of the two would show.
        let one = xlsx("130981", &[("C17", 1000 + round), ("C19", 2000 + round)]);
        let two = xlsx("130981", &[("C17", 3000 + round), ("C19", 4000 + round)]);
        let ((s1, b1), (s2, b2)) = tokio::join!(import(&app, &a, one), import(&app, &b, two));
        assert!(
            done_or_told(s1, &b1, "first") | done_or_told(s2, &b2, "second"),
            "round {round}"
        );
        let kept = (revenue_wan(&app, "C17").await, revenue_wan(&app, "C19").await);
        let first = (Some(1000 + round), Some(2000 + round));
        let second = (Some(3000 + round), Some(4000 + round));
        assert!(kept == first || kept == second, "round {round}: {kept:?}");
        assert!(
            s1 == 200 || kept == second,
            "round {round}: a refused file was kept"
        );
        assert!(
            s2 == 200 || kept == first,
            "round {round}: a refused file was kept"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_of_two_counties_at_once_both_land() {
    let app = spawn_app().await.with_cast().await;
    let botou = desk(&app, "botou", "130981").await;
    let renqiu = desk(&app, "renqiu", "130982").await;
    for round in 0..ROUNDS as i64 {
        let ((s1, b1), (s2, b2)) = tokio::join!(
            import(&app, &botou, xlsx("130981", &[("C19", 500 + round)])),
            import(&app, &renqiu, xlsx("130982", &[("C11", 700 + round)])),
        );
        assert_eq!((s1, s2), (200, 200), "round {round}: {b1} {b2}");
        assert_eq!(revenue_wan(&app, "C19").await, Some(500 + round));
        assert_eq!(revenue_wan(&app, "C11").await, Some(700 + round));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_and_an_import_at_once_keep_what_was_submitted() {
    let app = spawn_app().await.with_cast().await;
    let op = desk(&app, "botou", "130981").await;
    let admin = desk(&app, "admin", "130981").await;
    let (s, b) = import(&app, &op, xlsx("130981", &[("C19", 100)])).await;
    assert_eq!(s, 200, "{b}");
    let mut both = 0;
    for round in 0..ROUNDS as i64 {
        let before = revenue_wan(&app, "C19").await;
        let ((s1, b1), (s2, b2)) = tokio::join!(
            step(&app, &op, Action::Submit, ""),
            import(&app, &op, xlsx("130981", &[("C19", 200 + round)])),
        );
        let submitted = done_or_told(s1, &b1, "submit");
        let imported = done_or_told(s2, &b2, "import");
        if s2 == 422 {
            assert!(b2.contains("period_locked"), "round {round}: {b2}");
        }
        both += usize::from(submitted && imported);
        let now = revenue_wan(&app, "C19").await;
        assert_eq!(
            now,
            if imported { Some(200 + round) } else { before },
            "round {round}"
        );
        if submitted {
            // What the submission kept is what is stored, and a later file is refused.
            let kept: String = sqlx::query_scalar(
                "SELECT snapshot FROM submission_revisions WHERE county_code = '130981' AND period = $1
                 ORDER BY revision DESC LIMIT 1",
            )
            .bind(PERIOD)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
            let fen = now.unwrap() * 1_000_000;
            assert!(
                kept.contains(&format!("\"C19\",\"revenue\",{fen},")),
                "round {round}: {kept}"
            );
            let (s, b) = import(&app, &op, xlsx("130981", &[("C19", 1)])).await;
            assert!(s == 422 && b.contains("period_locked"), "round {round}: {s} {b}");
            let (s, b) = step(&app, &admin, Action::Return, "重来").await;
            assert_eq!(s, 200, "{b}");
        }
    }
    eprintln!("{both} of {ROUNDS} rounds both the import and the submission were done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_and_an_approval_at_once_make_one_step_from_submitted() {
    let app = spawn_app().await.with_cast().await;
    app.add_user("botou_leader", Role::CountyLeader, "130981").await;
    let op = desk(&app, "botou", "130981").await;
    let leader = desk(&app, "botou_leader", "130981").await;
    let admin = desk(&app, "admin", "130981").await;
    let (s, b) = import(&app, &op, xlsx("130981", &[("C19", 100)])).await;
    assert_eq!(s, 200, "{b}");
    for round in 0..ROUNDS {
        let (s, b) = step(&app, &op, Action::Submit, "").await;
        assert_eq!(s, 200, "round {round}: {b}");
        let ((s1, b1), (s2, b2)) = tokio::join!(
            step(&app, &admin, Action::Return, "数据有误"),
            step(&app, &leader, Action::Approve, ""),
        );
        let returned = done_or_told(s1, &b1, "return");
        let approved = done_or_told(s2, &b2, "approve");
        assert!(returned || approved, "round {round}: both refused: {b1} {b2}");
        let out_of_submitted: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM submission_events WHERE county_code = '130981' AND period = $1
             AND from_status = 'submitted'",
        )
        .bind(PERIOD)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(
            out_of_submitted,
            round as i64 + 1,
            "round {round}: two steps from 已提交"
        );
        if !returned {
            let (s, b) = step(&app, &admin, Action::Return, "重来").await;
            assert_eq!(s, 200, "round {round}: {b}");
        }
    }
}
