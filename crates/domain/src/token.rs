//! Secret tokens: 256 random bits sent once, stored only as a SHA-256 hash.

use std::fmt;

use rand_core::CryptoRng;
use sha2::{Digest, Sha256};

/// Why a token string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a token is 64 hexadecimal characters")]
pub struct TokenFormatError;

/// A plain secret token. It exists only between its creation and the email
/// that carries it: `Debug` never prints it, and the aggregate keeps only its
/// [`TokenHash`].
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken([u8; 32]);

impl SecretToken {
    /// Draws a fresh token from a cryptographic RNG.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = [0_u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// A token from known bytes (tests and replays).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses the form used in links.
    ///
    /// # Errors
    /// [`TokenFormatError`] unless the input is 64 hex characters.
    pub fn parse(input: &str) -> Result<Self, TokenFormatError> {
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(input.trim(), &mut bytes).map_err(|_| TokenFormatError)?;
        Ok(Self(bytes))
    }

    /// The form used in links: 64 lower-case hex characters.
    #[must_use]
    pub fn expose(&self) -> String {
        hex::encode(self.0)
    }

    /// The SHA-256 hash that storage keeps.
    #[must_use]
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0).into())
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

/// The SHA-256 hash of a [`SecretToken`]: what storage keeps and looks up by.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Wraps stored bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The hash bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Hex form, for storage as text.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses the hex form.
    ///
    /// # Errors
    /// [`TokenFormatError`] unless the input is 64 hex characters.
    pub fn from_hex(input: &str) -> Result<Self, TokenFormatError> {
        let mut bytes = [0_u8; 32];
        hex::decode_to_slice(input, &mut bytes).map_err(|_| TokenFormatError)?;
        Ok(Self(bytes))
    }

    /// Compares in constant time, so a timing side channel cannot reveal how
    /// many leading bytes of a guessed token were right.
    #[must_use]
    pub fn matches(&self, token: &SecretToken) -> bool {
        let other = token.hash();
        self.0.iter().zip(other.0.iter()).fold(0_u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_through_its_link_form_and_never_prints() {
        let token = SecretToken::from_bytes([7; 32]);
        let parsed = SecretToken::parse(&token.expose()).unwrap();
        assert_eq!(parsed, token);
        assert!(token.hash().matches(&parsed));
        assert_eq!(format!("{token:?}"), "SecretToken(<redacted>)");
        assert!(SecretToken::parse("xyz").is_err());
    }

    #[test]
    fn a_hash_is_stored_as_64_hex_characters_and_debugs_only_its_start() {
        let hash = SecretToken::from_bytes([7; 32]).hash();

        let hex = hash.to_hex();

        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(TokenHash::from_hex(&hex), Ok(hash));
        assert_eq!(format!("{hash:?}"), format!("TokenHash({}…)", &hex[..8]));
    }
}
