//! The outbox [`Dispatcher`]: claims queued emails, sends them concurrently
//! within a global rate limit, and records each outcome on its row.
//!
//! Work is shared through claims with leases, never through locks held across
//! a send, so any number of dispatchers (in one process or many) can run side
//! by side. Delivery is at least once: a dispatcher that dies after the server
//! accepted a message but before `mark_sent` leaves it to be sent again when
//! the lease ends; the stable `Message-ID` lets receivers spot that.

mod pacing;
mod report;

use std::future::Future;
use std::sync::Arc;

use portico_app::{ClaimedEmail, Clock, OutboxRepository, RepositoryError};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::transport::{MailTransport, SendError};
use pacing::{RateLimiter, backoff};
use report::Outcome;
pub use report::{DispatcherConfig, DrainReport};

/// Delivers the outbox.
#[derive(Clone, Debug)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    outbox: Arc<dyn OutboxRepository>,
    transport: Arc<dyn MailTransport>,
    clock: Arc<dyn Clock>,
    config: DispatcherConfig,
    limiter: RateLimiter,
    permits: Semaphore,
    wake: Notify,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("transport", &self.transport)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher over `outbox`, sending through `transport`.
    #[must_use]
    pub fn new(
        outbox: Arc<dyn OutboxRepository>,
        transport: Arc<dyn MailTransport>,
        clock: Arc<dyn Clock>,
        config: DispatcherConfig,
    ) -> Self {
        let limiter = RateLimiter::new(config.rate_per_second);
        let permits = Semaphore::new(config.concurrency.max(1));
        Self { inner: Arc::new(Inner { outbox, transport, clock, config, limiter, permits, wake: Notify::new() }) }
    }

    /// Ends the idle wait of [`run`](Self::run) at once (call after queueing).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Claims one batch of due emails and delivers it.
    ///
    /// # Errors
    /// When the claim fails; outcomes that could not be recorded are counted
    /// in [`DrainReport::unrecorded`].
    pub async fn drain_once(&self) -> Result<DrainReport, RepositoryError> {
        let (_keep, stop) = watch::channel(false);
        self.inner.clone().batch(&stop).await
    }

    /// Delivers batches until no email is due (retries scheduled later stay queued).
    ///
    /// # Errors
    /// When a claim fails.
    pub async fn drain(&self) -> Result<DrainReport, RepositoryError> {
        let mut total = DrainReport::default();
        loop {
            let report = self.drain_once().await?;
            total.merge(report);
            if report.claimed == 0 {
                return Ok(total);
            }
        }
    }

    /// Delivers until `shutdown` completes, then finishes the sends already
    /// started and releases the claimed emails not yet started. (Dropping
    /// this future instead abandons its claims: they are retried when their
    /// leases end.)
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        let (stop_tx, stop) = watch::channel(false);
        let work = self.inner.clone().work(stop);
        tokio::pin!(work, shutdown);
        tokio::select! {
            () = &mut work => {}
            () = &mut shutdown => {
                stop_tx.send_replace(true);
                work.await;
            }
        }
    }
}

/// `now + wait`, saturating instead of overflowing on absurd settings.
fn after(now: chrono::DateTime<chrono::Utc>, wait: std::time::Duration) -> chrono::DateTime<chrono::Utc> {
    chrono::Duration::from_std(wait)
        .ok()
        .and_then(|wait| now.checked_add_signed(wait))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

/// Completes once the stop flag is set (never, if its sender is gone unset).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        std::future::pending::<()>().await;
    }
}

impl Inner {
    async fn work(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            let full = match self.clone().batch(&stop).await {
                Ok(report) => report.claimed > 0 && report.claimed >= self.claim_limit() as usize,
                Err(error) => {
                    tracing::warn!(error = &error as &dyn std::error::Error, "claiming outbox emails failed");
                    false
                }
            };
            if !full {
                tokio::select! {
                    () = tokio::time::sleep(self.config.poll_interval) => {}
                    () = self.wake.notified() => {}
                    () = stopped(&mut stop) => {}
                }
            }
        }
    }

    /// At most what can be sent within half a lease at the rate limit.
    fn claim_limit(&self) -> u32 {
        let by_rate = self.config.rate_per_second.map_or(u32::MAX, |rate| {
            let per_lease = f64::from(rate.get()) * self.config.lease.as_secs_f64() / 2.0;
            per_lease.clamp(1.0, f64::from(u32::MAX)) as u32
        });
        self.config.batch_size.clamp(1, by_rate.max(1))
    }

    async fn batch(self: Arc<Self>, stop: &watch::Receiver<bool>) -> Result<DrainReport, RepositoryError> {
        let now = self.clock.now();
        let lease_until = after(now, self.config.lease);
        let claimed = self.outbox.claim(self.claim_limit(), now, lease_until).await?;
        let mut report = DrainReport { claimed: claimed.len(), ..DrainReport::default() };
        let mut tasks = JoinSet::new();
        for email in claimed {
            tasks.spawn(self.clone().deliver(email, stop.clone()));
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(outcome) => report.add(outcome),
                Err(error) => {
                    tracing::error!(error = &error as &dyn std::error::Error, "an outbox delivery task failed");
                    report.add(Outcome::Unrecorded);
                }
            }
        }
        Ok(report)
    }

    async fn deliver(self: Arc<Self>, claimed: ClaimedEmail, mut stop: watch::Receiver<bool>) -> Outcome {
        let _permit = tokio::select! {
            biased;
            () = stopped(&mut stop) => return self.release(&claimed).await,
            permit = self.permits.acquire() => match permit {
                Ok(permit) => permit,
                Err(_) => return self.release(&claimed).await,
            },
        };
        tokio::select! {
            biased;
            () = stopped(&mut stop) => return self.release(&claimed).await,
            () = self.limiter.acquire() => {}
        }
        // From here on the send is finished even during shutdown.
        let result = self.transport.send(&claimed.email, self.clock.now()).await;
        self.record(&claimed, result).await
    }

    async fn record(&self, claimed: &ClaimedEmail, result: Result<(), SendError>) -> Outcome {
        let (id, lease) = (claimed.email.id, claimed.lease);
        let attempt = claimed.attempts.saturating_add(1);
        let (stored, outcome) = match result {
            Ok(()) => (self.outbox.mark_sent(id, lease, self.clock.now()).await, Outcome::Sent),
            Err(SendError::Transient(error)) if attempt < self.config.max_attempts => {
                let wait = backoff(self.config.backoff_base, self.config.backoff_max, attempt, id);
                let retry_at = after(self.clock.now(), wait);
                tracing::info!(%id, attempt, %error, "outbox email failed transiently; retrying");
                (self.outbox.mark_failed(id, lease, &error, Some(retry_at)).await, Outcome::Retrying)
            }
            Err(SendError::Transient(error)) => {
                let error = format!("gave up after {attempt} attempts: {error}");
                tracing::warn!(%id, %error, "outbox email failed");
                (self.outbox.mark_failed(id, lease, &error, None).await, Outcome::Failed)
            }
            Err(SendError::Permanent(error)) => {
                tracing::warn!(%id, %error, "outbox email refused for good");
                (self.outbox.mark_failed(id, lease, &error, None).await, Outcome::Failed)
            }
        };
        match stored {
            Ok(()) => outcome,
            Err(error) => {
                tracing::warn!(%id, error = &error as &dyn std::error::Error, "recording an outbox outcome failed");
                Outcome::Unrecorded
            }
        }
    }

    async fn release(&self, claimed: &ClaimedEmail) -> Outcome {
        match self.outbox.release(claimed.email.id, claimed.lease).await {
            Ok(()) => Outcome::Released,
            Err(error) => {
                let id = claimed.email.id;
                tracing::warn!(%id, error = &error as &dyn std::error::Error, "releasing an outbox email failed");
                Outcome::Unrecorded
            }
        }
    }
}
