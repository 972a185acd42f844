//! Eligibility, one rule at a time.

use uuid::Uuid;

use super::*;
use crate::{CustomerId, CustomerNumber, ErpId, MerchantId};

fn customer(number: &str) -> Customer {
    Customer {
        id: CustomerId::from_uuid(Uuid::from_u128(1)),
        merchant_id: MerchantId::from_uuid(Uuid::nil()),
        erp_id: ErpId::parse("ERP-1").unwrap(),
        customer_number: Some(CustomerNumber::parse(number).unwrap()),
        name: "Acme".to_owned(),
        currency: crate::Currency::USD,
        collection_priority: None,
    }
}

fn contact(n: u128, email: &str) -> Contact {
    Contact {
        id: ContactId::from_uuid(Uuid::from_u128(n)),
        customer_id: CustomerId::from_uuid(Uuid::from_u128(1)),
        first_name: "Ann".to_owned(),
        last_name: "Lee".to_owned(),
        email: ContactEmail::from_raw(email),
        phone: None,
        primary: true,
    }
}

fn credentials() -> InvitePlan {
    InvitePlan {
        mode: InviteMode::Credentials {
            username: UsernamePattern::CustomerNumber,
            password: PasswordPattern::default(),
        },
        ..InvitePlan::default()
    }
}

fn verdicts(candidates: &[Candidate<'_>], plan: &InvitePlan, taken: &[&str]) -> Vec<Verdict> {
    assess(candidates, plan, &|u| taken.contains(&u.as_str())).into_iter().map(|(_, v)| v).collect()
}

#[test]
fn every_skip_reason_has_a_stable_snake_case_name_that_parses_back() {
    let names: Vec<String> = SkipReason::ALL.iter().map(ToString::to_string).collect();

    assert_eq!(
        names,
        [
            "missing_email",
            "missing_phone",
            "missing_customer_number",
            "has_login",
            "already_invited",
            "declined",
            "username_taken",
            "invalid_email"
        ]
    );
    for reason in SkipReason::ALL {
        assert_eq!(SkipReason::parse(reason.as_str()), Some(reason));
    }
    assert_eq!(SkipReason::parse("sent"), None);
}

#[test]
fn a_contact_who_declined_is_skipped_unless_staff_override_and_others_are_not() {
    let customer = customer("C1");
    let contact = contact(1, "ann@example.com");
    let declined = ContactStanding { declined: true, ..ContactStanding::default() };
    let candidate = |standing| [Candidate { customer: &customer, contact: &contact, standing }];
    let override_declined = InvitePlan { override_declined: true, ..InvitePlan::default() };
    let invited = Verdict::Invite { recipient: EmailAddress::parse("ann@example.com").unwrap(), username: None };

    assert_eq!(verdicts(&candidate(declined), &InvitePlan::default(), &[]), [Verdict::Skip(SkipReason::Declined)]);
    assert_eq!(verdicts(&candidate(declined), &override_declined, &[]), std::slice::from_ref(&invited));
    assert_eq!(verdicts(&candidate(ContactStanding::default()), &InvitePlan::default(), &[]), [invited]);
}

#[test]
fn a_free_username_is_handed_out_once_and_a_taken_one_never() {
    let (first, second) = (customer("C1"), customer("C2"));
    let (ann, bo, cy) = (contact(1, "ann@example.com"), contact(2, "bo@example.com"), contact(3, "cy@example.com"));
    let standing = ContactStanding::default();
    let candidates = [
        Candidate { customer: &first, contact: &ann, standing },
        Candidate { customer: &first, contact: &bo, standing },
        Candidate { customer: &second, contact: &cy, standing },
    ];

    let got = verdicts(&candidates, &credentials(), &["c2"]);

    let username = Username::parse("c1").unwrap();
    assert_eq!(
        got,
        [
            Verdict::Invite { recipient: EmailAddress::parse("ann@example.com").unwrap(), username: Some(username) },
            Verdict::Skip(SkipReason::UsernameTaken),
            Verdict::Skip(SkipReason::UsernameTaken),
        ]
    );
}
