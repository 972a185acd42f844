//! Bulk invitation batches: the request, its progress, and the chunks a
//! worker writes under its lease.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::{Actor, BatchId, ContactId, InvitePlan, MerchantId, SkipReason};
use uuid::Uuid;

use crate::{InvitationWrite, RepositoryError, Selection};

/// What a bulk batch invites: the request as staff made it, kept typed (the
/// storage adapter chooses how to write it down).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchSpec {
    /// Whom to invite.
    pub selection: Selection,
    /// Mode, patterns, recipient.
    pub plan: InvitePlan,
    /// Who asked (recorded on every invitation's `issued` event).
    pub actor: Actor,
}

/// Where a batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BatchState {
    /// Waiting for a worker.
    Queued,
    /// A worker is on it.
    Running,
    /// Every contact was handled.
    Completed,
    /// Stopped on an error that retrying will not fix.
    Failed,
}

/// Counts of a batch so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchProgress {
    /// Contacts considered so far.
    pub total: u64,
    /// Invitations written.
    pub invited: u64,
    /// Skipped, by reason.
    pub skipped: Vec<(SkipReason, u64)>,
    /// Contacts that failed unexpectedly.
    pub failed: u64,
    /// Invitations of the batch whose email has been sent.
    pub emails_sent: u64,
}

/// A bulk invitation batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Id.
    pub id: BatchId,
    /// Merchant.
    pub merchant_id: MerchantId,
    /// What it invites.
    pub spec: BatchSpec,
    /// Where it is.
    pub state: BatchState,
    /// Progress.
    pub progress: BatchProgress,
    /// The last contact handled: processing resumes after it.
    pub cursor: Option<ContactId>,
    /// Why it failed.
    pub error: Option<String>,
    /// The claim that owns it while running; a chunk is written only under it.
    pub lease: Option<Uuid>,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// One processed chunk of a batch: written in one transaction with the
/// invitations, their events and emails, and the new cursor.
#[derive(Clone, Debug)]
pub struct BatchChunk {
    /// New invitations with events and emails.
    pub writes: Vec<InvitationWrite>,
    /// Skipped contacts with reasons.
    pub skipped: Vec<(ContactId, SkipReason)>,
    /// The last contact of the chunk.
    pub cursor: Option<ContactId>,
    /// No contacts remain after this chunk.
    pub done: bool,
}

/// Stores batches; workers claim them with a lease.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait BatchRepository: Send + Sync {
    /// Creates a queued batch unless the merchant has one queued or running
    /// with the same spec; returns the batch and whether it is new.
    ///
    /// # Errors
    /// On a storage failure.
    async fn create_or_get_running(&self, batch: &Batch) -> Result<(Batch, bool), RepositoryError>;

    /// A batch by id.
    ///
    /// # Errors
    /// On a storage failure.
    async fn get(&self, merchant: MerchantId, id: BatchId) -> Result<Option<Batch>, RepositoryError>;

    /// Claims the oldest queued batch, or a running one whose lease expired
    /// (its worker died), setting it running until `lease_until`.
    ///
    /// # Errors
    /// On a storage failure.
    async fn claim(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Batch>, RepositoryError>;

    /// Writes a chunk atomically and extends the lease; completes the batch
    /// when the chunk is the last.
    ///
    /// # Errors
    /// `LeaseLost` when another worker claimed the batch meanwhile; nothing is
    /// written then.
    async fn record_chunk(
        &self,
        batch: &Batch,
        chunk: &BatchChunk,
        lease_until: DateTime<Utc>,
    ) -> Result<(), RepositoryError>;

    /// Marks a batch failed with the reason.
    ///
    /// # Errors
    /// On a storage failure.
    async fn fail(&self, merchant: MerchantId, id: BatchId, reason: &str) -> Result<(), RepositoryError>;
}
