//! The sign-in limits as a table: each row is a state of the failure counts and the verdict
//! worked out by hand from the rules in `lockout.rs` (5 per pair lock 15 min; 10 per name or 300
//! a minute slow failing addresses to one try a minute; 20 per address lock it 15 min).

use chrono::{DateTime, Duration, TimeZone, Utc};
use clusterdesk_domain::lockout::{Failures, Limits, Verdict, judge, wait_message};

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, h, m, s).unwrap()
}

#[test]
fn the_limits_as_a_table() {
    let now = at(2, 0, 0);
    let rows: &[(&str, Failures, Verdict)] = &[
        ("nothing failed", Failures::default(), Verdict::Try),
        (
            "four failures of the pair: still tries",
            Failures {
                pair: 4,
                pair_last: Some(at(1, 59, 0)),
                user: 4,
                address: 4,
                address_last: Some(at(1, 59, 0)),
                ..Default::default()
            },
            Verdict::Try,
        ),
        (
            "the fifth failure at 01:59 locks the pair until 02:14",
            Failures {
                pair: 5,
                pair_last: Some(at(1, 59, 0)),
                user: 5,
                address: 5,
                address_last: Some(at(1, 59, 0)),
                ..Default::default()
            },
            Verdict::WaitUntil(at(2, 14, 0)),
        ),
        (
            "a lock from 01:44:59 has run out at 02:00",
            Failures {
                pair: 5,
                pair_last: Some(at(1, 44, 59)),
                user: 5,
                address: 5,
                address_last: Some(at(1, 44, 59)),
                ..Default::default()
            },
            Verdict::Try,
        ),
        (
            "the real user at a clean address while the name is under attack",
            Failures {
                pair: 0,
                pair_last: None,
                user: 40,
                address: 0,
                address_last: None,
                global_last_minute: 500,
            },
            Verdict::Try,
        ),
        (
            "an address that failed once on a name with 10 failures waits a minute from its failure",
            Failures {
                pair: 1,
                pair_last: Some(at(1, 59, 30)),
                user: 10,
                address: 1,
                address_last: Some(at(1, 59, 30)),
                ..Default::default()
            },
            Verdict::WaitUntil(at(2, 0, 30)),
        ),
        (
            "nine failures on the name: no slowing yet",
            Failures {
                pair: 1,
                pair_last: Some(at(1, 59, 30)),
                user: 9,
                address: 1,
                address_last: Some(at(1, 59, 30)),
                ..Default::default()
            },
            Verdict::Try,
        ),
        (
            "a server-wide flood slows an address that failed",
            Failures {
                pair: 1,
                pair_last: Some(at(1, 59, 30)),
                user: 1,
                address: 1,
                address_last: Some(at(1, 59, 30)),
                global_last_minute: 300,
            },
            Verdict::WaitUntil(at(2, 0, 30)),
        ),
        (
            "one address guessing 20 names is locked, even on a name it has not tried",
            Failures {
                pair: 0,
                pair_last: None,
                user: 0,
                address: 20,
                address_last: Some(at(1, 58, 0)),
                ..Default::default()
            },
            Verdict::WaitUntil(at(2, 13, 0)),
        ),
        (
            "19 names from one address: not yet",
            Failures {
                pair: 0,
                pair_last: None,
                user: 0,
                address: 19,
                address_last: Some(at(1, 58, 0)),
                ..Default::default()
            },
            Verdict::Try,
        ),
        (
            "two limits at once: the later end wins",
            Failures {
                pair: 5,
                pair_last: Some(at(1, 50, 0)),
                user: 12,
                address: 25,
                address_last: Some(at(1, 59, 0)),
                ..Default::default()
            },
            Verdict::WaitUntil(at(2, 14, 0)),
        ),
    ];
    for (what, f, want) in rows {
        assert_eq!(judge(f, &Limits::default(), now), *want, "{what}");
    }
}

#[test]
fn the_wait_is_said_in_minutes_or_seconds_rounded_up() {
    let now = at(2, 0, 0);
    assert_eq!(
        wait_message(now + Duration::minutes(14), now),
        "登录失败次数过多,请14分钟后再试"
    );
    assert_eq!(
        wait_message(now + Duration::seconds(61), now),
        "登录失败次数过多,请2分钟后再试"
    );
    assert_eq!(
        wait_message(now + Duration::seconds(30), now),
        "登录失败次数过多,请30秒后再试"
    );
}
