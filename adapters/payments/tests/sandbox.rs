//! The sandbox gateway through the port, from the numbers a payer types:
//! every published test number's outcome, ACH settlement by business days,
//! idempotency, refunds, and the checks the numbers go through first.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use portico_app::{
    Charge, ChargeRequest, ChargeStatus, Clock, DebitOutcome, GatewayError, MethodDetails, MethodProblem,
    PaymentGateway, RefundRequest, Refusal, TokenSource, TransientReason,
};
use portico_domain::payment::{
    AchReturnCode, BankAccountDetails, BankAccountError, CardDetails, CardError, DeclineCode,
};
use portico_domain::{Currency, Money, PaymentMethodKind, SecretToken};
use portico_payments::{ACCOUNTS, CARDS, GatewaySpec, SandboxGateway};

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance(&self, days: i64) {
        *self.0.lock().unwrap() += TimeDelta::days(days);
    }
}

#[derive(Default)]
struct Counter(AtomicU64);

impl TokenSource for Counter {
    fn token(&self) -> SecretToken {
        let mut bytes = [9_u8; 32];
        bytes[..8].copy_from_slice(&self.0.fetch_add(1, Ordering::SeqCst).to_be_bytes());
        SecretToken::from_bytes(bytes)
    }

    fn seed(&self) -> [u8; 32] {
        [1; 32]
    }

    fn uuid(&self) -> uuid::Uuid {
        uuid::Uuid::from_u128(u128::from(self.0.fetch_add(1, Ordering::SeqCst)))
    }
}

/// Thursday, 3 December 2026.
fn thursday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 15, 0, 0).unwrap()
}

fn sandbox() -> (SandboxGateway, Arc<TestClock>) {
    let clock = Arc::new(TestClock(Mutex::new(thursday())));
    (SandboxGateway::new(clock.clone(), Arc::new(Counter::default()), 3), clock)
}

fn today() -> NaiveDate {
    thursday().date_naive()
}

fn card(number: &str) -> MethodDetails {
    let cvc = if number.starts_with("37") { "1234" } else { "123" };
    MethodDetails::Card(CardDetails::parse(number, "12", "2030", cvc, today()).expect("a valid test card"))
}

fn bank(account: &str) -> MethodDetails {
    MethodDetails::BankAccount(BankAccountDetails::parse("110000000", account, "checking", "Ann Lee").unwrap())
}

fn charge_of(token: &str, key: &str) -> ChargeRequest {
    ChargeRequest {
        token: token.to_owned(),
        amount: Money::from_minor(12_345, Currency::USD),
        idempotency_key: key.to_owned(),
        description: "Invoices INV-1".to_owned(),
    }
}

async fn pay(gateway: &SandboxGateway, method: &MethodDetails, key: &str) -> Result<Charge, GatewayError> {
    let token = gateway.tokenize(method).await.expect("tokenize").token;
    gateway.charge(&charge_of(&token, key)).await
}

#[tokio::test]
async fn every_published_test_card_has_its_outcome() {
    let (gateway, _) = sandbox();
    let expect = |number: &str| match number {
        "4000000000000002" => Some(DeclineCode::Generic),
        "4000000000009995" => Some(DeclineCode::InsufficientFunds),
        "4000000000009987" => Some(DeclineCode::LostCard),
        "4000000000009979" => Some(DeclineCode::StolenCard),
        "4000000000000069" => Some(DeclineCode::ExpiredCard),
        "4000000000000127" => Some(DeclineCode::IncorrectCvc),
        "4100000000000019" => Some(DeclineCode::Fraudulent),
        _ => None,
    };
    for (number, _) in CARDS {
        match (pay(&gateway, &card(number), number).await, expect(number)) {
            (Err(GatewayError::Declined(code)), Some(expected)) => assert_eq!(code, expected, "{number}"),
            (Err(GatewayError::Transient(TransientReason::ProcessingError)), None) => {
                assert_eq!(number, "4000000000000119");
            }
            (other, _) => panic!("{number}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn other_valid_cards_of_every_brand_are_captured_at_once() {
    let (gateway, _) = sandbox();
    for (number, brand) in [
        ("4242424242424242", "Visa"),
        ("5555555555554444", "Mastercard"),
        ("378282246310005", "American Express"),
        ("6011111111111117", "Discover"),
        ("3566002020360505", "JCB"),
    ] {
        let method = gateway.tokenize(&card(number)).await.unwrap();
        assert_eq!(
            (method.kind, method.label.as_str(), method.last4.as_str()),
            (PaymentMethodKind::Card, brand, &number[number.len() - 4..])
        );
        assert!(!method.token.contains(&number[..12]), "the token holds no more than the last four: {}", method.token);
        let charge = gateway.charge(&charge_of(&method.token, number)).await.unwrap();
        assert_eq!(charge.status, ChargeStatus::Succeeded, "{number}");
        assert_eq!(gateway.debit_outcome(&charge.reference).await.unwrap(), DebitOutcome::Settled);
    }
}

#[tokio::test]
async fn the_same_idempotency_key_answers_the_same_charge() {
    let (gateway, _) = sandbox();
    let token = gateway.tokenize(&card("4242424242424242")).await.unwrap().token;
    let first = gateway.charge(&charge_of(&token, "payment-1")).await.unwrap();
    let again = gateway.charge(&charge_of(&token, "payment-1")).await.unwrap();
    let other = gateway.charge(&charge_of(&token, "payment-2")).await.unwrap();
    assert_eq!(first, again);
    assert_ne!(first.reference, other.reference);
    // A second sandbox (another instance, or after a restart) agrees.
    let (twin, _) = sandbox();
    assert_eq!(twin.charge(&charge_of(&token, "payment-1")).await.unwrap(), first);
}

#[tokio::test]
async fn ach_debits_settle_or_return_after_three_business_days() {
    let (gateway, clock) = sandbox();
    let mut references = Vec::new();
    for (account, _) in ACCOUNTS {
        let charge = pay(&gateway, &bank(account), account).await.unwrap();
        assert_eq!(charge.status, ChargeStatus::Pending, "{account}");
        references.push((account, charge.reference));
    }
    // Sent Thursday: Friday, Monday, Tuesday. Still pending on Monday.
    clock.advance(4);
    for (account, reference) in &references {
        assert_eq!(gateway.debit_outcome(reference).await.unwrap(), DebitOutcome::Pending, "{account}");
    }
    clock.advance(1);
    for (account, reference) in &references {
        let expected = match *account {
            "000222222227" => DebitOutcome::Returned(AchReturnCode::INSUFFICIENT_FUNDS),
            "000111111113" => DebitOutcome::Returned(AchReturnCode::ACCOUNT_CLOSED),
            "000111111116" => DebitOutcome::Returned(AchReturnCode::NO_ACCOUNT),
            "000333333335" => DebitOutcome::Returned(AchReturnCode::NOT_AUTHORIZED),
            _ => DebitOutcome::Settled,
        };
        assert_eq!(gateway.debit_outcome(reference).await.unwrap(), expected, "{account}");
    }
    let method = gateway.tokenize(&bank("000123456789")).await.unwrap();
    assert_eq!((method.label.as_str(), method.last4.as_str()), ("Sandbox Test Bank", "6789"));
}

#[tokio::test]
async fn refunds_need_money_that_arrived() {
    let (gateway, clock) = sandbox();
    let usd = |m| Money::from_minor(m, Currency::USD);
    let refund = |reference: &str, key: &str, amount| RefundRequest {
        charge_reference: reference.to_owned(),
        amount: usd(amount),
        idempotency_key: key.to_owned(),
    };
    let card_charge = pay(&gateway, &card("4242424242424242"), "c").await.unwrap();
    let first = gateway.refund(&refund(&card_charge.reference, "r-1", 100)).await.unwrap();
    assert_eq!(gateway.refund(&refund(&card_charge.reference, "r-1", 100)).await.unwrap(), first);
    let debit = pay(&gateway, &bank("000123456789"), "a").await.unwrap();
    assert!(matches!(
        gateway.refund(&refund(&debit.reference, "r-2", 100)).await,
        Err(GatewayError::Refused(Refusal::NotRefundable))
    ));
    clock.advance(5);
    assert!(gateway.refund(&refund(&debit.reference, "r-2", 100)).await.is_ok());
    assert!(matches!(
        gateway.refund(&refund("ch_live_123", "r-3", 100)).await,
        Err(GatewayError::Refused(Refusal::UnknownCharge))
    ));
    assert!(matches!(
        gateway.refund(&refund(&card_charge.reference, "r-4", 0)).await,
        Err(GatewayError::Refused(Refusal::InvalidAmount))
    ));
}

#[tokio::test]
async fn a_token_the_sandbox_did_not_make_is_refused() {
    let (gateway, _) = sandbox();
    assert!(matches!(
        gateway.charge(&charge_of("pm_card_4242424242424242", "k")).await,
        Err(GatewayError::InvalidMethod(MethodProblem::UnknownToken))
    ));
    assert!(gateway.detach("pm_sbx_card_ok_00").await.is_ok());
}

#[test]
fn numbers_are_checked_before_they_reach_the_gateway() {
    // Luhn: the last digit of 4242 4242 4242 4242 changed.
    assert_eq!(
        CardDetails::parse("4242424242424241", "12", "2030", "123", today()).unwrap_err().error,
        CardError::Checksum
    );
    // Brand from the prefix, and the CVC length of the brand.
    let amex = CardDetails::parse("378282246310005", "12", "2030", "123", today()).unwrap_err();
    assert_eq!((amex.field, amex.error), ("cvc", CardError::Cvc { expected: "4" }));
    // Expiry in the future, judged against the date passed in.
    let expired = CardDetails::parse("4242424242424242", "11", "2026", "123", today()).unwrap_err();
    assert_eq!(expired.error, CardError::Expired);
    // ABA routing checksum, account number length, account type.
    let routing = BankAccountDetails::parse("110000001", "000123456789", "checking", "").unwrap_err();
    assert_eq!((routing.field, routing.error), ("routing_number", BankAccountError::RoutingChecksum));
    let account = BankAccountDetails::parse("110000000", "123", "savings", "").unwrap_err();
    assert_eq!(account.error, BankAccountError::AccountFormat);
    // Every published number is itself valid.
    for (number, _) in CARDS {
        assert!(CardDetails::parse(number, "12", "2030", "123", today()).is_ok(), "{number}");
    }
}

#[test]
fn the_spec_names_the_gateway_and_its_settlement_days() {
    assert_eq!(GatewaySpec::parse("sandbox"), Ok(GatewaySpec::Sandbox { settlement_days: 3 }));
    assert_eq!(GatewaySpec::parse(" sandbox?settle_after_days=0 "), Ok(GatewaySpec::Sandbox { settlement_days: 0 }));
    for bad in ["stripe", "sandbox?settle_after_days=x", "sandbox?days=2", "sandbox?settle_after_days=99"] {
        let err = GatewaySpec::parse(bad).unwrap_err().to_string();
        assert!(err.contains("sandbox"), "{bad}: {err}");
    }
    let clock: Arc<dyn Clock> = Arc::new(TestClock(Mutex::new(thursday())));
    let _gateway = GatewaySpec::default().build(clock, Arc::new(Counter::default()));
}
