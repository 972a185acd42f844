//! Idempotency keys: a retried POST with the same key gets the first answer
//! instead of doing the work twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::RepositoryError;

/// What claiming a key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new: go ahead, then complete or abandon it.
    Started,
    /// The same request completed before: answer this.
    Replay {
        /// The first answer's status.
        status: u16,
        /// The first answer's body.
        body: Vec<u8>,
    },
    /// The same key is being processed right now.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

/// Stores idempotency keys, scoped to the caller (an API key's hash).
/// Implementations MUST make `claim` atomic: of two concurrent claims of one
/// key, exactly one gets `Started` (insert first, then look).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait IdempotencyRepository: Send + Sync {
    /// Claims `key` for a request with `fingerprint`.
    ///
    /// # Errors
    /// On a storage failure.
    async fn claim(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, RepositoryError>;

    /// Stores the answer of a started key.
    ///
    /// # Errors
    /// On a storage failure.
    async fn complete(&self, scope: &str, key: &str, status: u16, body: &[u8]) -> Result<(), RepositoryError>;

    /// Forgets a started key whose request failed on our side, so a retry runs.
    ///
    /// # Errors
    /// On a storage failure.
    async fn abandon(&self, scope: &str, key: &str) -> Result<(), RepositoryError>;
}
