//! # portico-crypto
//!
//! The system adapters of Portico's ports: argon2id password hashing
//! ([`Argon2PasswordHasher`]), the operating system's CSPRNG
//! ([`OsTokenSource`]) and the wall clock ([`SystemClock`]).

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use getrandom::SysRng;
use getrandom::rand_core::UnwrapErr;
use portico_app::{BoxError, Clock, PasswordHasher, TokenSource};
use portico_domain::{PasswordHash, SecretToken};
use uuid::Uuid;

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Randomness from the operating system.
///
/// The port's methods are infallible: if the kernel's CSPRNG ever fails, this
/// panics rather than hand out a predictable token.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsTokenSource;

impl TokenSource for OsTokenSource {
    fn token(&self) -> SecretToken {
        SecretToken::generate(&mut UnwrapErr(SysRng))
    }

    fn seed(&self) -> [u8; 32] {
        let mut seed = [0_u8; 32];
        getrandom::rand_core::Rng::fill_bytes(&mut UnwrapErr(SysRng), &mut seed);
        seed
    }

    fn uuid(&self) -> Uuid {
        Uuid::now_v7()
    }
}

/// argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane),
/// run on tokio's blocking pool so a hash never stalls the executor.
#[derive(Clone, Debug)]
pub struct Argon2PasswordHasher {
    argon2: Arc<Argon2<'static>>,
}

impl Argon2PasswordHasher {
    /// The recommended parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::with_params(Params::DEFAULT)
    }

    /// Custom parameters (tests and benchmarks may lower the cost).
    #[must_use]
    pub fn with_params(params: Params) -> Self {
        Self { argon2: Arc::new(Argon2::new(Algorithm::Argon2id, Version::V0x13, params)) }
    }
}

impl Default for Argon2PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &str) -> Result<PasswordHash, BoxError> {
        let argon2 = Arc::clone(&self.argon2);
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|phc| PasswordHash::from_phc(phc.to_string()))
                .map_err(|e| BoxError::from(e.to_string()))
        })
        .await?
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, BoxError> {
        let argon2 = Arc::clone(&self.argon2);
        let password = password.to_owned();
        let phc = hash.as_phc().to_owned();
        tokio::task::spawn_blocking(move || {
            let parsed = Phc::new(&phc).map_err(|e| BoxError::from(format!("stored hash is not a PHC string: {e}")))?;
            Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = Argon2PasswordHasher::new();
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$v=19$"));
        assert!(hasher.verify("correct horse", &hash).await.unwrap());
        assert!(!hasher.verify("wrong horse", &hash).await.unwrap());
        let again = hasher.hash("correct horse").await.unwrap();
        assert_ne!(hash, again, "each hash has its own salt");
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        let hasher = Argon2PasswordHasher::new();
        assert!(hasher.verify("x", &PasswordHash::from_phc("not-a-hash".into())).await.is_err());
    }

    #[test]
    fn tokens_and_ids_are_fresh_each_time() {
        let source = OsTokenSource;
        assert_ne!(source.token(), source.token());
        assert_ne!(source.seed(), source.seed());
        let (a, b) = (source.uuid(), source.uuid());
        assert_ne!(a, b);
        assert_eq!(a.get_version_num(), 7);
    }
}
