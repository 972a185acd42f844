//! Phone numbers, normalised to digits.

use std::fmt;

/// Why a string is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but whitespace.
    #[error("the phone number is empty")]
    Empty,
    /// A character that no phone format uses.
    #[error("the phone number holds {0:?}, which is not a digit, space, '+', '-', '.', '(' or ')'")]
    Character(char),
    /// Too few or too many digits.
    #[error("a phone number has 7 to 15 digits, this one has {0}")]
    Length(usize),
}

/// A phone number as its digits only.
///
/// Free-form US formats (`(447) 292-9028`, `701-631-0642`, `701.631.0642`,
/// `+1 300 760 1028`) all normalise to ten digits: a leading North American
/// country code `1` on an eleven-digit number is dropped.
///
/// ```
/// use portico_domain::PhoneNumber;
/// assert_eq!(PhoneNumber::parse("+1 (300) 760-1028").unwrap().digits(), "3007601028");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses a free-form phone number.
    ///
    /// # Errors
    /// A [`PhoneError`] naming the broken rule.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::with_capacity(trimmed.len());
        for (i, c) in trimmed.char_indices() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' => {}
                other => return Err(PhoneError::Character(other)),
            }
        }
        if digits.len() == 11 && digits.starts_with('1') {
            digits.remove(0);
        }
        if !(7..=15).contains(&digits.len()) {
            return Err(PhoneError::Length(digits.len()));
        }
        Ok(Self(digits))
    }

    /// The digits.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_us_format_of_the_sample_data_normalises_to_ten_digits() {
        for raw in ["(447) 292-9028", "+1 447 292 9028", "447-292-9028", "447.292.9028", "14472929028"] {
            assert_eq!(PhoneNumber::parse(raw).unwrap().digits(), "4472929028", "{raw}");
        }
    }

    #[test]
    fn letters_and_short_numbers_are_rejected() {
        assert_eq!(PhoneNumber::parse("call me"), Err(PhoneError::Character('c')));
        assert_eq!(PhoneNumber::parse("12-34"), Err(PhoneError::Length(4)));
        assert_eq!(PhoneNumber::parse(" "), Err(PhoneError::Empty));
    }

    #[test]
    fn a_plus_counts_only_in_front() {
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").map(|p| p.digits().to_owned()),
            Ok("442079460958".to_owned())
        );
        assert_eq!(PhoneNumber::parse("447+292-9028"), Err(PhoneError::Character('+')));
    }

    #[test]
    fn a_phone_prints_as_its_digits() {
        let phone = PhoneNumber::parse("(447) 292-9028").unwrap();

        assert_eq!(phone.to_string(), "4472929028");
        assert_eq!(format!("{phone:?}"), "PhoneNumber(\"4472929028\")");
    }
}
