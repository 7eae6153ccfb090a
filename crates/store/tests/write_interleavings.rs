//! The write path's races with one chosen interleaving each, the same in every round: the
//! first side is held (`race_hook`) after it has read the period's state under the write
//! lock and before it writes; the second side runs until it is about to open its own write
//! transaction; then the first goes on. So the second always runs its transaction after the
//! first's check, which is where a check made outside the lock lets both through. SQLite,
//! and PostgreSQL with CLUSTERDESK_TEST_PG.

use crate::write_races::{
    KEY, ROUNDS, actor, assert_kept_is_stored, city, leader, num, op, status, step, store, v,
};
use clusterdesk_domain::Role;
use clusterdesk_store::StoreError;
use clusterdesk_store::race_hook::{self, Hook, Point};
use clusterdesk_store::reporting::{Action, Status};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// A hook that, the first time its task reaches `at`, tells `there` and, if `go` is given,
/// waits for it.
fn at_first(at: Point, there: Arc<Notify>, go: Option<Arc<Notify>>) -> Hook {
    let done = Arc::new(AtomicBool::new(false));
    Arc::new(move |p| {
        let (there, go, done) = (there.clone(), go.clone(), done.clone());
        Box::pin(async move {
            if p == at && !done.swap(true, Ordering::SeqCst) {
                there.notify_one();
                if let Some(go) = go {
                    go.notified().await;
                }
            }
        })
    })
}

async fn signalled(n: &Notify, what: &str) {
    tokio::time::timeout(Duration::from_secs(20), n.notified())
        .await
        .unwrap_or_else(|_| panic!("{what} never got there"));
}

/// `first` checks under the lock and is held; `second` runs up to its write transaction;
/// `first` goes on. Both results, first's first.
async fn interleave<A, B, RA, RB>(first: A, second: B) -> (RA, RB)
where
    A: Future<Output = RA> + Send + 'static,
    B: Future<Output = RB> + Send + 'static,
    RA: Send + 'static,
    RB: Send + 'static,
{
    let (checked, go, begun) = (
        Arc::new(Notify::new()),
        Arc::new(Notify::new()),
        Arc::new(Notify::new()),
    );
    let a = tokio::spawn(race_hook::scope(
        at_first(Point::Checked, checked.clone(), Some(go.clone())),
        first,
    ));
    signalled(&checked, "the first side's check").await;
    let b = tokio::spawn(race_hook::scope(
        at_first(Point::Begin, begun.clone(), None),
        second,
    ));
    signalled(&begun, "the second side's write").await;
    go.notify_one();
    (a.await.unwrap(), b.await.unwrap())
}

fn is_conflict<T>(r: &clusterdesk_store::Result<T>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_that_has_checked_refuses_the_import_behind_it() {
    let (s, _d) = store().await;
    let p = KEY.2;
    for round in 0..ROUNDS {
        let before = num(&s, "C19", "revenue", p).await;
        let new = 100_000_000 + (round as i64 + 1) * 100;
        let (s1, s2) = (s.clone(), s.clone());
        let (submit, write) = interleave(
            async move { step(&s1, &op(), Action::Submit, "").await },
            async move {
                s2.write_values(&op(), KEY, &[v("C19", "revenue", p, new)], false)
                    .await
            },
        )
        .await;
        assert_eq!(submit.unwrap(), Status::Submitted, "round {round}");
        assert!(
            is_conflict(&write),
            "round {round}: the import after the check: {write:?}"
        );
        assert_eq!(num(&s, "C19", "revenue", p).await, before, "round {round}");
        assert_kept_is_stored(&s, round).await;
        step(&s, &city(), Action::Return, "重来").await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_that_has_checked_is_in_the_submission_behind_it() {
    let (s, _d) = store().await;
    let p = KEY.2;
    for round in 0..ROUNDS {
        let new = 100_000_000 + (round as i64 + 1) * 100;
        let (s1, s2) = (s.clone(), s.clone());
        // The submission's gate has read the old revenue before the import commits.
        let (write, submit) = interleave(
            async move {
                s1.write_values(&op(), KEY, &[v("C19", "revenue", p, new)], false)
                    .await
            },
            async move { step(&s2, &op(), Action::Submit, "").await },
        )
        .await;
        write.unwrap();
        assert_eq!(submit.unwrap(), Status::Submitted, "round {round}");
        assert_eq!(num(&s, "C19", "revenue", p).await, Some(new), "round {round}");
        assert_kept_is_stored(&s, round).await;
        step(&s, &city(), Action::Return, "重来").await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_is_judged_on_the_values_it_keeps() {
    let (s, _d) = store().await;
    let p = KEY.2;
    for round in 0..ROUNDS {
        let (s1, s2) = (s.clone(), s.clone());
        // A negative head count breaks 数值不得为负 (an error), after the gate passed 120.
        let (write, submit) = interleave(
            async move {
                s1.write_values(&op(), KEY, &[v("C19", "employees", p, -5)], false)
                    .await
            },
            async move { step(&s2, &op(), Action::Submit, "").await },
        )
        .await;
        write.unwrap();
        match &submit {
            Err(StoreError::Invalid(m)) => assert!(m.contains("1项校验错误须先改正"), "round {round}: {m}"),
            other => panic!("round {round}: a submission of a negative head count: {other:?}"),
        }
        assert_eq!(status(&s).await, Status::Draft, "round {round}");
        s.write_values(&op(), KEY, &[v("C19", "employees", p, 120)], false)
            .await
            .unwrap();
    }
}

/// The 已提交 period's events since `before`, as (from, to) codes.
async fn events_since(s: &clusterdesk_store::Store, before: usize) -> Vec<(String, String)> {
    let (ds, c, p) = KEY;
    s.submission_events(&city(), ds, c, p).await.unwrap()[before..]
        .iter()
        .map(|e| (e.from.code().to_string(), e.to.code().to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_a_return_and_an_approval_the_one_that_checked_first_wins() {
    let (s, _d) = store().await;
    let (ds, c, p) = KEY;
    for round in 0..ROUNDS {
        step(&s, &op(), Action::Submit, "").await.unwrap();
        let before = s.submission_events(&city(), ds, c, p).await.unwrap().len();
        let (s1, s2) = (s.clone(), s.clone());
        let return_first = round % 2 == 0;
        let ret = async move { step(&s1, &city(), Action::Return, "数据有误").await };
        let approve = async move { step(&s2, &leader(), Action::Approve, "").await };
        let (won, lost, want) = if return_first {
            let (r, a) = interleave(ret, approve).await;
            (r, a, ("submitted", "draft"))
        } else {
            let (a, r) = interleave(approve, ret).await;
            (a, r, ("submitted", "county_approved"))
        };
        assert_eq!(won.unwrap().code(), want.1, "round {round}");
        assert!(
            is_conflict(&lost),
            "round {round}: the later step from 已提交: {lost:?}"
        );
        let want = vec![(want.0.to_string(), want.1.to_string())];
        assert_eq!(events_since(&s, before).await, want, "round {round}");
        assert_eq!(status(&s).await.code(), want[0].1, "round {round}");
        if !return_first {
            step(&s, &city(), Action::Return, "重来").await.unwrap();
        }
    }
}

/// The old value the change log kept for the last write of a cell.
async fn logged_old(s: &clusterdesk_store::Store, key: &str) -> Option<String> {
    sqlx::query_scalar(
        "SELECT old_value FROM change_log WHERE entity = 'value' AND entity_key = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(key)
    .fetch_one(s.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_of_one_cell_neither_loses_the_other() {
    let (s, _d) = store().await;
    let p = KEY.2;
    for round in 0..ROUNDS {
        let n = round as i64 + 1;
        let (s1, s2) = (s.clone(), s.clone());
        let (a, b) = interleave(
            async move {
                s1.write_values(&op(), KEY, &[v("C19", "employees", p, 100 + n)], false)
                    .await
            },
            async move {
                s2.write_values(&op(), KEY, &[v("C19", "employees", p, 200 + n)], false)
                    .await
            },
        )
        .await;
        assert_eq!(a.unwrap().updated, 1, "round {round}");
        assert_eq!(b.unwrap().updated, 1, "round {round}");
        assert_eq!(
            num(&s, "C19", "employees", p).await,
            Some(200 + n),
            "round {round}"
        );
        // The second import replaced the first one's value, not the one before it.
        let old = format!(r#"{{"num":{},"text":null}}"#, 100 + n);
        assert_eq!(
            logged_old(&s, &format!("C19/employees/{p}")).await.as_deref(),
            Some(old.as_str()),
            "round {round}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_of_two_counties_both_land() {
    let (s, _d) = store().await;
    let p = KEY.2;
    let renqiu = actor("renqiu", Role::CountyOperator, "130982");
    for round in 0..ROUNDS {
        let n = round as i64 + 1;
        let (s1, s2, who) = (s.clone(), s.clone(), renqiu.clone());
        // C19 is in 泊头市 (130981), C11 in 任丘市 (130982).
        let (a, b) = interleave(
            async move {
                s1.write_values(&op(), KEY, &[v("C19", "employees", p, 100 + n)], false)
                    .await
            },
            async move {
                s2.write_values(
                    &who,
                    ("cluster_monthly", "130982", p),
                    &[v("C11", "employees", p, 300 + n)],
                    false,
                )
                .await
            },
        )
        .await;
        a.unwrap();
        b.unwrap();
        assert_eq!(
            num(&s, "C19", "employees", p).await,
            Some(100 + n),
            "round {round}"
        );
        assert_eq!(
            num(&s, "C11", "employees", p).await,
            Some(300 + n),
            "round {round}"
        );
    }
}
