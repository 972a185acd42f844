//! Portal logins: a person's sign-in, which may reach several customers.

use std::collections::HashSet;

use async_trait::async_trait;
use portico_domain::{Login, MerchantId, Username};

use crate::RepositoryError;

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

    /// Creates or updates a login and adds its customer links (a link is
    /// never removed here, so a concurrent link is never lost).
    ///
    /// # Errors
    /// `Conflict` when another login has the username.
    async fn save(&self, login: &Login) -> Result<(), RepositoryError>;
}
