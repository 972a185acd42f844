//! Accepting an invitation: the invitation and the login it creates or links
//! change together.

use async_trait::async_trait;
use portico_domain::{Login, MerchantId};

use crate::{InvitationWrite, RepositoryError};

/// Stores an acceptance atomically.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AcceptanceRepository: Send + Sync {
    /// In one transaction: saves the accepted invitation with its event, and
    /// creates the login or, when it exists, links the invitation's customer
    /// to it.
    ///
    /// # Errors
    /// `Conflict` when a new login's username was taken meanwhile, or the
    /// invitation changed since it was read; nothing is written then.
    async fn accept(&self, merchant: MerchantId, write: &InvitationWrite, login: &Login)
    -> Result<(), RepositoryError>;
}
