//! # portico-crypto
//!
//! The ports that reach the machine: [`SystemClock`] (the wall clock),
//! [`OsTokenSource`] (a CSPRNG seeded by the OS) and [`Argon2PasswordHasher`]
//! (argon2id, run off the async executor's threads).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{BoxError, Clock, PasswordHasher, TokenSource};
use portico_domain::{PasswordHash, SecretToken};
use rand_core::Rng;
use uuid::Uuid;

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Randomness from the thread-local CSPRNG, which the OS seeds and reseeds.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsTokenSource;

impl TokenSource for OsTokenSource {
    fn token(&self) -> SecretToken {
        SecretToken::generate(&mut rand::rng())
    }

    fn seed(&self) -> [u8; 32] {
        let mut seed = [0_u8; 32];
        rand::rng().fill_bytes(&mut seed);
        seed
    }

    fn uuid(&self) -> Uuid {
        Uuid::now_v7()
    }
}

/// argon2id with the crate's default parameters (OWASP's recommendation).
#[derive(Clone, Copy, Debug, Default)]
pub struct Argon2PasswordHasher;

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &str) -> Result<PasswordHash, BoxError> {
        let password = password.to_owned();
        // Tens of milliseconds of CPU: keep it off the executor's threads.
        let phc = tokio::task::spawn_blocking(move || {
            use argon2::password_hash::PasswordHasher as _;
            argon2::Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string())
        })
        .await?
        .map_err(|e| -> BoxError { e.to_string().into() })?;
        Ok(PasswordHash::from_phc(phc))
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, BoxError> {
        let password = password.to_owned();
        let phc = hash.as_phc().to_owned();
        tokio::task::spawn_blocking(move || {
            use argon2::password_hash::PasswordVerifier as _;
            let parsed = argon2::password_hash::phc::PasswordHash::new(&phc).map_err(|e| -> BoxError { e.to_string().into() })?;
            Ok(argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = Argon2PasswordHasher;
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$"));
        assert!(hasher.verify("correct horse", &hash).await.unwrap());
        assert!(!hasher.verify("wrong horse", &hash).await.unwrap());
        assert!(hasher.verify("x", &PasswordHash::from_phc("not a phc".into())).await.is_err());
    }

    #[test]
    fn tokens_and_seeds_differ_between_calls() {
        let source = OsTokenSource;
        assert_ne!(source.token(), source.token());
        assert_ne!(source.seed(), source.seed());
        assert_ne!(source.uuid(), source.uuid());
    }
}
