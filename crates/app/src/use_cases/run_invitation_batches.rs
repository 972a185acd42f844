//! The batch worker: claims a queued batch (or one whose worker died) and
//! carries it out chunk by chunk. Each chunk — its invitations, audit events,
//! outbox emails, progress and cursor — is one transaction, so a crash or
//! restart resumes after the last written chunk and nobody is invited twice.

use std::sync::Arc;

use chrono::TimeDelta;
use portico_domain::{BatchId, ContactId};

use super::batch_spec;
use super::invite_contacts::{CHUNK_SIZE, InviteContacts, InviteContactsError};
use crate::{Batch, BatchChunk, BatchRepository, BoxError, OutboxWaker, RepositoryError, Selection};

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

/// The worker's ports and settings.
#[derive(Clone)]
pub struct RunInvitationBatches {
    /// Batches.
    pub batches: Arc<dyn BatchRepository>,
    /// Planning each chunk (eligibility, credentials, emails).
    pub invite: InviteContacts,
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

impl RunInvitationBatches {
    /// Claims one batch and works it to the end. `Ok(None)` when no batch waits.
    ///
    /// # Errors
    /// [`RunInvitationBatchError`]; a batch that can never succeed (its
    /// merchant is gone, the portal was disabled, its spec is unreadable) is
    /// marked failed instead.
    pub async fn run_once(&self) -> Result<Option<BatchId>, RunInvitationBatchError> {
        let now = self.invite.clock.now();
        let Some(mut batch) = self.batches.claim(now, now + self.lease).await? else {
            return Ok(None);
        };
        let (selection, plan, actor) = match batch_spec::decode(&batch.spec) {
            Ok(spec) => spec,
            Err(e) => return self.fail(&batch, &e.to_string()).await,
        };
        let merchant = match self.invite.merchant(batch.merchant_id).await {
            Ok(merchant) => merchant,
            Err(e @ (InviteContactsError::MerchantNotFound | InviteContactsError::PortalDisabled)) => {
                return self.fail(&batch, &e.to_string()).await;
            }
            Err(InviteContactsError::Unexpected(e)) => return Err(RunInvitationBatchError::Unexpected(e)),
        };
        loop {
            let candidates =
                self.invite.invitations.candidates(merchant.id, &selection, batch.cursor, CHUNK_SIZE).await?;
            let done = candidates.len() < CHUNK_SIZE as usize;
            let cursor = candidates.last().map(|c| c.contact.id).or(batch.cursor);
            let ids: Vec<ContactId> = candidates.iter().map(|c| c.contact.id).collect();
            let planned = self.invite.plan_chunk(&merchant, actor, &plan, &candidates).await.map_err(unexpected)?;
            let chunk = BatchChunk { writes: planned.writes, skipped: planned.skipped, cursor, done };
            if !self.record(&batch, &chunk).await? {
                // A single invite raced this chunk for one of its contacts:
                // plan the chunk again from fresh standing.
                let fresh = self
                    .invite
                    .invitations
                    .candidates(merchant.id, &Selection::Contacts(ids), None, CHUNK_SIZE)
                    .await?;
                let planned = self.invite.plan_chunk(&merchant, actor, &plan, &fresh).await.map_err(unexpected)?;
                let retry = BatchChunk { writes: planned.writes, skipped: planned.skipped, cursor, done };
                if !self.record(&batch, &retry).await? {
                    return Err(RunInvitationBatchError::Unexpected("the chunk conflicted twice".into()));
                }
            }
            batch.cursor = cursor;
            if done {
                return Ok(Some(batch.id));
            }
        }
    }

    /// Writes a chunk; `Ok(false)` on a conflict with a concurrent writer.
    async fn record(&self, batch: &Batch, chunk: &BatchChunk) -> Result<bool, RunInvitationBatchError> {
        let lease_until = self.invite.clock.now() + self.lease;
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

fn unexpected(error: InviteContactsError) -> RunInvitationBatchError {
    match error {
        InviteContactsError::Unexpected(e) => RunInvitationBatchError::Unexpected(e),
        other => RunInvitationBatchError::Unexpected(other.into()),
    }
}
