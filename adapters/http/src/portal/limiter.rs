//! Rate limits for password attempts on the portal: a fixed window per key
//! (the link, the client address), kept in memory and bounded in size.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts attempts per key in fixed windows.
#[derive(Debug)]
pub struct AttemptLimiter {
    max: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Keys tracked before expired windows are swept.
const SWEEP_AT: usize = 10_000;

impl AttemptLimiter {
    /// At most `max` attempts per key per `window`.
    #[must_use]
    pub fn new(max: u32, window: Duration) -> Self {
        Self { max, window, entries: Mutex::new(HashMap::new()) }
    }

    /// Records an attempt; `false` when the key is over its limit (the
    /// attempt must then be refused without checking the password).
    pub fn allow(&self, key: &str) -> bool {
        let now = Instant::now();
        // A poisoned lock only means another request panicked mid-update; the
        // counts are still usable.
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= SWEEP_AT {
            let window = self.window;
            entries.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = entries.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_after_the_limit_is_refused_per_key() {
        let limiter = AttemptLimiter::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| limiter.allow("link-a")));
        assert!(!limiter.allow("link-a"));
        assert!(limiter.allow("link-b"), "another key has its own count");
    }

    #[test]
    fn a_new_window_starts_over() {
        let limiter = AttemptLimiter::new(1, Duration::ZERO);
        assert!(limiter.allow("k"));
        assert!(limiter.allow("k"), "with a zero window every attempt opens a new one");
    }
}
