//! A US bank account for ACH debits: ABA routing number (checksum and
//! Federal Reserve prefix), account number of 4–17 digits, checking or
//! savings. `Debug` never shows the account number.

use std::fmt;

/// Why bank account data does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BankAccountError {
    /// Not exactly nine digits.
    #[error("a routing number has 9 digits")]
    RoutingFormat,
    /// The ABA check digit is wrong.
    #[error("the routing number is not valid; check it for a mistyped digit")]
    RoutingChecksum,
    /// The first two digits are no Federal Reserve routing symbol.
    #[error("the routing number does not belong to a US bank")]
    RoutingPrefix,
    /// Not 4 to 17 digits.
    #[error("an account number has 4 to 17 digits")]
    AccountFormat,
    /// Neither checking nor savings.
    #[error("the account type is checking or savings")]
    AccountType,
}

/// Whether nine ASCII digits pass the ABA checksum: 3·(d1+d4+d7) +
/// 7·(d2+d5+d8) + (d3+d6+d9) is a multiple of 10.
#[must_use]
pub fn aba_valid(digits: &str) -> bool {
    const WEIGHTS: [u32; 3] = [3, 7, 1];
    digits.len() == 9
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.bytes().enumerate().map(|(i, b)| WEIGHTS[i % 3] * u32::from(b - b'0')).sum::<u32>().is_multiple_of(10)
}

/// An ABA routing number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RoutingNumber(String);

impl RoutingNumber {
    /// Parses nine digits (spaces and dashes dropped).
    ///
    /// # Errors
    /// [`BankAccountError::RoutingFormat`], `RoutingChecksum` or `RoutingPrefix`.
    pub fn parse(input: &str) -> Result<Self, BankAccountError> {
        let digits = digits_of(input, 9).ok_or(BankAccountError::RoutingFormat)?;
        if digits.len() != 9 {
            return Err(BankAccountError::RoutingFormat);
        }
        if !aba_valid(&digits) {
            return Err(BankAccountError::RoutingChecksum);
        }
        // 00–12 banks, 21–32 thrift institutions, 61–72 electronic, 80 traveller's cheques.
        let prefix: u32 = digits[..2].parse().unwrap_or(99);
        if !matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80) {
            return Err(BankAccountError::RoutingPrefix);
        }
        Ok(Self(digits))
    }

    /// The nine digits (a routing number is public: it names the bank).
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RoutingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoutingNumber({})", self.0)
    }
}

/// A bank account number.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountNumber(String);

impl AccountNumber {
    /// Parses 4 to 17 digits (spaces and dashes dropped).
    ///
    /// # Errors
    /// [`BankAccountError::AccountFormat`].
    pub fn parse(input: &str) -> Result<Self, BankAccountError> {
        match digits_of(input, 17) {
            Some(d) if (4..=17).contains(&d.len()) => Ok(Self(d)),
            _ => Err(BankAccountError::AccountFormat),
        }
    }

    /// The last four digits, the only part ever shown or stored.
    #[must_use]
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// Every digit: for the gateway adapter only, never for storage or logs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountNumber(ending {})", self.last4())
    }
}

/// The digits of `input` with spaces and dashes dropped, or `None` when it
/// holds anything else or more than `max` digits.
fn digits_of(input: &str, max: usize) -> Option<String> {
    let mut out = String::with_capacity(max);
    for c in input.trim().chars() {
        match c {
            '0'..='9' if out.len() < max => out.push(c),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    Some(out)
}

/// Checking or savings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountType {
    /// A checking account.
    Checking,
    /// A savings account.
    Savings,
}

impl AccountType {
    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Checking => "checking",
            Self::Savings => "savings",
        }
    }

    /// Parses `checking` or `savings` (any case).
    ///
    /// # Errors
    /// [`BankAccountError::AccountType`].
    pub fn parse(input: &str) -> Result<Self, BankAccountError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "checking" => Ok(Self::Checking),
            "savings" => Ok(Self::Savings),
            _ => Err(BankAccountError::AccountType),
        }
    }
}

/// A whole bank account, every part parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccountDetails {
    /// The bank's routing number.
    pub routing: RoutingNumber,
    /// The account number.
    pub account: AccountNumber,
    /// Checking or savings.
    pub account_type: AccountType,
    /// The account holder's name as typed (for the debit authorisation).
    pub holder_name: String,
}

/// Which field of a bank account form is wrong, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct BankFieldError {
    /// `routing_number`, `account_number`, `account_type` or `holder_name`.
    pub field: &'static str,
    /// The rule it breaks.
    pub error: BankAccountError,
}

impl BankAccountDetails {
    /// Parses a bank account form's fields. The holder's name is trimmed
    /// and cut to 100 characters; an empty one is allowed.
    ///
    /// # Errors
    /// The first [`BankFieldError`], naming the field.
    pub fn parse(routing: &str, account: &str, account_type: &str, holder: &str) -> Result<Self, BankFieldError> {
        let at = |field| move |error| BankFieldError { field, error };
        Ok(Self {
            routing: RoutingNumber::parse(routing).map_err(at("routing_number"))?,
            account: AccountNumber::parse(account).map_err(at("account_number"))?,
            account_type: AccountType::parse(account_type).map_err(at("account_type"))?,
            holder_name: holder.trim().chars().filter(|c| !c.is_control()).take(100).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_routing_numbers_pass_the_checksum() {
        for routing in ["110000000", "021000021", "011000015", "122105278", "011401533", "091000019"] {
            assert!(RoutingNumber::parse(routing).is_ok(), "{routing}");
        }
        assert_eq!(RoutingNumber::parse("110000001"), Err(BankAccountError::RoutingChecksum));
        assert_eq!(RoutingNumber::parse("11000000"), Err(BankAccountError::RoutingFormat));
        assert_eq!(RoutingNumber::parse("1100000000"), Err(BankAccountError::RoutingFormat));
        assert_eq!(RoutingNumber::parse("11000000a"), Err(BankAccountError::RoutingFormat));
        // 3·9 + 7·9 = 90 passes the checksum, but no bank's routing number starts with 99.
        assert_eq!(RoutingNumber::parse("990000000"), Err(BankAccountError::RoutingPrefix));
    }

    #[test]
    fn account_numbers_have_four_to_seventeen_digits() {
        assert_eq!(AccountNumber::parse("000123456789").unwrap().last4(), "6789");
        assert!(AccountNumber::parse("1234").is_ok());
        assert!(AccountNumber::parse("12345678901234567").is_ok());
        assert_eq!(AccountNumber::parse("123"), Err(BankAccountError::AccountFormat));
        assert_eq!(AccountNumber::parse("123456789012345678"), Err(BankAccountError::AccountFormat));
        assert_eq!(AccountNumber::parse("12ab"), Err(BankAccountError::AccountFormat));
    }

    #[test]
    fn the_form_names_its_broken_field_and_debug_hides_the_account() {
        let ok = BankAccountDetails::parse("110000000", "000123456789", "Checking", " Ann Lee ").unwrap();
        assert_eq!((ok.account_type, ok.holder_name.as_str()), (AccountType::Checking, "Ann Lee"));
        let shown = format!("{ok:?}");
        assert!(!shown.contains("000123456789") && shown.contains("ending 6789"), "{shown}");
        let err = BankAccountDetails::parse("110000000", "000123456789", "brokerage", "").unwrap_err();
        assert_eq!(err.field, "account_type");
    }
}
