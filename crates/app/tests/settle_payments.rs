//! The settlement worker against mocked ports: settled debits succeed with
//! a receipt, returned ones fail with their code, give the balances back,
//! tell the contact and forget an unusable account; stuck payments are
//! charged again with their own idempotency key.

mod payment_support;

use std::sync::Arc;

use payment_support::*;
use portico_app::use_cases::record_charge::RecordCharge;
use portico_app::use_cases::settle_payments::{SettlePayments, SettleReport};
use portico_app::*;
use portico_domain::payment::AchReturnCode;
use portico_domain::*;

fn worker(
    due: Vec<PaymentRecord>,
    gateway: MockPaymentGateway,
    payments: MockPaymentRepository,
    queue_rechecks: usize,
) -> SettlePayments {
    let mut queue = MockSettlementQueue::new();
    queue.expect_due().returning(move |at, _| {
        assert_eq!(at, now());
        Ok(due.clone())
    });
    queue.expect_recheck_at().times(queue_rechecks).returning(|_, at| {
        assert!(at > now());
        Ok(())
    });
    let payments: Arc<dyn PaymentRepository> = Arc::new(payments);
    SettlePayments {
        queue: Arc::new(queue),
        payments: payments.clone(),
        gateway: Arc::new(gateway),
        recorder: RecordCharge { payments, reader: Arc::new(MockPaymentReader::new()), notices: notices() },
        clock: clock(),
        batch: 50,
    }
}

#[tokio::test]
async fn a_settled_debit_succeeds_and_the_receipt_goes_out() {
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_debit_outcome().withf(|r| r == "ch_ref").returning(|_| Ok(DebitOutcome::Settled));
    let mut payments = MockPaymentRepository::new();
    let resolved = capture_resolutions(&mut payments);
    let report = worker(vec![record(PaymentStatus::Pending, PaymentMethodKind::Ach)], gateway, payments, 0)
        .run_once()
        .await
        .unwrap();
    assert_eq!(report, SettleReport { settled: 1, ..SettleReport::default() });
    let r = &resolved.lock().unwrap()[0];
    assert_eq!((r.from, r.to, r.restore_balances), (PaymentStatus::Pending, PaymentStatus::Succeeded, false));
    assert_eq!((r.event.kind, r.event.actor), (PaymentEventKind::Settled, Actor::System));
    assert_eq!(r.email.as_ref().map(|e| e.kind), Some(MailKind::PaymentReceipt));
}

#[tokio::test]
async fn a_returned_debit_fails_gives_the_balances_back_and_tells_the_contact() {
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_debit_outcome().returning(|_| Ok(DebitOutcome::Returned(AchReturnCode::ACCOUNT_CLOSED)));
    let mut payments = MockPaymentRepository::new();
    let resolved = capture_resolutions(&mut payments);
    let mut pending = record(PaymentStatus::Pending, PaymentMethodKind::Ach);
    let saved = PaymentMethodId::from_uuid(uuid::Uuid::from_u128(9));
    pending.method.saved = Some(saved);
    let report = worker(vec![pending], gateway, payments, 0).run_once().await.unwrap();
    assert_eq!(report.returned, 1);
    let r = &resolved.lock().unwrap()[0];
    assert_eq!((r.to, r.restore_balances), (PaymentStatus::Failed, true));
    assert_eq!(r.failure, Some(PaymentFailure::Returned(AchReturnCode::ACCOUNT_CLOSED)));
    assert_eq!((r.event.kind, r.event.detail.as_deref()), (PaymentEventKind::Returned, Some("R02")));
    assert_eq!(r.forget_method, Some(saved), "a closed account is not offered again");
    let email = r.email.as_ref().unwrap();
    assert_eq!((email.kind, email.to.as_str()), (MailKind::PaymentFailed, "ana@harbor.example"));
    assert!(email.text.contains("account is closed (R02)"), "{}", email.text);
}

#[tokio::test]
async fn an_insufficient_funds_return_keeps_the_saved_account() {
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_debit_outcome().returning(|_| Ok(DebitOutcome::Returned(AchReturnCode::INSUFFICIENT_FUNDS)));
    let mut payments = MockPaymentRepository::new();
    let resolved = capture_resolutions(&mut payments);
    let mut pending = record(PaymentStatus::Pending, PaymentMethodKind::Ach);
    pending.method.saved = Some(PaymentMethodId::from_uuid(uuid::Uuid::from_u128(9)));
    worker(vec![pending], gateway, payments, 0).run_once().await.unwrap();
    assert_eq!(resolved.lock().unwrap()[0].forget_method, None);
}

#[tokio::test]
async fn a_debit_still_on_its_way_is_looked_at_later() {
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_debit_outcome().returning(|_| Ok(DebitOutcome::Pending));
    let mut payments = MockPaymentRepository::new();
    payments.expect_resolve().never();
    let report = worker(vec![record(PaymentStatus::Pending, PaymentMethodKind::Ach)], gateway, payments, 1)
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.waiting, 1);
}

#[tokio::test]
async fn a_stuck_payment_is_charged_again_with_its_own_key() {
    let stuck = record(PaymentStatus::Processing, PaymentMethodKind::Card);
    let key = format!("payment-{}", stuck.id);
    let mut gateway = MockPaymentGateway::new();
    gateway
        .expect_charge()
        .withf(move |r| r.idempotency_key == key && r.amount == usd(12_000))
        .times(1)
        .returning(|_| Ok(Charge { reference: "ch_first".into(), status: ChargeStatus::Succeeded }));
    let mut payments = MockPaymentRepository::new();
    let resolved = capture_resolutions(&mut payments);
    let report = worker(vec![stuck], gateway, payments, 0).run_once().await.unwrap();
    assert_eq!(report.recovered, 1);
    let r = &resolved.lock().unwrap()[0];
    assert_eq!((r.to, r.reference.as_deref()), (PaymentStatus::Succeeded, Some("ch_first")));
}

#[tokio::test]
async fn an_outcome_another_instance_recorded_first_is_no_error() {
    let mut gateway = MockPaymentGateway::new();
    gateway.expect_debit_outcome().returning(|_| Ok(DebitOutcome::Settled));
    let mut payments = MockPaymentRepository::new();
    payments
        .expect_resolve()
        .returning(|_| Err(RepositoryError::Conflict { constraint: "payments_current_status".into() }));
    let report = worker(vec![record(PaymentStatus::Pending, PaymentMethodKind::Ach)], gateway, payments, 0)
        .run_once()
        .await
        .unwrap();
    assert_eq!(report, SettleReport::default());
}
