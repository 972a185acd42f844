//! Email addresses, parsed once at the edge.

use std::fmt;

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing but whitespace.
    #[error("the email address is empty")]
    Empty,
    /// No `@`, or more than one outside a quoted local part.
    #[error("the email address must contain exactly one '@'")]
    At,
    /// The part before the `@` is empty, too long, or has a forbidden character.
    #[error("the part before '@' is invalid: {0}")]
    LocalPart(&'static str),
    /// The part after the `@` is not a domain name.
    #[error("the domain after '@' is invalid: {0}")]
    Domain(&'static str),
    /// Longer than the 254 characters SMTP allows.
    #[error("the email address is longer than 254 characters")]
    TooLong,
}

/// A syntactically valid email address.
///
/// Parsing trims surrounding whitespace and lower-cases the domain; the local
/// part keeps its case (it is the mailbox owner's to interpret) and may hold
/// any non-ASCII letters (RFC 6531).
///
/// ```
/// use portico_domain::EmailAddress;
/// let email = EmailAddress::parse("  Olga.Müller@Example.COM ").unwrap();
/// assert_eq!(email.as_str(), "Olga.Müller@example.com");
/// assert!(EmailAddress::parse("olga@@example.com").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses and normalises an address.
    ///
    /// # Errors
    /// An [`EmailError`] naming the broken rule.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::At)?;
        if local.contains('@') {
            return Err(EmailError::At);
        }
        check_local(local)?;
        let domain = check_domain(domain)?;
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The whole address lower-cased, for comparing mailboxes and for usernames.
    #[must_use]
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }

    /// The domain part.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

fn check_local(local: &str) -> Result<(), EmailError> {
    if local.is_empty() {
        return Err(EmailError::LocalPart("it is empty"));
    }
    if local.len() > 64 {
        return Err(EmailError::LocalPart("it is longer than 64 bytes"));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::LocalPart("dots must separate non-empty words"));
    }
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    let ok = local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c) || (!c.is_ascii() && c.is_alphanumeric()));
    if ok { Ok(()) } else { Err(EmailError::LocalPart("it holds a space, a control character or a forbidden symbol")) }
}

fn check_domain(domain: &str) -> Result<String, EmailError> {
    if domain.is_empty() {
        return Err(EmailError::Domain("it is empty"));
    }
    if domain.len() > 253 {
        return Err(EmailError::Domain("it is longer than 253 bytes"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(EmailError::Domain("it needs a dot, as in example.com"));
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(EmailError::Domain("each dot-separated label must hold 1 to 63 characters"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(EmailError::Domain("a label cannot start or end with '-'"));
        }
        if !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return Err(EmailError::Domain("only letters, digits, '-' and '.' are allowed"));
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.chars().all(|c| c.is_ascii_digit()) {
        return Err(EmailError::Domain("the last label cannot be all digits"));
    }
    Ok(domain.to_lowercase())
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({:?})", self.0)
    }
}

impl std::str::FromStr for EmailAddress {
    type Err = EmailError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> serde::Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_upper_case_domain_is_trimmed_and_lowered() {
        let e = EmailAddress::parse("  JOHN.Doe@ACME.Example ").unwrap();
        assert_eq!(e.as_str(), "JOHN.Doe@acme.example");
        assert_eq!(e.canonical(), "john.doe@acme.example");
    }

    #[test]
    fn internationalised_local_part_is_accepted() {
        assert!(EmailAddress::parse("olga.müller@example.com").is_ok());
        assert!(EmailAddress::parse("josé@example.com").is_ok());
    }

    #[test]
    fn broken_forms_are_rejected_with_the_rule() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "a@",
            "a@@b.com",
            "a b@example.com",
            "a@example",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@example..com",
            "a@exa mple.com",
            "a@example.123",
            "a,b@example.com",
            "a@example.com>",
            // The invalid forms planted in the sample customer export.
            "x@y",
            "jane@",
            "not-an-email",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn lengths_are_allowed_up_to_each_limit_and_refused_one_past_it() {
        let domain = format!("{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(61));
        let longest = format!("{}@{domain}", "l".repeat(64));
        assert_eq!(longest.chars().count(), 254);

        assert!(EmailAddress::parse(&longest).is_ok());
        assert_eq!(EmailAddress::parse(&format!("{longest}c")), Err(EmailError::TooLong));
        assert_eq!(
            EmailAddress::parse(&format!("{}@example.com", "l".repeat(65))),
            Err(EmailError::LocalPart("it is longer than 64 bytes"))
        );
        assert!(EmailAddress::parse(&format!("a@{}.com", "d".repeat(63))).is_ok());
        assert!(matches!(EmailAddress::parse(&format!("a@{}.com", "d".repeat(64))), Err(EmailError::Domain(_))));
    }

    #[test]
    fn a_domain_is_limited_to_253_bytes_even_when_its_letters_take_two() {
        // 160 characters, 253 bytes: under the address limit, at the domain's.
        let label = format!("{}a", "é".repeat(31));
        let domain = format!("{label}.{label}.{label}.{}", "a".repeat(61));
        assert_eq!(domain.len(), 253);

        assert!(EmailAddress::parse(&format!("a@{domain}")).is_ok());
        assert_eq!(
            EmailAddress::parse(&format!("a@{domain}a")),
            Err(EmailError::Domain("it is longer than 253 bytes"))
        );
    }

    #[test]
    fn a_non_ascii_symbol_is_refused_in_the_local_part() {
        assert!(matches!(EmailAddress::parse("a\u{2192}b@example.com"), Err(EmailError::LocalPart(_))));
        assert!(matches!(EmailAddress::parse("a\u{a0}b@example.com"), Err(EmailError::LocalPart(_))));
    }

    #[test]
    fn an_address_prints_as_itself_and_debugs_quoted() {
        let email = EmailAddress::parse("Ann@Example.com").unwrap();

        assert_eq!(email.to_string(), "Ann@example.com");
        assert_eq!(format!("{email:?}"), "EmailAddress(\"Ann@example.com\")");
    }
}
