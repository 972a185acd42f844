//! The JSON shapes of payments, and their CSV rows.

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use portico_app::use_cases::track_payments::PaymentDetail;
use portico_app::{PaymentEvent, PaymentRecord};
use portico_domain::{Actor, PaymentMethodKind, PaymentStatus};
use uuid::Uuid;

/// A payment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum PaymentStatusDto {
    /// Recorded; the gateway has not answered yet.
    Processing,
    /// A bank debit on its way.
    Pending,
    /// The money arrived.
    Succeeded,
    /// Part of it was refunded.
    PartiallyRefunded,
    /// All of it was refunded.
    Refunded,
    /// Declined or returned.
    Failed,
}

impl PaymentStatusDto {
    /// The domain status.
    #[must_use]
    pub const fn into_status(self) -> PaymentStatus {
        match self {
            Self::Processing => PaymentStatus::Processing,
            Self::Pending => PaymentStatus::Pending,
            Self::Succeeded => PaymentStatus::Succeeded,
            Self::PartiallyRefunded => PaymentStatus::PartiallyRefunded,
            Self::Refunded => PaymentStatus::Refunded,
            Self::Failed => PaymentStatus::Failed,
        }
    }
}

/// Card or bank account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum MethodKindDto {
    /// A card.
    Card,
    /// A US bank account (ACH).
    Ach,
}

impl MethodKindDto {
    /// The domain kind.
    #[must_use]
    pub const fn into_kind(self) -> PaymentMethodKind {
        match self {
            Self::Card => PaymentMethodKind::Card,
            Self::Ach => PaymentMethodKind::Ach,
        }
    }
}

/// The method a payment used: never a number beyond its last four.
#[derive(Debug, Object)]
pub struct MethodDto {
    /// `card` or `ach`.
    pub kind: String,
    /// The card brand or the bank.
    pub label: String,
    /// Last four digits.
    pub last4: String,
    /// A card's expiry, `MM/YYYY`.
    pub expiry: Option<String>,
    /// The saved method it came from or became.
    pub saved_method_id: Option<Uuid>,
}

/// One invoice's share of a payment.
#[derive(Debug, Object)]
pub struct AllocationDto {
    /// The invoice.
    pub invoice_id: Uuid,
    /// Its number.
    pub invoice_number: String,
    /// The share, such as `"100.00"`.
    pub amount: String,
    /// Refunded of it.
    pub refunded: String,
}

/// A payment.
#[derive(Debug, Object)]
pub struct PaymentDto {
    /// Id.
    pub id: Uuid,
    /// The customer.
    pub customer_id: Uuid,
    /// The contact who paid, if one did.
    pub payer_contact_id: Option<Uuid>,
    /// `processing`, `pending`, `succeeded`, `partially_refunded`, `refunded` or `failed`.
    pub status: String,
    /// The total, such as `"120.00"`.
    pub amount: String,
    /// Refunded so far.
    pub refunded: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The method.
    pub method: MethodDto,
    /// Its invoices, in the order chosen.
    pub allocations: Vec<AllocationDto>,
    /// The gateway's reference.
    pub gateway_reference: Option<String>,
    /// A decline code (`insufficient_funds`), an ACH return code (`R01`), or
    /// `processing_error` / `invalid_method`.
    pub failure_code: Option<String>,
    /// The failure in words.
    pub failure_message: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&PaymentRecord> for PaymentDto {
    fn from(p: &PaymentRecord) -> Self {
        Self {
            id: p.id.as_uuid(),
            customer_id: p.customer_id.as_uuid(),
            payer_contact_id: p.payer.map(|c| c.as_uuid()),
            status: p.status.as_str().to_owned(),
            amount: p.amount.decimal(),
            refunded: p.refunded.decimal(),
            currency: p.amount.currency().code().to_owned(),
            method: MethodDto {
                kind: p.method.kind.as_str().to_owned(),
                label: p.method.label.clone(),
                last4: p.method.last4.clone(),
                expiry: p.method.expiry.map(|e| e.to_string()),
                saved_method_id: p.method.saved.map(|m| m.as_uuid()),
            },
            allocations: p
                .allocations
                .iter()
                .map(|a| AllocationDto {
                    invoice_id: a.invoice.as_uuid(),
                    invoice_number: a.number.clone(),
                    amount: a.amount.decimal(),
                    refunded: a.refunded.decimal(),
                })
                .collect(),
            gateway_reference: p.gateway_reference.clone(),
            failure_code: p.failure.map(|f| f.code()),
            failure_message: p.failure.map(|f| f.message()),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A page of payments.
#[derive(Debug, Object)]
pub struct PaymentPageDto {
    /// This page, newest first.
    pub items: Vec<PaymentDto>,
    /// Payments matching the filters.
    pub total: u64,
    /// Items skipped.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
}

/// An entry of a payment's audit trail.
#[derive(Debug, Object)]
pub struct PaymentEventDto {
    /// `initiated`, `charged`, `submitted`, `declined`, `settled`,
    /// `returned`, `refunded` or `refund_failed`.
    pub kind: String,
    /// `staff`, `contact` or `system`.
    pub actor_type: String,
    /// The staff user or contact.
    pub actor_id: Option<Uuid>,
    /// The amount concerned.
    pub amount: String,
    /// A code or reference.
    pub detail: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<&PaymentEvent> for PaymentEventDto {
    fn from(e: &PaymentEvent) -> Self {
        let (actor_type, actor_id) = match e.actor {
            Actor::Staff(id) => ("staff", Some(id.as_uuid())),
            Actor::Contact(id) => ("contact", Some(id.as_uuid())),
            Actor::System => ("system", None),
        };
        Self {
            kind: e.kind.as_str().to_owned(),
            actor_type: actor_type.to_owned(),
            actor_id,
            amount: e.amount.decimal(),
            detail: e.detail.clone(),
            at: e.at,
        }
    }
}

/// A payment with its audit trail.
#[derive(Debug, Object)]
pub struct PaymentDetailDto {
    /// The payment.
    pub payment: PaymentDto,
    /// What happened to it, oldest first, with who did it.
    pub events: Vec<PaymentEventDto>,
}

impl From<&PaymentDetail> for PaymentDetailDto {
    fn from(d: &PaymentDetail) -> Self {
        Self { payment: PaymentDto::from(&d.payment), events: d.events.iter().map(PaymentEventDto::from).collect() }
    }
}

/// A refund to make.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RefundBody {
    /// How much, such as `"25.00"`; absent refunds everything left.
    #[oai(validator(max_length = 24))]
    pub amount: Option<String>,
}

/// The CSV export's header.
pub const CSV_HEADER: [&str; 12] = [
    "id",
    "created_at",
    "customer_id",
    "status",
    "amount",
    "refunded",
    "currency",
    "method",
    "method_label",
    "last4",
    "invoices",
    "failure_code",
];

/// One CSV row of a payment.
#[must_use]
pub fn csv_row(p: &PaymentRecord) -> [String; 12] {
    let invoices: Vec<String> = p.allocations.iter().map(|a| format!("{}:{}", a.number, a.amount.decimal())).collect();
    [
        p.id.to_string(),
        p.created_at.to_rfc3339(),
        p.customer_id.to_string(),
        p.status.as_str().to_owned(),
        p.amount.decimal(),
        p.refunded.decimal(),
        p.amount.currency().code().to_owned(),
        p.method.kind.as_str().to_owned(),
        p.method.label.clone(),
        p.method.last4.clone(),
        invoices.join(" "),
        p.failure.map(|f| f.code()).unwrap_or_default(),
    ]
}
