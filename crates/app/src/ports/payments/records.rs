//! Payments as Portico stores them: the payment with its allocations and
//! the method it used (token, brand or bank, last four, expiry, never a
//! number), its audit trail, and customers' saved methods.

use chrono::{DateTime, NaiveDate, Utc};
use portico_domain::payment::{AchReturnCode, CardExpiry, DeclineCode, PaidShare};
use portico_domain::{
    Actor, ContactId, CustomerId, DocumentId, MerchantId, Money, PaymentEventKind, PaymentId, PaymentMethodId,
    PaymentMethodKind, PaymentStatus,
};

use crate::TransientReason;

/// The method a payment used, as shown in histories and receipts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSnapshot {
    /// Card or bank account.
    pub kind: PaymentMethodKind,
    /// The card brand or the bank's name.
    pub label: String,
    /// Last four digits.
    pub last4: String,
    /// A card's expiry.
    pub expiry: Option<CardExpiry>,
    /// The saved method it came from or became, if any.
    pub saved: Option<PaymentMethodId>,
}

impl MethodSnapshot {
    /// "Visa •••• 4242".
    #[must_use]
    pub fn describe(&self) -> String {
        format!("{} \u{2022}\u{2022}\u{2022}\u{2022} {}", self.label, self.last4)
    }
}

/// Why a payment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentFailure {
    /// The issuer declined the card.
    Declined(DeclineCode),
    /// The bank returned the debit.
    Returned(AchReturnCode),
    /// The gateway could not process it; nothing was charged.
    Transient(TransientReason),
    /// The gateway refused the card or account data.
    InvalidMethod,
}

impl PaymentFailure {
    /// The stored code: a decline code, an `Rnn` return code,
    /// `processing_error`, `rate_limited` or `invalid_method`.
    #[must_use]
    pub fn code(&self) -> String {
        match self {
            Self::Declined(c) => c.as_str().to_owned(),
            Self::Returned(r) => r.to_string(),
            Self::Transient(TransientReason::ProcessingError) => "processing_error".to_owned(),
            Self::Transient(TransientReason::RateLimited) => "rate_limited".to_owned(),
            Self::InvalidMethod => "invalid_method".to_owned(),
        }
    }

    /// Parses a stored code.
    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "processing_error" => Some(Self::Transient(TransientReason::ProcessingError)),
            "rate_limited" => Some(Self::Transient(TransientReason::RateLimited)),
            "invalid_method" => Some(Self::InvalidMethod),
            other => DeclineCode::parse(other)
                .map(Self::Declined)
                .or_else(|| AchReturnCode::parse(other).ok().map(Self::Returned)),
        }
    }

    /// The reason in a few words, to follow "returned by the bank:".
    #[must_use]
    pub fn reason(&self) -> String {
        match self {
            Self::Returned(r) => format!("{} ({r})", r.description()),
            Self::Declined(c) => c.as_str().replace('_', " "),
            Self::Transient(_) => "it could not be processed".to_owned(),
            Self::InvalidMethod => "the account details were refused".to_owned(),
        }
    }

    /// What the payer is told.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::Declined(c) => c.message().to_owned(),
            Self::Returned(r) => format!("The bank returned the payment ({r}: {}).", r.description()),
            Self::Transient(_) => "The payment could not be processed. Nothing was charged; please try again.".into(),
            Self::InvalidMethod => "The card or bank account details were refused. Check them and try again.".into(),
        }
    }
}

/// One invoice's share of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationLine {
    /// The invoice.
    pub invoice: DocumentId,
    /// Its number.
    pub number: String,
    /// Its due date.
    pub due_date: Option<NaiveDate>,
    /// What the payment put on it.
    pub amount: Money,
    /// What refunds took back from it.
    pub refunded: Money,
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// Id.
    pub id: PaymentId,
    /// The merchant paid.
    pub merchant_id: MerchantId,
    /// The customer paying.
    pub customer_id: CustomerId,
    /// The contact who paid, if a contact did (receipts go there).
    pub payer: Option<ContactId>,
    /// Where it stands.
    pub status: PaymentStatus,
    /// The total.
    pub amount: Money,
    /// Refunded so far (including refunds still at the gateway).
    pub refunded: Money,
    /// The method.
    pub method: MethodSnapshot,
    /// The gateway's token of the method.
    pub token: String,
    /// Its invoices, in the order chosen.
    pub allocations: Vec<AllocationLine>,
    /// The gateway's reference of the charge, once it answered.
    pub gateway_reference: Option<String>,
    /// Why it failed.
    pub failure: Option<PaymentFailure>,
    /// The client's idempotency key.
    pub idempotency_key: String,
    /// What the request asked for (the same key with another request is refused).
    pub fingerprint: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl PaymentRecord {
    /// Its invoices' shares, for a refund.
    #[must_use]
    pub fn shares(&self) -> Vec<PaidShare> {
        self.allocations
            .iter()
            .map(|a| PaidShare { invoice: a.invoice, amount: a.amount, refunded: a.refunded })
            .collect()
    }
}

/// An entry of a payment's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The payment.
    pub payment_id: PaymentId,
    /// What happened.
    pub kind: PaymentEventKind,
    /// Who made it happen.
    pub actor: Actor,
    /// The amount concerned (the payment's, or a refund's).
    pub amount: Money,
    /// A decline or return code, or a gateway reference.
    pub detail: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A customer's saved card or bank account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMethod {
    /// Id.
    pub id: PaymentMethodId,
    /// The customer it belongs to.
    pub customer_id: CustomerId,
    /// What it looks like.
    pub kind: PaymentMethodKind,
    /// Brand or bank.
    pub label: String,
    /// Last four digits.
    pub last4: String,
    /// A card's expiry.
    pub expiry: Option<CardExpiry>,
    /// The gateway's token.
    pub token: String,
    /// Used unless the payer picks another.
    pub is_default: bool,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

impl SavedMethod {
    /// The snapshot a payment with it records.
    #[must_use]
    pub fn snapshot(&self) -> MethodSnapshot {
        MethodSnapshot {
            kind: self.kind,
            label: self.label.clone(),
            last4: self.last4.clone(),
            expiry: self.expiry,
            saved: Some(self.id),
        }
    }
}
