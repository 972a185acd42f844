//! Card data as the payer types it: number (Luhn, brand from the prefix),
//! expiry (not in the past, judged against the date passed in) and security
//! code (3 digits, 4 for American Express). `Debug` never shows the number
//! or the code; only the brand and the last four digits are for display.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// Why card data does not parse. Each variant names the broken rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// Something other than digits, spaces and dashes.
    #[error("the card number may hold only digits, spaces and dashes")]
    NumberCharacters,
    /// Fewer than 12 or more than 19 digits.
    #[error("a card number has 12 to 19 digits, not {0}")]
    NumberLength(usize),
    /// The check digit is wrong (a mistyped digit).
    #[error("the card number is not valid; check it for a mistyped digit")]
    Checksum,
    /// No supported brand uses this prefix.
    #[error("this card brand is not accepted")]
    UnknownBrand,
    /// The brand's numbers have another length.
    #[error("a {brand} card number has {expected}, not {actual} digits")]
    BrandLength {
        /// The brand.
        brand: CardBrand,
        /// The lengths it uses, in words.
        expected: &'static str,
        /// The digits given.
        actual: usize,
    },
    /// Month outside 1–12.
    #[error("the expiry month must be 1 to 12")]
    ExpiryMonth,
    /// Not a two- or four-digit year.
    #[error("the expiry year must be two or four digits")]
    ExpiryYear,
    /// The last day of the expiry month has passed.
    #[error("the card has expired")]
    Expired,
    /// More than 50 years ahead.
    #[error("the expiry date is too far in the future")]
    ExpiryTooFar,
    /// Not 3 digits (4 for American Express).
    #[error("the security code has {expected} digits")]
    Cvc {
        /// "3" or "4".
        expected: &'static str,
    },
}

/// A card network, recognised from the number's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardBrand {
    /// Visa (4).
    Visa,
    /// Mastercard (51–55, 2221–2720).
    Mastercard,
    /// American Express (34, 37).
    Amex,
    /// Discover (6011, 644–649, 65).
    Discover,
    /// Diners Club (300–305, 36, 38, 39).
    DinersClub,
    /// JCB (3528–3589).
    Jcb,
    /// UnionPay (62).
    UnionPay,
}

impl CardBrand {
    /// Every brand.
    pub const ALL: [Self; 7] =
        [Self::Visa, Self::Mastercard, Self::Amex, Self::Discover, Self::DinersClub, Self::Jcb, Self::UnionPay];

    /// The `snake_case` name used in storage and the API.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Visa => "visa",
            Self::Mastercard => "mastercard",
            Self::Amex => "amex",
            Self::Discover => "discover",
            Self::DinersClub => "diners_club",
            Self::Jcb => "jcb",
            Self::UnionPay => "unionpay",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == name)
    }

    /// The name people know, such as "American Express".
    #[must_use]
    pub const fn display_name(&self) -> &'static str {
        match self {
            Self::Visa => "Visa",
            Self::Mastercard => "Mastercard",
            Self::Amex => "American Express",
            Self::Discover => "Discover",
            Self::DinersClub => "Diners Club",
            Self::Jcb => "JCB",
            Self::UnionPay => "UnionPay",
        }
    }

    /// The brand of a number's digits, from its prefix.
    #[must_use]
    pub fn of_digits(digits: &str) -> Option<Self> {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
        let (p2, p3, p4, p6) = (prefix(2), prefix(3), prefix(4), prefix(6));
        Some(match () {
            () if digits.starts_with('4') => Self::Visa,
            () if (51..=55).contains(&p2) || (2221..=2720).contains(&p4) => Self::Mastercard,
            () if p2 == 34 || p2 == 37 => Self::Amex,
            () if p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || (622_126..=622_925).contains(&p6) => {
                Self::Discover
            }
            () if (300..=305).contains(&p3) || matches!(p2, 36 | 38 | 39) => Self::DinersClub,
            () if (3528..=3589).contains(&p4) => Self::Jcb,
            () if p2 == 62 => Self::UnionPay,
            () => return None,
        })
    }

    /// Whether the brand issues numbers of this many digits, and which it does.
    const fn lengths(&self, n: usize) -> (bool, &'static str) {
        match self {
            Self::Visa => (matches!(n, 13 | 16 | 19), "13, 16 or 19"),
            Self::Mastercard => (n == 16, "16"),
            Self::Amex => (n == 15, "15"),
            Self::DinersClub => (matches!(n, 14..=19), "14 to 19"),
            Self::Discover | Self::Jcb | Self::UnionPay => (matches!(n, 16..=19), "16 to 19"),
        }
    }

    /// Digits of its security code.
    #[must_use]
    pub const fn cvc_length(&self) -> usize {
        if matches!(self, Self::Amex) { 4 } else { 3 }
    }
}

impl fmt::Display for CardBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Whether a string of ASCII digits passes the Luhn (mod 10) check.
#[must_use]
pub fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d }
        })
        .sum();
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// A card number that passed the Luhn check and belongs to a known brand.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
    brand: CardBrand,
}

impl CardNumber {
    /// Parses a number as typed; spaces and dashes between digits are dropped.
    ///
    /// # Errors
    /// A [`CardError`] naming the broken rule, checked in this order:
    /// characters, length, check digit, brand, the brand's length.
    pub fn parse(input: &str) -> Result<Self, CardError> {
        let mut digits = String::with_capacity(19);
        for c in input.trim().chars() {
            match c {
                '0'..='9' if digits.len() < 19 => digits.push(c),
                '0'..='9' => return Err(CardError::NumberLength(input.chars().filter(char::is_ascii_digit).count())),
                ' ' | '-' => {}
                _ => return Err(CardError::NumberCharacters),
            }
        }
        if !(12..=19).contains(&digits.len()) {
            return Err(CardError::NumberLength(digits.len()));
        }
        if !luhn_valid(&digits) {
            return Err(CardError::Checksum);
        }
        let brand = CardBrand::of_digits(&digits).ok_or(CardError::UnknownBrand)?;
        let (fits, expected) = brand.lengths(digits.len());
        if !fits {
            return Err(CardError::BrandLength { brand, expected, actual: digits.len() });
        }
        Ok(Self { digits, brand })
    }

    /// The brand.
    #[must_use]
    pub const fn brand(&self) -> CardBrand {
        self.brand
    }

    /// The last four digits, the only part ever shown or stored.
    #[must_use]
    pub fn last4(&self) -> &str {
        &self.digits[self.digits.len() - 4..]
    }

    /// Every digit: for the gateway adapter only, never for storage or logs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({} ending {})", self.brand.as_str(), self.last4())
    }
}

/// A card's expiry month, not yet passed on the date it was parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CardExpiry {
    year: i32,
    month: u32,
}

impl CardExpiry {
    /// Parses a month (1–12) and a two- or four-digit year; the card is
    /// valid through the last day of that month, judged against `today`.
    ///
    /// # Errors
    /// [`CardError::ExpiryMonth`], [`CardError::ExpiryYear`],
    /// [`CardError::Expired`] or [`CardError::ExpiryTooFar`].
    pub fn parse(month: &str, year: &str, today: NaiveDate) -> Result<Self, CardError> {
        let (month, year) = (month.trim(), year.trim());
        let month: u32 = month.parse().ok().filter(|m| (1..=12).contains(m)).ok_or(CardError::ExpiryMonth)?;
        let digits_only = !year.is_empty() && year.bytes().all(|b| b.is_ascii_digit());
        let year: i32 = match (digits_only, year.len()) {
            (true, 2) => 2000 + year.parse::<i32>().map_err(|_| CardError::ExpiryYear)?,
            (true, 4) => year.parse().map_err(|_| CardError::ExpiryYear)?,
            _ => return Err(CardError::ExpiryYear),
        };
        Self::new(month, year, today)
    }

    /// An expiry from numbers.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn new(month: u32, year: i32, today: NaiveDate) -> Result<Self, CardError> {
        if !(1..=12).contains(&month) {
            return Err(CardError::ExpiryMonth);
        }
        if (year, month) < (today.year(), today.month()) {
            return Err(CardError::Expired);
        }
        if year > today.year() + 50 {
            return Err(CardError::ExpiryTooFar);
        }
        Ok(Self { year, month })
    }

    /// A stored expiry, read back without judging it against a date.
    #[must_use]
    pub fn from_stored(month: u32, year: i32) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// The month, 1–12.
    #[must_use]
    pub const fn month(&self) -> u32 {
        self.month
    }

    /// The four-digit year.
    #[must_use]
    pub const fn year(&self) -> i32 {
        self.year
    }

    /// Whether the card still works on `today`.
    #[must_use]
    pub fn valid_on(&self, today: NaiveDate) -> bool {
        (self.year, self.month) >= (today.year(), today.month())
    }
}

impl fmt::Display for CardExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{}", self.month, self.year)
    }
}

/// A card's security code, of the length its brand uses.
#[derive(Clone, PartialEq, Eq)]
pub struct Cvc(String);

impl Cvc {
    /// Parses 3 digits, or 4 for American Express.
    ///
    /// # Errors
    /// [`CardError::Cvc`] naming the expected length.
    pub fn parse(input: &str, brand: CardBrand) -> Result<Self, CardError> {
        let s = input.trim();
        let expected = brand.cvc_length();
        if s.len() == expected && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(CardError::Cvc { expected: if expected == 4 { "4" } else { "3" } })
        }
    }

    /// The digits: for the gateway adapter only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(<redacted>)")
    }
}

/// A whole card, every part parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    /// The number.
    pub number: CardNumber,
    /// The expiry.
    pub expiry: CardExpiry,
    /// The security code.
    pub cvc: Cvc,
}

/// Which field of a card form is wrong, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct CardFieldError {
    /// `number`, `expiry` or `cvc`.
    pub field: &'static str,
    /// The rule it breaks.
    pub error: CardError,
}

impl CardDetails {
    /// Parses a card form's fields, judging the expiry against `today`.
    ///
    /// # Errors
    /// The first [`CardFieldError`], naming the field.
    pub fn parse(number: &str, month: &str, year: &str, cvc: &str, today: NaiveDate) -> Result<Self, CardFieldError> {
        let at = |field| move |error| CardFieldError { field, error };
        let number = CardNumber::parse(number).map_err(at("number"))?;
        let expiry = CardExpiry::parse(month, year, today).map_err(at("expiry"))?;
        let cvc = Cvc::parse(cvc, number.brand()).map_err(at("cvc"))?;
        Ok(Self { number, expiry, cvc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn well_known_test_numbers_parse_with_their_brand() {
        for (number, brand) in [
            ("4242 4242 4242 4242", CardBrand::Visa),
            ("4000-0000-0000-0002", CardBrand::Visa),
            ("5555555555554444", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("378282246310005", CardBrand::Amex),
            ("6011111111111117", CardBrand::Discover),
            ("3056930009020004", CardBrand::DinersClub),
            ("36227206271667", CardBrand::DinersClub),
            ("3566002020360505", CardBrand::Jcb),
            ("6200000000000005", CardBrand::UnionPay),
        ] {
            let parsed = CardNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {e}"));
            assert_eq!(parsed.brand(), brand, "{number}");
            assert_eq!(parsed.last4(), &number.replace([' ', '-'], "")[number.replace([' ', '-'], "").len() - 4..]);
        }
    }

    #[test]
    fn broken_numbers_name_the_rule() {
        assert_eq!(CardNumber::parse("4242424242424241"), Err(CardError::Checksum));
        assert_eq!(CardNumber::parse("4242-4242-x"), Err(CardError::NumberCharacters));
        assert_eq!(CardNumber::parse("42424242"), Err(CardError::NumberLength(8)));
        assert_eq!(CardNumber::parse(&"4".repeat(25)), Err(CardError::NumberLength(25)));
        assert_eq!(CardNumber::parse("9999999999999995"), Err(CardError::UnknownBrand));
        let brand_length = |n| match CardNumber::parse(n) {
            Err(CardError::BrandLength { brand, .. }) => Some(brand),
            _ => None,
        };
        assert_eq!(brand_length("37828224631003"), Some(CardBrand::Amex));
        assert_eq!(brand_length("5105105105105100005"), Some(CardBrand::Mastercard));
        assert_eq!(CardNumber::parse("4222222222222").map(|n| n.brand()), Ok(CardBrand::Visa));
    }

    #[test]
    fn debug_shows_only_the_brand_and_last_four() {
        let card = CardDetails::parse("4242424242424242", "12", "2030", "123", today()).unwrap();
        let shown = format!("{card:?}");
        assert!(!shown.contains("4242424242424242") && !shown.contains("123\""), "{shown}");
        assert!(shown.contains("visa ending 4242"), "{shown}");
    }

    #[test]
    fn an_expiry_is_valid_through_the_last_day_of_its_month() {
        assert!(CardExpiry::parse("12", "2026", today()).is_ok());
        assert!(CardExpiry::parse("12", "26", today()).is_ok());
        assert_eq!(CardExpiry::parse("11", "2026", today()), Err(CardError::Expired));
        assert_eq!(CardExpiry::parse("13", "2030", today()), Err(CardError::ExpiryMonth));
        assert_eq!(CardExpiry::parse("1", "203", today()), Err(CardError::ExpiryYear));
        assert_eq!(CardExpiry::parse("1", "2090", today()), Err(CardError::ExpiryTooFar));
        let expiry = CardExpiry::parse("1", "2027", today()).unwrap();
        assert_eq!(expiry.to_string(), "01/2027");
        assert!(!expiry.valid_on(NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()));
    }

    #[test]
    fn the_security_code_has_the_length_of_its_brand() {
        assert!(Cvc::parse("123", CardBrand::Visa).is_ok());
        assert_eq!(Cvc::parse("1234", CardBrand::Visa), Err(CardError::Cvc { expected: "3" }));
        assert!(Cvc::parse("1234", CardBrand::Amex).is_ok());
        assert_eq!(Cvc::parse("123", CardBrand::Amex), Err(CardError::Cvc { expected: "4" }));
        assert_eq!(Cvc::parse("12a", CardBrand::Visa), Err(CardError::Cvc { expected: "3" }));
        let err = CardDetails::parse("378282246310005", "1", "2030", "123", today()).unwrap_err();
        assert_eq!(err.field, "cvc");
    }
}
