//! The dispatcher's tuning and what a pass over the outbox did.

use std::num::NonZeroU32;
use std::time::Duration;

/// Tuning of a [`Dispatcher`](super::Dispatcher).
#[derive(Clone, Debug, PartialEq)]
pub struct DispatcherConfig {
    /// Most emails claimed at once.
    pub batch_size: u32,
    /// How long a claim lasts. The dispatcher renews it three times per
    /// lease while it sends, so it need not cover a whole batch.
    pub lease: Duration,
    /// An email is not sent once less than this is left of its lease (at
    /// most half the lease counts): the longest a send may take, such as
    /// the SMTP transport's timeout.
    pub lease_margin: Duration,
    /// Attempts before a transiently failing email is failed for good.
    pub max_attempts: u32,
    /// Wait before the first retry; doubles with each attempt.
    pub backoff_base: Duration,
    /// Longest wait between attempts.
    pub backoff_max: Duration,
    /// Messages per second through this dispatcher; `None` for no limit.
    pub rate_per_second: Option<NonZeroU32>,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// Wait between claims while the outbox is empty.
    pub poll_interval: Duration,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            lease: Duration::from_secs(120),
            lease_margin: Duration::from_secs(30),
            max_attempts: 8,
            backoff_base: Duration::from_secs(30),
            backoff_max: Duration::from_secs(3600),
            rate_per_second: None,
            concurrency: 4,
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// What one pass over the outbox did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Emails claimed.
    pub claimed: usize,
    /// Accepted by the transport and marked sent.
    pub sent: usize,
    /// Failed transiently, queued again for later.
    pub retrying: usize,
    /// Failed for good (permanent error or attempts used up).
    pub failed: usize,
    /// Given back unsent because of shutdown.
    pub released: usize,
    /// Not sent because too little was left of the lease (its renewal
    /// failed); claimed again when the lease ends.
    pub expired: usize,
    /// Outcome not recorded: the lease was lost or storage failed; the email
    /// is claimed again when its lease ends.
    pub unrecorded: usize,
}

impl DrainReport {
    pub(super) fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Retrying => self.retrying += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Released => self.released += 1,
            Outcome::Expired => self.expired += 1,
            Outcome::Unrecorded => self.unrecorded += 1,
        }
    }

    pub(super) fn merge(&mut self, other: Self) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.released += other.released;
        self.expired += other.expired;
        self.unrecorded += other.unrecorded;
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Outcome {
    Retrying,
    Failed,
    Released,
    Expired,
    Unrecorded,
}
