//! [`AttemptLimiter`]: at most so many attempts per key per window (password
//! tries per invitation link, per client address, later per account), in
//! bounded memory at O(1) per attempt.
//!
//! Keys are hashed to 64 bits with a per-process random key (so a caller
//! cannot aim collisions, and a long key costs no more memory than a short
//! one) and counted in a sharded, bounded cache (`quick_cache`). When more
//! keys are active than it holds, the cache evicts: first the keys seen only
//! once, so a flood of new keys mostly evicts itself, not a key under attack.

use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};

use quick_cache::sync::{Cache, EntryAction, EntryResult};

/// The attempts counted for one key in its current window.
#[derive(Clone, Copy, Debug)]
struct Window {
    /// When the window opened, in milliseconds since the limiter's start.
    opened: u64,
    attempts: u32,
}

/// Counts attempts per key in fixed windows, in bounded memory.
pub struct AttemptLimiter {
    max: u32,
    window: Duration,
    started: Instant,
    hasher: RandomState,
    windows: Cache<u64, Window>,
}

impl std::fmt::Debug for AttemptLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttemptLimiter")
            .field("max", &self.max)
            .field("window", &self.window)
            .field("keys", &self.windows.len())
            .field("capacity", &self.windows.capacity())
            .finish()
    }
}

impl AttemptLimiter {
    /// Keys tracked by default: at about 70 bytes each, some 7 MiB.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// At most `max` attempts per key per `window`, tracking at most about
    /// `capacity` keys at once.
    #[must_use]
    pub fn new(max: u32, window: Duration, capacity: usize) -> Self {
        Self { max, window, started: Instant::now(), hasher: RandomState::new(), windows: Cache::new(capacity.max(1)) }
    }

    /// Records an attempt for `key` now; `false` when the key is over its
    /// limit (the attempt must then be refused without checking anything).
    pub fn allow(&self, key: &str) -> bool {
        self.allow_at(key, Instant::now())
    }

    /// As [`allow`](Self::allow), at the instant `now`.
    pub fn allow_at(&self, key: &str, now: Instant) -> bool {
        let now = u64::try_from(now.saturating_duration_since(self.started).as_millis()).unwrap_or(u64::MAX);
        let window = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let fresh = Window { opened: now, attempts: 1 };
        let attempts = match self.windows.entry(&self.hasher.hash_one(key), None, |_, counted| {
            if now.saturating_sub(counted.opened) >= window {
                *counted = fresh;
            } else {
                counted.attempts = counted.attempts.saturating_add(1);
            }
            EntryAction::Retain(counted.attempts)
        }) {
            EntryResult::Retained(attempts) => attempts,
            EntryResult::Vacant(guard) => {
                // Another attempt on the same key waits for this insert, so none is lost.
                let _ = guard.insert(fresh);
                1
            }
            // Neither removal nor replacement is asked for, and without a
            // timeout the entry call never times out: count it as the first.
            EntryResult::Removed(..) | EntryResult::Replaced(..) | EntryResult::Timeout => 1,
        };
        attempts <= self.max
    }

    /// Keys tracked now (never much above the capacity).
    #[must_use]
    pub fn len(&self) -> usize {
        self.windows.len()
    }

    /// Whether no key is tracked.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// The number of keys it tracks at most.
    #[must_use]
    pub fn capacity(&self) -> u64 {
        self.windows.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attempt_after_the_limit_is_refused_per_key() {
        let limiter = AttemptLimiter::new(3, Duration::from_secs(60), 100);
        assert!((0..3).all(|_| limiter.allow("link-a")));
        assert!(!limiter.allow("link-a"));
        assert!(!limiter.allow("link-a"), "and stays refused");
        assert!(limiter.allow("link-b"), "another key has its own count");
    }

    #[test]
    fn a_new_window_starts_over() {
        let limiter = AttemptLimiter::new(1, Duration::from_secs(60), 100);
        let start = Instant::now();
        assert!(limiter.allow_at("k", start));
        assert!(!limiter.allow_at("k", start + Duration::from_secs(59)));
        assert!(limiter.allow_at("k", start + Duration::from_secs(61)), "the next window");
    }

    #[test]
    fn a_million_distinct_keys_stay_within_the_capacity_and_a_busy_key_keeps_its_count() {
        let limiter = AttemptLimiter::new(5, Duration::from_secs(60), 10_000);
        for _ in 0..5 {
            assert!(limiter.allow("the key under attack"));
        }
        for n in 0..1_000_000 {
            limiter.allow(&format!("flood-{n}"));
            if n % 10_000 == 0 {
                assert!(!limiter.allow("the key under attack"), "refused at flood key {n}");
            }
        }
        assert!(limiter.len() as u64 <= limiter.capacity() + limiter.capacity() / 10, "{limiter:?}");
    }

    #[test]
    fn concurrent_attempts_are_all_counted() {
        let limiter = std::sync::Arc::new(AttemptLimiter::new(1_000, Duration::from_secs(60), 100));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let limiter = limiter.clone();
                std::thread::spawn(move || (0..250).filter(|_| limiter.allow("shared")).count())
            })
            .collect();
        let allowed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(allowed, 1_000);
        assert!(!limiter.allow("shared"), "the 1,001st is refused");
    }
}
