//! Credential generation, checked byte by byte with a scripted RNG.

use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

use super::*;

/// An RNG that fills each request with one byte value from a script, in turn.
struct Script(Vec<u8>);

impl TryRng for Script {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("the password generator draws bytes")
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unreachable!("the password generator draws bytes")
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.fill(self.0.remove(0));
        Ok(())
    }
}

impl TryCryptoRng for Script {}

fn source<'a>(
    erp: &'a ErpId,
    phone: Option<&'a PhoneNumber>,
    number: Option<&'a CustomerNumber>,
) -> CredentialSource<'a> {
    CredentialSource { email: None, phone, customer_number: number, erp_id: erp }
}

#[test]
fn a_length_converts_from_and_to_its_byte_within_bounds_only() {
    assert_eq!(PasswordLength::try_from(5), Err(PasswordLengthError(5)));
    assert_eq!(PasswordLength::try_from(65), Err(PasswordLengthError(65)));
    assert_eq!(PasswordLength::try_from(12).map(|l| l.get()), Ok(12));
    assert_eq!(u8::from(PasswordLength::new(12).unwrap()), 12);
    assert_eq!(PasswordLength::default().get(), 10);
}

#[test]
fn the_debug_form_of_a_generated_password_hides_the_secret_but_names_its_strength() {
    let erp = ErpId::parse("ERP-1").unwrap();
    let number = CustomerNumber::parse("C18455").unwrap();
    let password = password(PasswordPattern::CustomerNumber, &source(&erp, None, Some(&number)), &mut Script(vec![]));

    let shown = format!("{:?}", password.unwrap());

    assert_eq!(shown, "GeneratedPassword(<redacted>, Weak)");
}

#[test]
fn a_derived_password_requires_its_source_and_a_random_one_nothing() {
    let erp = ErpId::parse("ERP-1").unwrap();
    let phone = PhoneNumber::parse("(447) 292-9028").unwrap();
    let number = CustomerNumber::parse("C1").unwrap();
    let empty = source(&erp, None, None);
    let full = source(&erp, Some(&phone), Some(&number));

    assert_eq!(requirement(PasswordPattern::Phone, &empty), Err(MissingField::Phone));
    assert_eq!(requirement(PasswordPattern::CustomerNumber, &empty), Err(MissingField::CustomerNumber));
    assert_eq!(requirement(PasswordPattern::default(), &empty), Ok(()));
    assert_eq!(requirement(PasswordPattern::Phone, &full), Ok(()));
    assert_eq!(requirement(PasswordPattern::CustomerNumber, &full), Ok(()));
}

#[test]
fn random_bytes_of_248_and_above_are_drawn_again_so_no_letter_is_favoured() {
    // 248..=255 would map to A..H a second time: a whole buffer of them yields nothing.
    for rejected in [248, 255] {
        let mut rng = Script(vec![rejected, 1]);

        let password = random_password(PasswordLength::new(6).unwrap(), &mut rng);

        assert_eq!(password.expose(), "BBBBBB", "byte {rejected} was used");
    }
    let mut rng = Script(vec![247]);
    assert_eq!(random_password(PasswordLength::new(6).unwrap(), &mut rng).expose(), "999999");
}

#[test]
fn each_accepted_byte_picks_its_own_letter_of_the_alphabet() {
    let mut rng = Script((0..=61).collect());

    let drawn: String =
        (0..62).map(|_| random_password(PasswordLength::new(6).unwrap(), &mut rng).expose().to_owned()).collect();

    let expected: String = ALPHABET.iter().map(|&b| char::from(b).to_string().repeat(6)).collect();
    assert_eq!(drawn, expected);
}
