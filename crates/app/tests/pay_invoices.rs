//! Paying invoices against mocked ports: the payment is recorded before the
//! gateway is asked, the gateway's answer is recorded after, the same key
//! charges once, and bad input stops before anything is written.

mod payment_support;

use std::sync::{Arc, Mutex};

use payment_support::*;
use portico_app::use_cases::pay_invoices::{BankForm, CardForm, MethodChoice, PayInvoices, PayInvoicesError, PayScope};
use portico_app::use_cases::record_charge::RecordCharge;
use portico_app::*;
use portico_domain::payment::{AllocationError, DeclineCode, InvoiceAmount};
use portico_domain::*;

struct Ports {
    payments: MockPaymentRepository,
    methods: MockSavedMethodRepository,
    gateway: MockPaymentGateway,
    reader: MockPaymentReader,
}

impl Ports {
    fn new() -> Self {
        let mut payments = MockPaymentRepository::new();
        payments.expect_find_by_key().returning(|_, _| Ok(None));
        payments.expect_open_invoices().returning(|_, _, _| Ok(open_invoices()));
        Self {
            payments,
            methods: MockSavedMethodRepository::new(),
            gateway: MockPaymentGateway::new(),
            reader: MockPaymentReader::new(),
        }
    }

    /// Tokenises any method as the sandbox would.
    fn tokenizing(mut self) -> Self {
        self.gateway.expect_tokenize().returning(|m| {
            Ok(match m {
                MethodDetails::Card(c) => GatewayMethod {
                    token: "pm_sbx_card".into(),
                    kind: PaymentMethodKind::Card,
                    label: c.number.brand().display_name().into(),
                    last4: c.number.last4().into(),
                    expiry: Some(c.expiry),
                },
                MethodDetails::BankAccount(b) => GatewayMethod {
                    token: "pm_sbx_ach".into(),
                    kind: PaymentMethodKind::Ach,
                    label: "Sandbox Test Bank".into(),
                    last4: b.account.last4().into(),
                    expiry: None,
                },
            })
        });
        self
    }

    fn capture_begin(&mut self) -> Arc<Mutex<Vec<NewPayment>>> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        self.payments.expect_begin().returning(move |p| {
            sink.lock().unwrap().push(p.clone());
            Ok(BeginOutcome::Started)
        });
        seen
    }

    fn build(self) -> PayInvoices {
        let payments: Arc<dyn PaymentRepository> = Arc::new(self.payments);
        PayInvoices {
            payments: payments.clone(),
            methods: Arc::new(self.methods),
            gateway: Arc::new(self.gateway),
            recorder: RecordCharge { payments, reader: Arc::new(self.reader), notices: notices() },
            clock: clock(),
            tokens: tokens(),
        }
    }
}

fn card(number: &str, save: bool) -> MethodChoice {
    MethodChoice::Card {
        form: CardForm { number: number.into(), exp_month: "12".into(), exp_year: "2030".into(), cvc: "123".into() },
        save,
    }
}

fn scope(invoices: Vec<InvoiceAmount>, method: MethodChoice) -> PayScope {
    PayScope {
        merchant: MERCHANT,
        customer: CUSTOMER,
        actor: Actor::Contact(CONTACT),
        invoices,
        method,
        idempotency_key: IdempotencyKey::parse("key-00000001").unwrap(),
    }
}

fn both() -> Vec<InvoiceAmount> {
    vec![InvoiceAmount { invoice: INV_1, amount: None }, InvoiceAmount { invoice: INV_2, amount: Some(usd(2_000)) }]
}

#[tokio::test]
async fn a_new_card_pays_two_invoices_is_saved_and_the_receipt_is_queued() {
    let mut ports = Ports::new().tokenizing();
    let begun = ports.capture_begin();
    ports.gateway.expect_charge().times(1).returning(|r| {
        assert_eq!(r.amount, usd(12_000));
        assert!(r.idempotency_key.starts_with("payment-"), "{}", r.idempotency_key);
        Ok(Charge { reference: "ch_1".into(), status: ChargeStatus::Succeeded })
    });
    let resolved = capture_resolutions(&mut ports.payments);
    let outcome = ports.build().execute(&scope(both(), card("4242 4242 4242 4242", true))).await.unwrap();

    assert_eq!((outcome.payment.status, outcome.replayed), (PaymentStatus::Succeeded, false));
    let begun = begun.lock().unwrap();
    let p = &begun[0];
    assert_eq!(p.record.status, PaymentStatus::Processing);
    assert_eq!(p.allocations.items().iter().map(|a| a.amount.minor_units()).collect::<Vec<_>>(), [10_000, 2_000]);
    assert_eq!((p.record.method.label.as_str(), p.record.method.last4.as_str()), ("Visa", "4242"));
    assert_eq!(p.record.payer, Some(CONTACT));
    assert!(!format!("{p:?}").contains("4242424242424242"), "no card number in what is stored");
    let r = &resolved.lock().unwrap()[0];
    assert_eq!((r.from, r.to, r.restore_balances), (PaymentStatus::Processing, PaymentStatus::Succeeded, false));
    assert_eq!(r.reference.as_deref(), Some("ch_1"));
    assert_eq!(r.save_method.as_ref().map(|s| s.token.as_str()), Some("pm_sbx_card"));
    assert_eq!(r.event.kind, PaymentEventKind::Charged);
    assert_eq!(r.event.actor, Actor::Contact(CONTACT));
    let email = r.email.as_ref().expect("a receipt");
    assert_eq!((email.kind, email.to.as_str()), (MailKind::PaymentReceipt, "ana@harbor.example"));
    assert!(email.text.contains("120.00 USD") && email.text.contains("Visa"), "{}", email.text);
}

#[tokio::test]
async fn a_declined_card_is_recorded_as_failed_and_gives_the_balances_back() {
    let mut ports = Ports::new().tokenizing();
    ports.capture_begin();
    ports.gateway.expect_charge().returning(|_| Err(GatewayError::Declined(DeclineCode::InsufficientFunds)));
    let resolved = capture_resolutions(&mut ports.payments);
    let err = ports.build().execute(&scope(both(), card("4000000000009995", true))).await.unwrap_err();
    match err {
        PayInvoicesError::Failed { failure, .. } => {
            assert_eq!(failure, PaymentFailure::Declined(DeclineCode::InsufficientFunds));
            assert_eq!(failure.message(), "The card was declined for insufficient funds.");
        }
        other => panic!("expected a decline, got {other:?}"),
    }
    let r = &resolved.lock().unwrap()[0];
    assert_eq!((r.to, r.restore_balances), (PaymentStatus::Failed, true));
    assert!(r.save_method.is_none() && r.email.is_none(), "nothing saved, nothing sent");
    assert_eq!(r.event.detail.as_deref(), Some("insufficient_funds"));
}

#[tokio::test]
async fn a_bank_account_debit_is_pending_and_sends_no_receipt_yet() {
    let mut ports = Ports::new().tokenizing();
    ports.capture_begin();
    ports
        .gateway
        .expect_charge()
        .returning(|_| Ok(Charge { reference: "ch_ach".into(), status: ChargeStatus::Pending }));
    let resolved = capture_resolutions(&mut ports.payments);
    let form = BankForm {
        routing_number: "110000000".into(),
        account_number: "000123456789".into(),
        account_type: "checking".into(),
        holder_name: "Ana Ruiz".into(),
    };
    let outcome = ports.build().execute(&scope(both(), MethodChoice::Bank { form, save: false })).await.unwrap();
    assert_eq!(outcome.payment.status, PaymentStatus::Pending);
    let r = &resolved.lock().unwrap()[0];
    assert_eq!((r.to, r.event.kind), (PaymentStatus::Pending, PaymentEventKind::Submitted));
    assert!(r.recheck_at.is_some_and(|t| t > now()) && r.email.is_none() && r.save_method.is_none());
}

#[tokio::test]
async fn the_same_key_answers_the_first_payment_without_charging_again() {
    let mut ports = Ports::new().tokenizing();
    let begun = ports.capture_begin();
    ports
        .gateway
        .expect_charge()
        .times(1)
        .returning(|_| Ok(Charge { reference: "ch_1".into(), status: ChargeStatus::Succeeded }));
    capture_resolutions(&mut ports.payments);
    let pay = ports.build();
    pay.execute(&scope(both(), card("4242424242424242", false))).await.unwrap();
    let mut first = begun.lock().unwrap()[0].record.clone();
    first.status = PaymentStatus::Succeeded;

    let mut again = Ports::new();
    let stored = first.clone();
    again.payments.checkpoint();
    again.payments.expect_find_by_key().returning(move |_, _| Ok(Some(stored.clone())));
    again.gateway.expect_charge().never();
    again.gateway.expect_tokenize().never();
    let pay = again.build();
    let replay = pay.execute(&scope(both(), card("4242424242424242", false))).await.unwrap();
    assert_eq!((replay.payment.id, replay.replayed), (first.id, true));
    // The same key with another request is refused.
    let other = vec![InvoiceAmount { invoice: INV_1, amount: Some(usd(500)) }];
    assert!(matches!(
        pay.execute(&scope(other, card("4242424242424242", false))).await,
        Err(PayInvoicesError::KeyReused)
    ));
}

#[tokio::test]
async fn bad_input_stops_before_anything_is_written_or_sent() {
    let mut ports = Ports::new();
    ports.payments.expect_begin().never();
    ports.gateway.expect_tokenize().never();
    ports.gateway.expect_charge().never();
    ports.methods.expect_find().returning(|_, _, _| Ok(None));
    let pay = ports.build();
    let bad_card = pay.execute(&scope(both(), card("4242424242424241", true))).await;
    assert!(matches!(bad_card, Err(PayInvoicesError::InvalidCard(e)) if e.field == "number"), "{bad_card:?}");
    let expired = MethodChoice::Card {
        form: CardForm {
            number: "4242424242424242".into(),
            exp_month: "11".into(),
            exp_year: "2026".into(),
            cvc: "123".into(),
        },
        save: false,
    };
    assert!(
        matches!(pay.execute(&scope(both(), expired)).await, Err(PayInvoicesError::InvalidCard(e)) if e.field == "expiry")
    );
    let bank = MethodChoice::Bank {
        form: BankForm { routing_number: "110000001".into(), ..BankForm::default() },
        save: false,
    };
    assert!(
        matches!(pay.execute(&scope(both(), bank)).await, Err(PayInvoicesError::InvalidBank(e)) if e.field == "routing_number")
    );
    let too_much = vec![InvoiceAmount { invoice: INV_2, amount: Some(usd(2_501)) }];
    assert!(matches!(
        pay.execute(&scope(too_much, card("4242424242424242", false))).await,
        Err(PayInvoicesError::Allocation(AllocationError::AboveBalance { .. }))
    ));
    let someone_elses = PaymentMethodId::from_uuid(uuid::Uuid::from_u128(7));
    assert!(matches!(
        pay.execute(&scope(both(), MethodChoice::Saved(someone_elses))).await,
        Err(PayInvoicesError::UnknownMethod)
    ));
}

#[tokio::test]
async fn a_balance_taken_meanwhile_refuses_the_payment_before_the_gateway() {
    let mut ports = Ports::new().tokenizing();
    ports
        .payments
        .expect_begin()
        .returning(|_| Err(RepositoryError::Conflict { constraint: "documents_balance_covers_payment".into() }));
    ports.gateway.expect_charge().never();
    let result = ports.build().execute(&scope(both(), card("4242424242424242", false))).await;
    assert!(matches!(result, Err(PayInvoicesError::BalanceChanged)), "{result:?}");
}

#[tokio::test]
async fn an_unanswered_charge_stays_processing_for_the_worker() {
    let mut ports = Ports::new().tokenizing();
    ports.capture_begin();
    ports.gateway.expect_charge().returning(|_| Err(GatewayError::Unreachable("timed out".into())));
    ports.payments.expect_resolve().never();
    let outcome = ports.build().execute(&scope(both(), card("4242424242424242", false))).await.unwrap();
    assert_eq!(outcome.payment.status, PaymentStatus::Processing);
}

#[tokio::test]
async fn a_saved_method_pays_with_its_token() {
    let mut ports = Ports::new();
    ports.capture_begin();
    let saved = SavedMethod {
        id: PaymentMethodId::from_uuid(uuid::Uuid::from_u128(3)),
        customer_id: CUSTOMER,
        kind: PaymentMethodKind::Card,
        label: "Visa".into(),
        last4: "4242".into(),
        expiry: None,
        token: "pm_saved".into(),
        is_default: true,
        created_at: now(),
    };
    let found = saved.clone();
    ports
        .methods
        .expect_find()
        .withf(move |m, c, id| *m == MERCHANT && *c == CUSTOMER && *id == found.id)
        .returning(move |_, _, _| Ok(Some(saved.clone())));
    ports.gateway.expect_tokenize().never();
    ports
        .gateway
        .expect_charge()
        .withf(|r| r.token == "pm_saved")
        .returning(|_| Ok(Charge { reference: "ch_2".into(), status: ChargeStatus::Succeeded }));
    let resolved = capture_resolutions(&mut ports.payments);
    let id = PaymentMethodId::from_uuid(uuid::Uuid::from_u128(3));
    let outcome = ports.build().execute(&scope(both(), MethodChoice::Saved(id))).await.unwrap();
    assert_eq!(outcome.payment.method.saved, Some(id));
    assert!(resolved.lock().unwrap()[0].save_method.is_none(), "saved already");
}
