//! Slows password guessing: after 5 failures a username waits, doubling up to 15 minutes.

use crate::error::WebError;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

const FREE_TRIES: u32 = 5;

impl LoginLimiter {
    fn wait_for(count: u32) -> Duration {
        if count < FREE_TRIES {
            return Duration::ZERO;
        }
        Duration::from_secs((30u64 << (count - FREE_TRIES).min(5)).min(900))
    }

    pub fn check(&self, username: &str) -> Result<(), WebError> {
        let map = self.failures.lock().expect("not poisoned");
        if let Some((count, last)) = map.get(username.trim()) {
            let wait = Self::wait_for(*count);
            if last.elapsed() < wait {
                let secs = (wait - last.elapsed()).as_secs() + 1;
                return Err(WebError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("登录失败次数过多,请{secs}秒后再试"),
                ));
            }
        }
        Ok(())
    }

    pub fn failure(&self, username: &str) {
        let mut map = self.failures.lock().expect("not poisoned");
        let e = map
            .entry(username.trim().to_string())
            .or_insert((0, Instant::now()));
        e.0 += 1;
        e.1 = Instant::now();
    }

    pub fn success(&self, username: &str) {
        self.failures
            .lock()
            .expect("not poisoned")
            .remove(username.trim());
    }
}
