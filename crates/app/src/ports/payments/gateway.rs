//! The payment gateway port, shaped after the card and ACH gateways in use
//! (Stripe PaymentMethods/PaymentIntents/Refunds, Authorize.net customer
//! profiles and transactions): each method maps to one gateway call. The
//! mapping is written down in `adapters/payments/README.md`.

use async_trait::async_trait;
use portico_domain::payment::{AchReturnCode, BankAccountDetails, CardDetails, CardExpiry, DeclineCode};
use portico_domain::{Money, PaymentMethodKind};

use crate::BoxError;

/// Card or bank account data as the payer typed it, parsed. It goes to the
/// gateway and nowhere else: `Debug` shows only brand and last four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodDetails {
    /// A card.
    Card(CardDetails),
    /// A US bank account, for ACH debits.
    BankAccount(BankAccountDetails),
}

/// A method the gateway holds: what Portico may keep of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayMethod {
    /// The gateway's token for it (charges use it; it reveals no digits).
    pub token: String,
    /// Card or bank account.
    pub kind: PaymentMethodKind,
    /// The card brand ("Visa") or the bank's name.
    pub label: String,
    /// The number's last four digits.
    pub last4: String,
    /// A card's expiry.
    pub expiry: Option<CardExpiry>,
}

/// A charge to make. The same `idempotency_key` charges once: a retry
/// answers the first charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    /// The method's token.
    pub token: String,
    /// How much (positive).
    pub amount: Money,
    /// Unique per payment; retries reuse it.
    pub idempotency_key: String,
    /// What the payer's statement says, such as "Maple Street Bakery INV-1001".
    pub description: String,
}

/// Where a charge stands when the gateway answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeStatus {
    /// The money is captured (cards).
    Succeeded,
    /// Sent; it settles or comes back later (ACH debits).
    Pending,
}

/// An accepted charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The gateway's reference (for refunds and lookups).
    pub reference: String,
    /// Captured or pending.
    pub status: ChargeStatus,
}

/// A refund to make. The same `idempotency_key` refunds once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The charge's reference.
    pub charge_reference: String,
    /// How much (positive, at most what is left of the charge).
    pub amount: Money,
    /// Unique per refund; retries reuse it.
    pub idempotency_key: String,
}

/// An accepted refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayRefund {
    /// The gateway's reference.
    pub reference: String,
}

/// What became of an ACH debit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebitOutcome {
    /// Still on its way.
    Pending,
    /// The money arrived.
    Settled,
    /// The bank sent it back.
    Returned(AchReturnCode),
}

/// Card or account data the gateway refused when tokenising or charging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MethodProblem {
    /// The issuer knows no such card number.
    #[error("the card number is incorrect")]
    IncorrectNumber,
    /// The expiry does not match the card.
    #[error("the expiry date is incorrect")]
    IncorrectExpiry,
    /// The bank knows no such routing or account number.
    #[error("the bank account could not be found")]
    UnknownAccount,
    /// The token is unknown or was removed.
    #[error("the saved payment method no longer exists at the gateway")]
    UnknownToken,
}

/// A request the gateway does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No charge has this reference.
    #[error("the gateway knows no such charge")]
    UnknownCharge,
    /// The charge cannot be refunded (not settled, returned, refunded already).
    #[error("the charge cannot be refunded now")]
    NotRefundable,
    /// The amount is zero, negative, or above what the charge allows.
    #[error("the amount is not allowed")]
    InvalidAmount,
}

/// A failure after which nothing was charged and a later retry may work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransientReason {
    /// The issuer or network had an error processing the card.
    #[error("the card could not be processed; try again in a moment")]
    ProcessingError,
    /// Too many requests.
    #[error("the gateway is busy; try again in a moment")]
    RateLimited,
}

/// Why the gateway did not do what was asked. Every variant but
/// `Unreachable` is a definite answer: nothing was charged or refunded.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The issuer declined, with its reason.
    #[error("declined: {}", .0.as_str())]
    Declined(DeclineCode),
    /// The card or account data is wrong.
    #[error("{0}")]
    InvalidMethod(MethodProblem),
    /// The request is not allowed.
    #[error("{0}")]
    Refused(Refusal),
    /// Nothing happened; retry later.
    #[error("{0}")]
    Transient(TransientReason),
    /// No answer (timeout, connection lost): the outcome is unknown, so a
    /// retry MUST reuse the idempotency key.
    #[error("the gateway did not answer")]
    Unreachable(#[source] BoxError),
}

/// A payment gateway. Implementations MUST honour idempotency keys (a
/// second call with a key answers the first call's result and moves no
/// more money) and MUST never log or keep card or account numbers.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Stores a card or bank account at the gateway and returns its token
    /// (Stripe: create a PaymentMethod; Authorize.net: a payment profile).
    ///
    /// # Errors
    /// `InvalidMethod` when the gateway refuses the data; `Transient`,
    /// `Unreachable`.
    async fn tokenize(&self, method: &MethodDetails) -> Result<GatewayMethod, GatewayError>;

    /// Charges a token: a card is captured at once, an ACH debit is sent
    /// and `Pending` (Stripe: a confirmed PaymentIntent).
    ///
    /// # Errors
    /// `Declined` with the issuer's reason, `InvalidMethod`, `Transient`,
    /// `Unreachable` (retry with the same key).
    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError>;

    /// Refunds (part of) a charge.
    ///
    /// # Errors
    /// `Refused` (unknown or not refundable), `Transient`, `Unreachable`.
    async fn refund(&self, request: &RefundRequest) -> Result<GatewayRefund, GatewayError>;

    /// What became of an ACH debit since it was sent (Stripe: retrieve the
    /// PaymentIntent; a webhook would announce the same).
    ///
    /// # Errors
    /// `Refused(UnknownCharge)`, `Transient`, `Unreachable`.
    async fn debit_outcome(&self, charge_reference: &str) -> Result<DebitOutcome, GatewayError>;

    /// Forgets a saved method (Stripe: detach the PaymentMethod).
    ///
    /// # Errors
    /// `Transient`, `Unreachable`; an unknown token is not an error.
    async fn detach(&self, token: &str) -> Result<(), GatewayError>;
}
