//! Credential patterns and eligibility: lengths, alphabets, weakness, missing
//! data, and unique usernames.

mod common;

use std::collections::HashSet;

use portico_domain::credentials::{self, CredentialSource, PasswordStrength};
use portico_domain::{
    Candidate, Contact, ContactEmail, ContactId, ContactStanding, Currency, Customer, CustomerId, CustomerNumber,
    EmailAddress, ErpId, InviteMode, InvitePlan, MerchantId, MissingField, PasswordLength, PasswordPattern,
    PhoneNumber, Recipient, SkipReason, UsernamePattern, Verdict, assess,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use uuid::Uuid;

#[derive(Clone, Debug)]
struct Person {
    customer: Customer,
    contact: Contact,
    standing: ContactStanding,
}

fn username_pattern() -> impl Strategy<Value = UsernamePattern> {
    prop_oneof![
        Just(UsernamePattern::Email),
        Just(UsernamePattern::CustomerNumber),
        Just(UsernamePattern::Phone),
        Just(UsernamePattern::ErpId),
    ]
}

fn password_pattern() -> impl Strategy<Value = PasswordPattern> {
    prop_oneof![
        (6_u32..=64).prop_map(|l| PasswordPattern::Random(PasswordLength::new(l).unwrap())),
        Just(PasswordPattern::CustomerNumber),
        Just(PasswordPattern::Phone),
    ]
}

/// People drawn from a small pool of values, so emails, numbers and phones collide.
fn person(index: u128) -> impl Strategy<Value = Person> {
    let email = prop_oneof![
        Just(ContactEmail::Missing),
        Just(ContactEmail::from_raw("not-an-email")),
        (0..6_u8).prop_map(|n| ContactEmail::Valid(EmailAddress::parse(&format!("ap{n}@group.example")).unwrap())),
    ];
    let number = prop::option::of((0..6_u8).prop_map(|n| CustomerNumber::parse(&format!("C{n}")).unwrap()));
    let phone = prop::option::of((0..6_u8).prop_map(|n| PhoneNumber::parse(&format!("555-010-000{n}")).unwrap()));
    let standing = (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(l, o, d)| ContactStanding {
        has_login: l,
        open_invitation: o,
        declined: d,
    });
    (email, number, phone, standing, 0..4_u128, any::<bool>()).prop_map(
        move |(email, number, phone, standing, erp, primary)| {
            let customer_id = CustomerId::from_uuid(Uuid::from_u128(1_000 + erp));
            Person {
                customer: Customer {
                    id: customer_id,
                    merchant_id: MerchantId::from_uuid(Uuid::nil()),
                    erp_id: ErpId::parse(&format!("ERP-{erp}")).unwrap(),
                    customer_number: number,
                    name: "Acme".into(),
                    currency: Currency::USD,
                    collection_priority: None,
                },
                contact: Contact {
                    id: ContactId::from_uuid(Uuid::from_u128(index)),
                    customer_id,
                    first_name: "Ann".into(),
                    last_name: "Lee".into(),
                    email,
                    phone,
                    primary,
                },
                standing,
            }
        },
    )
}

fn people() -> impl Strategy<Value = Vec<Person>> {
    (0..40_usize).prop_flat_map(|n| (0..n as u128).map(person).collect::<Vec<_>>())
}

fn plan() -> impl Strategy<Value = InvitePlan> {
    let mode = prop_oneof![
        Just(InviteMode::Link),
        (username_pattern(), password_pattern())
            .prop_map(|(username, password)| InviteMode::Credentials { username, password }),
    ];
    let recipient = prop_oneof![
        Just(Recipient::ContactEmail),
        Just(Recipient::Other(EmailAddress::parse("me@merchant.example").unwrap())),
    ];
    (mode, recipient, any::<bool>()).prop_map(|(mode, recipient, override_declined)| InvitePlan {
        mode,
        recipient,
        override_declined,
    })
}

fn source(p: &Person) -> CredentialSource<'_> {
    CredentialSource {
        email: p.contact.email.valid(),
        phone: p.contact.phone.as_ref(),
        customer_number: p.customer.customer_number.as_ref(),
        erp_id: &p.customer.erp_id,
    }
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn random_passwords_always_match_length_and_alphabet(length in 6_u32..=64, seed in any::<[u8; 32]>()) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        let erp = ErpId::parse("ERP-1").unwrap();
        let source = CredentialSource { email: None, phone: None, customer_number: None, erp_id: &erp };
        let pattern = PasswordPattern::Random(PasswordLength::new(length).unwrap());
        let password = credentials::password(pattern, &source, &mut rng).unwrap();
        prop_assert_eq!(password.expose().len(), length as usize);
        prop_assert!(password.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        prop_assert_eq!(password.strength(), PasswordStrength::Strong);
        prop_assert!(password.must_change());
        // Deterministic given the seed.
        let again = credentials::password(pattern, &source, &mut ChaCha20Rng::from_seed(seed)).unwrap();
        prop_assert_eq!(again.expose(), password.expose());
    }

    #[test]
    fn lengths_outside_six_to_sixty_four_are_refused(length in prop_oneof![0_u32..6, 65_u32..10_000]) {
        prop_assert!(PasswordLength::new(length).is_err());
    }

    #[test]
    fn derived_passwords_are_always_weak_and_force_a_change(p in person(1), pattern in password_pattern(), seed in any::<[u8; 32]>()) {
        let mut rng = ChaCha20Rng::from_seed(seed);
        if let Ok(password) = credentials::password(pattern, &source(&p), &mut rng) {
            let derived = !matches!(pattern, PasswordPattern::Random(_));
            prop_assert_eq!(password.strength() == PasswordStrength::Weak, derived);
            prop_assert!(password.must_change());
        }
    }

    #[test]
    fn missing_data_never_yields_credentials(p in person(1), u in username_pattern(), pw in password_pattern(), seed in any::<[u8; 32]>()) {
        let s = source(&p);
        let needs = |field: MissingField| match field {
            MissingField::Email => s.email.is_none(),
            MissingField::Phone => s.phone.is_none(),
            MissingField::CustomerNumber => s.customer_number.is_none(),
        };
        match credentials::username(u, &s) {
            Ok(name) => {
                let expected = match u {
                    UsernamePattern::Email => s.email.map(EmailAddress::canonical),
                    UsernamePattern::CustomerNumber => s.customer_number.map(|n| n.as_str().to_lowercase()),
                    UsernamePattern::Phone => s.phone.map(|p| p.digits().to_owned()),
                    UsernamePattern::ErpId => Some(s.erp_id.as_str().to_lowercase()),
                };
                prop_assert_eq!(Some(name.as_str().to_owned()), expected);
            }
            Err(field) => prop_assert!(needs(field), "{:?} reported missing but present", field),
        }
        match credentials::password(pw, &s, &mut ChaCha20Rng::from_seed(seed)) {
            Ok(_) => prop_assert!(credentials::requirement(pw, &s).is_ok()),
            Err(field) => prop_assert!(needs(field)),
        }
    }

    #[test]
    fn eligibility_gives_every_candidate_one_verdict_and_never_repeats_a_username(
        people in people(),
        plan in plan(),
        taken_pool in prop::collection::hash_set("(c[0-5]|erp-[0-3]|555010000[0-5]|ap[0-5]@group.example)", 0..4),
    ) {
        let candidates: Vec<Candidate<'_>> =
            people.iter().map(|p| Candidate { customer: &p.customer, contact: &p.contact, standing: p.standing }).collect();
        let verdicts = assess(&candidates, &plan, &|u| taken_pool.contains(u.as_str()));
        prop_assert_eq!(verdicts.len(), candidates.len());
        let mut usernames = HashSet::new();
        for ((id, verdict), (c, p)) in verdicts.iter().zip(candidates.iter().zip(&people)) {
            prop_assert_eq!(*id, c.contact.id);
            match verdict {
                Verdict::Invite { recipient, username } => {
                    prop_assert!(!p.standing.has_login && !p.standing.open_invitation);
                    prop_assert!(!p.standing.declined || plan.override_declined);
                    match &plan.recipient {
                        Recipient::Other(other) => prop_assert_eq!(recipient, other),
                        Recipient::ContactEmail => prop_assert_eq!(Some(recipient), p.contact.email.valid()),
                    }
                    match (plan.mode, username) {
                        (InviteMode::Link, None) => {}
                        (InviteMode::Credentials { .. }, Some(name)) => {
                            prop_assert!(!taken_pool.contains(name.as_str()), "taken username {} handed out", name);
                            prop_assert!(usernames.insert(name.clone()), "username {} handed out twice", name);
                        }
                        (mode, name) => prop_assert!(false, "mode {:?} with username {:?}", mode, name),
                    }
                }
                Verdict::Skip(SkipReason::HasLogin) => prop_assert!(p.standing.has_login),
                Verdict::Skip(SkipReason::MissingEmail) => {
                    let email_username = matches!(plan.mode, InviteMode::Credentials { username: UsernamePattern::Email, .. });
                    let needed = plan.recipient == Recipient::ContactEmail || email_username;
                    prop_assert!(p.contact.email == ContactEmail::Missing && needed);
                }
                Verdict::Skip(SkipReason::InvalidEmail) => {
                    let invalid = matches!(p.contact.email, ContactEmail::Invalid { .. });
                    prop_assert!(invalid);
                }
                Verdict::Skip(SkipReason::UsernameTaken) => {
                    let credentials = matches!(plan.mode, InviteMode::Credentials { .. });
                    prop_assert!(credentials);
                }
                Verdict::Skip(_) => {}
            }
        }
    }
}
