//! The one clock of the system. Every part asks it for the time; no other source file reads the
//! wall clock (`crates/domain/tests/wall_clock.rs` greps the sources for it).
//!
//! Periods, deadlines and working days are in Beijing time (Asia/Shanghai, UTC+8 all year,
//! no daylight saving); stored timestamps are UTC instants in RFC 3339.

use crate::{ParseError, Period};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// UTC+8, the offset of Asia/Shanghai.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A date as people write it: 2026年3月10日.
pub fn date_zh(d: NaiveDate) -> String {
    d.format("%Y年%-m月%-d日").to_string()
}

#[derive(Clone)]
pub struct Clock {
    kind: Arc<Kind>,
}

enum Kind {
    System,
    /// Starts at a given instant and runs on with the real elapsed time, so that a demo or a
    /// test server at a chosen date still orders its events.
    From {
        start: DateTime<Utc>,
        at: Instant,
    },
    /// Stands still until a test moves it.
    Manual(Mutex<DateTime<Utc>>),
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.kind {
            Kind::System => write!(f, "Clock::System"),
            Kind::From { start, .. } => write!(f, "Clock::From({})", start.to_rfc3339()),
            Kind::Manual(t) => write!(f, "Clock::Manual({:?})", t.lock().map(|t| t.to_rfc3339())),
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The real time: the only place the program reads the wall clock.
    pub fn system() -> Clock {
        Clock {
            kind: Arc::new(Kind::System),
        }
    }

    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            kind: Arc::new(Kind::From {
                start,
                at: Instant::now(),
            }),
        }
    }

    /// A clock that stands at `t` until [`Clock::set`] or [`Clock::advance`] moves it.
    pub fn fixed(t: DateTime<Utc>) -> Clock {
        Clock {
            kind: Arc::new(Kind::Manual(Mutex::new(t))),
        }
    }

    /// Whether this clock was set from outside (a demo, a test), not the real time.
    pub fn is_fixed(&self) -> bool {
        !matches!(*self.kind, Kind::System)
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.kind {
            Kind::System => Utc::now(),
            Kind::From { start, at } => {
                *start + chrono::Duration::from_std(at.elapsed()).unwrap_or(chrono::Duration::zero())
            }
            Kind::Manual(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
        }
    }

    /// Move a fixed clock to `t`. Refused (false) on any other clock.
    pub fn set(&self, t: DateTime<Utc>) -> bool {
        match &*self.kind {
            Kind::Manual(m) => {
                *m.lock().unwrap_or_else(|e| e.into_inner()) = t;
                true
            }
            _ => false,
        }
    }

    /// Move a fixed clock on by `d`. Refused (false) on any other clock.
    pub fn advance(&self, d: chrono::Duration) -> bool {
        let t = self.now() + d;
        self.set(t)
    }

    pub fn now_beijing(&self) -> DateTime<FixedOffset> {
        self.now().with_timezone(&beijing())
    }

    /// Today's date in Beijing.
    pub fn today(&self) -> NaiveDate {
        self.now_beijing().date_naive()
    }

    /// The month today falls in, in Beijing.
    pub fn this_month(&self) -> Period {
        let d = self.today();
        Period::Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The instant as stored: RFC 3339 in UTC with milliseconds (`2026-12-02T02:00:00.000Z`).
    pub fn timestamp(&self) -> String {
        self.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// A clock set from outside (`CLUSTERDESK_NOW`, `--now`): running on from the given time.
    pub fn from_setting(s: &str) -> Result<Clock, ParseError> {
        parse_instant(s).map(Clock::starting_at)
    }
}

/// An instant as an operator writes it: RFC 3339 with an offset (`2026-12-02T10:00:00+08:00`),
/// or a Beijing date and time without one (`2026-12-02T10:00`, `2026-12-02 10:00`), or a Beijing
/// date alone (`2026-12-02`, read as 10:00 that day, office hours).
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, ParseError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::from_hms_opt(10, 0, 0).expect("valid time")))
    });
    match local.and_then(|l| beijing().from_local_datetime(&l).single()) {
        Some(t) => Ok(t.with_timezone(&Utc)),
        None => Err(ParseError::new(
            "instant",
            format!(
                "时间“{s}”无效:应写作 2026-12-02T10:00:00+08:00、2026-12-02 10:00 或 2026-12-02(北京时间)"
            ),
        )),
    }
}

/// A stored UTC timestamp shown in Beijing time as people write it: 2026年12月2日 12:33.
/// Text that is not a timestamp is returned as it is.
pub fn beijing_text(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(t) => {
            let t = t.with_timezone(&beijing());
            t.format("%Y年%-m月%-d日 %H:%M").to_string()
        }
        Err(_) => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_instant(s).unwrap()
    }

    #[test]
    fn beijing_dates_change_at_16_utc() {
        // 2026-11-30 16:00 UTC is 2026-12-01 00:00 in Beijing: already December there.
        let c = Clock::fixed(at("2026-11-30T16:00:00Z"));
        assert_eq!(c.today().to_string(), "2026-12-01");
        assert_eq!(c.this_month().to_string(), "2026-12");
        c.advance(chrono::Duration::seconds(-1));
        assert_eq!(c.today().to_string(), "2026-11-30");
        assert_eq!(c.timestamp(), "2026-11-30T15:59:59.000Z");
    }

    #[test]
    fn settings_are_beijing_time_unless_they_say_otherwise() {
        assert_eq!(
            at("2026-12-02T10:00:00+08:00").to_rfc3339(),
            "2026-12-02T02:00:00+00:00"
        );
        assert_eq!(at("2026-12-02 10:00").to_rfc3339(), "2026-12-02T02:00:00+00:00");
        assert_eq!(at("2026-12-02").to_rfc3339(), "2026-12-02T02:00:00+00:00");
        assert_eq!(at("2027-01-05T10:00").to_rfc3339(), "2027-01-05T02:00:00+00:00");
        let e = parse_instant("2026-13-02").unwrap_err();
        assert!(e.message.contains("2026-13-02"), "{}", e.message);
    }

    #[test]
    fn a_clock_from_a_setting_runs_on() {
        let c = Clock::from_setting("2026-12-02T10:00:00+08:00").unwrap();
        assert!(c.is_fixed());
        let t0 = c.now();
        assert!(t0 >= at("2026-12-02T02:00:00Z") && t0 < at("2026-12-02T02:01:00Z"));
        assert!(!c.set(t0), "only a manual clock is moved by hand");
        assert!(!Clock::system().is_fixed());
    }

    #[test]
    fn stored_times_read_in_beijing() {
        assert_eq!(beijing_text("2026-12-02T04:33:16.978Z"), "2026年12月2日 12:33");
        assert_eq!(beijing_text("2026-12-31T16:05:00Z"), "2027年1月1日 00:05");
        assert_eq!(beijing_text("未提交"), "未提交");
    }
}
