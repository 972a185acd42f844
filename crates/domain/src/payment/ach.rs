//! ACH debits settle days after they are sent, or come back with a NACHA
//! return code; and card declines come with a reason code.

use std::fmt;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};

/// A NACHA return code, `R01` to `R99`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AchReturnCode(u8);

/// Why a return code does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ACH return code such as R01")]
pub struct ReturnCodeError(pub String);

impl AchReturnCode {
    /// R01: insufficient funds.
    pub const INSUFFICIENT_FUNDS: Self = Self(1);
    /// R02: account closed.
    pub const ACCOUNT_CLOSED: Self = Self(2);
    /// R03: no account, or unable to locate the account.
    pub const NO_ACCOUNT: Self = Self(3);
    /// R10: the customer says the debit was not authorised.
    pub const NOT_AUTHORIZED: Self = Self(10);

    /// Parses `R` followed by two digits, `R01`–`R99`.
    ///
    /// # Errors
    /// [`ReturnCodeError`].
    pub fn parse(input: &str) -> Result<Self, ReturnCodeError> {
        let s = input.trim();
        match s.strip_prefix(['R', 'r']).map(|n| (n.len(), n.parse::<u8>())) {
            Some((2, Ok(n))) if n >= 1 => Ok(Self(n)),
            _ => Err(ReturnCodeError(input.to_owned())),
        }
    }

    /// What the code means, in words a payer understands.
    #[must_use]
    pub const fn description(&self) -> &'static str {
        match self.0 {
            1 => "insufficient funds",
            2 => "the account is closed",
            3 => "no account was found with this number",
            4 => "the account number is not valid",
            7 | 10 => "the debit was not authorised",
            8 => "payment was stopped",
            16 => "the account is frozen",
            20 => "the account does not allow debits",
            29 => "the business account did not authorise the debit",
            _ => "the bank returned the debit",
        }
    }

    /// Whether the account can never be debited again (closed, missing,
    /// invalid, frozen, not debitable), so a saved copy should go.
    #[must_use]
    pub const fn account_unusable(&self) -> bool {
        matches!(self.0, 2 | 3 | 4 | 16 | 20)
    }
}

impl fmt::Display for AchReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "R{:02}", self.0)
    }
}

impl fmt::Debug for AchReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AchReturnCode(R{:02})", self.0)
    }
}

/// Why a card issuer declined a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeclineCode {
    /// Declined without a more specific reason.
    Generic,
    /// Not enough funds or credit.
    InsufficientFunds,
    /// Reported lost.
    LostCard,
    /// Reported stolen.
    StolenCard,
    /// The issuer says the card has expired.
    ExpiredCard,
    /// The security code is wrong.
    IncorrectCvc,
    /// The issuer suspects fraud.
    Fraudulent,
}

impl DeclineCode {
    /// Every code.
    pub const ALL: [Self; 7] = [
        Self::Generic,
        Self::InsufficientFunds,
        Self::LostCard,
        Self::StolenCard,
        Self::ExpiredCard,
        Self::IncorrectCvc,
        Self::Fraudulent,
    ];

    /// The `snake_case` code, as card gateways name it.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Generic => "card_declined",
            Self::InsufficientFunds => "insufficient_funds",
            Self::LostCard => "lost_card",
            Self::StolenCard => "stolen_card",
            Self::ExpiredCard => "expired_card",
            Self::IncorrectCvc => "incorrect_cvc",
            Self::Fraudulent => "fraudulent",
        }
    }

    /// Parses the `snake_case` code.
    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// What the payer is told. Lost, stolen and fraud declines read like a
    /// generic one: the payer may be the person who should not learn more.
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self {
            Self::InsufficientFunds => "The card was declined for insufficient funds.",
            Self::ExpiredCard => "The card has expired.",
            Self::IncorrectCvc => "The card's security code is incorrect.",
            Self::Generic | Self::LostCard | Self::StolenCard | Self::Fraudulent => {
                "The card was declined. Use another card or contact your card issuer."
            }
        }
    }
}

/// Whether a day is a business day for the ACH network (Monday to Friday;
/// bank holidays are not modelled).
#[must_use]
pub fn is_business_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The day a debit sent on `sent` settles, `days` business days later.
/// A debit sent on a weekend counts from the next business day.
#[must_use]
pub fn settles_on(sent: NaiveDate, days: u32) -> NaiveDate {
    let mut day = sent;
    while !is_business_day(day) {
        day += TimeDelta::days(1);
    }
    let mut left = days;
    while left > 0 {
        day += TimeDelta::days(1);
        if is_business_day(day) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn return_codes_parse_and_print_as_nacha_writes_them() {
        assert_eq!(AchReturnCode::parse("R01").unwrap(), AchReturnCode::INSUFFICIENT_FUNDS);
        assert_eq!(AchReturnCode::parse("r03").unwrap().to_string(), "R03");
        for bad in ["R1", "R001", "R00", "X01", "", "R-1"] {
            assert!(AchReturnCode::parse(bad).is_err(), "{bad}");
        }
        assert!(AchReturnCode::ACCOUNT_CLOSED.account_unusable());
        assert!(!AchReturnCode::INSUFFICIENT_FUNDS.account_unusable());
    }

    #[test]
    fn settlement_counts_business_days_only() {
        // 2026-12-03 is a Thursday: three business days later is Tuesday the 8th.
        assert_eq!(settles_on(day(3), 3), day(8));
        assert_eq!(settles_on(day(3), 0), day(3));
        // Sent on Saturday the 5th: counting starts Monday the 7th.
        assert_eq!(settles_on(day(5), 1), day(8));
        assert_eq!(settles_on(day(5), 0), day(7));
    }

    #[test]
    fn decline_codes_round_trip_and_lost_cards_read_as_generic() {
        for code in DeclineCode::ALL {
            assert_eq!(DeclineCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(DeclineCode::LostCard.message(), DeclineCode::Generic.message());
    }
}
