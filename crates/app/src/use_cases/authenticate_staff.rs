//! Who is calling: a bearer API key, looked up by its SHA-256 hash.

use std::sync::Arc;

use portico_domain::SecretToken;

use crate::{ApiKeyRepository, BoxError, RepositoryError, StaffPrincipal};

/// Every API key starts with this, so a leaked one is easy to recognise.
pub const API_KEY_PREFIX: &str = "ptk_";

/// Why the caller is not authenticated.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticateStaffError {
    /// Not of the API key form.
    #[error("the API key is malformed: expected {API_KEY_PREFIX} followed by 64 hexadecimal characters")]
    Malformed,
    /// No key has this hash.
    #[error("the API key is not valid")]
    UnknownKey,
    /// An infrastructure failure.
    #[error("checking the API key failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for AuthenticateStaffError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports it needs.
#[derive(Clone)]
pub struct AuthenticateStaff {
    /// API keys.
    pub keys: Arc<dyn ApiKeyRepository>,
}

impl std::fmt::Debug for AuthenticateStaff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticateStaff").finish_non_exhaustive()
    }
}

/// Parses the secret part of an API key.
///
/// # Errors
/// `Malformed` unless it is the prefix and 64 hex characters.
pub fn parse_api_key(key: &str) -> Result<SecretToken, AuthenticateStaffError> {
    let hex = key.trim().strip_prefix(API_KEY_PREFIX).ok_or(AuthenticateStaffError::Malformed)?;
    SecretToken::parse(hex).map_err(|_| AuthenticateStaffError::Malformed)
}

/// The form handed to the staff member.
#[must_use]
pub fn format_api_key(token: &SecretToken) -> String {
    format!("{API_KEY_PREFIX}{}", token.expose())
}

impl AuthenticateStaff {
    /// The staff member holding this key.
    ///
    /// # Errors
    /// [`AuthenticateStaffError`].
    pub async fn execute(&self, key: &str) -> Result<StaffPrincipal, AuthenticateStaffError> {
        let token = parse_api_key(key)?;
        self.keys.find_by_hash(&token.hash()).await?.ok_or(AuthenticateStaffError::UnknownKey)
    }
}
