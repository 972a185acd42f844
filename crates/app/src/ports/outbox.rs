//! The transactional outbox: emails written with the state change that causes
//! them, delivered later by a dispatcher.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::{EmailAddress, InvitationId, MerchantId, OutboxMessageId};
use uuid::Uuid;

use crate::{MailKind, RepositoryError};

/// A rendered email ready to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEmail {
    /// Id of the outbox row.
    pub id: OutboxMessageId,
    /// The merchant sending it.
    pub merchant_id: MerchantId,
    /// What kind of email it is.
    pub kind: MailKind,
    /// The recipient's address.
    pub to: EmailAddress,
    /// The recipient's display name (may be empty).
    pub to_name: String,
    /// Subject.
    pub subject: String,
    /// HTML part.
    pub html: String,
    /// Plain-text part.
    pub text: String,
    /// The invitation it belongs to, for delivery tracking.
    pub invitation_id: Option<InvitationId>,
}

/// Where an email is in its delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting to be sent (maybe after failed attempts).
    Queued {
        /// Attempts so far.
        attempts: u32,
        /// The last transient error, if any.
        last_error: Option<String>,
    },
    /// Accepted by the mail server.
    Sent {
        /// When.
        at: DateTime<Utc>,
    },
    /// Given up on.
    Failed {
        /// The last error.
        error: String,
    },
}

/// A claimed email: the dispatcher owns it until its lease ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedEmail {
    /// The email.
    pub email: OutboxEmail,
    /// Attempts before this one.
    pub attempts: u32,
    /// Proof of ownership: completing with another lease fails.
    pub lease: Uuid,
    /// When the lease ends: after that another dispatcher may claim the
    /// email, so it must not be sent any more under this claim.
    pub lease_until: DateTime<Utc>,
}

/// The queue the outbox dispatcher works: claim due emails under a lease,
/// then record each outcome. Implementations MUST never hand one row to two
/// claimers whose leases overlap, MUST ignore a completion whose lease is no
/// longer the row's, and MUST never delete a failed row.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OutboxQueue: Send + Sync {
    /// Claims up to `limit` queued emails due at `now` (or whose lease has
    /// expired), leasing them until `lease_until`. Oldest due first.
    /// Invitation emails of a merchant whose portal is switched off are held:
    /// they stay queued, unclaimed, until it is on again. A row that cannot
    /// be read back as an email is failed with the reason instead of being
    /// handed out, so it cannot stall the queue.
    ///
    /// # Errors
    /// On a storage failure.
    async fn claim(
        &self,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEmail>, RepositoryError>;

    /// Extends the lease of emails of one claim to `until`; answers those
    /// still held (an email whose lease is no longer `lease` is left out: it
    /// must not be sent under this claim any more).
    ///
    /// # Errors
    /// On a storage failure.
    async fn renew(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError>;

    /// Marks emails of one claim sent; answers those recorded (an email
    /// whose lease is no longer `lease` is left out). Their bodies are
    /// cleared: they may carry a link token or a first password, which must
    /// not stay at rest once delivered.
    ///
    /// # Errors
    /// On a storage failure.
    async fn mark_sent(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError>;

    /// Records a failed attempt: queued again at `retry_at`, or failed for
    /// good when `retry_at` is `None`. The error is kept for staff to see;
    /// an email failed for good loses its body, as a sent one does (it may
    /// hold a link token or a first password), and keeps its recipient and kind.
    ///
    /// # Errors
    /// `LeaseLost` when the lease is no longer this claim's.
    async fn mark_failed(
        &self,
        id: OutboxMessageId,
        lease: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError>;

    /// Gives a claimed email back unsent (shutdown), due at once.
    ///
    /// # Errors
    /// `LeaseLost` when the lease is no longer this claim's.
    async fn release(&self, id: OutboxMessageId, lease: Uuid) -> Result<(), RepositoryError>;
}

/// Tells whoever delivers the outbox that emails were just queued, so they
/// leave now instead of at the next poll. A hint only: an implementation
/// MUST NOT block, and a lost wake-up only delays delivery until the poll.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait OutboxWaker: Send + Sync {
    /// Emails were queued.
    fn wake(&self);
}
