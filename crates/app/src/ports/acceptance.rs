//! Accepting an invitation: the invitation and the login it creates or links
//! change together.

use async_trait::async_trait;
use portico_domain::{Login, LoginId, MerchantId};

use crate::{InvitationWrite, RepositoryError};

/// The login an acceptance signs in to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcceptedLogin {
    /// A new person: this login is created, reaching the invitation's customer.
    New(Login),
    /// The person already has this login: the invitation's customer is added
    /// to the customers it reaches, and nothing else of it changes.
    Existing(LoginId),
}

/// Stores an acceptance atomically.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AcceptanceRepository: Send + Sync {
    /// In one transaction: saves the accepted invitation with its event, and
    /// creates the login or links the invitation's customer to the existing
    /// one. Linking adds one link and rewrites nothing, so two acceptances of
    /// one person at the same moment both keep their customer.
    ///
    /// # Errors
    /// `Conflict` when a new login's username was taken meanwhile, the
    /// existing login is gone, or the invitation changed since it was read;
    /// nothing is written then.
    async fn accept(
        &self,
        merchant: MerchantId,
        write: &InvitationWrite,
        login: &AcceptedLogin,
    ) -> Result<(), RepositoryError>;
}
