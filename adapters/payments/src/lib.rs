//! # portico-payments
//!
//! Payment gateways behind the app's [`PaymentGateway`] port. Today: the
//! [`SandboxGateway`], the embedded default (`PORTICO_PAYMENTS=sandbox`),
//! with the card and ACH test numbers card gateways publish. See the
//! crate's README for the test numbers and how a real gateway maps onto the
//! port.

mod sandbox;

use std::sync::Arc;

use portico_app::{Clock, PaymentGateway, TokenSource};

pub use sandbox::{ACCOUNTS, CARDS, DEFAULT_SETTLEMENT_DAYS, SandboxGateway};

/// Why `PORTICO_PAYMENTS` names no usable gateway.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayConfigError {
    /// Not a gateway this build knows.
    #[error("{0:?} is not a known gateway; use sandbox (or sandbox?settle_after_days=N)")]
    Unknown(String),
    /// An option the gateway does not take, or a bad value.
    #[error("{0:?}: the sandbox takes settle_after_days=N, with N from 0 to 30")]
    Option(String),
}

/// A gateway as `PORTICO_PAYMENTS` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewaySpec {
    /// The sandbox, whose ACH debits settle after this many business days.
    Sandbox {
        /// Business days to settle.
        settlement_days: u32,
    },
}

impl GatewaySpec {
    /// Parses `sandbox` or `sandbox?settle_after_days=N` (N from 0 to 30;
    /// default 3).
    ///
    /// # Errors
    /// [`GatewayConfigError`] naming the unusable part.
    pub fn parse(spec: &str) -> Result<Self, GatewayConfigError> {
        let spec = spec.trim();
        let (name, options) = spec.split_once('?').unwrap_or((spec, ""));
        if name != "sandbox" {
            return Err(GatewayConfigError::Unknown(name.to_owned()));
        }
        let mut settlement_days = DEFAULT_SETTLEMENT_DAYS;
        for option in options.split('&').filter(|o| !o.is_empty()) {
            settlement_days = match option.split_once('=') {
                Some(("settle_after_days", n)) => {
                    n.parse().ok().filter(|d| *d <= 30).ok_or_else(|| GatewayConfigError::Option(option.to_owned()))?
                }
                _ => return Err(GatewayConfigError::Option(option.to_owned())),
            };
        }
        Ok(Self::Sandbox { settlement_days })
    }

    /// The gateway, reading time from `clock` and randomness from `tokens`.
    #[must_use]
    pub fn build(self, clock: Arc<dyn Clock>, tokens: Arc<dyn TokenSource>) -> Arc<dyn PaymentGateway> {
        match self {
            Self::Sandbox { settlement_days } => Arc::new(SandboxGateway::new(clock, tokens, settlement_days)),
        }
    }
}

impl Default for GatewaySpec {
    fn default() -> Self {
        Self::Sandbox { settlement_days: DEFAULT_SETTLEMENT_DAYS }
    }
}
