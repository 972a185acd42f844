//! Money in integer minor units. No floats anywhere.

use std::fmt;

/// Why a currency code or an amount does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not three upper-case ASCII letters.
    #[error("{0:?} is not an ISO 4217 currency code (three letters such as USD)")]
    Currency(String),
    /// Not a decimal number such as `12.34`.
    #[error("{0:?} is not a decimal amount such as 1234.56")]
    Amount(String),
    /// More decimal places than the currency has.
    #[error("{amount:?} has more than {places} decimal places")]
    Precision {
        /// The amount as given.
        amount: String,
        /// The currency's minor-unit places.
        places: u32,
    },
    /// Outside what 64-bit minor units hold.
    #[error("{0:?} is too large")]
    Overflow(String),
}

/// An ISO 4217 currency code.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// United States dollar.
    pub const USD: Self = Self(*b"USD");

    /// Parses a three-letter code; lower case is accepted and upper-cased.
    ///
    /// # Errors
    /// [`MoneyError::Currency`] when the input is not three ASCII letters.
    pub fn parse(input: &str) -> Result<Self, MoneyError> {
        let code = input.trim().to_ascii_uppercase();
        match code.as_bytes() {
            &[a, b, c] if code.bytes().all(|b| b.is_ascii_uppercase()) => Ok(Self([a, b, c])),
            _ => Err(MoneyError::Currency(input.to_owned())),
        }
    }

    /// The code, such as `"USD"`.
    #[must_use]
    pub fn code(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit.
    #[must_use]
    pub fn minor_places(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" | b"XAF" | b"XOF" | b"UGX" | b"PYG" => 0,
            b"BHD" | b"KWD" | b"OMR" | b"JOD" | b"TND" | b"LYD" | b"IQD" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

/// An amount of one currency in its minor units (cents for USD).
///
/// ```
/// use portico_domain::{Currency, Money};
/// let m = Money::parse("9378.32", Currency::USD).unwrap();
/// assert_eq!(m.minor_units(), 937_832);
/// assert_eq!(m.to_string(), "9378.32 USD");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount in minor units.
    #[must_use]
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero of a currency.
    #[must_use]
    pub const fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses a decimal string such as `-12.5` or `1234.56`.
    ///
    /// # Errors
    /// A [`MoneyError`] for anything that is not a plain decimal number with at
    /// most the currency's decimal places.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let s = input.trim();
        let (negative, unsigned) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_only = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits_only(whole)
            || !digits_only(fraction)
            || (unsigned.contains('.') && fraction.is_empty())
        {
            return Err(MoneyError::Amount(input.to_owned()));
        }
        let places = currency.minor_places();
        if fraction.len() > places as usize {
            return Err(MoneyError::Precision { amount: input.to_owned(), places });
        }
        let overflow = || MoneyError::Overflow(input.to_owned());
        let whole: i64 = whole.parse().map_err(|_| overflow())?;
        let mut frac: i64 = if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| overflow())? };
        for _ in fraction.len()..places as usize {
            frac *= 10;
        }
        let minor = whole.checked_mul(10_i64.pow(places)).and_then(|w| w.checked_add(frac)).ok_or_else(overflow)?;
        Ok(Self { minor: if negative { -minor } else { minor }, currency })
    }

    /// The amount in minor units.
    #[must_use]
    pub const fn minor_units(&self) -> i64 {
        self.minor
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The sum, or `None` on a currency mismatch or overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        if self.currency != other.currency {
            return None;
        }
        self.minor.checked_add(other.minor).map(|minor| Self { minor, currency: self.currency })
    }

    /// The amount as a decimal string without the currency, such as `1234.50`.
    #[must_use]
    pub fn decimal(&self) -> String {
        let places = self.currency.minor_places();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if places == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10_u64.pow(places);
        format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = places as usize)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings_parse_to_minor_units() {
        let usd = Currency::USD;
        assert_eq!(Money::parse("0", usd).unwrap().minor_units(), 0);
        assert_eq!(Money::parse("12.5", usd).unwrap().minor_units(), 1250);
        assert_eq!(Money::parse("-0.01", usd).unwrap().minor_units(), -1);
        assert_eq!(Money::parse("100", Currency::parse("jpy").unwrap()).unwrap().minor_units(), 100);
    }

    #[test]
    fn malformed_amounts_name_the_problem() {
        let usd = Currency::USD;
        assert!(matches!(Money::parse("12.345", usd), Err(MoneyError::Precision { places: 2, .. })));
        for bad in ["", "1,000.00", "1e3", "12.", ".5", "abc", "--1", "1.2.3"] {
            assert!(matches!(Money::parse(bad, usd), Err(MoneyError::Amount(_))), "{bad:?}");
        }
        assert!(matches!(Money::parse("99999999999999999999", usd), Err(MoneyError::Overflow(_))));
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(Currency::parse(" cad ").unwrap().code(), "CAD");
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("U$D").is_err());
    }

    #[test]
    fn three_place_currencies_keep_three_decimals() {
        let kwd = Currency::parse("KWD").unwrap();

        let amount = Money::parse("1.234", kwd).unwrap();

        assert_eq!((amount.minor_units(), amount.decimal()), (1234, "1.234".to_owned()));
        assert_eq!(format!("{kwd:?}"), "Currency(KWD)");
    }

    #[test]
    fn sums_need_one_currency_and_room_in_64_bits() {
        let usd = |minor| Money::from_minor(minor, Currency::USD);
        let eur = Money::from_minor(1, Currency::parse("EUR").unwrap());

        assert_eq!(usd(150).checked_add(usd(-50)), Some(usd(100)));
        assert_eq!(usd(150).checked_add(eur), None);
        assert_eq!(usd(i64::MAX).checked_add(usd(1)), None);
    }

    #[test]
    fn zero_and_negative_amounts_print_with_their_sign_only_when_below_zero() {
        assert_eq!(Money::zero(Currency::USD).to_string(), "0.00 USD");
        assert_eq!(Money::from_minor(-5, Currency::USD).decimal(), "-0.05");
        assert_eq!(Money::from_minor(-5, Currency::parse("JPY").unwrap()).decimal(), "-5");
    }
}
