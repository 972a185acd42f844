//! Refunds against mocked ports: reserved before the gateway is asked,
//! released when it refuses, never above what is left.

mod payment_support;

use std::sync::{Arc, Mutex};

use payment_support::*;
use portico_app::use_cases::refund_payment::{RefundPayment, RefundPaymentError};
use portico_app::*;
use portico_domain::payment::RefundError;
use portico_domain::*;

const STAFF: StaffUserId = StaffUserId::from_uuid(uuid::Uuid::from_u128(0x5A));

fn refunds_with(payment: PaymentRecord, refunds: MockRefundRepository, gateway: MockPaymentGateway) -> RefundPayment {
    let mut reader = MockPaymentReader::new();
    reader.expect_find().returning(move |m, id| Ok((m == MERCHANT && id == payment.id).then(|| payment.clone())));
    RefundPayment {
        reader: Arc::new(reader),
        refunds: Arc::new(refunds),
        gateway: Arc::new(gateway),
        clock: clock(),
        tokens: tokens(),
    }
}

type Seen<T> = Arc<Mutex<Vec<T>>>;

fn capture(refunds: &mut MockRefundRepository) -> (Seen<NewRefund>, Seen<RefundResolution>) {
    let (reserved, finished) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
    let (r, f) = (Arc::clone(&reserved), Arc::clone(&finished));
    refunds.expect_reserve().returning(move |n| {
        r.lock().unwrap().push(n.clone());
        Ok(())
    });
    refunds.expect_finish().returning(move |n| {
        f.lock().unwrap().push(n.clone());
        Ok(())
    });
    (reserved, finished)
}

#[tokio::test]
async fn a_partial_refund_is_reserved_sent_and_recorded_with_its_actor() {
    let paid = record(PaymentStatus::Succeeded, PaymentMethodKind::Card);
    let mut refunds = MockRefundRepository::new();
    let (reserved, finished) = capture(&mut refunds);
    let mut gateway = MockPaymentGateway::new();
    gateway
        .expect_refund()
        .withf(|r| r.charge_reference == "ch_ref" && r.amount == usd(2_500))
        .times(1)
        .returning(|_| Ok(GatewayRefund { reference: "re_1".into() }));
    let use_case = refunds_with(paid.clone(), refunds, gateway);
    use_case.execute(MERCHANT, Actor::Staff(STAFF), paid.id, Some(usd(2_500))).await.unwrap();
    let reserved = &reserved.lock().unwrap()[0];
    assert_eq!((reserved.amount, reserved.refunded_before), (usd(2_500), usd(0)));
    let finished = &finished.lock().unwrap()[0];
    assert_eq!(finished.reference.as_deref(), Some("re_1"));
    assert_eq!((finished.event.kind, finished.event.actor), (PaymentEventKind::Refunded, Actor::Staff(STAFF)));
}

#[tokio::test]
async fn a_full_refund_takes_what_is_left_and_a_retry_reuses_the_gateway_key() {
    let mut paid = record(PaymentStatus::PartiallyRefunded, PaymentMethodKind::Card);
    paid.refunded = usd(2_000);
    let mut refunds = MockRefundRepository::new();
    let (reserved, _) = capture(&mut refunds);
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().returning(|_| Err(GatewayError::Unreachable("timeout".into())));
    let use_case = refunds_with(paid.clone(), refunds, gateway);
    for _ in 0..2 {
        let err = use_case.execute(MERCHANT, Actor::Staff(STAFF), paid.id, None).await.unwrap_err();
        assert!(matches!(err, RefundPaymentError::Unconfirmed), "{err:?}");
    }
    let reserved = reserved.lock().unwrap();
    assert_eq!(reserved[0].amount, usd(10_000));
    assert_eq!(reserved[0].gateway_key, reserved[1].gateway_key, "asking again cannot refund twice");
    assert_ne!(reserved[0].id, reserved[1].id);
}

#[tokio::test]
async fn a_refused_refund_releases_its_reservation_and_says_why() {
    let paid = record(PaymentStatus::Succeeded, PaymentMethodKind::Ach);
    let mut refunds = MockRefundRepository::new();
    let (_, finished) = capture(&mut refunds);
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().returning(|_| Err(GatewayError::Refused(Refusal::NotRefundable)));
    let err = refunds_with(paid.clone(), refunds, gateway)
        .execute(MERCHANT, Actor::Staff(STAFF), paid.id, Some(usd(100)))
        .await
        .unwrap_err();
    assert!(matches!(err, RefundPaymentError::Refused(Refusal::NotRefundable)));
    let f = &finished.lock().unwrap()[0];
    assert_eq!((f.reference.as_deref(), f.event.kind), (None, PaymentEventKind::RefundFailed));
}

#[tokio::test]
async fn refunds_beyond_the_rules_are_refused_before_anything_is_written() {
    let paid = record(PaymentStatus::Succeeded, PaymentMethodKind::Card);
    let mut refunds = MockRefundRepository::new();
    refunds.expect_reserve().never();
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().never();
    let use_case = refunds_with(paid.clone(), refunds, gateway);
    let staff = Actor::Staff(STAFF);
    assert!(matches!(
        use_case.execute(MERCHANT, staff, paid.id, Some(usd(12_001))).await,
        Err(RefundPaymentError::Amount(RefundError::AboveRemaining(_)))
    ));
    assert!(matches!(
        use_case.execute(MERCHANT, staff, paid.id, Some(usd(0))).await,
        Err(RefundPaymentError::Amount(RefundError::NotPositive))
    ));
    let other = MerchantId::from_uuid(uuid::Uuid::from_u128(0xBB));
    assert!(matches!(use_case.execute(other, staff, paid.id, None).await, Err(RefundPaymentError::NotFound)));

    let pending = record(PaymentStatus::Pending, PaymentMethodKind::Ach);
    let mut refunds = MockRefundRepository::new();
    refunds.expect_reserve().never();
    let use_case = refunds_with(pending.clone(), refunds, MockPaymentGateway::new());
    assert!(matches!(
        use_case.execute(MERCHANT, staff, pending.id, None).await,
        Err(RefundPaymentError::NotRefundable(PaymentStatus::Pending))
    ));
}

#[tokio::test]
async fn a_concurrent_refund_makes_this_one_reload() {
    let paid = record(PaymentStatus::Succeeded, PaymentMethodKind::Card);
    let mut refunds = MockRefundRepository::new();
    refunds.expect_reserve().returning(|_| Err(RepositoryError::Conflict { constraint: "payments_refundable".into() }));
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_refund().never();
    let err = refunds_with(paid.clone(), refunds, gateway)
        .execute(MERCHANT, Actor::Staff(STAFF), paid.id, None)
        .await
        .unwrap_err();
    assert!(matches!(err, RefundPaymentError::Changed));
}
