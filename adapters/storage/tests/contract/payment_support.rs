//! Test data for the payment contract tests: a customer with invoices, and
//! payments as the pay use case would record them.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use portico_app::{
    AllocationLine, CustomerRepository, InvoiceSelection, InvoiceUpsert, MethodSnapshot, MethodToSave, NewPayment,
    PaymentEvent, PaymentRecord, PaymentRepository, PaymentResolution,
};
use portico_domain::payment::{Allocation, Allocations, CardExpiry};
use portico_domain::{
    Actor, Currency, CustomerId, DocumentId, ErpId, MerchantId, Money, PaymentEventKind, PaymentId, PaymentMethodId,
    PaymentMethodKind, PaymentStatus,
};
use portico_storage::Database;
use uuid::Uuid;

use crate::support::{customer, t0};

pub fn usd(minor: i64) -> Money {
    Money::from_minor(minor, Currency::USD)
}

/// A customer `erp` with one invoice per balance; the invoices in that order.
pub async fn customer_with_invoices(
    db: &Database,
    merchant: MerchantId,
    erp: &str,
    balances: &[i64],
) -> (CustomerId, Vec<DocumentId>) {
    db.customers().upsert_customers(merchant, &[customer(erp, &format!("{erp}@example.com"))], t0()).await.unwrap();
    let invoices: Vec<InvoiceUpsert> = balances
        .iter()
        .enumerate()
        .map(|(i, b)| InvoiceUpsert {
            erp_id: ErpId::parse(erp).unwrap(),
            invoice_number: format!("{erp}-INV-{i}"),
            issue_date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            due_date: NaiveDate::from_ymd_opt(2026, 11, 20 + i as u32).unwrap(),
            amount: usd(*b),
            balance: usd(*b),
        })
        .collect();
    db.customers().upsert_invoices(merchant, &invoices, t0()).await.unwrap();
    let detail = db
        .customers()
        .list(merchant, &Default::default(), Default::default(), Default::default(), t0())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|s| s.customer.erp_id.as_str() == erp)
        .unwrap();
    let open = db.payments().open_invoices(merchant, detail.customer.id, &InvoiceSelection::All).await.unwrap();
    let ids = (0..balances.len())
        .map(|i| open.iter().find(|o| o.number == format!("{erp}-INV-{i}")).map(|o| o.id).unwrap())
        .collect();
    (detail.customer.id, ids)
}

/// Balances of invoices, in order.
pub async fn balances(db: &Database, merchant: MerchantId, customer: CustomerId, ids: &[DocumentId]) -> Vec<i64> {
    let open = db.payments().open_invoices(merchant, customer, &InvoiceSelection::All).await.unwrap();
    ids.iter().map(|id| open.iter().find(|o| o.id == *id).map_or(0, |o| o.balance.minor_units())).collect()
}

pub fn card() -> MethodSnapshot {
    MethodSnapshot {
        kind: PaymentMethodKind::Card,
        label: "Visa".into(),
        last4: "4242".into(),
        expiry: CardExpiry::from_stored(12, 2030),
        saved: None,
    }
}

/// A `processing` payment of `shares`, with its `initiated` event.
pub fn payment(
    merchant: MerchantId,
    customer: CustomerId,
    shares: &[(DocumentId, i64)],
    key: &str,
    at: DateTime<Utc>,
) -> NewPayment {
    let id = PaymentId::from_uuid(Uuid::now_v7());
    let items: Vec<Allocation> = shares.iter().map(|(d, m)| Allocation { invoice: *d, amount: usd(*m) }).collect();
    let allocations = Allocations::from_stored(items).unwrap();
    let lines = shares
        .iter()
        .map(|(d, m)| AllocationLine {
            invoice: *d,
            number: String::new(),
            due_date: None,
            amount: usd(*m),
            refunded: usd(0),
        })
        .collect();
    let record = PaymentRecord {
        id,
        merchant_id: merchant,
        customer_id: customer,
        payer: None,
        status: PaymentStatus::Processing,
        amount: allocations.total(),
        refunded: usd(0),
        method: card(),
        token: "pm_sbx_card_ok_abc123".into(),
        allocations: lines,
        gateway_reference: None,
        failure: None,
        idempotency_key: key.into(),
        fingerprint: format!("fp-{key}"),
        created_at: at,
        updated_at: at,
    };
    let event = PaymentEvent {
        payment_id: id,
        kind: PaymentEventKind::Initiated,
        actor: Actor::System,
        amount: record.amount,
        detail: None,
        at,
    };
    NewPayment { record, allocations, event, recheck_at: at + TimeDelta::minutes(2) }
}

/// The resolution of a `processing` payment by `to`.
pub fn resolution(p: &NewPayment, to: PaymentStatus, kind: PaymentEventKind, at: DateTime<Utc>) -> PaymentResolution {
    let failed = to == PaymentStatus::Failed;
    PaymentResolution {
        merchant: p.record.merchant_id,
        payment: p.record.id,
        from: PaymentStatus::Processing,
        to,
        reference: (!failed).then(|| format!("ch_sbx_card_ok_20261123_{}", &p.record.id.to_string()[..8])),
        failure: failed.then_some(portico_app::PaymentFailure::Declined(portico_domain::payment::DeclineCode::Generic)),
        restore_balances: failed,
        recheck_at: (to == PaymentStatus::Pending).then(|| at + TimeDelta::hours(1)),
        save_method: None,
        forget_method: None,
        event: PaymentEvent {
            payment_id: p.record.id,
            kind,
            actor: Actor::System,
            amount: p.record.amount,
            detail: None,
            at,
        },
        email: None,
    }
}

/// A method to save with a resolution.
pub fn to_save(label: &str) -> MethodToSave {
    MethodToSave {
        id: PaymentMethodId::from_uuid(Uuid::now_v7()),
        snapshot: MethodSnapshot { label: label.into(), ..card() },
        token: format!("pm_sbx_card_ok_{}", Uuid::now_v7().simple()),
    }
}
