//! Payments: card and bank account data (parsed, never stored), how a
//! payment spreads over invoices, and the life of a payment.
//!
//! ```text
//! processing ──charged──▶ succeeded ──refund──▶ partially_refunded ──refund──▶ refunded
//!     │  └──submitted──▶ pending ──settled──▶ succeeded
//!     │                    └──returned──▶ failed
//!     └──declined──▶ failed
//! ```
//! `processing` is the moment between recording a payment (its invoices'
//! balances already reduced) and the gateway's answer; a card is charged
//! at once, an ACH debit is `pending` until it settles or comes back.

mod ach;
mod allocation;
mod bank;
mod card;

pub use ach::{AchReturnCode, DeclineCode, ReturnCodeError, is_business_day, settles_on};
pub use allocation::{
    Allocation, AllocationError, Allocations, InvoiceAmount, MAX_INVOICES_PER_PAYMENT, OpenInvoice, PaidShare,
    RefundError, refund_split,
};
pub use bank::{
    AccountNumber, AccountType, BankAccountDetails, BankAccountError, BankFieldError, RoutingNumber, aba_valid,
};
pub use card::{CardBrand, CardDetails, CardError, CardExpiry, CardFieldError, CardNumber, Cvc, luhn_valid};

use crate::Money;

/// Card or US bank account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethodKind {
    /// A card, charged at once.
    Card,
    /// A US bank account, debited through ACH (settles days later).
    Ach,
}

impl PaymentMethodKind {
    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Ach => "ach",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Card, Self::Ach].into_iter().find(|k| k.as_str() == name)
    }
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Recorded; the gateway has not answered yet.
    Processing,
    /// An ACH debit on its way: settles or comes back later.
    Pending,
    /// The money arrived.
    Succeeded,
    /// Part of it was refunded.
    PartiallyRefunded,
    /// All of it was refunded.
    Refunded,
    /// Declined, or returned by the bank; the invoices owe again.
    Failed,
}

impl PaymentStatus {
    /// Every status.
    pub const ALL: [Self; 6] =
        [Self::Processing, Self::Pending, Self::Succeeded, Self::PartiallyRefunded, Self::Refunded, Self::Failed];

    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::PartiallyRefunded => "partially_refunded",
            Self::Refunded => "refunded",
            Self::Failed => "failed",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The status after a gateway outcome.
    ///
    /// # Errors
    /// [`PaymentTransitionError`] when the outcome does not apply to this
    /// status (a card charge on a pending debit, a settlement twice).
    pub fn after(self, outcome: PaymentOutcome) -> Result<Self, PaymentTransitionError> {
        use PaymentOutcome as O;
        match (self, outcome) {
            (Self::Processing, O::Charged) | (Self::Pending, O::Settled) => Ok(Self::Succeeded),
            (Self::Processing, O::Submitted) => Ok(Self::Pending),
            (Self::Processing, O::Declined) | (Self::Pending, O::Returned) => Ok(Self::Failed),
            (from, outcome) => Err(PaymentTransitionError { from, outcome }),
        }
    }

    /// Whether a refund may be asked for.
    #[must_use]
    pub const fn refundable(&self) -> bool {
        matches!(self, Self::Succeeded | Self::PartiallyRefunded)
    }

    /// The status once `refunded` of `amount` has gone back.
    #[must_use]
    pub fn after_refunds(amount: Money, refunded: Money) -> Self {
        if refunded.minor_units() >= amount.minor_units() { Self::Refunded } else { Self::PartiallyRefunded }
    }
}

/// What the gateway said about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentOutcome {
    /// A card charge went through.
    Charged,
    /// An ACH debit was sent.
    Submitted,
    /// The charge was refused (or failed for good).
    Declined,
    /// An ACH debit settled.
    Settled,
    /// An ACH debit came back with a return code.
    Returned,
}

/// An outcome that does not apply to the payment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from:?} payment cannot be {outcome:?}")]
pub struct PaymentTransitionError {
    /// The status.
    pub from: PaymentStatus,
    /// The outcome.
    pub outcome: PaymentOutcome,
}

/// An entry of a payment's audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentEventKind {
    /// Recorded, invoices' balances reduced.
    Initiated,
    /// Card charged.
    Charged,
    /// ACH debit sent.
    Submitted,
    /// Declined or failed at the gateway; balances restored.
    Declined,
    /// ACH debit settled.
    Settled,
    /// ACH debit returned; balances restored.
    Returned,
    /// Money sent back; balances restored.
    Refunded,
    /// A refund the gateway refused.
    RefundFailed,
}

impl PaymentEventKind {
    /// Every kind.
    pub const ALL: [Self; 8] = [
        Self::Initiated,
        Self::Charged,
        Self::Submitted,
        Self::Declined,
        Self::Settled,
        Self::Returned,
        Self::Refunded,
        Self::RefundFailed,
    ];

    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Initiated => "initiated",
            Self::Charged => "charged",
            Self::Submitted => "submitted",
            Self::Declined => "declined",
            Self::Settled => "settled",
            Self::Returned => "returned",
            Self::Refunded => "refunded",
            Self::RefundFailed => "refund_failed",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A client's key for one payment attempt: the same key pays once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// Why an idempotency key does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key is 8 to 255 visible ASCII characters")]
pub struct IdempotencyKeyError;

impl IdempotencyKey {
    /// Parses 8–255 visible ASCII characters.
    ///
    /// # Errors
    /// [`IdempotencyKeyError`].
    pub fn parse(input: &str) -> Result<Self, IdempotencyKeyError> {
        let ok = (8..=255).contains(&input.len()) && input.bytes().all(|b| b.is_ascii_graphic());
        if ok { Ok(Self(input.to_owned())) } else { Err(IdempotencyKeyError) }
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    #[test]
    fn outcomes_move_a_payment_along_its_life_only() {
        use PaymentOutcome as O;
        use PaymentStatus as S;
        assert_eq!(S::Processing.after(O::Charged), Ok(S::Succeeded));
        assert_eq!(S::Processing.after(O::Submitted), Ok(S::Pending));
        assert_eq!(S::Pending.after(O::Settled), Ok(S::Succeeded));
        assert_eq!(S::Pending.after(O::Returned), Ok(S::Failed));
        assert!(S::Succeeded.after(O::Settled).is_err());
        assert!(S::Pending.after(O::Charged).is_err());
        assert!(S::Failed.after(O::Declined).is_err());
        for status in S::ALL {
            assert_eq!(S::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn refunds_apply_to_money_that_arrived() {
        assert!(PaymentStatus::Succeeded.refundable() && PaymentStatus::PartiallyRefunded.refundable());
        assert!(!PaymentStatus::Pending.refundable() && !PaymentStatus::Refunded.refundable());
        let usd = |m| Money::from_minor(m, Currency::USD);
        assert_eq!(PaymentStatus::after_refunds(usd(100), usd(40)), PaymentStatus::PartiallyRefunded);
        assert_eq!(PaymentStatus::after_refunds(usd(100), usd(100)), PaymentStatus::Refunded);
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert!(IdempotencyKey::parse("pay-2f1c9a7e").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("has a space").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    }
}
