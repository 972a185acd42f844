//! Pacing of deliveries: the global rate limit and the retry backoff.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use portico_domain::OutboxMessageId;
use tokio::time::Instant;

/// Spaces sends evenly: at most `rate` per second, no bursts.
#[derive(Debug)]
pub(super) struct RateLimiter {
    interval: Option<Duration>,
    next: Mutex<Instant>,
}

impl RateLimiter {
    pub(super) fn new(rate: Option<NonZeroU32>) -> Self {
        let interval = rate.map(|r| Duration::from_secs(1) / r.get());
        Self { interval, next: Mutex::new(Instant::now()) }
    }

    /// Waits for the next free slot and takes it.
    pub(super) async fn acquire(&self) {
        let Some(interval) = self.interval else { return };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The wait before attempt `attempt + 1`, after `attempt` failed attempts:
/// `base * 2^(attempt-1)` capped at `max`, then scaled into `[1/2, 1]` by a
/// jitter derived from the message id, so messages that failed together do
/// not all come back at the same instant (and the result stays reproducible).
pub(super) fn backoff(base: Duration, max: Duration, attempt: u32, id: OutboxMessageId) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let delay = base.saturating_mul(1 << exponent).min(max);
    let jitter = mix(id.as_uuid().as_u128() as u64 ^ (id.as_uuid().as_u128() >> 64) as u64 ^ u64::from(attempt));
    // jitter / 2^64 in [0, 1): the delay lands in [delay/2, delay).
    let fraction = (jitter >> 11) as f64 / (1u64 << 53) as f64;
    Duration::try_from_secs_f64(delay.as_secs_f64() * (0.5 + fraction / 2.0)).unwrap_or(delay)
}

/// SplitMix64's finaliser: spreads close inputs over the whole range.
const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn backoff_doubles_within_jitter_and_stops_at_the_cap() {
        let (base, max) = (Duration::from_secs(10), Duration::from_secs(300));
        for n in 0..200u128 {
            let id = OutboxMessageId::from_uuid(Uuid::from_u128(n * 7919));
            for attempt in 1..12 {
                let full = base.saturating_mul(1 << (attempt - 1)).min(max);
                let d = backoff(base, max, attempt, id);
                assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} not in [{:?}, {full:?}]", full / 2);
            }
        }
    }

    #[test]
    fn absurd_settings_do_not_panic() {
        let id = OutboxMessageId::from_uuid(Uuid::from_u128(1));
        assert!(backoff(Duration::MAX, Duration::MAX, u32::MAX, id) <= Duration::MAX);
        assert_eq!(backoff(Duration::ZERO, Duration::MAX, 3, id), Duration::ZERO);
    }

    #[test]
    fn jitter_spreads_messages_that_failed_together() {
        let (base, max) = (Duration::from_secs(60), Duration::from_secs(3600));
        let delays: std::collections::HashSet<Duration> =
            (0..100u128).map(|n| backoff(base, max, 3, OutboxMessageId::from_uuid(Uuid::from_u128(n)))).collect();
        assert!(delays.len() > 90, "only {} distinct delays", delays.len());
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_limit_spaces_sends() {
        let limiter = RateLimiter::new(NonZeroU32::new(50));
        let start = Instant::now();
        for _ in 0..101 {
            limiter.acquire().await;
        }
        // 101 slots at 20 ms: the last one is 2 s after the first.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
