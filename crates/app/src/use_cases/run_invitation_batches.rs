//! The batch worker: claims a queued batch (or one whose worker died) and
//! carries it out chunk by chunk. Each chunk — its invitations, audit events,
//! outbox emails, progress and cursor — is one transaction, so a crash or
//! restart resumes after the last written chunk and nobody is invited twice.
//! Every invitation Portico sends goes through this loop.

use std::sync::Arc;

use chrono::TimeDelta;
use portico_domain::{BatchId, ContactId};

use super::invite_contacts::{CHUNK_SIZE, InviteContacts, InviteContactsError};
use crate::{
    Batch, BatchChunk, BatchRepository, BatchSpec, BoxError, CandidateRecord, Clock, InvitationReader, Merchant,
    MerchantRepository, OutboxWaker, RepositoryError, Selection,
};

/// Why a batch run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunInvitationBatchError {
    /// Another worker took the batch over (this one was too slow to renew
    /// its lease); it carries on from the last written chunk.
    #[error("batch {0} was taken over by another worker")]
    LeaseLost(BatchId),
    /// An infrastructure failure; the batch is retried when its lease ends.
    #[error("running the batch failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for RunInvitationBatchError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

impl From<InviteContactsError> for RunInvitationBatchError {
    fn from(error: InviteContactsError) -> Self {
        match error {
            InviteContactsError::Unexpected(e) => Self::Unexpected(e),
        }
    }
}

/// The worker's ports and settings.
#[derive(Clone)]
pub struct RunInvitationBatches {
    /// Batches: claims, chunks, outcomes.
    pub batches: Arc<dyn BatchRepository>,
    /// Merchants and their portal settings.
    pub merchants: Arc<dyn MerchantRepository>,
    /// The contacts of a selection, chunk by chunk.
    pub invitations: Arc<dyn InvitationReader>,
    /// Planning each chunk (eligibility, credentials, emails).
    pub planner: InviteContacts,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// How long a claim lasts without renewal; each chunk renews it.
    pub lease: TimeDelta,
    /// Told after each chunk that queued emails, so they leave at once.
    pub waker: Arc<dyn OutboxWaker>,
}

impl std::fmt::Debug for RunInvitationBatches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunInvitationBatches").field("lease", &self.lease).finish_non_exhaustive()
    }
}

/// A chunk of candidates and where the batch stands after it.
struct Step {
    candidates: Vec<CandidateRecord>,
    cursor: Option<ContactId>,
    done: bool,
}

impl RunInvitationBatches {
    /// Claims one batch and works it to the end. `Ok(None)` when no batch waits.
    ///
    /// # Errors
    /// [`RunInvitationBatchError`]; a batch that can never succeed (its
    /// merchant is gone, the portal was disabled) is marked failed instead.
    pub async fn run_once(&self) -> Result<Option<BatchId>, RunInvitationBatchError> {
        let now = self.clock.now();
        let Some(mut batch) = self.batches.claim(now, now + self.lease).await? else {
            return Ok(None);
        };
        let Some(merchant) = self.merchants.get(batch.merchant_id).await? else {
            return self.fail(&batch, "the merchant does not exist").await;
        };
        if let Err(disabled) = merchant.ensure_portal_enabled() {
            return self.fail(&batch, &format!("{disabled}; no invitation was sent")).await;
        }
        loop {
            let candidates =
                self.invitations.candidates(merchant.id, &batch.spec.selection, batch.cursor, CHUNK_SIZE).await?;
            let done = candidates.len() < CHUNK_SIZE as usize;
            let cursor = candidates.last().map(|c| c.contact.id).or(batch.cursor);
            self.write_chunk(&batch, &merchant, Step { candidates, cursor, done }).await?;
            batch.cursor = cursor;
            if done {
                return Ok(Some(batch.id));
            }
        }
    }

    /// Plans and writes one chunk. When a concurrent writer invited one of
    /// its contacts first (the database refuses a second open invitation),
    /// the chunk is re-read and planned once more, so that contact is
    /// reported as `already_invited` instead of failing the batch.
    async fn write_chunk(&self, batch: &Batch, merchant: &Merchant, step: Step) -> Result<(), RunInvitationBatchError> {
        let Step { candidates, cursor, done } = step;
        let chunk = self.plan(merchant, &batch.spec, &candidates, cursor, done).await?;
        if self.record(batch, &chunk).await? {
            return Ok(());
        }
        let ids: Vec<ContactId> = candidates.iter().map(|c| c.contact.id).collect();
        let fresh = self.invitations.candidates(merchant.id, &Selection::Contacts(ids), None, CHUNK_SIZE).await?;
        let retry = self.plan(merchant, &batch.spec, &fresh, cursor, done).await?;
        if self.record(batch, &retry).await? {
            Ok(())
        } else {
            Err(RunInvitationBatchError::Unexpected("the chunk conflicted twice".into()))
        }
    }

    async fn plan(
        &self,
        merchant: &Merchant,
        spec: &BatchSpec,
        candidates: &[CandidateRecord],
        cursor: Option<ContactId>,
        done: bool,
    ) -> Result<BatchChunk, RunInvitationBatchError> {
        let planned = self.planner.plan_chunk(merchant, spec.actor, &spec.plan, candidates).await?;
        Ok(BatchChunk { writes: planned.writes, skipped: planned.skipped, cursor, done })
    }

    /// Writes a chunk; `Ok(false)` on a conflict with a concurrent writer.
    async fn record(&self, batch: &Batch, chunk: &BatchChunk) -> Result<bool, RunInvitationBatchError> {
        let lease_until = self.clock.now() + self.lease;
        match self.batches.record_chunk(batch, chunk, lease_until).await {
            Ok(()) => {
                if chunk.writes.iter().any(|w| w.email.is_some()) {
                    self.waker.wake();
                }
                Ok(true)
            }
            Err(RepositoryError::Conflict { .. }) => Ok(false),
            Err(RepositoryError::LeaseLost) => Err(RunInvitationBatchError::LeaseLost(batch.id)),
            Err(e) => Err(e.into()),
        }
    }

    async fn fail(&self, batch: &Batch, reason: &str) -> Result<Option<BatchId>, RunInvitationBatchError> {
        self.batches.fail(batch.merchant_id, batch.id, reason).await?;
        Ok(Some(batch.id))
    }
}
