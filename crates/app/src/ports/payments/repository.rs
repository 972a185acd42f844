//! The storage ports of payments, one per role: paying, reading, settling,
//! refunding, and saved methods.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::payment::{Allocations, OpenInvoice};
use portico_domain::{
    CustomerId, DocumentId, IdempotencyKey, MerchantId, Money, PaymentId, PaymentMethodId, PaymentMethodKind,
    PaymentStatus, RefundId,
};

use crate::{
    MethodSnapshot, OutboxEmail, Page, PageRequest, PaymentEvent, PaymentFailure, PaymentRecord, RepositoryError,
    SavedMethod,
};

/// Which open invoices to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceSelection {
    /// Every open invoice of the customer (the first 500 by due date).
    All,
    /// These invoices, if open and the customer's.
    Only(Vec<DocumentId>),
}

/// A payment to record before the gateway is asked: its invoices' balances
/// go down in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// The record, status `processing`.
    pub record: PaymentRecord,
    /// Its allocations (the record's lines, validated).
    pub allocations: Allocations,
    /// The `initiated` event.
    pub event: PaymentEvent,
    /// When to look at it again if nothing resolves it (the request died).
    pub recheck_at: DateTime<Utc>,
}

/// What recording a payment found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeginOutcome {
    /// Recorded; go on to the gateway.
    Started,
    /// The merchant has a payment with this idempotency key: this one.
    Existing(Box<PaymentRecord>),
}

/// A method to save with a payment's success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodToSave {
    /// Its id.
    pub id: PaymentMethodId,
    /// What it looks like (its `saved` is ignored).
    pub snapshot: MethodSnapshot,
    /// The gateway's token.
    pub token: String,
}

/// A gateway outcome to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentResolution {
    /// The merchant.
    pub merchant: MerchantId,
    /// The payment.
    pub payment: PaymentId,
    /// The status it must still have (else `Conflict`).
    pub from: PaymentStatus,
    /// Its new status.
    pub to: PaymentStatus,
    /// The gateway's charge reference, when known.
    pub reference: Option<String>,
    /// Why it failed.
    pub failure: Option<PaymentFailure>,
    /// Give the invoices their balances back (a decline, a return).
    pub restore_balances: bool,
    /// When to ask the gateway again (a pending debit); `None` for never.
    pub recheck_at: Option<DateTime<Utc>>,
    /// Save the method for the customer (the payer asked to).
    pub save_method: Option<MethodToSave>,
    /// Remove this saved method (its account cannot be debited again).
    pub forget_method: Option<PaymentMethodId>,
    /// The audit event.
    pub event: PaymentEvent,
    /// The email it sends (receipt, failure notice).
    pub email: Option<OutboxEmail>,
}

/// Records payments. Implementations MUST change invoice balances in the
/// transaction that records the payment or its outcome, and MUST refuse a
/// payment that would take an invoice below zero, even against a
/// concurrent one.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentRepository: Send + Sync {
    /// The customer's open invoices (balance above zero), by due date.
    ///
    /// # Errors
    /// On a storage failure.
    async fn open_invoices(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        selection: &InvoiceSelection,
    ) -> Result<Vec<OpenInvoice>, RepositoryError>;

    /// Records a payment with its allocations and event, reducing each
    /// invoice's balance by its share, in one transaction.
    ///
    /// # Errors
    /// `Conflict { constraint: "documents_balance_covers_payment" }` when an
    /// invoice's balance no longer covers its share (nothing is written).
    async fn begin(&self, payment: &NewPayment) -> Result<BeginOutcome, RepositoryError>;

    /// Records a gateway outcome with its event, email, balances and saved
    /// method in one transaction.
    ///
    /// # Errors
    /// `Conflict { constraint: "payments_current_status" }` when the payment
    /// is no longer in `from` (another worker recorded it first).
    async fn resolve(&self, resolution: &PaymentResolution) -> Result<(), RepositoryError>;

    /// The merchant's payment with this idempotency key.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find_by_key(
        &self,
        merchant: MerchantId,
        key: &IdempotencyKey,
    ) -> Result<Option<PaymentRecord>, RepositoryError>;
}

/// Filters on the payment list; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    /// One customer's.
    pub customer: Option<CustomerId>,
    /// In this status.
    pub status: Option<PaymentStatus>,
    /// Made with cards or with bank accounts.
    pub method: Option<PaymentMethodKind>,
    /// Made at or after.
    pub from: Option<DateTime<Utc>>,
    /// Made before.
    pub until: Option<DateTime<Utc>>,
}

/// Reads payments, always scoped to a merchant.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentReader: Send + Sync {
    /// One payment.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find(&self, merchant: MerchantId, id: PaymentId) -> Result<Option<PaymentRecord>, RepositoryError>;

    /// A page of payments, newest first.
    ///
    /// # Errors
    /// On a storage failure.
    async fn list(
        &self,
        merchant: MerchantId,
        filter: &PaymentFilter,
        page: PageRequest,
    ) -> Result<Page<PaymentRecord>, RepositoryError>;

    /// A payment's audit trail, oldest first.
    ///
    /// # Errors
    /// On a storage failure.
    async fn events(&self, merchant: MerchantId, id: PaymentId) -> Result<Vec<PaymentEvent>, RepositoryError>;
}

/// Payments waiting on the gateway, for the settlement worker.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SettlementQueue: Send + Sync {
    /// Up to `limit` payments, of every merchant, `pending` or stuck in
    /// `processing`, whose recheck time has come, the longest waiting first.
    ///
    /// # Errors
    /// On a storage failure.
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PaymentRecord>, RepositoryError>;

    /// Looks at a payment again at `at`.
    ///
    /// # Errors
    /// On a storage failure.
    async fn recheck_at(&self, payment: PaymentId, at: DateTime<Utc>) -> Result<(), RepositoryError>;
}

/// A refund to reserve before the gateway is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    /// Its id (also the gateway's idempotency key).
    pub id: RefundId,
    /// The merchant.
    pub merchant: MerchantId,
    /// The payment.
    pub payment: PaymentId,
    /// How much.
    pub amount: Money,
    /// What the payment had refunded when this refund was computed (the
    /// reservation fails if it changed meanwhile).
    pub refunded_before: Money,
    /// The gateway's idempotency key: the same refund of the same payment
    /// state asked twice moves money once.
    pub gateway_key: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// What the gateway said about a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundResolution {
    /// The refund.
    pub refund: NewRefund,
    /// The gateway's reference, or `None` when it refused.
    pub reference: Option<String>,
    /// The audit event (`refunded` or `refund_failed`).
    pub event: PaymentEvent,
}

/// Records refunds. Implementations MUST never let refunds exceed the
/// payment, even against a concurrent refund.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait RefundRepository: Send + Sync {
    /// Reserves a refund: the payment's refunded amount grows by it.
    ///
    /// # Errors
    /// `Conflict { constraint: "payments_refundable" }` when the payment is
    /// not refundable, too little is left, or its refunded amount is no
    /// longer `refunded_before` (nothing is written).
    async fn reserve(&self, refund: &NewRefund) -> Result<(), RepositoryError>;

    /// Records the gateway's answer in one transaction: a success gives the
    /// invoices their balances back (the last paid first) and updates the
    /// payment's status; a refusal releases the reservation.
    ///
    /// # Errors
    /// On a storage failure.
    async fn finish(&self, resolution: &RefundResolution) -> Result<(), RepositoryError>;
}

/// Customers' saved methods, scoped to merchant and customer.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SavedMethodRepository: Send + Sync {
    /// The customer's methods, default first, then newest.
    ///
    /// # Errors
    /// On a storage failure.
    async fn list(&self, merchant: MerchantId, customer: CustomerId) -> Result<Vec<SavedMethod>, RepositoryError>;

    /// One of the customer's methods.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
    ) -> Result<Option<SavedMethod>, RepositoryError>;

    /// Makes a method the customer's default; `false` when it is not theirs.
    ///
    /// # Errors
    /// On a storage failure.
    async fn set_default(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
    ) -> Result<bool, RepositoryError>;

    /// Removes a method at `at` (the newest left becomes the default if it
    /// was); the removed one, or `None` when it is not theirs.
    ///
    /// # Errors
    /// On a storage failure.
    async fn remove(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
        at: DateTime<Utc>,
    ) -> Result<Option<SavedMethod>, RepositoryError>;
}
