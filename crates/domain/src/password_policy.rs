//! The rules for a password a person chooses (accepting a link-mode
//! invitation, or replacing a generated one). Length over composition, as
//! NIST SP 800-63B advises, plus a refusal of the obvious.

use std::fmt;

/// Why a chosen password is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    /// Fewer than 10 characters.
    #[error("the password needs at least {min} characters; it has {actual}")]
    TooShort {
        /// The minimum.
        min: usize,
        /// What was given.
        actual: usize,
    },
    /// More than 128 characters.
    #[error("the password may have at most {max} characters")]
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// One of the most common passwords, or a run such as `aaaaaaaaaa` or `1234567890`.
    #[error("the password is too easy to guess")]
    Guessable,
    /// It contains the username, the email's name, or another personal value.
    #[error("the password must not contain your username or email")]
    Personal,
}

const COMMON: &[&str] = &[
    "password",
    "passw0rd",
    "password1",
    "password12",
    "password123",
    "qwertyuiop",
    "qwerty123",
    "iloveyou",
    "letmein",
    "welcome1",
    "welcome123",
    "1q2w3e4r5t",
    "q1w2e3r4t5",
    "abc123456",
    "admin1234",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "dragon123",
    "monkey123",
    "changeme",
    "trustno1",
    "starwars",
];

/// A password a person chose that passes the policy. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct ChosenPassword(String);

impl ChosenPassword {
    /// Shortest allowed.
    pub const MIN: usize = 10;
    /// Longest allowed.
    pub const MAX: usize = 128;

    /// Checks a password against the policy. `personal` holds values the
    /// password must not contain (username, email, names); those shorter than
    /// four characters are ignored.
    ///
    /// # Errors
    /// The first [`PasswordPolicyError`] that applies.
    ///
    /// ```
    /// use portico_domain::{ChosenPassword, PasswordPolicyError};
    /// assert!(ChosenPassword::parse("correct horse battery", &["olga@example.com"]).is_ok());
    /// assert_eq!(ChosenPassword::parse("olga-secret-42", &["olga@example.com"]), Err(PasswordPolicyError::Personal));
    /// ```
    pub fn parse(candidate: &str, personal: &[&str]) -> Result<Self, PasswordPolicyError> {
        let length = candidate.chars().count();
        if length < Self::MIN {
            return Err(PasswordPolicyError::TooShort { min: Self::MIN, actual: length });
        }
        if length > Self::MAX {
            return Err(PasswordPolicyError::TooLong { max: Self::MAX });
        }
        let lower = candidate.to_lowercase();
        if COMMON.contains(&lower.as_str()) || is_run(&lower) {
            return Err(PasswordPolicyError::Guessable);
        }
        let personal_hit = personal
            .iter()
            .flat_map(|value| {
                let value = value.trim().to_lowercase();
                let name = value.split('@').next().unwrap_or_default().to_owned();
                [value, name]
            })
            .any(|v| v.chars().count() >= 4 && lower.contains(&v));
        if personal_hit {
            return Err(PasswordPolicyError::Personal);
        }
        Ok(Self(candidate.to_owned()))
    }

    /// The password, for hashing.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ChosenPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ChosenPassword(<redacted>)")
    }
}

/// One repeated character, or a stretch of a keyboard or alphabet
/// sequence, forwards or backwards (`abcdefghij`, `9876543210`, `qwertyuiop`).
fn is_run(s: &str) -> bool {
    const SEQUENCES: [&str; 3] = ["01234567890", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm"];
    let mut chars = s.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return true;
    }
    SEQUENCES.iter().any(|q| q.contains(s) || q.chars().rev().collect::<String>().contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_common_and_sequential_passwords_are_refused() {
        assert_eq!(ChosenPassword::parse("short", &[]), Err(PasswordPolicyError::TooShort { min: 10, actual: 5 }));
        assert_eq!(ChosenPassword::parse("Password123", &[]), Err(PasswordPolicyError::Guessable));
        assert_eq!(ChosenPassword::parse("aaaaaaaaaaaa", &[]), Err(PasswordPolicyError::Guessable));
        assert_eq!(ChosenPassword::parse("1234567890", &[]), Err(PasswordPolicyError::Guessable));
        assert_eq!(ChosenPassword::parse("9876543210", &[]), Err(PasswordPolicyError::Guessable));
        assert!(matches!(ChosenPassword::parse(&"x".repeat(129), &[]), Err(PasswordPolicyError::TooLong { .. })));
    }

    #[test]
    fn a_long_personal_free_password_passes_and_never_prints() {
        let p = ChosenPassword::parse("tulip-harbor-1987", &["c20772", "olga.müller@example.com"]).unwrap();
        assert_eq!(p.expose(), "tulip-harbor-1987");
        assert_eq!(format!("{p:?}"), "ChosenPassword(<redacted>)");
        assert_eq!(
            ChosenPassword::parse("my-c20772-login", &["C20772"]),
            Err(PasswordPolicyError::Personal),
            "personal values match case-insensitively"
        );
    }

    #[test]
    fn a_password_of_exactly_the_longest_length_passes() {
        let longest: String = "tulip-harbor-1987-".chars().cycle().take(ChosenPassword::MAX).collect();

        assert_eq!(ChosenPassword::parse(&longest, &[]).map(|p| p.expose().chars().count()), Ok(128));
    }
}
