//! Races on the write path, a fixed number of rounds each, both sides released together by a
//! barrier: a 退回 against an approval of one submitted period, a submit against a value write,
//! and two value writes at once. SQLite, and PostgreSQL with CLUSTERDESK_TEST_PG. The same
//! races with one chosen interleaving each are in `write_interleavings.rs`.

use clusterdesk_domain::Role;
use clusterdesk_plan::Plan;
use clusterdesk_store::reporting::{Action, Status};
use clusterdesk_store::revisions::Side;
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Result, Store, StoreError};
use std::sync::Arc;
use tokio::sync::Barrier;

pub const ROUNDS: usize = 20;
pub const KEY: (&str, &str, &str) = ("cluster_monthly", "130981", "2025-03");

pub fn actor(name: &str, role: Role, org: &str) -> Actor {
    Actor {
        user_id: 1,
        username: name.into(),
        display_name: name.into(),
        role,
        org_code: org.into(),
        must_change_password: false,
    }
}

pub fn city() -> Actor {
    actor("admin", Role::CityAdmin, "130900")
}
pub fn op() -> Actor {
    actor("botou", Role::CountyOperator, "130981")
}
pub fn leader() -> Actor {
    actor("botou_leader", Role::CountyLeader, "130981")
}

pub fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

/// A store whose 泊头市 (130981) March has C19's revenue and employees, ready to submit (the
/// values of the reminders test's first revision, which pass the submit gate).
pub async fn store() -> (Arc<Store>, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    let s = Store::open(&url, Arc::new(Plan::embedded().unwrap()))
        .await
        .unwrap();
    let (_, _, p) = KEY;
    s.upsert_values(
        &op(),
        &[
            v("C19", "revenue", "2025-01", 100_000_000),
            v("C19", "revenue", "2025-02", 100_000_000),
            v("C19", "tax_paid", "2025-01", 5_000_000),
            v("C19", "tax_paid", "2025-02", 5_000_000),
            v("C19", "revenue", p, 100_000_000),
            v("C19", "employees", p, 120),
        ],
    )
    .await
    .unwrap();
    (Arc::new(s), dir)
}

pub async fn step(s: &Store, who: &Actor, action: Action, comment: &str) -> Result<Status> {
    let (ds, c, p) = KEY;
    Ok(s.transition(who, ds, c, p, action, comment).await?.status)
}

pub async fn status(s: &Store) -> Status {
    let (ds, c, p) = KEY;
    s.submission(&city(), ds, c, p).await.unwrap().status
}

pub async fn num(s: &Store, unit: &str, ind: &str, period: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT num_value FROM data_values WHERE unit_code = $1 AND indicator_code = $2 AND period = $3",
    )
    .bind(unit)
    .bind(ind)
    .bind(period)
    .fetch_optional(s.pool())
    .await
    .unwrap()
    .flatten()
}

/// The last submission kept exactly the values stored now.
pub async fn assert_kept_is_stored(s: &Store, round: usize) {
    let (ds, c, p) = KEY;
    let revs = s.revisions(&op(), ds, c, p).await.unwrap();
    let kept = s
        .revision_values(&op(), ds, c, p, Side::Revision(revs.last().unwrap().revision))
        .await
        .unwrap();
    let now = s.revision_values(&op(), ds, c, p, Side::Current).await.unwrap();
    assert_eq!(format!("{kept:?}"), format!("{now:?}"), "round {round}");
}

/// Run `a` and `b` on their own tasks, released together.
async fn together<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: std::future::Future<Output = RA> + Send + 'static,
    B: std::future::Future<Output = RB> + Send + 'static,
    RA: Send + 'static,
    RB: Send + 'static,
{
    let gate = Arc::new(Barrier::new(2));
    let (ga, gb) = (gate.clone(), gate);
    let ta = tokio::spawn(async move {
        ga.wait().await;
        a.await
    });
    let tb = tokio::spawn(async move {
        gb.wait().await;
        b.await
    });
    (ta.await.unwrap(), tb.await.unwrap())
}

fn conflict_or_ok<T: std::fmt::Debug>(r: &Result<T>, what: &str) {
    assert!(
        matches!(r, Ok(_) | Err(StoreError::Conflict(_))),
        "{what}: neither done nor a conflict: {r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_and_an_approval_sent_together_one_wins() {
    let (s, _d) = store().await;
    let (ds, c, p) = KEY;
    for round in 0..ROUNDS {
        // Back to 已提交 whichever side won the round before.
        match status(&s).await {
            Status::CountyApproved => {
                step(&s, &city(), Action::Return, "重来").await.unwrap();
                step(&s, &op(), Action::Submit, "").await.unwrap();
            }
            Status::Draft => {
                step(&s, &op(), Action::Submit, "").await.unwrap();
            }
            other => panic!("round {round}: unexpected {other:?}"),
        }
        let before = s.submission_events(&city(), ds, c, p).await.unwrap().len();
        let (s1, s2) = (s.clone(), s.clone());
        let (ret, approve) = together(
            async move { step(&s1, &city(), Action::Return, "数据有误").await },
            async move { step(&s2, &leader(), Action::Approve, "").await },
        )
        .await;
        conflict_or_ok(&ret, "return");
        conflict_or_ok(&approve, "approve");
        // The city may also return an approved period, so both succeed when the approval was
        // done before the return read the state; never two steps from 已提交.
        let events = s.submission_events(&city(), ds, c, p).await.unwrap();
        let new: Vec<(&str, &str)> = events[before..]
            .iter()
            .map(|e| (e.from.code(), e.to.code()))
            .collect();
        let want: &[(&str, &str)] = match (&ret, &approve) {
            (Ok(_), Err(_)) => &[("submitted", "draft")],
            (Err(_), Ok(_)) => &[("submitted", "county_approved")],
            (Ok(_), Ok(_)) => &[("submitted", "county_approved"), ("county_approved", "draft")],
            (Err(_), Err(_)) => panic!("round {round}: both refused: {ret:?} {approve:?}"),
        };
        assert_eq!(new, want, "round {round}: 退回 {ret:?}, 审核通过 {approve:?}");
        let want = want.last().unwrap().1;
        assert_eq!(status(&s).await.code(), want, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_value_changes_after_a_submission() {
    let (s, _d) = store().await;
    let p = KEY.2;
    let mut late = 0;
    for round in 0..ROUNDS {
        let before = num(&s, "C19", "revenue", p).await;
        // 100万元 plus a round's 1元, so that every round writes a new value.
        let new = 100_000_000 + (round as i64 + 1) * 100;
        let (s1, s2) = (s.clone(), s.clone());
        let (submit, write) = together(
            async move { step(&s1, &op(), Action::Submit, "").await },
            async move {
                s2.write_values(&op(), KEY, &[v("C19", "revenue", p, new)], false)
                    .await
            },
        )
        .await;
        assert_eq!(submit.unwrap(), Status::Submitted, "round {round}");
        conflict_or_ok(&write, "write");
        let stored = num(&s, "C19", "revenue", p).await;
        if write.is_ok() {
            assert_eq!(
                stored,
                Some(new),
                "round {round}: the write landed before the submit"
            );
        } else {
            late += 1;
            assert_eq!(stored, before, "round {round}: the refused write changed nothing");
        }
        assert_kept_is_stored(&s, round).await;
        // A write now is refused: the period is submitted.
        let after = s
            .write_values(&op(), KEY, &[v("C19", "revenue", p, 1)], false)
            .await;
        assert!(
            matches!(after, Err(StoreError::Conflict(_))),
            "round {round}: {after:?}"
        );
        step(&s, &city(), Action::Return, "重来").await.unwrap();
    }
    eprintln!("{late} of {ROUNDS} writes came after the submission");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writes_at_once_of_one_county_and_of_two() {
    let (s, _d) = store().await;
    let p = KEY.2;
    let renqiu = actor("renqiu", Role::CountyOperator, "130982");
    for round in 0..ROUNDS {
        let n = round as i64 + 1;
        // C17 and C19 are both in 泊头市 (130981); C11 is in 任丘市 (130982).
        let other = if round % 2 == 0 {
            ("C17", op(), ("cluster_monthly", "130981", p))
        } else {
            ("C11", renqiu.clone(), ("cluster_monthly", "130982", p))
        };
        let (s1, s2) = (s.clone(), s.clone());
        let (unit, who, key) = other;
        let (a, b) = together(
            async move {
                s1.write_values(&op(), KEY, &[v("C19", "employees", p, 100 + n)], false)
                    .await
            },
            async move {
                s2.write_values(&who, key, &[v(unit, "employees", p, 200 + n)], false)
                    .await
            },
        )
        .await;
        conflict_or_ok(&a, "C19");
        conflict_or_ok(&b, unit);
        if a.is_ok() {
            assert_eq!(
                num(&s, "C19", "employees", p).await,
                Some(100 + n),
                "round {round}"
            );
        }
        if b.is_ok() {
            assert_eq!(
                num(&s, unit, "employees", p).await,
                Some(200 + n),
                "round {round}"
            );
        }
    }
}
