//! The JSON upsert of one customer.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use portico_app::use_cases::upsert_customer::{ContactInput, CustomerInput, UpsertCustomer, UpsertCustomerError};
use portico_app::{MockClock, MockCustomerRepository, UpsertOutcome};
use portico_domain::{CollectionPriority, MerchantId};
use uuid::Uuid;

fn upsert(repo: MockCustomerRepository) -> UpsertCustomer {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    UpsertCustomer { customers: Arc::new(repo), clock: Arc::new(clock) }
}

fn input() -> CustomerInput {
    CustomerInput {
        erp_id: "ERP-1".into(),
        customer_number: Some("C1".into()),
        name: "Acme, Inc.".into(),
        currency: "usd".into(),
        collection_priority: Some("High".into()),
        contacts: vec![ContactInput {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: Some(" ANN@EXAMPLE.COM ".into()),
            phone: None,
            primary: true,
        }],
    }
}

#[tokio::test]
async fn a_valid_customer_is_upserted_with_parsed_values() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_upsert_customers()
        .withf(|_, customers, _| {
            customers.len() == 1
                && customers[0].currency.code() == "USD"
                && customers[0].collection_priority == Some(CollectionPriority::High)
                && customers[0].contacts[0].email.valid().is_some()
        })
        .returning(|_, _, _| Ok(vec![UpsertOutcome::Created]));

    let outcome = upsert(repo).execute(MerchantId::from_uuid(Uuid::from_u128(1)), &input()).await.unwrap();

    assert_eq!(outcome, UpsertOutcome::Created);
}

#[tokio::test]
async fn invalid_values_name_their_field() {
    let merchant = MerchantId::from_uuid(Uuid::from_u128(1));
    let cases = [
        (CustomerInput { currency: "dollars".into(), ..input() }, "currency"),
        (CustomerInput { name: " ".into(), ..input() }, "customer_name"),
        (CustomerInput { collection_priority: Some("urgent".into()), ..input() }, "collection_priority"),
        (CustomerInput { name: "x".repeat(201), ..input() }, "customer_name"),
        (CustomerInput { contacts: vec![input().contacts[0].clone(); 2], ..input() }, "contacts"),
    ];
    for (case, field) in cases {
        match upsert(MockCustomerRepository::new()).execute(merchant, &case).await {
            Err(UpsertCustomerError::Invalid(e)) => assert_eq!(e.field, field),
            other => panic!("{field}: expected Invalid, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_second_primary_contact_is_refused_and_nothing_is_written() {
    let mut second = input().contacts[0].clone();
    second.email = Some("other@example.com".into());
    let case = CustomerInput { contacts: vec![input().contacts[0].clone(), second], ..input() };
    let mut repo = MockCustomerRepository::new();
    repo.expect_upsert_customers().times(0);
    match upsert(repo).execute(MerchantId::from_uuid(Uuid::from_u128(1)), &case).await {
        Err(UpsertCustomerError::Invalid(e)) => {
            assert_eq!(e.field, "contacts");
            assert!(e.to_string().contains("more than one contact is primary"), "{e}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}
