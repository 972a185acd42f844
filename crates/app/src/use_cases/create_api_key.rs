//! Create a staff member with an API key: the key is shown once, stored hashed.

use std::sync::Arc;

use portico_domain::{MerchantId, Role, StaffUserId};

use super::authenticate_staff::format_api_key;
use crate::{
    ApiKeyRepository, BoxError, Clock, MerchantRepository, NewApiKey, RepositoryError, StaffPrincipal, TokenSource,
};

/// A new key: the secret (shown once) and who holds it.
#[derive(Clone, PartialEq, Eq)]
pub struct CreatedApiKey {
    /// The secret key, for the `Authorization: Bearer` header.
    pub key: String,
    /// Its holder.
    pub principal: StaffPrincipal,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey").field("key", &"<redacted>").field("principal", &self.principal).finish()
    }
}

/// Why no key was made.
#[derive(Debug, thiserror::Error)]
pub enum CreateApiKeyError {
    /// The named merchant does not exist, or there is none at all.
    #[error("no such merchant; run the migrations first, which create the default one")]
    MerchantNotFound,
    /// An infrastructure failure.
    #[error("creating the API key failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for CreateApiKeyError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports it needs.
#[derive(Clone)]
pub struct CreateApiKey {
    /// API keys.
    pub keys: Arc<dyn ApiKeyRepository>,
    /// Merchants.
    pub merchants: Arc<dyn MerchantRepository>,
    /// Randomness.
    pub tokens: Arc<dyn TokenSource>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for CreateApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateApiKey").finish_non_exhaustive()
    }
}

impl CreateApiKey {
    /// Makes a key for `merchant`, or for the oldest merchant when `None`.
    ///
    /// # Errors
    /// [`CreateApiKeyError`].
    pub async fn execute(
        &self,
        merchant: Option<MerchantId>,
        role: Role,
        name: &str,
    ) -> Result<CreatedApiKey, CreateApiKeyError> {
        let merchant_id = match merchant {
            Some(id) => self.merchants.get(id).await?.ok_or(CreateApiKeyError::MerchantNotFound)?.id,
            None => self.merchants.list().await?.first().ok_or(CreateApiKeyError::MerchantNotFound)?.id,
        };
        let token = self.tokens.token();
        let staff_user_id = StaffUserId::from_uuid(self.tokens.uuid());
        let id = self.tokens.uuid();
        let principal = StaffPrincipal { merchant_id, staff_user_id, role, api_key_id: id };
        let key = NewApiKey {
            id,
            principal: principal.clone(),
            name: name.trim().chars().filter(|c| !c.is_control()).take(100).collect(),
            hash: token.hash(),
            created_at: self.clock.now(),
        };
        self.keys.create(&key).await?;
        Ok(CreatedApiKey { key: format_api_key(&token), principal })
    }
}
