//! Credential patterns: how a username and a first password are generated
//! for an invitation in credentials mode (DESIGN §4).
//!
//! Generation is pure: randomness comes from the RNG the caller passes in, so
//! property tests run it with a seeded one.

use std::fmt;

use rand_core::CryptoRng;

use crate::{CustomerNumber, EmailAddress, ErpId, PhoneNumber, Username};

/// Where a username comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsernamePattern {
    /// The contact's email, lower-cased.
    Email,
    /// The customer's number.
    CustomerNumber,
    /// The contact's phone, as digits.
    Phone,
    /// The customer's ERP id.
    ErpId,
}

/// Where a first password comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordPattern {
    /// Random alphanumeric characters from a cryptographic RNG.
    Random(PasswordLength),
    /// The customer's number: weak, forces a change.
    CustomerNumber,
    /// The contact's phone digits: weak, forces a change.
    Phone,
}

impl Default for PasswordPattern {
    fn default() -> Self {
        Self::Random(PasswordLength::default())
    }
}

/// A random password's length: 6 to 64, 10 by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct PasswordLength(u8);

/// A password length outside 6–64.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a random password has 6 to 64 characters, not {0}")]
pub struct PasswordLengthError(pub u32);

impl PasswordLength {
    /// Shortest allowed.
    pub const MIN: u8 = 6;
    /// Longest allowed.
    pub const MAX: u8 = 64;

    /// Checks the bounds.
    ///
    /// # Errors
    /// [`PasswordLengthError`] outside 6–64.
    pub fn new(length: u32) -> Result<Self, PasswordLengthError> {
        match u8::try_from(length) {
            Ok(l) if (Self::MIN..=Self::MAX).contains(&l) => Ok(Self(l)),
            _ => Err(PasswordLengthError(length)),
        }
    }

    /// The length.
    #[must_use]
    pub const fn get(&self) -> usize {
        self.0 as usize
    }
}

impl Default for PasswordLength {
    fn default() -> Self {
        Self(10)
    }
}

impl TryFrom<u8> for PasswordLength {
    type Error = PasswordLengthError;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(u32::from(value))
    }
}

impl From<PasswordLength> for u8 {
    fn from(value: PasswordLength) -> Self {
        value.0
    }
}

/// A field a pattern needs and the contact or customer lacks. Its
/// [`as_skip_reason`](MissingField::as_skip_reason) is what the invitation report shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum MissingField {
    /// No valid email.
    #[error("the contact has no valid email")]
    Email,
    /// No phone.
    #[error("the contact has no phone number")]
    Phone,
    /// No customer number.
    #[error("the customer has no customer number")]
    CustomerNumber,
}

impl MissingField {
    /// The matching skip reason.
    #[must_use]
    pub const fn as_skip_reason(&self) -> crate::SkipReason {
        match self {
            Self::Email => crate::SkipReason::MissingEmail,
            Self::Phone => crate::SkipReason::MissingPhone,
            Self::CustomerNumber => crate::SkipReason::MissingCustomerNumber,
        }
    }
}

/// The data patterns draw from.
#[derive(Clone, Copy, Debug)]
pub struct CredentialSource<'a> {
    /// The contact's valid email.
    pub email: Option<&'a EmailAddress>,
    /// The contact's phone.
    pub phone: Option<&'a PhoneNumber>,
    /// The customer's number.
    pub customer_number: Option<&'a CustomerNumber>,
    /// The customer's ERP id (always present).
    pub erp_id: &'a ErpId,
}

/// How guessable a generated password is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordStrength {
    /// Random.
    Strong,
    /// Derived from data others may know.
    Weak,
}

/// A generated first password. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedPassword {
    secret: String,
    strength: PasswordStrength,
}

impl GeneratedPassword {
    /// The plain password, for the invitation email only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.secret
    }

    /// Strong (random) or weak (derived).
    #[must_use]
    pub const fn strength(&self) -> PasswordStrength {
        self.strength
    }

    /// Every generated password must be changed at first sign-in.
    #[must_use]
    pub const fn must_change(&self) -> bool {
        true
    }
}

impl fmt::Debug for GeneratedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GeneratedPassword(<redacted>, {:?})", self.strength)
    }
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Builds the username a pattern asks for.
///
/// # Errors
/// The [`MissingField`] the pattern needs.
///
/// ```
/// use portico_domain::{credentials::*, ErpId, PhoneNumber};
/// let erp = ErpId::parse("ERP-1").unwrap();
/// let phone = PhoneNumber::parse("(447) 292-9028").unwrap();
/// let source = CredentialSource { email: None, phone: Some(&phone), customer_number: None, erp_id: &erp };
/// assert_eq!(username(UsernamePattern::Phone, &source).unwrap().as_str(), "4472929028");
/// assert_eq!(username(UsernamePattern::Email, &source), Err(MissingField::Email));
/// ```
pub fn username(pattern: UsernamePattern, source: &CredentialSource<'_>) -> Result<Username, MissingField> {
    let raw = match pattern {
        UsernamePattern::Email => source.email.ok_or(MissingField::Email)?.canonical(),
        UsernamePattern::CustomerNumber => {
            source.customer_number.ok_or(MissingField::CustomerNumber)?.as_str().to_owned()
        }
        UsernamePattern::Phone => source.phone.ok_or(MissingField::Phone)?.digits().to_owned(),
        UsernamePattern::ErpId => source.erp_id.as_str().to_owned(),
    };
    // Every source is a value type that already excludes what `Username::parse`
    // rejects (empty, whitespace, over 254 characters).
    Ok(Username::from_trusted(&raw))
}

/// Checks that the data a password pattern needs is there, without drawing
/// randomness.
///
/// # Errors
/// The [`MissingField`] the pattern needs.
pub fn requirement(pattern: PasswordPattern, source: &CredentialSource<'_>) -> Result<(), MissingField> {
    match pattern {
        PasswordPattern::Random(_) => Ok(()),
        PasswordPattern::CustomerNumber => source.customer_number.map(|_| ()).ok_or(MissingField::CustomerNumber),
        PasswordPattern::Phone => source.phone.map(|_| ()).ok_or(MissingField::Phone),
    }
}

/// Builds the first password a pattern asks for.
///
/// # Errors
/// The [`MissingField`] the pattern needs.
pub fn password<R: CryptoRng + ?Sized>(
    pattern: PasswordPattern,
    source: &CredentialSource<'_>,
    rng: &mut R,
) -> Result<GeneratedPassword, MissingField> {
    let (secret, strength) = match pattern {
        PasswordPattern::Random(length) => return Ok(random_password(length, rng)),
        PasswordPattern::CustomerNumber => {
            (source.customer_number.ok_or(MissingField::CustomerNumber)?.as_str().to_owned(), PasswordStrength::Weak)
        }
        PasswordPattern::Phone => {
            (source.phone.ok_or(MissingField::Phone)?.digits().to_owned(), PasswordStrength::Weak)
        }
    };
    Ok(GeneratedPassword { secret, strength })
}

/// A random alphanumeric password: strong, and needing no source data.
pub fn random_password<R: CryptoRng + ?Sized>(length: PasswordLength, rng: &mut R) -> GeneratedPassword {
    GeneratedPassword { secret: random_alphanumeric(length.get(), rng), strength: PasswordStrength::Strong }
}

fn random_alphanumeric<R: CryptoRng + ?Sized>(length: usize, rng: &mut R) -> String {
    // Rejection sampling: 62 does not divide 256, so bytes >= 248 would bias
    // the first eight letters; they are drawn again.
    const LIMIT: u8 = 248;
    let mut out = String::with_capacity(length);
    let mut buf = [0_u8; 64];
    while out.len() < length {
        rng.fill_bytes(&mut buf);
        for &b in &buf {
            if out.len() == length {
                break;
            }
            if b < LIMIT {
                out.push(char::from(ALPHABET[usize::from(b % 62)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
