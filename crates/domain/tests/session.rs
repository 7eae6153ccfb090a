//! Session lifetimes and password age, worked by hand from the defaults: 30 idle minutes,
//! 12 hours in all, a touch at most once a minute, passwords for 90 days.

use chrono::{DateTime, Duration, TimeZone, Utc};
use clusterdesk_domain::session::SessionRules;

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
}

#[test]
fn a_session_lives_while_used_and_at_most_twelve_hours() {
    let r = SessionRules::default();
    let signed_in = at(2, 2, 0);
    // (last request, now, open?)
    let rows = [
        (at(2, 2, 0), at(2, 2, 29), true),
        (at(2, 2, 0), at(2, 2, 30), false),
        (at(2, 9, 50), at(2, 10, 10), true),
        (at(2, 13, 50), at(2, 13, 59), true),
        (at(2, 13, 55), at(2, 14, 0), false), // 12 hours after signing in
    ];
    for (seen, now, open) in rows {
        assert_eq!(r.alive(signed_in, seen, now), open, "seen {seen}, now {now}");
    }
    assert!(!r.needs_touch(at(2, 2, 0), at(2, 2, 0) + Duration::seconds(59)));
    assert!(r.needs_touch(at(2, 2, 0), at(2, 2, 1)));
}

#[test]
fn passwords_age_out_after_90_days_unless_switched_off() {
    let r = SessionRules::default();
    let set = at(2, 2, 0);
    assert!(!r.password_expired(set, set + Duration::days(90) - Duration::seconds(1)));
    assert!(r.password_expired(set, set + Duration::days(90)));
    let off = SessionRules::from_settings(|k| (k == "CLUSTERDESK_PASSWORD_MAX_DAYS").then(|| "0".into()));
    assert!(!off.password_expired(set, set + Duration::days(4000)));
}

#[test]
fn settings_change_the_lifetimes_and_junk_keeps_the_defaults() {
    let get = |k: &str| match k {
        "CLUSTERDESK_SESSION_IDLE_MINUTES" => Some("15".to_string()),
        "CLUSTERDESK_SESSION_HOURS" => Some("八".to_string()),
        "CLUSTERDESK_PASSWORD_MAX_DAYS" => Some("180".to_string()),
        _ => None,
    };
    let r = SessionRules::from_settings(get);
    assert_eq!(r.idle, Duration::minutes(15));
    assert_eq!(r.absolute, Duration::hours(12));
    assert_eq!(r.password_max_age, Some(Duration::days(180)));
}
