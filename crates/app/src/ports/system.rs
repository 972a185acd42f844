//! Time and randomness, passed in so tests fix them.

use chrono::{DateTime, Utc};
use portico_domain::SecretToken;
use uuid::Uuid;

/// The current time.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// Cryptographic randomness.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait TokenSource: Send + Sync {
    /// A fresh 256-bit token from a CSPRNG.
    fn token(&self) -> SecretToken;

    /// A 32-byte seed from a CSPRNG, for a local RNG that generates many
    /// values (random passwords) without a call per value.
    fn seed(&self) -> [u8; 32];

    /// A fresh UUID v7 (time-ordered) for a new row.
    fn uuid(&self) -> Uuid;
}

/// Whether the server's dependencies answer (the database above all).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait HealthCheck: Send + Sync {
    /// Checks the dependencies.
    ///
    /// # Errors
    /// The first dependency that does not answer.
    async fn check(&self) -> Result<(), crate::BoxError>;
}
