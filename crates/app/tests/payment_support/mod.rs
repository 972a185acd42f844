//! Fixtures of the payment use-case tests: a customer with two open
//! invoices and a contact, payment records, and the notices' mocked ports.

#![allow(dead_code, reason = "each test binary uses a different part")]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use portico_app::use_cases::payment_notices::PaymentNotices;
use portico_app::*;
use portico_domain::payment::OpenInvoice;
use portico_domain::*;
use uuid::Uuid;

pub const MERCHANT: MerchantId = MerchantId::from_uuid(Uuid::from_u128(0xAA));
pub const CUSTOMER: CustomerId = CustomerId::from_uuid(Uuid::from_u128(0xC1));
pub const CONTACT: ContactId = ContactId::from_uuid(Uuid::from_u128(0xC0));
pub const INV_1: DocumentId = DocumentId::from_uuid(Uuid::from_u128(0xD1));
pub const INV_2: DocumentId = DocumentId::from_uuid(Uuid::from_u128(0xD2));

/// Thursday, 3 December 2026, 10:00 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap()
}

pub fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

pub fn clock() -> Arc<dyn Clock> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    Arc::new(clock)
}

/// Uuids counting up from `0x5_0000`, tokens `[n; 32]`.
pub fn tokens() -> Arc<dyn TokenSource> {
    let mut tokens = MockTokenSource::new();
    let n = Arc::new(Mutex::new(0_u128));
    let m = Arc::clone(&n);
    tokens.expect_uuid().returning(move || {
        let mut n = n.lock().unwrap();
        *n += 1;
        Uuid::from_u128(0x5_0000 + *n)
    });
    tokens.expect_token().returning(move || {
        let mut m = m.lock().unwrap();
        *m += 1;
        SecretToken::from_bytes([u8::try_from(*m % 250).unwrap(); 32])
    });
    tokens.expect_seed().returning(|| [1; 32]);
    Arc::new(tokens)
}

/// INV-1 owes 100.00, INV-2 owes 25.00.
pub fn open_invoices() -> Vec<OpenInvoice> {
    vec![
        OpenInvoice { id: INV_1, number: "INV-1".into(), balance: usd(10_000), due_date: None },
        OpenInvoice { id: INV_2, number: "INV-2".into(), balance: usd(2_500), due_date: None },
    ]
}

pub fn detail() -> CustomerDetail {
    CustomerDetail {
        customer: Customer {
            id: CUSTOMER,
            merchant_id: MERCHANT,
            erp_id: ErpId::parse("ERP-1").unwrap(),
            customer_number: None,
            name: "Harbor Cafe".into(),
            currency: Currency::USD,
            collection_priority: None,
        },
        contacts: vec![Contact {
            id: CONTACT,
            customer_id: CUSTOMER,
            first_name: "Ana".into(),
            last_name: "Ruiz".into(),
            email: ContactEmail::from_raw("ana@harbor.example"),
            phone: None,
            primary: true,
        }],
    }
}

/// Notices that render "<kind> for <amount>" to the customer's contact.
pub fn notices() -> PaymentNotices {
    let mut merchants = MockMerchantRepository::new();
    merchants
        .expect_get()
        .returning(|id| Ok(Some(Merchant { id, name: "Maple".into(), settings: PortalSettings::default() })));
    let mut customers = MockCustomerRepository::new();
    customers.expect_find().returning(|_, _| Ok(Some(detail())));
    let mut renderer = MockTemplateRenderer::new();
    renderer.expect_render().returning(|_, content| {
        let body = match content {
            EmailContent::PaymentReceipt(c) => format!("receipt {} {}", c.amount, c.method),
            EmailContent::PaymentFailed(c) => format!("failed {} {}", c.amount, c.reason),
            other => format!("{:?}", other.kind()),
        };
        Ok(RenderedEmail { subject: "s".into(), html: body.clone(), text: body })
    });
    PaymentNotices {
        merchants: Arc::new(merchants),
        customers: Arc::new(customers),
        renderer: Arc::new(renderer),
        tokens: tokens(),
        public_url: "https://portal.example".into(),
    }
}

pub fn snapshot(kind: PaymentMethodKind) -> MethodSnapshot {
    match kind {
        PaymentMethodKind::Card => MethodSnapshot {
            kind,
            label: "Visa".into(),
            last4: "4242".into(),
            expiry: portico_domain::payment::CardExpiry::from_stored(12, 2030),
            saved: None,
        },
        PaymentMethodKind::Ach => {
            MethodSnapshot { kind, label: "Sandbox Test Bank".into(), last4: "6789".into(), expiry: None, saved: None }
        }
    }
}

/// A stored payment of 100.00 on INV-1 and 20.00 on INV-2.
pub fn record(status: PaymentStatus, kind: PaymentMethodKind) -> PaymentRecord {
    let line = |invoice, number: &str, amount| AllocationLine {
        invoice,
        number: number.into(),
        due_date: None,
        amount: usd(amount),
        refunded: usd(0),
    };
    PaymentRecord {
        id: PaymentId::from_uuid(Uuid::from_u128(0xEE)),
        merchant_id: MERCHANT,
        customer_id: CUSTOMER,
        payer: Some(CONTACT),
        status,
        amount: usd(12_000),
        refunded: usd(0),
        method: snapshot(kind),
        token: "pm_sbx_token".into(),
        allocations: vec![line(INV_1, "INV-1", 10_000), line(INV_2, "INV-2", 2_000)],
        gateway_reference: (status != PaymentStatus::Processing).then(|| "ch_ref".to_owned()),
        failure: None,
        idempotency_key: "key-00000001".into(),
        fingerprint: "fp".into(),
        created_at: now(),
        updated_at: now(),
    }
}

/// A repository mock recording every resolution.
pub fn capture_resolutions(payments: &mut MockPaymentRepository) -> Arc<Mutex<Vec<PaymentResolution>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    payments.expect_resolve().returning(move |r| {
        sink.lock().unwrap().push(r.clone());
        Ok(())
    });
    seen
}
