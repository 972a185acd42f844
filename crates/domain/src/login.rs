//! Portal logins: a person's identity, which may reach several customers.

use std::fmt;

use crate::{CustomerId, LoginId, MerchantId};

/// Why a username does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    /// Nothing but whitespace.
    #[error("the username is empty")]
    Empty,
    /// Over 254 characters.
    #[error("the username is longer than 254 characters")]
    TooLong,
    /// Whitespace or a control character inside.
    #[error("the username holds whitespace or a control character")]
    Character,
}

/// A portal username, normalised (trimmed and lower-cased) and unique per merchant.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Parses and normalises a username.
    ///
    /// # Errors
    /// A [`UsernameError`] naming the broken rule.
    pub fn parse(input: &str) -> Result<Self, UsernameError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(UsernameError::Empty);
        }
        if s.chars().count() > 254 {
            return Err(UsernameError::TooLong);
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(UsernameError::Character);
        }
        Ok(Self(s.to_lowercase()))
    }

    /// Normalises a value a credential pattern drew from an already-parsed type.
    pub(crate) fn from_trusted(raw: &str) -> Self {
        Self(raw.trim().to_lowercase())
    }

    /// The username of a person who signs in with their email: its
    /// lower-cased form. Infallible, since an address is always a valid username.
    #[must_use]
    pub fn from_email(email: &crate::EmailAddress) -> Self {
        Self::from_trusted(&email.canonical())
    }

    /// The username.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Username({:?})", self.0)
    }
}

/// An argon2id hash in PHC string form. The domain never computes it (that is
/// I/O-free but slow and belongs to the `PasswordHasher` port); it only carries it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string such as `$argon2id$v=19$...`.
    #[must_use]
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string.
    #[must_use]
    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A person's portal login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    /// Portico's id.
    pub id: LoginId,
    /// The merchant whose portal it signs in to.
    pub merchant_id: MerchantId,
    /// Unique per merchant.
    pub username: Username,
    /// The argon2id hash of the password.
    pub password_hash: PasswordHash,
    /// A generated password must be changed at first sign-in.
    pub must_change_password: bool,
    /// The customers this person can reach; the portal switches between them.
    pub customers: Vec<CustomerId>,
}

impl Login {
    /// Links one more customer to this login (an accepted invitation sent to an
    /// email that already has a login). Linking twice changes nothing.
    pub fn link_customer(&mut self, customer: CustomerId) -> bool {
        if self.customers.contains(&customer) {
            return false;
        }
        self.customers.push(customer);
        true
    }

    /// Whether this login may see a customer's documents.
    #[must_use]
    pub fn can_reach(&self, customer: CustomerId) -> bool {
        self.customers.contains(&customer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased_and_trimmed() {
        assert_eq!(Username::parse("  Ann@Example.com ").unwrap().as_str(), "ann@example.com");
        assert_eq!(Username::parse("a b"), Err(UsernameError::Character));
    }

    #[test]
    fn linking_a_customer_twice_changes_nothing() {
        let customer = CustomerId::from_uuid(uuid::Uuid::nil());
        let mut login = Login {
            id: LoginId::from_uuid(uuid::Uuid::nil()),
            merchant_id: MerchantId::from_uuid(uuid::Uuid::nil()),
            username: Username::parse("ap@group.example").unwrap(),
            password_hash: PasswordHash::from_phc("$argon2id$x".into()),
            must_change_password: false,
            customers: vec![],
        };
        assert!(login.link_customer(customer));
        assert!(!login.link_customer(customer));
        assert!(login.can_reach(customer));
    }

    #[test]
    fn a_username_may_have_254_characters_and_no_more() {
        assert_eq!(Username::parse(&"é".repeat(254)).map(|u| u.as_str().chars().count()), Ok(254));
        assert_eq!(Username::parse(&"é".repeat(255)), Err(UsernameError::TooLong));
        assert_eq!(Username::parse("  "), Err(UsernameError::Empty));
    }

    #[test]
    fn a_username_prints_as_itself_and_a_hash_only_to_whoever_asks_for_it() {
        let username = Username::parse("Ann").unwrap();
        let hash = PasswordHash::from_phc("$argon2id$v=19$secret".into());

        assert_eq!(username.to_string(), "ann");
        assert_eq!(format!("{username:?}"), "Username(\"ann\")");
        assert_eq!(hash.as_phc(), "$argon2id$v=19$secret");
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }

    #[test]
    fn a_login_reaches_only_the_customers_linked_to_it() {
        let (linked, other) =
            (CustomerId::from_uuid(uuid::Uuid::from_u128(1)), CustomerId::from_uuid(uuid::Uuid::from_u128(2)));
        let login = Login {
            id: LoginId::from_uuid(uuid::Uuid::nil()),
            merchant_id: MerchantId::from_uuid(uuid::Uuid::nil()),
            username: Username::parse("ann").unwrap(),
            password_hash: PasswordHash::from_phc("$argon2id$x".into()),
            must_change_password: false,
            customers: vec![linked],
        };

        assert!(login.can_reach(linked));
        assert!(!login.can_reach(other));
    }
}
