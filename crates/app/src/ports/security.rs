//! Password hashing.

use async_trait::async_trait;
use portico_domain::PasswordHash;

use crate::BoxError;

/// Hashes and verifies passwords with argon2id. Implementations MUST run the
/// hash off the async executor's threads (it takes tens of milliseconds).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password with a fresh salt.
    ///
    /// # Errors
    /// Only on an internal failure of the hasher.
    async fn hash(&self, password: &str) -> Result<PasswordHash, BoxError>;

    /// Whether `password` matches `hash`, in constant time.
    ///
    /// # Errors
    /// When `hash` is not a valid PHC string.
    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, BoxError>;
}
