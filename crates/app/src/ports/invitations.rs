//! Invitations, their audit trail, logins, and bulk batches.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::{
    BatchId, Contact, ContactId, ContactStanding, Customer, CustomerId, Invitation, InvitationEvent, InvitationId,
    InvitationStatus, Login, MerchantId, SkipReason, TokenHash, Username,
};

use crate::{OutboxEmail, Page, PageRequest, RepositoryError};

/// Whom a send is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// These contacts.
    Contacts(Vec<ContactId>),
    /// The primary contact of each of these customers.
    Customers(Vec<CustomerId>),
    /// The primary contact of every customer of the merchant.
    All,
}

/// A contact to consider for an invitation, with what eligibility needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRecord {
    /// The contact's customer.
    pub customer: Customer,
    /// The contact.
    pub contact: Contact,
    /// Login and invitation facts.
    pub standing: ContactStanding,
}

/// An invitation to write with the event that changed it and, when the change
/// sends an email, that email: all three in one transaction.
#[derive(Clone, Debug)]
pub struct InvitationWrite {
    /// The invitation as it is now.
    pub invitation: Invitation,
    /// The audit event.
    pub event: InvitationEvent,
    /// The email the change sends, if any.
    pub email: Option<OutboxEmail>,
}

/// A row of the invitation list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationSummary {
    /// The invitation.
    pub invitation: Invitation,
    /// Its status at the query's instant.
    pub status: InvitationStatus,
    /// Delivery of its latest email.
    pub delivery: Option<crate::DeliveryStatus>,
}

/// Stores invitations with their audit trail; every write is atomic with its
/// outbox email.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait InvitationRepository: Send + Sync {
    /// Contacts of a selection with their standing, in contact-id order,
    /// starting after `after`, at most `limit` of them (keyset paging, so a
    /// selection of 100,000 never loads at once). For [`Selection::All`] and
    /// [`Selection::Customers`] these are primary contacts.
    ///
    /// # Errors
    /// On a storage failure.
    async fn candidates(
        &self,
        merchant: MerchantId,
        selection: &Selection,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<Vec<CandidateRecord>, RepositoryError>;

    /// Inserts new invitations, their `issued` events and emails in one
    /// transaction.
    ///
    /// # Errors
    /// `Conflict` when a contact already has an open invitation (the database's
    /// second line of defence); nothing is written then.
    async fn insert(&self, merchant: MerchantId, writes: &[InvitationWrite]) -> Result<(), RepositoryError>;

    /// Saves a changed invitation, its event and email in one transaction.
    ///
    /// # Errors
    /// `Conflict` when the invitation does not exist for this merchant.
    async fn update(&self, merchant: MerchantId, write: &InvitationWrite) -> Result<(), RepositoryError>;

    /// An invitation by id.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find(&self, merchant: MerchantId, id: InvitationId) -> Result<Option<Invitation>, RepositoryError>;

    /// The invitation that issued a token, current or retired. Links carry no
    /// merchant, so this is the one unscoped lookup: the hash is the secret.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find_by_token(&self, hash: &TokenHash) -> Result<Option<Invitation>, RepositoryError>;

    /// A page of invitations, newest first, optionally of one status at `now`.
    ///
    /// # Errors
    /// On a storage failure.
    async fn list(
        &self,
        merchant: MerchantId,
        status: Option<InvitationStatus>,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<InvitationSummary>, RepositoryError>;

    /// The audit trail of an invitation, oldest first.
    ///
    /// # Errors
    /// On a storage failure.
    async fn events(&self, merchant: MerchantId, id: InvitationId) -> Result<Vec<InvitationEvent>, RepositoryError>;
}

/// Stores portal logins.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait LoginRepository: Send + Sync {
    /// A login by username.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find_by_username(
        &self,
        merchant: MerchantId,
        username: &Username,
    ) -> Result<Option<Login>, RepositoryError>;

    /// Which of `usernames` already belong to a login or an open credentials
    /// invitation of the merchant.
    ///
    /// # Errors
    /// On a storage failure.
    async fn taken(&self, merchant: MerchantId, usernames: &[Username]) -> Result<HashSet<Username>, RepositoryError>;

    /// Creates or updates a login with its customer links.
    ///
    /// # Errors
    /// `Conflict` when another login has the username.
    async fn save(&self, login: &Login) -> Result<(), RepositoryError>;
}

/// What a bulk batch invites.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BatchSpec {
    /// The plan, serialised by the use case (mode, patterns, recipient).
    pub plan: serde_json::Value,
    /// The selection, serialised by the use case.
    pub selection: serde_json::Value,
}

/// Where a batch is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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
    pub lease: Option<uuid::Uuid>,
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
