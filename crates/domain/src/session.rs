//! How long a session lives and when a password must be changed (GB/T 22239-2019 8.1.4.1 a
//! and b: 定期更换, 登录连接超时自动退出).

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRules {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however busy.
    pub absolute: Duration,
    /// The most sessions one account keeps; a new one ends the oldest.
    pub per_user: usize,
    /// How stale `last_seen` may get before a request writes it again. Writing on every
    /// request would make each page a write; a minute's slack on a 30-minute idle is nothing.
    pub touch_every: Duration,
    /// A password older than this must be changed at the next sign-in; None: never.
    pub password_max_age: Option<Duration>,
    /// A new password may not be any of this many previous ones (the current one included).
    pub password_history: usize,
}

impl Default for SessionRules {
    fn default() -> Self {
        SessionRules {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            per_user: 10,
            touch_every: Duration::seconds(60),
            password_max_age: Some(Duration::days(90)),
            password_history: 5,
        }
    }
}

impl SessionRules {
    /// The defaults, changed by `CLUSTERDESK_SESSION_IDLE_MINUTES`,
    /// `CLUSTERDESK_SESSION_HOURS` and `CLUSTERDESK_PASSWORD_MAX_DAYS` (0: passwords never
    /// expire). A value that is not a whole positive number keeps the default.
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> Self {
        let num = |k: &str| {
            get(k)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|n| *n >= 0)
        };
        let mut r = SessionRules::default();
        if let Some(m) = num("CLUSTERDESK_SESSION_IDLE_MINUTES").filter(|m| *m > 0) {
            r.idle = Duration::minutes(m);
        }
        if let Some(h) = num("CLUSTERDESK_SESSION_HOURS").filter(|h| *h > 0) {
            r.absolute = Duration::hours(h);
        }
        if let Some(d) = num("CLUSTERDESK_PASSWORD_MAX_DAYS") {
            r.password_max_age = (d > 0).then(|| Duration::days(d));
        }
        r
    }

    /// Whether a session signed in at `created`, last used at `last_seen`, is still open.
    pub fn alive(&self, created: DateTime<Utc>, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now < created + self.absolute && now < last_seen + self.idle
    }

    /// Whether a request now should write the session's `last_seen` again.
    pub fn needs_touch(&self, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now >= last_seen + self.touch_every
    }

    /// Whether a password set at `changed` must be changed now.
    pub fn password_expired(&self, changed: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.password_max_age.is_some_and(|age| now >= changed + age)
    }
}
