//! Every parser round-trips valid input and rejects what is outside its grammar.

mod common;

use portico_domain::{Currency, CustomerNumber, EmailAddress, ErpId, Money, PhoneNumber, SecretToken, Username};
use proptest::prelude::*;

fn local_part() -> impl Strategy<Value = String> {
    let word = "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}|[a-zà-öø-ÿ]{1,6}";
    prop::collection::vec(word, 1..4).prop_map(|w| w.join("."))
}

fn domain() -> impl Strategy<Value = String> {
    (prop::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", 1..4), "[a-zA-Z]{2,6}")
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn valid_emails_parse_normalise_and_round_trip(local in local_part(), domain in domain(), pad in " {0,3}") {
        let raw = format!("{pad}{local}@{domain}{pad}");
        let email = EmailAddress::parse(&raw).unwrap();
        prop_assert_eq!(email.as_str(), format!("{local}@{}", domain.to_lowercase()));
        prop_assert_eq!(EmailAddress::parse(email.as_str()).unwrap(), email.clone());
        prop_assert_eq!(email.domain(), domain.to_lowercase());
    }

    #[test]
    fn email_parsing_never_panics_and_accepts_only_one_at(raw in "\\PC{0,80}") {
        if let Ok(email) = EmailAddress::parse(&raw) {
            prop_assert_eq!(email.as_str().matches('@').count(), 1);
            prop_assert!(!email.as_str().contains(char::is_whitespace));
            prop_assert_eq!(email.domain(), email.domain().to_lowercase());
        }
    }

    #[test]
    fn strings_outside_the_email_grammar_are_rejected(
        local in local_part(),
        domain in domain(),
        breaker in prop_oneof![Just(" "), Just("@"), Just(","), Just(".."), Just("<"), Just("\n")],
        at_local in any::<bool>(),
    ) {
        let raw = if at_local { format!("{local}{breaker}x@{domain}") } else { format!("{local}@{domain}{breaker}x.com") };
        prop_assert!(EmailAddress::parse(&raw).is_err(), "{:?} was accepted", raw);
        prop_assert!(EmailAddress::parse(&local).is_err());
    }

    #[test]
    fn phone_numbers_normalise_to_their_digits(area in "[2-9][0-9]{2}", mid in "[0-9]{3}", end in "[0-9]{4}", style in 0..5_u8) {
        let raw = match style {
            0 => format!("({area}) {mid}-{end}"),
            1 => format!("+1 {area} {mid} {end}"),
            2 => format!("{area}-{mid}-{end}"),
            3 => format!("{area}.{mid}.{end}"),
            _ => format!("1{area}{mid}{end}"),
        };
        let phone = PhoneNumber::parse(&raw).unwrap();
        prop_assert_eq!(phone.digits(), format!("{area}{mid}{end}"));
        prop_assert_eq!(PhoneNumber::parse(phone.digits()).unwrap(), phone);
    }

    #[test]
    fn phone_parsing_never_panics_and_yields_only_digits(raw in "\\PC{0,30}") {
        if let Ok(phone) = PhoneNumber::parse(&raw) {
            prop_assert!(phone.digits().bytes().all(|b| b.is_ascii_digit()));
            prop_assert!((7..=15).contains(&phone.digits().len()));
        }
    }

    #[test]
    fn money_round_trips_through_its_decimal_form(minor in -1_000_000_000_000_i64..1_000_000_000_000, code in "(USD|EUR|CAD|JPY|KWD)") {
        let currency = Currency::parse(&code).unwrap();
        let money = Money::from_minor(minor, currency);
        prop_assert_eq!(Money::parse(&money.decimal(), currency).unwrap(), money);
    }

    #[test]
    fn money_parsing_never_panics_and_keeps_the_sign(raw in "-?[0-9]{0,22}(\\.[0-9]{0,4})?|\\PC{0,12}") {
        if let Ok(money) = Money::parse(&raw, Currency::USD) {
            prop_assert_eq!(money.minor_units() < 0, raw.trim().starts_with('-') && money.minor_units() != 0);
        }
    }

    #[test]
    fn currency_codes_round_trip_and_reject_other_lengths(code in "[A-Za-z]{3}", other in "[A-Za-z]{0,2}|[A-Za-z]{4,6}|[0-9]{3}") {
        let currency = Currency::parse(&code).unwrap();
        prop_assert_eq!(currency.code(), code.to_ascii_uppercase());
        prop_assert!(Currency::parse(&other).is_err());
    }

    #[test]
    fn identifiers_round_trip_and_reject_inner_whitespace(id in "[A-Za-z0-9_-]{1,40}", ws in "[ \t]") {
        prop_assert_eq!(ErpId::parse(&format!(" {id} ")).unwrap().to_string(), id.clone());
        prop_assert_eq!(CustomerNumber::parse(&id).unwrap().to_string(), id.clone());
        let spaced = format!("{id}{ws}{id}");
        prop_assert!(ErpId::parse(&spaced).is_err());
    }

    #[test]
    fn usernames_are_idempotent_under_normalisation(raw in "\\PC{0,40}") {
        if let Ok(username) = Username::parse(&raw) {
            prop_assert_eq!(Username::parse(username.as_str()).unwrap(), username.clone());
            prop_assert_eq!(username.as_str(), username.as_str().to_lowercase());
        }
    }

    #[test]
    fn tokens_round_trip_and_match_only_their_own_hash(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
        let (ta, tb) = (SecretToken::from_bytes(a), SecretToken::from_bytes(b));
        prop_assert_eq!(SecretToken::parse(&ta.expose()).unwrap(), ta.clone());
        prop_assert!(ta.hash().matches(&ta));
        prop_assert_eq!(ta.hash().matches(&tb), a == b);
        let printed = format!("{ta:?}");
        prop_assert!(!printed.contains(&ta.expose()));
    }
}
