//! The outbox [`Dispatcher`]: claims queued emails, sends them concurrently
//! within a global rate limit, and records each outcome on its row.
//!
//! Work is shared through claims with leases, never through locks held across
//! a send, so any number of dispatchers (in one process or many) can run side
//! by side. A dispatcher renews the leases of its unfinished emails while it
//! works and never starts a send with too little lease left, so a slow server
//! cannot make two dispatchers send one email. Delivery is at least once: a
//! dispatcher that dies between the server's acceptance and the commit that
//! records it leaves the email to be sent again when the lease ends; the
//! stable `Message-ID` lets receivers spot that.

mod deliver;
mod lease;
mod pacing;
mod report;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use portico_app::{Clock, OutboxQueue, OutboxWaker, RepositoryError};
use portico_domain::OutboxMessageId;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::transport::MailTransport;
use deliver::Delivery;
use lease::Held;
use pacing::RateLimiter;
use report::Outcome;
pub use report::{DispatcherConfig, DrainReport};

/// Delivers the outbox.
#[derive(Clone, Debug)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    outbox: Arc<dyn OutboxQueue>,
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
        outbox: Arc<dyn OutboxQueue>,
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

/// The batch worker (or anything else that queues emails) wakes the
/// dispatcher through the application's port.
impl OutboxWaker for Dispatcher {
    fn wake(&self) {
        Self::wake(self);
    }
}

/// A group of sends being recorded: resolves to (sent, unrecorded).
type Recording = Pin<Box<dyn Future<Output = (usize, usize)> + Send>>;

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

    /// How long before its lease ends an email is no longer sent: the
    /// longest a send may take, at most half the lease.
    fn margin(&self) -> Duration {
        self.config.lease_margin.min(self.config.lease / 2)
    }

    async fn batch(self: Arc<Self>, stop: &watch::Receiver<bool>) -> Result<DrainReport, RepositoryError> {
        let now = self.clock.now();
        let claimed = self.outbox.claim(self.claim_limit(), now, after(now, self.config.lease)).await?;
        let mut report = DrainReport { claimed: claimed.len(), ..DrainReport::default() };
        let held = Arc::new(Held::new(&claimed));
        let mut tasks = JoinSet::new();
        for email in claimed {
            tasks.spawn(self.clone().deliver(email, held.clone(), stop.clone()));
        }
        // The leases are renewed while sends last, three times per lease.
        let mut heartbeat = tokio::time::interval((self.config.lease / 3).max(Duration::from_millis(1)));
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        heartbeat.tick().await;
        // Accepted sends are recorded in groups, group commit style: those
        // accepted while the previous group was being written go together.
        // When idle each send is recorded at once; under load one statement
        // records many, instead of one round trip to storage per email.
        let mut accepted: Vec<OutboxMessageId> = Vec::new();
        let mut recording: Option<Recording> = None;
        let mut sending = true;
        loop {
            if recording.is_none() && !accepted.is_empty() {
                recording = Some(Box::pin(self.clone().record_sent(held.clone(), std::mem::take(&mut accepted))));
            }
            if !sending && recording.is_none() {
                return Ok(report);
            }
            let recorded = async {
                match recording.as_mut() {
                    Some(recording) => recording.await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                joined = tasks.join_next(), if sending => match joined {
                    None => sending = false,
                    Some(Ok(Delivery::Accepted(id))) => accepted.push(id),
                    Some(Ok(Delivery::Done(outcome))) => report.add(outcome),
                    Some(Err(error)) => {
                        tracing::error!(error = &error as &dyn std::error::Error, "an outbox delivery task failed");
                        report.add(Outcome::Unrecorded);
                    }
                },
                (sent, unrecorded) = recorded => {
                    recording = None;
                    report.sent += sent;
                    report.unrecorded += unrecorded;
                }
                _ = heartbeat.tick() => {
                    held.renew(&*self.outbox, after(self.clock.now(), self.config.lease)).await;
                }
            }
        }
    }
}
