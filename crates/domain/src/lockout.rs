//! When a sign-in may be tried (GB/T 22239-2019 8.1.4.1 b: 登录失败处理).
//!
//! Failures are counted per (user name, address) within a window. Five lock that pair for
//! 15 minutes, so a guesser at one address stops while the real user, at another address,
//! still signs in. Two slower limits catch guessing spread out: many failures on one user
//! name from several addresses slow down only the addresses that have failed, and one address
//! failing on many user names is locked whatever name it tries. A global cap sheds failing
//! addresses when the whole server is under a flood, because every check costs an argon2 hash.

use chrono::{DateTime, Duration, Utc};

/// The limits; `Default` gives the level-3 settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures of one user name from one address before that pair is locked.
    pub pair_failures: u32,
    /// How long a lock lasts, and the window failures are counted in.
    pub lock: Duration,
    /// Failures of one user name from all addresses before failing addresses are slowed.
    pub user_failures: u32,
    /// Failures of one address over all user names before the address is locked.
    pub address_failures: u32,
    /// The wait between tries of a slowed address.
    pub slow_wait: Duration,
    /// Failures in the last minute, server-wide, before every failing address is slowed.
    pub global_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            pair_failures: 5,
            lock: Duration::minutes(15),
            user_failures: 10,
            address_failures: 20,
            slow_wait: Duration::seconds(60),
            global_per_minute: 300,
        }
    }
}

/// Failures counted within the window (older ones are not passed in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    /// This user name from this address: how many, and the newest.
    pub pair: u32,
    pub pair_last: Option<DateTime<Utc>>,
    /// This user name from every address.
    pub user: u32,
    /// This address over every user name, and its newest failure.
    pub address: u32,
    pub address_last: Option<DateTime<Utc>>,
    /// Every failure on the server in the last minute.
    pub global_last_minute: u32,
}

/// Whether to check the password now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Try,
    /// Refused until then; the password is not checked.
    WaitUntil(DateTime<Utc>),
}

/// The longest accepted user name; longer ones are refused before any lookup or storage.
pub const MAX_USERNAME_CHARS: usize = 64;

pub fn judge(f: &Failures, limits: &Limits, now: DateTime<Utc>) -> Verdict {
    let mut until: Option<DateTime<Utc>> = None;
    let mut later = |t: DateTime<Utc>| {
        if t > now && until.is_none_or(|u| t > u) {
            until = Some(t);
        }
    };
    if let Some(last) = f.pair_last {
        if f.pair >= limits.pair_failures {
            later(last + limits.lock);
        }
        // The slow limits reach only addresses that have failed on this name themselves.
        if f.user >= limits.user_failures || f.global_last_minute >= limits.global_per_minute {
            later(last + limits.slow_wait);
        }
    }
    if let Some(last) = f.address_last
        && f.address >= limits.address_failures
    {
        later(last + limits.lock);
    }
    match until {
        Some(t) => Verdict::WaitUntil(t),
        None => Verdict::Try,
    }
}

/// The Chinese refusal for a wait, in whole minutes or seconds (rounded up).
pub fn wait_message(until: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (until - now).num_seconds().max(1);
    if secs >= 60 {
        format!("登录失败次数过多,请{}分钟后再试", (secs + 59) / 60)
    } else {
        format!("登录失败次数过多,请{secs}秒后再试")
    }
}
