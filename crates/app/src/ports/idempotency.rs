//! Idempotency keys: a retried POST with the same key gets the first answer
//! instead of doing the work twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::RepositoryError;

/// A key this request claimed: its answer is stored, or the key forgotten,
/// through this claim only, so a request that outlived its claim (another
/// took the key over) cannot overwrite the newer one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedKey {
    /// The caller the key belongs to (an API key's id).
    pub scope: String,
    /// The key the client sent.
    pub key: String,
    /// This claim of it.
    pub claim: Uuid,
}

/// What claiming a key found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new: go ahead, then complete or abandon the claim.
    Started(ClaimedKey),
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

/// Stores idempotency keys, scoped to the caller (an API key's id), for a
/// retention the implementation states. Implementations MUST make `claim`
/// atomic: of two concurrent claims of one key, exactly one gets `Started`
/// (insert first, then look).
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

    /// Stores the answer of a claim; nothing when the claim is no longer the key's.
    ///
    /// # Errors
    /// On a storage failure.
    async fn complete(&self, claimed: &ClaimedKey, status: u16, body: &[u8]) -> Result<(), RepositoryError>;

    /// Forgets a claimed key whose request failed on our side (or was told
    /// to retry later), so a retry runs; nothing when the claim is no longer
    /// the key's.
    ///
    /// # Errors
    /// On a storage failure.
    async fn abandon(&self, claimed: &ClaimedKey) -> Result<(), RepositoryError>;

    /// Deletes every key older than the retention at `now`; answers how many.
    ///
    /// # Errors
    /// On a storage failure.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, RepositoryError>;
}
