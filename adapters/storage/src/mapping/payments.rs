//! Payments, their allocations and events, and saved methods.

use chrono::{DateTime, Utc};
use portico_app::{
    AllocationLine, MethodSnapshot, PaymentEvent, PaymentFailure, PaymentRecord, RepositoryError, SavedMethod,
};
use portico_domain::payment::CardExpiry;
use portico_domain::{
    Actor, ContactId, Currency, CustomerId, DocumentId, MerchantId, Money, PaymentEventKind, PaymentId,
    PaymentMethodId, PaymentMethodKind, PaymentStatus, StaffUserId,
};
use sea_orm::ActiveValue::{NotSet, Set};
use uuid::Uuid;

use crate::entity::{documents, payment_allocations, payment_events, payment_methods, payments};
use crate::error::corrupt;

fn expiry_columns(expiry: Option<CardExpiry>) -> (Option<i32>, Option<i32>) {
    expiry.map_or((None, None), |e| (i32::try_from(e.month()).ok(), Some(e.year())))
}

fn expiry_from(
    table: &'static str,
    month: Option<i32>,
    year: Option<i32>,
) -> Result<Option<CardExpiry>, RepositoryError> {
    match (month, year) {
        (Some(m), Some(y)) => u32::try_from(m)
            .ok()
            .and_then(|m| CardExpiry::from_stored(m, y))
            .map(Some)
            .ok_or_else(|| corrupt(table, "exp_month", m)),
        _ => Ok(None),
    }
}

fn kind_from(table: &'static str, kind: &str) -> Result<PaymentMethodKind, RepositoryError> {
    PaymentMethodKind::parse(kind).ok_or_else(|| corrupt(table, "kind", kind))
}

pub(crate) fn payment_to_model(r: &PaymentRecord, recheck_at: Option<DateTime<Utc>>) -> payments::Model {
    let (exp_month, exp_year) = expiry_columns(r.method.expiry);
    payments::Model {
        id: r.id.as_uuid(),
        merchant_id: r.merchant_id.as_uuid(),
        customer_id: r.customer_id.as_uuid(),
        payer_contact_id: r.payer.map(|c| c.as_uuid()),
        status: r.status.as_str().to_owned(),
        currency: r.amount.currency().code().to_owned(),
        amount_minor: r.amount.minor_units(),
        refunded_minor: r.refunded.minor_units(),
        method_kind: r.method.kind.as_str().to_owned(),
        method_label: r.method.label.clone(),
        method_last4: r.method.last4.clone(),
        method_exp_month: exp_month,
        method_exp_year: exp_year,
        payment_method_id: r.method.saved.map(|m| m.as_uuid()),
        gateway_token: r.token.clone(),
        gateway_reference: r.gateway_reference.clone(),
        failure_code: r.failure.map(|f| f.code()),
        idempotency_key: r.idempotency_key.clone(),
        fingerprint: r.fingerprint.clone(),
        recheck_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// A payment from its row and its allocations (each with its invoice).
pub(crate) fn payment_from_model(
    p: payments::Model,
    allocations: Vec<(payment_allocations::Model, Option<&documents::Model>)>,
) -> Result<PaymentRecord, RepositoryError> {
    const T: &str = "payments";
    let currency = Currency::parse(&p.currency).map_err(|e| corrupt(T, "currency", e))?;
    let money = |m| Money::from_minor(m, currency);
    let lines = allocations
        .into_iter()
        .map(|(a, d)| AllocationLine {
            invoice: DocumentId::from_uuid(a.document_id),
            number: d.map(|d| d.number.clone()).unwrap_or_default(),
            due_date: d.and_then(|d| d.due_date),
            amount: money(a.amount_minor),
            refunded: money(a.refunded_minor),
        })
        .collect();
    Ok(PaymentRecord {
        id: PaymentId::from_uuid(p.id),
        merchant_id: MerchantId::from_uuid(p.merchant_id),
        customer_id: CustomerId::from_uuid(p.customer_id),
        payer: p.payer_contact_id.map(ContactId::from_uuid),
        status: PaymentStatus::parse(&p.status).ok_or_else(|| corrupt(T, "status", &p.status))?,
        amount: money(p.amount_minor),
        refunded: money(p.refunded_minor),
        method: MethodSnapshot {
            kind: kind_from(T, &p.method_kind)?,
            label: p.method_label,
            last4: p.method_last4,
            expiry: expiry_from(T, p.method_exp_month, p.method_exp_year)?,
            saved: p.payment_method_id.map(PaymentMethodId::from_uuid),
        },
        token: p.gateway_token,
        allocations: lines,
        gateway_reference: p.gateway_reference,
        failure: p
            .failure_code
            .as_deref()
            .map(|c| PaymentFailure::parse(c).ok_or_else(|| corrupt(T, "failure_code", c)))
            .transpose()?,
        idempotency_key: p.idempotency_key,
        fingerprint: p.fingerprint,
        created_at: p.created_at,
        updated_at: p.updated_at,
    })
}

fn actor_columns(actor: Actor) -> (&'static str, Option<Uuid>) {
    match actor {
        Actor::Staff(id) => ("staff", Some(id.as_uuid())),
        Actor::Contact(id) => ("contact", Some(id.as_uuid())),
        Actor::System => ("system", None),
    }
}

pub(crate) fn payment_event_to_active(merchant: MerchantId, e: &PaymentEvent) -> payment_events::ActiveModel {
    let (actor_type, actor_id) = actor_columns(e.actor);
    payment_events::ActiveModel {
        id: NotSet,
        merchant_id: Set(merchant.as_uuid()),
        payment_id: Set(e.payment_id.as_uuid()),
        kind: Set(e.kind.as_str().to_owned()),
        actor_type: Set(actor_type.to_owned()),
        actor_id: Set(actor_id),
        amount_minor: Set(e.amount.minor_units()),
        detail: Set(e.detail.clone()),
        at: Set(e.at),
    }
}

pub(crate) fn payment_event_from_model(
    m: payment_events::Model,
    currency: Currency,
) -> Result<PaymentEvent, RepositoryError> {
    const E: &str = "payment_events";
    let actor = match (m.actor_type.as_str(), m.actor_id) {
        ("staff", Some(id)) => Actor::Staff(StaffUserId::from_uuid(id)),
        ("contact", Some(id)) => Actor::Contact(ContactId::from_uuid(id)),
        ("system", None) => Actor::System,
        (other, _) => return Err(corrupt(E, "actor_type", other)),
    };
    Ok(PaymentEvent {
        payment_id: PaymentId::from_uuid(m.payment_id),
        kind: PaymentEventKind::parse(&m.kind).ok_or_else(|| corrupt(E, "kind", &m.kind))?,
        actor,
        amount: Money::from_minor(m.amount_minor, currency),
        detail: m.detail,
        at: m.at,
    })
}

pub(crate) fn method_to_model(
    merchant: MerchantId,
    customer: CustomerId,
    id: PaymentMethodId,
    snapshot: &MethodSnapshot,
    token: &str,
    now: DateTime<Utc>,
) -> payment_methods::Model {
    let (exp_month, exp_year) = expiry_columns(snapshot.expiry);
    payment_methods::Model {
        id: id.as_uuid(),
        merchant_id: merchant.as_uuid(),
        customer_id: customer.as_uuid(),
        kind: snapshot.kind.as_str().to_owned(),
        label: snapshot.label.clone(),
        last4: snapshot.last4.clone(),
        exp_month,
        exp_year,
        gateway_token: token.to_owned(),
        is_default: false,
        created_at: now,
        removed_at: None,
    }
}

pub(crate) fn method_from_model(m: payment_methods::Model) -> Result<SavedMethod, RepositoryError> {
    const T: &str = "payment_methods";
    Ok(SavedMethod {
        id: PaymentMethodId::from_uuid(m.id),
        customer_id: CustomerId::from_uuid(m.customer_id),
        kind: kind_from(T, &m.kind)?,
        expiry: expiry_from(T, m.exp_month, m.exp_year)?,
        label: m.label,
        last4: m.last4,
        token: m.gateway_token,
        is_default: m.is_default,
        created_at: m.created_at,
    })
}
