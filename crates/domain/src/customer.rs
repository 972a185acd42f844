//! The customer directory: customers (accounts synced from the merchant's
//! ERP) and their contacts.

use std::fmt;

use crate::{ContactId, CustomerId, EmailAddress, EmailError, MerchantId, PhoneNumber};

/// Why an identifier from the ERP does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Nothing but whitespace.
    #[error("the {0} is empty")]
    Empty(&'static str),
    /// Longer than the limit.
    #[error("the {field} is longer than {max} characters")]
    TooLong {
        /// Which identifier.
        field: &'static str,
        /// Its limit.
        max: usize,
    },
    /// A control character or whitespace inside.
    #[error("the {0} holds whitespace or a control character")]
    Character(&'static str),
}

macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses a trimmed, non-empty identifier without inner whitespace.
            ///
            /// # Errors
            /// An [`IdentifierError`] naming the broken rule.
            pub fn parse(input: &str) -> Result<Self, IdentifierError> {
                let s = input.trim();
                if s.is_empty() {
                    return Err(IdentifierError::Empty($field));
                }
                if s.chars().count() > $max {
                    return Err(IdentifierError::TooLong { field: $field, max: $max });
                }
                if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(IdentifierError::Character($field));
                }
                Ok(Self(s.to_owned()))
            }

            /// The identifier.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }
    };
}

identifier!(
    /// The customer's id in the merchant's accounting system: the upsert key.
    ErpId, "ERP id", 100
);
identifier!(
    /// The merchant's own customer number (may be absent on a customer).
    CustomerNumber, "customer number", 64
);

/// How urgently the merchant collects from a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollectionPriority {
    /// Collect first.
    High,
    /// The usual.
    Medium,
    /// Collect last.
    Low,
}

impl CollectionPriority {
    /// Parses `high`, `medium` or `low` in any case.
    #[must_use]
    pub fn parse(input: &str) -> Option<Self> {
        match input.trim().to_ascii_lowercase().as_str() {
            "high" => Some(Self::High),
            "medium" => Some(Self::Medium),
            "low" => Some(Self::Low),
            _ => None,
        }
    }

    /// The lower-case name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// A customer account of a merchant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// Portico's id.
    pub id: CustomerId,
    /// The merchant it belongs to.
    pub merchant_id: MerchantId,
    /// The id in the merchant's ERP (unique per merchant).
    pub erp_id: ErpId,
    /// The merchant's customer number, when there is one.
    pub customer_number: Option<CustomerNumber>,
    /// The customer's name.
    pub name: String,
    /// The billing currency.
    pub currency: crate::Currency,
    /// Collection priority, when set.
    pub collection_priority: Option<CollectionPriority>,
}

/// A contact's email as the ERP gave it: kept even when invalid, so staff can
/// see and fix it, but only a valid one can be invited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactEmail {
    /// No email on file.
    Missing,
    /// An email on file that does not parse.
    Invalid {
        /// What the ERP sent.
        raw: String,
        /// Why it is not an address.
        error: EmailError,
    },
    /// A valid address.
    Valid(EmailAddress),
}

impl ContactEmail {
    /// Classifies a raw, possibly empty value.
    #[must_use]
    pub fn from_raw(raw: &str) -> Self {
        if raw.trim().is_empty() {
            return Self::Missing;
        }
        match EmailAddress::parse(raw) {
            Ok(email) => Self::Valid(email),
            Err(error) => Self::Invalid { raw: raw.to_owned(), error },
        }
    }

    /// The valid address, if any.
    #[must_use]
    pub fn valid(&self) -> Option<&EmailAddress> {
        match self {
            Self::Valid(email) => Some(email),
            _ => None,
        }
    }

    /// The value as stored: the normalised address, the raw invalid text, or nothing.
    #[must_use]
    pub fn stored(&self) -> Option<&str> {
        match self {
            Self::Missing => None,
            Self::Invalid { raw, .. } => Some(raw),
            Self::Valid(email) => Some(email.as_str()),
        }
    }
}

/// A contact person at a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    /// Portico's id.
    pub id: ContactId,
    /// The customer the contact belongs to.
    pub customer_id: CustomerId,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email on file.
    pub email: ContactEmail,
    /// Mobile phone, when valid.
    pub phone: Option<PhoneNumber>,
    /// Whether this is the customer's primary contact.
    pub primary: bool,
}

impl Contact {
    /// "First Last", or whichever part is present.
    #[must_use]
    pub fn display_name(&self) -> String {
        let full = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        full.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_trimmed_and_reject_inner_whitespace() {
        assert_eq!(ErpId::parse(" ERP-1 ").unwrap().as_str(), "ERP-1");
        assert_eq!(ErpId::parse(""), Err(IdentifierError::Empty("ERP id")));
        assert_eq!(CustomerNumber::parse("C 1"), Err(IdentifierError::Character("customer number")));
    }

    #[test]
    fn contact_email_keeps_invalid_values_with_their_reason() {
        assert_eq!(ContactEmail::from_raw("  "), ContactEmail::Missing);
        assert!(matches!(ContactEmail::from_raw("x@y"), ContactEmail::Invalid { .. }));
        assert!(ContactEmail::from_raw(" A@B.COM ").valid().is_some());
    }

    #[test]
    fn priorities_parse_in_any_case_and_print_lower_case() {
        for (text, priority) in [
            (" HIGH ", CollectionPriority::High),
            ("Medium", CollectionPriority::Medium),
            ("low", CollectionPriority::Low),
        ] {
            assert_eq!(CollectionPriority::parse(text), Some(priority));
            assert_eq!(CollectionPriority::parse(priority.as_str()), Some(priority));
        }
        assert_eq!(CollectionPriority::High.as_str(), "high");
        assert_eq!(CollectionPriority::parse("urgent"), None);
    }

    #[test]
    fn a_contact_email_is_stored_normalised_raw_when_invalid_and_not_at_all_when_missing() {
        assert_eq!(ContactEmail::from_raw(" Ann@Example.COM ").stored(), Some("Ann@example.com"));
        assert_eq!(ContactEmail::from_raw("ann at example").stored(), Some("ann at example"));
        assert_eq!(ContactEmail::Missing.stored(), None);
    }

    #[test]
    fn a_display_name_joins_the_names_present() {
        let contact = |first: &str, last: &str| Contact {
            id: ContactId::from_uuid(uuid::Uuid::nil()),
            customer_id: CustomerId::from_uuid(uuid::Uuid::nil()),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: ContactEmail::Missing,
            phone: None,
            primary: true,
        };

        assert_eq!(contact(" Ann ", "Lee").display_name(), "Ann Lee");
        assert_eq!(contact("", "Lee").display_name(), "Lee");
        assert_eq!(contact("Ann", " ").display_name(), "Ann");
    }
}
