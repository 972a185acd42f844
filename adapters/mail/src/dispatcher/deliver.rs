//! One email's way through the dispatcher: wait for a permit and a slot of
//! the rate limit, check the lease, send, and record the outcome.

use std::sync::Arc;
use std::time::Duration;

use portico_app::ClaimedEmail;
use portico_domain::OutboxMessageId;
use tokio::sync::watch;

use super::lease::Held;
use super::pacing::backoff;
use super::report::Outcome;
use super::{Inner, after, stopped};
use crate::transport::SendError;

/// First wait before recording accepted sends again after storage failed;
/// it doubles up to [`RECORD_RETRY_MAX`].
const RECORD_RETRY_FIRST: Duration = Duration::from_millis(50);
/// Longest wait between two attempts to record accepted sends.
const RECORD_RETRY_MAX: Duration = Duration::from_secs(2);

/// How a delivery task ended.
pub(super) enum Delivery {
    /// The server accepted the email; it is recorded with others.
    Accepted(OutboxMessageId),
    /// Failed, given back or skipped, and recorded (or counted as unrecorded).
    Done(Outcome),
}

impl Inner {
    pub(super) async fn deliver(
        self: Arc<Self>,
        claimed: ClaimedEmail,
        held: Arc<Held>,
        mut stop: watch::Receiver<bool>,
    ) -> Delivery {
        let _permit = tokio::select! {
            biased;
            () = stopped(&mut stop) => return Delivery::Done(self.release(&claimed, &held).await),
            permit = self.permits.acquire() => match permit {
                Ok(permit) => permit,
                Err(_) => return Delivery::Done(self.release(&claimed, &held).await),
            },
        };
        tokio::select! {
            biased;
            () = stopped(&mut stop) => return Delivery::Done(self.release(&claimed, &held).await),
            () = self.limiter.acquire() => {}
        }
        let id = claimed.email.id;
        // Never send with too little lease left: past its end another
        // dispatcher may claim the email and send it too. The heartbeat may
        // simply be late, so renew once before giving up on it.
        if !held.may_send(id, self.clock.now(), self.margin()) {
            held.renew(&*self.outbox, after(self.clock.now(), self.config.lease)).await;
            if !held.may_send(id, self.clock.now(), self.margin()) {
                let lost = held.lost(id);
                held.finish(id);
                tracing::warn!(%id, lost, "not sending an outbox email whose lease ends too soon");
                return Delivery::Done(Outcome::Expired);
            }
        }
        // From here on the send is finished even during shutdown.
        match self.transport.send(&claimed.email, self.clock.now()).await {
            Ok(()) => Delivery::Accepted(id),
            Err(error) => Delivery::Done(self.record(&claimed, &held, error).await),
        }
    }

    /// Records a group of accepted sends, one statement per lease (a claim
    /// usually holds one): (sent, unrecorded). The server has the emails
    /// already, so a storage failure is retried here, never by sending
    /// again, for as long as a lease lasts.
    pub(super) async fn record_sent(
        self: Arc<Self>,
        held: Arc<Held>,
        accepted: Vec<OutboxMessageId>,
    ) -> (usize, usize) {
        let mut by_lease: Vec<(uuid::Uuid, OutboxMessageId)> =
            accepted.iter().filter_map(|&id| held.lease(id).map(|lease| (lease, id))).collect();
        by_lease.sort_unstable();
        let (mut sent, mut unrecorded) = (0, accepted.len() - by_lease.len());
        for group in by_lease.chunk_by(|a, b| a.0 == b.0) {
            let lease = group[0].0;
            let ids: Vec<OutboxMessageId> = group.iter().map(|&(_, id)| id).collect();
            let (recorded, lost) = self.record_group(&held, &ids, lease).await;
            sent += recorded;
            unrecorded += lost;
            for id in ids {
                held.finish(id);
            }
        }
        (sent, unrecorded)
    }

    /// `mark_sent` of one lease's accepted emails, retried with backoff
    /// while storage fails, for at most one lease: (recorded, unrecorded).
    async fn record_group(&self, held: &Held, ids: &[OutboxMessageId], lease: uuid::Uuid) -> (usize, usize) {
        let give_up = after(self.clock.now(), self.config.lease);
        let mut wait = RECORD_RETRY_FIRST;
        loop {
            match self.outbox.mark_sent(ids, lease, self.clock.now()).await {
                Ok(recorded) => {
                    let lost = ids.len().saturating_sub(recorded.len());
                    if lost > 0 {
                        tracing::warn!(lost, "sent outbox emails were no longer under their lease");
                    }
                    return (recorded.len(), lost);
                }
                Err(error) if self.clock.now() < give_up && !ids.iter().all(|&id| held.lost(id)) => {
                    tracing::warn!(
                        count = ids.len(),
                        error = &error as &dyn std::error::Error,
                        "recording sent outbox emails failed; retrying the record, not the send"
                    );
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(RECORD_RETRY_MAX);
                }
                Err(error) => {
                    tracing::error!(
                        count = ids.len(),
                        error = &error as &dyn std::error::Error,
                        "recording sent outbox emails failed for a whole lease; they will be sent again"
                    );
                    return (0, ids.len());
                }
            }
        }
    }

    /// Records a failed send: retried later, or failed for good.
    async fn record(&self, claimed: &ClaimedEmail, held: &Held, error: SendError) -> Outcome {
        let (id, lease) = (claimed.email.id, claimed.lease);
        held.finish(id);
        let attempt = claimed.attempts.saturating_add(1);
        let (stored, outcome) = match error {
            SendError::Transient(error) if attempt < self.config.max_attempts => {
                let wait = backoff(self.config.backoff_base, self.config.backoff_max, attempt, id);
                let retry_at = after(self.clock.now(), wait);
                tracing::info!(%id, attempt, %error, "outbox email failed transiently; retrying");
                (self.outbox.mark_failed(id, lease, &error, Some(retry_at)).await, Outcome::Retrying)
            }
            SendError::Transient(error) => {
                let error = format!("gave up after {attempt} attempts: {error}");
                tracing::warn!(%id, %error, "outbox email failed");
                (self.outbox.mark_failed(id, lease, &error, None).await, Outcome::Failed)
            }
            SendError::Permanent(error) => {
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

    async fn release(&self, claimed: &ClaimedEmail, held: &Held) -> Outcome {
        held.finish(claimed.email.id);
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
