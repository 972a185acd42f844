//! Invitations and their audit trail: a writer for the transitions (each
//! atomic with its outbox email) and a reader for the lookups and lists.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::{
    Contact, ContactId, ContactStanding, Customer, CustomerId, Invitation, InvitationEvent, InvitationId,
    InvitationStatus, MerchantId, TokenHash,
};

use crate::{DeliveryStatus, OutboxEmail, Page, PageRequest, RepositoryError};

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

impl Selection {
    /// An explicit list with nobody in it (`All` is never empty).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        match self {
            Self::Contacts(ids) => ids.is_empty(),
            Self::Customers(ids) => ids.is_empty(),
            Self::All => false,
        }
    }
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
    pub delivery: Option<DeliveryStatus>,
}

/// Writes invitations; every write is atomic with its audit event and its
/// outbox email.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait InvitationWriter: Send + Sync {
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
    /// `Conflict` when the invitation does not exist for this merchant, or
    /// changed since it was read.
    async fn update(&self, merchant: MerchantId, write: &InvitationWrite) -> Result<(), RepositoryError>;
}

/// Reads invitations, the contacts a send considers, and audit trails.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait InvitationReader: Send + Sync {
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
