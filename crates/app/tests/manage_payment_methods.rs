//! Saved methods and the customer's payment history against mocked ports.

mod payment_support;

use std::sync::Arc;

use payment_support::*;
use portico_app::use_cases::manage_payment_methods::{ManagePaymentMethods, ManagePaymentMethodsError};
use portico_app::use_cases::track_payments::{TrackPayments, TrackPaymentsError};
use portico_app::*;
use portico_domain::*;

fn saved() -> SavedMethod {
    SavedMethod {
        id: PaymentMethodId::from_uuid(uuid::Uuid::from_u128(3)),
        customer_id: CUSTOMER,
        kind: PaymentMethodKind::Card,
        label: "Visa".into(),
        last4: "4242".into(),
        expiry: None,
        token: "pm_saved".into(),
        is_default: true,
        created_at: now(),
    }
}

#[tokio::test]
async fn removing_a_method_forgets_it_here_and_at_the_gateway() {
    let mut methods = MockSavedMethodRepository::new();
    methods.expect_remove().returning(|_, c, id, at| {
        assert_eq!(at, now());
        Ok((c == CUSTOMER && id == saved().id).then(saved))
    });
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_detach().withf(|t| t == "pm_saved").times(1).returning(|_| Ok(()));
    let use_case = ManagePaymentMethods { methods: Arc::new(methods), gateway: Arc::new(gateway), clock: clock() };
    let removed = use_case.remove(MERCHANT, CUSTOMER, saved().id).await.unwrap();
    assert!(removed.detach_error.is_none());
    let other = CustomerId::from_uuid(uuid::Uuid::from_u128(0xC2));
    assert!(matches!(use_case.remove(MERCHANT, other, saved().id).await, Err(ManagePaymentMethodsError::NotFound)));
}

#[tokio::test]
async fn a_default_for_another_customers_method_is_not_found() {
    let mut methods = MockSavedMethodRepository::new();
    methods.expect_set_default().returning(|_, c, _| Ok(c == CUSTOMER));
    let use_case = ManagePaymentMethods {
        methods: Arc::new(methods),
        gateway: Arc::new(MockPaymentGateway::new()),
        clock: clock(),
    };
    assert!(use_case.set_default(MERCHANT, CUSTOMER, saved().id).await.is_ok());
    let other = CustomerId::from_uuid(uuid::Uuid::from_u128(0xC2));
    assert!(matches!(
        use_case.set_default(MERCHANT, other, saved().id).await,
        Err(ManagePaymentMethodsError::NotFound)
    ));
}

#[tokio::test]
async fn another_customers_payment_answers_as_an_unknown_one() {
    let paid = record(PaymentStatus::Succeeded, PaymentMethodKind::Card);
    let id = paid.id;
    let mut reader = MockPaymentReader::new();
    reader.expect_find().returning(move |_, _| Ok(Some(paid.clone())));
    let track = TrackPayments { reader: Arc::new(reader) };
    assert!(track.get_for_customer(MERCHANT, CUSTOMER, id).await.is_ok());
    let other = CustomerId::from_uuid(uuid::Uuid::from_u128(0xC2));
    assert!(matches!(track.get_for_customer(MERCHANT, other, id).await, Err(TrackPaymentsError::NotFound)));
}

#[tokio::test]
async fn a_page_size_or_date_range_out_of_bounds_is_refused() {
    let mut reader = MockPaymentReader::new();
    reader.expect_list().never();
    let track = TrackPayments { reader: Arc::new(reader) };
    let too_big = PageRequest { offset: 0, limit: 501 };
    assert!(matches!(
        track.list(MERCHANT, &PaymentFilter::default(), too_big).await,
        Err(TrackPaymentsError::PageSize)
    ));
    let backwards = PaymentFilter { from: Some(now()), until: Some(now()), ..PaymentFilter::default() };
    assert!(matches!(
        track.list(MERCHANT, &backwards, PageRequest::default()).await,
        Err(TrackPaymentsError::EmptyRange)
    ));
}
