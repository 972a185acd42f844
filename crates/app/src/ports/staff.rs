//! Staff API keys: who calls the admin API, for which merchant, with which role.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::{MerchantId, Role, StaffUserId, TokenHash};
use uuid::Uuid;

use crate::RepositoryError;

/// The staff member behind a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffPrincipal {
    /// The merchant every query of the request is scoped to.
    pub merchant_id: MerchantId,
    /// The staff member.
    pub staff_user_id: StaffUserId,
    /// Their role, which decides the permissions.
    pub role: Role,
    /// The API key the request came with: what its idempotency keys are scoped to.
    pub api_key_id: Uuid,
}

/// A new staff member with one API key, as stored: the key only as its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiKey {
    /// The key's id.
    pub id: Uuid,
    /// Who holds the key.
    pub principal: StaffPrincipal,
    /// A label such as "demo admin".
    pub name: String,
    /// SHA-256 of the secret key.
    pub hash: TokenHash,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Stores staff API keys. Implementations MUST keep only the hash.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ApiKeyRepository: Send + Sync {
    /// Stores a key with its staff member.
    ///
    /// # Errors
    /// `Conflict` when the id or hash exists; a storage failure.
    async fn create(&self, key: &NewApiKey) -> Result<(), RepositoryError>;

    /// The holder of the key with this hash, if any (and not revoked).
    ///
    /// # Errors
    /// On a storage failure.
    async fn find_by_hash(&self, hash: &TokenHash) -> Result<Option<StaffPrincipal>, RepositoryError>;
}
