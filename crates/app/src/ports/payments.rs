//! The payment gateway port (the sandbox gateway is the embedded default).

use async_trait::async_trait;
use portico_domain::Money;

use crate::BoxError;

/// A method to pay with, as the payer typed it. Never stored: the gateway
/// turns it into a token.
#[derive(Clone, PartialEq, Eq)]
pub enum PaymentMethodInput {
    /// A card.
    Card {
        /// The card number.
        number: String,
        /// Expiry month, 1–12.
        exp_month: u32,
        /// Expiry year, four digits.
        exp_year: u32,
        /// The security code.
        cvc: String,
    },
    /// A US bank account for ACH.
    Ach {
        /// ABA routing number.
        routing_number: String,
        /// Account number.
        account_number: String,
    },
}

impl std::fmt::Debug for PaymentMethodInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Card and account numbers never reach a log.
        match self {
            Self::Card { .. } => f.write_str("Card(<redacted>)"),
            Self::Ach { .. } => f.write_str("Ach(<redacted>)"),
        }
    }
}

/// A method saved at the gateway: only its token and what a person recognises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedMethod {
    /// The gateway's token.
    pub token: String,
    /// Card brand or bank name.
    pub label: String,
    /// Last four digits.
    pub last4: String,
}

/// The gateway's answer to a charge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    /// Captured.
    Succeeded {
        /// The gateway's reference.
        reference: String,
    },
    /// Submitted; settles or fails later (ACH).
    Pending {
        /// The gateway's reference.
        reference: String,
    },
    /// Declined, with the gateway's reason.
    Declined {
        /// Why.
        reason: String,
    },
}

/// A payment gateway.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Validates and saves a method, returning its token.
    ///
    /// # Errors
    /// When the gateway cannot be reached; an invalid method is `Ok(Err)`.
    async fn save_method(&self, method: &PaymentMethodInput) -> Result<Result<SavedMethod, String>, BoxError>;

    /// Charges a saved method. The same `idempotency_key` charges once.
    ///
    /// # Errors
    /// When the gateway cannot be reached.
    async fn charge(&self, token: &str, amount: Money, idempotency_key: &str) -> Result<ChargeOutcome, BoxError>;
}
