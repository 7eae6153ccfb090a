//! Overdue list, 催报 reminders, county inboxes and submission revisions on a small fixture
//! whose every count is worked out by hand below. SQLite, and PostgreSQL with CLUSTERDESK_TEST_PG.

use chrono::NaiveDate;
use clusterdesk_domain::{Role, Uscc, uscc};
use clusterdesk_plan::Plan;
use clusterdesk_store::registry::EnterpriseInput;
use clusterdesk_store::reminders::ItemKind;
use clusterdesk_store::reporting::Action;
use clusterdesk_store::revisions::Side;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store, StoreError};
use std::sync::Arc;

fn actor(name: &str, role: Role, org: &str) -> Actor {
    Actor {
        user_id: 1,
        username: name.into(),
        display_name: name.into(),
        role,
        org_code: org.into(),
        must_change_password: false,
    }
}

fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

async fn store() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let plan = Arc::new(Plan::embedded().unwrap());
    (Store::open(&url, plan).await.unwrap(), dir)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 4, 20).unwrap()
}

#[tokio::test]
async fn overdue_list_reminders_and_inboxes_are_scoped_per_county() {
    let (s, _d) = store().await;
    let city = actor("admin", Role::CityAdmin, "130900");
    let botou = actor("botou", Role::CountyOperator, "130981");
    let botou_leader = actor("botou_leader", Role::CountyLeader, "130981");
    let renqiu = actor("renqiu", Role::CountyOperator, "130982");

    // 泊头 reports C19 (铸造) for 2025-03 and submits it on time-ish; nobody else reports.
    // Revenue is reported year to date, so January and February must be there too.
    let months = ["2025-01", "2025-02", "2025-03"].map(|m| v("C19", "revenue", m, 1_000_000));
    s.upsert_values(&botou, &months).await.unwrap();
    s.transition(&botou, "cluster_monthly", "130981", "2025-03", Action::Submit, "")
        .await
        .unwrap();

    // Today is 2025-04-20. cluster_monthly is due on the 10th of the month after: the months
    // 2024-04 (due 2024-05-10, 345 days ago) … 2025-03 (due 2025-04-10, 10 days ago) are the 12
    // inside the one-year window; 2024-03 (due 2024-04-10, 375 days ago) is outside and 2025-04
    // (due 2025-05-10, 20 days ahead) is neither overdue nor due within 7 days.
    // 14 counties × 12 months − 泊头's submitted 2025-03 = 167.
    let counties = s.plan().counties().count();
    assert_eq!(counties, 14);
    let list = s.overdue(&city, today(), Some("cluster_monthly")).await.unwrap();
    assert_eq!(list.len(), 14 * 12 - 1);
    assert_eq!(list[0].period, "2024-04");
    assert_eq!(list[0].days_overdue, 345);
    assert_eq!(list[0].deadline, "2024-05-10");
    assert!(
        !list
            .iter()
            .any(|o| o.county_code == "130981" && o.period == "2025-03")
    );
    // A county sees only its own rows: 11 months for 泊头.
    let own = s.overdue(&botou, today(), Some("cluster_monthly")).await.unwrap();
    assert_eq!(own.len(), 11);
    assert!(own.iter().all(|o| o.county_code == "130981"));

    // Reminders: only the bureau sends them; one to 泊头, one to 任丘.
    let err = s
        .send_reminders(
            &botou,
            &[("cluster_monthly".into(), "130981".into(), "2025-02".into())],
            "",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)));
    let bad = s
        .send_reminders(
            &city,
            &[("cluster_monthly".into(), "130981".into(), "2025Q1".into())],
            "",
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, StoreError::Invalid(_)), "{bad:?}");
    let sent = s
        .send_reminders(
            &city,
            &[
                ("cluster_monthly".into(), "130981".into(), "2025-02".into()),
                ("cluster_monthly".into(), "130982".into(), "2025-03".into()),
            ],
            "请于4月25日前报送",
        )
        .await
        .unwrap();
    assert_eq!(sent.len(), 2);
    let feb = s.overdue(&city, today(), Some("cluster_monthly")).await.unwrap();
    let row = feb
        .iter()
        .find(|o| o.county_code == "130981" && o.period == "2025-02")
        .unwrap();
    assert_eq!(row.reminders, 1);
    assert_eq!(s.reminders_sent(&city, 10).await.unwrap().len(), 2);
    assert_eq!(s.reminders_sent(&botou, 10).await.unwrap().len(), 1);

    // 泊头's inbox, by hand (today 2025-04-20, window one year back by deadline):
    //   cluster_monthly   12 months − 2025-03 submitted            = 11 overdue
    //   enterprise_monthly 12 months, none submitted               = 12 overdue
    //   cluster_quarterly (due the 15th): 2024Q2 (2024-07-15), 2024Q3, 2024Q4, 2025Q1 (2025-04-15)
    //                     = 4 overdue; 2024Q1 (2024-04-15) is 370 days back
    //   cluster_yearly (due 31 Jan): 2024 (2025-01-31) = 1; 2023 (2024-01-31) is 445 days back
    //   the reminder about 2025-02                                    = 1
    //   total 29, all unread.
    let inbox = s.inbox(&botou, None, today()).await.unwrap();
    assert_eq!(
        inbox.len(),
        29,
        "{:#?}",
        inbox.iter().map(|i| &i.key).collect::<Vec<_>>()
    );
    let reminders: Vec<_> = inbox.iter().filter(|i| i.kind == ItemKind::Reminder).collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].message, "请于4月25日前报送");
    assert_eq!(reminders[0].period, "2025-02");
    let q1 = inbox
        .iter()
        .find(|i| i.key == "overdue:cluster_quarterly:2025Q1")
        .unwrap();
    assert_eq!((q1.days, q1.deadline.as_str()), (5, "2025-04-15"));
    assert_eq!(s.inbox_unread(&botou, today()).await.unwrap(), 29);

    // On 2025-05-05 the April report is due within 7 days (2025-05-10, 5 days ahead).
    let may5 = NaiveDate::from_ymd_opt(2025, 5, 5).unwrap();
    let later = s.inbox(&botou, None, may5).await.unwrap();
    let apr = later
        .iter()
        .find(|i| i.period == "2025-04" && i.dataset == "cluster_monthly")
        .unwrap();
    assert_eq!(
        (apr.kind, apr.days, apr.key.as_str()),
        (ItemKind::DueSoon, 5, "due:cluster_monthly:2025-04")
    );

    // Another county's inbox is refused; the city may look at any county's but not mark it.
    let err = s.inbox(&renqiu, Some("130981"), today()).await.unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)));
    let renqiu_inbox = s.inbox(&renqiu, None, today()).await.unwrap();
    assert!(renqiu_inbox.iter().all(|i| i.county_code == "130982"));
    assert_eq!(
        renqiu_inbox
            .iter()
            .filter(|i| i.kind == ItemKind::Reminder)
            .count(),
        1
    );
    assert_eq!(s.inbox(&city, Some("130981"), today()).await.unwrap().len(), 29);
    assert!(matches!(
        s.mark_read(&city, &[], today()).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));

    // Read once for the county: the leader sees it read too.
    let key = reminders[0].key.clone();
    assert_eq!(
        s.mark_read(&botou, std::slice::from_ref(&key), today())
            .await
            .unwrap(),
        1
    );
    assert_eq!(s.inbox_unread(&botou_leader, today()).await.unwrap(), 28);
    assert_eq!(
        s.inbox_unread(&renqiu, today()).await.unwrap(),
        renqiu_inbox.len()
    );
    assert!(matches!(
        s.mark_read(&botou, &["reminder:999".into()], today())
            .await
            .unwrap_err(),
        StoreError::NotFound(_)
    ));

    // The leader returns 2025-03 with a reason: a returned item, and the month is overdue again.
    s.transition(
        &botou_leader,
        "cluster_monthly",
        "130981",
        "2025-03",
        Action::Return,
        "营业收入偏高,请核实",
    )
    .await
    .unwrap();
    let inbox = s.inbox(&botou, None, today()).await.unwrap();
    assert_eq!(inbox.len(), 31);
    let ret = inbox.iter().find(|i| i.kind == ItemKind::Returned).unwrap();
    assert_eq!(
        (ret.message.as_str(), ret.by.as_str()),
        ("营业收入偏高,请核实", "botou_leader")
    );
    assert!(inbox.iter().any(|i| i.key == "overdue:cluster_monthly:2025-03"));
    let row = s
        .overdue(&city, today(), Some("cluster_monthly"))
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.county_code == "130981" && o.period == "2025-03")
        .unwrap();
    assert_eq!(row.state, "returned");
    // Mark all: 31 items less the one already read.
    assert_eq!(s.mark_read(&botou, &[], today()).await.unwrap(), 30);
    assert_eq!(s.inbox_unread(&botou, today()).await.unwrap(), 0);

    // Auditors have no inbox.
    let auditor = actor("auditor", Role::Auditor, "AUDIT");
    assert!(matches!(
        s.inbox(&auditor, None, today()).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));
}

#[tokio::test]
async fn an_enterprise_sees_only_its_own_monthly_report_due() {
    let (s, _d) = store().await;
    let city = Actor::system("test");
    let raw = "91130981MA0000001";
    let code = format!("{raw}{}", uscc::check_char(raw.as_bytes()).unwrap());
    s.upsert_enterprises(
        &city,
        &[EnterpriseInput {
            uscc: Uscc::parse(&code).unwrap(),
            name: "测试铸造厂".into(),
            county_code: "130981".into(),
            industry: s.plan().cluster("C19").unwrap().industries[0].clone(),
            cluster_code: Some("C19".into()),
            cluster_since: Some("2020-01-01".into()),
            address: String::new(),
            contact: String::new(),
        }],
        false,
    )
    .await
    .unwrap()
    .unwrap();
    let ent = actor("qiye", Role::Enterprise, &code);
    // enterprise_monthly: 12 months 2024-04 … 2025-03 overdue; once it enters 2025-03 itself, 11.
    assert_eq!(s.inbox(&ent, None, today()).await.unwrap().len(), 12);
    s.upsert_values(&ent, &[v(&code, "revenue", "2025-03", 500_000)])
        .await
        .unwrap();
    let items = s.inbox(&ent, None, today()).await.unwrap();
    assert_eq!(items.len(), 11);
    assert!(
        items
            .iter()
            .all(|i| i.dataset == "enterprise_monthly" && i.kind == ItemKind::Overdue)
    );
    assert!(matches!(
        s.inbox(&ent, Some("130981"), today()).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));
}

#[tokio::test]
async fn every_submit_and_unlock_keeps_a_revision_and_two_compare_by_cell() {
    let (s, _d) = store().await;
    let city = actor("admin", Role::CityAdmin, "130900");
    let op = actor("botou", Role::CountyOperator, "130981");
    let leader = actor("botou_leader", Role::CountyLeader, "130981");
    let (ds, c, p) = ("cluster_monthly", "130981", "2025-03");
    // Revision 1: C19 revenue 100万元 (= 1,000,000 元 = 100,000,000 fen) and 120
    // employees; rd_expense is not an indicator of the monthly data set and is not kept.
    s.upsert_values(
        &op,
        &[
            v("C19", "revenue", "2025-01", 100_000_000),
            v("C19", "revenue", "2025-02", 100_000_000),
            // Earlier months of tax_paid (also year to date) so that adding March later is valid.
            v("C19", "tax_paid", "2025-01", 5_000_000),
            v("C19", "tax_paid", "2025-02", 5_000_000),
            v("C19", "revenue", p, 100_000_000),
            v("C19", "employees", p, 120),
            v("C19", "rd_expense", p, 7),
        ],
    )
    .await
    .unwrap();
    assert!(s.revisions(&op, ds, c, p).await.unwrap().is_empty());
    s.transition(&op, ds, c, p, Action::Submit, "").await.unwrap();
    s.transition(&leader, ds, c, p, Action::Approve, "")
        .await
        .unwrap();
    s.transition(&city, ds, c, p, Action::Accept, "").await.unwrap();
    // Revision 2: the unlock keeps the accepted values.
    s.transition(&city, ds, c, p, Action::Unlock, "统计局反馈营业收入有误")
        .await
        .unwrap();
    // Revision 3: revenue corrected to 125万元, tax_paid 5万元 added, then submitted again.
    s.upsert_values(
        &op,
        &[
            v("C19", "revenue", p, 125_000_000),
            v("C19", "tax_paid", p, 5_000_000),
        ],
    )
    .await
    .unwrap();
    s.transition(&op, ds, c, p, Action::Submit, "").await.unwrap();

    let revs = s.revisions(&op, ds, c, p).await.unwrap();
    let shape: Vec<(i64, &str, &str, i64)> = revs
        .iter()
        .map(|r| (r.revision, r.event.as_str(), r.actor.as_str(), r.value_count))
        .collect();
    assert_eq!(
        shape,
        vec![
            (1, "submit", "botou", 2),
            (2, "unlock", "admin", 2),
            (3, "submit", "botou", 3)
        ]
    );

    let rows = s
        .compare_revisions(&op, ds, c, p, Side::Revision(1), Side::Revision(3))
        .await
        .unwrap();
    // Dataset order: revenue, value_added, tax_paid, energy_consumption, employees, …
    type Row<'a> = (&'a str, Option<i64>, Option<i64>, Option<i64>, bool);
    let got: Vec<Row> = rows
        .iter()
        .map(|r| (r.indicator_code.as_str(), r.a_num, r.b_num, r.change, r.changed))
        .collect();
    assert_eq!(
        got,
        vec![
            // 125万元 − 100万元 = 25万元 = 25,000,000 fen
            (
                "revenue",
                Some(100_000_000),
                Some(125_000_000),
                Some(25_000_000),
                true
            ),
            ("tax_paid", None, Some(5_000_000), None, true),
            ("employees", Some(120), Some(120), Some(0), false),
        ]
    );
    // 1 and 2 hold the same values; 3 and now as well.
    let same = s
        .compare_revisions(&op, ds, c, p, Side::Revision(1), Side::Revision(2))
        .await
        .unwrap();
    assert!(same.iter().all(|r| !r.changed));
    let now = s
        .compare_revisions(&op, ds, c, p, Side::Revision(3), Side::Current)
        .await
        .unwrap();
    assert!(now.iter().all(|r| !r.changed) && now.len() == 3);

    // A revision that does not exist, and another county's period.
    assert!(matches!(
        s.compare_revisions(&op, ds, c, p, Side::Revision(9), Side::Current)
            .await
            .unwrap_err(),
        StoreError::NotFound(_)
    ));
    let renqiu = actor("renqiu", Role::CountyOperator, "130982");
    assert!(matches!(
        s.revisions(&renqiu, ds, c, p).await.unwrap_err(),
        StoreError::Forbidden(_)
    ));
}
