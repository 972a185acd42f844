//! A [`TokenSource`] for tests: ids that count up from a start, so they are
//! unique, ordered like UUID v7, and (from a fixed start) the same every run.

use std::sync::atomic::{AtomicU64, Ordering};

use portico_app::TokenSource;
use portico_domain::SecretToken;
use uuid::Uuid;

/// Ids and tokens that count up. Tokens are not secret: tests only.
#[derive(Debug)]
pub struct SequentialIds {
    start: u128,
    next: AtomicU64,
}

impl SequentialIds {
    /// Counting up from a UUID v7 of now, so the ids sort after (and among)
    /// the v7 ids the rest of a test makes.
    #[must_use]
    pub fn new() -> Self {
        Self::starting_at(Uuid::now_v7())
    }

    /// Counting up from `start` (the first id is `start` + 1).
    #[must_use]
    pub fn starting_at(start: Uuid) -> Self {
        Self { start: start.as_u128(), next: AtomicU64::new(0) }
    }

    fn step(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }
}

impl Default for SequentialIds {
    fn default() -> Self {
        Self::new()
    }
}

impl TokenSource for SequentialIds {
    fn token(&self) -> SecretToken {
        let mut bytes = [0_u8; 32];
        bytes[..16].copy_from_slice(&self.start.to_be_bytes());
        bytes[24..].copy_from_slice(&self.step().to_be_bytes());
        SecretToken::from_bytes(bytes)
    }

    fn seed(&self) -> [u8; 32] {
        let mut seed = [7_u8; 32];
        seed[24..].copy_from_slice(&self.step().to_be_bytes());
        seed
    }

    fn uuid(&self) -> Uuid {
        Uuid::from_u128(self.start.wrapping_add(u128::from(self.step())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_up_from_the_start() {
        let ids = SequentialIds::starting_at(Uuid::from_u128(10));
        assert_eq!(ids.uuid(), Uuid::from_u128(11));
        assert_eq!(ids.uuid(), Uuid::from_u128(12));
        assert_ne!(ids.token().expose(), ids.token().expose());
    }
}
