//! # portico-crypto
//!
//! The system adapters of Portico's ports: argon2id password hashing
//! ([`Argon2PasswordHasher`]), the operating system's CSPRNG
//! ([`OsTokenSource`]) and the wall clock ([`SystemClock`]).

use std::sync::{Arc, Mutex, PoisonError};

use argon2::password_hash::PasswordVerifier as _;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash as Phc, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use getrandom::SysRng;
use getrandom::rand_core::UnwrapErr;
use portico_app::{BoxError, Clock, PasswordHasher, TokenSource};
use portico_domain::{PasswordHash, SecretToken};
use tokio::sync::Semaphore;
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
///
/// At most one hash per core runs at once, and each reuses the work memory of
/// an earlier one: a fresh 19 MiB per hash, freed on whichever blocking
/// thread ran it, would stay cached in many allocator arenas (hundreds of MiB
/// after a bulk send in credentials mode).
#[derive(Clone, Debug)]
pub struct Argon2PasswordHasher {
    argon2: Arc<Argon2<'static>>,
    permits: Arc<Semaphore>,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

/// The algorithm and version of every hash made here.
const ALGORITHM: Algorithm = Algorithm::Argon2id;
const VERSION: Version = Version::V0x13;
/// Salt length in bytes (the PHC string format's recommendation).
const SALT_LEN: usize = 16;

impl Argon2PasswordHasher {
    /// The recommended parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::with_params(Params::DEFAULT)
    }

    /// Custom parameters (tests and benchmarks may lower the cost).
    #[must_use]
    pub fn with_params(params: Params) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self {
            argon2: Arc::new(Argon2::new(ALGORITHM, VERSION, params)),
            permits: Arc::new(Semaphore::new(cores)),
            memory: Arc::default(),
        }
    }
}

impl Default for Argon2PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// Hashes `password` with a fresh salt into a PHC string, in `blocks`.
fn hash_in(argon2: &Argon2<'_>, password: &[u8], blocks: &mut [Block]) -> Result<String, BoxError> {
    let mut salt = [0_u8; SALT_LEN];
    getrandom::fill(&mut salt).map_err(|e| BoxError::from(format!("no randomness for a salt: {e}")))?;
    let mut buffer = [0_u8; Output::MAX_LENGTH];
    let len = argon2.params().output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let out = buffer.get_mut(..len).ok_or("the hash output length is out of range")?;
    argon2.hash_password_into_with_memory(password, &salt, out, blocks).map_err(|e| BoxError::from(e.to_string()))?;
    let phc = Phc {
        algorithm: ALGORITHM.ident(),
        version: Some(VERSION.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| BoxError::from(e.to_string()))?,
        salt: Some(Salt::new(&salt).map_err(|e| BoxError::from(e.to_string()))?),
        hash: Some(Output::new(out).map_err(|e| BoxError::from(e.to_string()))?),
    };
    Ok(phc.to_string())
}

#[async_trait]
impl PasswordHasher for Argon2PasswordHasher {
    async fn hash(&self, password: &str) -> Result<PasswordHash, BoxError> {
        let _permit = self.permits.acquire().await?;
        let (argon2, memory) = (Arc::clone(&self.argon2), Arc::clone(&self.memory));
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            // Never more buffers than permits: each is taken back before its permit ends.
            let reused = memory.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut blocks = reused.unwrap_or_else(|| vec![Block::default(); argon2.params().block_count()]);
            let phc = hash_in(&argon2, password.as_bytes(), &mut blocks);
            memory.lock().unwrap_or_else(PoisonError::into_inner).push(blocks);
            phc.map(PasswordHash::from_phc)
        })
        .await?
    }

    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, BoxError> {
        let _permit = self.permits.acquire().await?;
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_hashes_share_bounded_memory_and_each_verifies() {
        let hasher = Argon2PasswordHasher::with_params(Params::new(64, 1, 1, None).unwrap());
        let passwords: Vec<String> = (0..16).map(|i| format!("password {i}")).collect();
        let hashes = futures_util::future::join_all(passwords.iter().map(|p| hasher.hash(p))).await;
        for (password, hash) in passwords.iter().zip(&hashes) {
            let hash = hash.as_ref().unwrap();
            assert!(hash.as_phc().starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{}", hash.as_phc());
            assert!(hasher.verify(password, hash).await.unwrap());
            assert!(!hasher.verify("another", hash).await.unwrap());
        }
        let buffers = hasher.memory.lock().unwrap().len();
        assert!((1..=hasher.permits.available_permits()).contains(&buffers), "{buffers} work buffers");
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
