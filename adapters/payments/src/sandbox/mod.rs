//! The sandbox gateway: a deterministic stand-in for a card and ACH
//! gateway, for development, tests and demos. It moves no money and keeps
//! no state: a test number's outcome travels in its token, a charge's
//! sending day in its reference, and a reference is derived from the
//! idempotency key, so every instance and every restart gives the same
//! answer to the same request. Portico's own payment tables are the record.

mod numbers;

use std::sync::Arc;

use async_trait::async_trait;
use portico_app::{
    Charge, ChargeRequest, ChargeStatus, Clock, DebitOutcome, GatewayError, GatewayMethod, GatewayRefund,
    MethodDetails, MethodProblem, PaymentGateway, RefundRequest, Refusal, TokenSource, TransientReason,
};
use portico_domain::PaymentMethodKind;
use portico_domain::payment::settles_on;

pub use numbers::{ACCOUNTS, CARDS};
use numbers::{Behaviour, Rail};

/// Business days an ACH debit takes to settle unless configured otherwise.
pub const DEFAULT_SETTLEMENT_DAYS: u32 = 3;

/// The sandbox gateway.
#[derive(Clone)]
pub struct SandboxGateway {
    clock: Arc<dyn Clock>,
    tokens: Arc<dyn TokenSource>,
    settlement_days: u32,
}

impl std::fmt::Debug for SandboxGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxGateway").field("settlement_days", &self.settlement_days).finish_non_exhaustive()
    }
}

impl SandboxGateway {
    /// A sandbox whose ACH debits settle (or come back) `settlement_days`
    /// business days after they were sent, by `clock`.
    #[must_use]
    pub fn new(clock: Arc<dyn Clock>, tokens: Arc<dyn TokenSource>, settlement_days: u32) -> Self {
        Self { clock, tokens, settlement_days }
    }

    /// Business days to settle.
    #[must_use]
    pub const fn settlement_days(&self) -> u32 {
        self.settlement_days
    }
}

#[async_trait]
impl PaymentGateway for SandboxGateway {
    async fn tokenize(&self, method: &MethodDetails) -> Result<GatewayMethod, GatewayError> {
        // A random part makes every tokenisation a new method, as at a real gateway.
        let random = &self.tokens.token().expose()[..24];
        Ok(match method {
            MethodDetails::Card(card) => GatewayMethod {
                token: numbers::token(Rail::Card, numbers::card_behaviour(card.number.expose()), random),
                kind: PaymentMethodKind::Card,
                label: card.number.brand().display_name().to_owned(),
                last4: card.number.last4().to_owned(),
                expiry: Some(card.expiry),
            },
            MethodDetails::BankAccount(account) => GatewayMethod {
                token: numbers::token(Rail::Ach, numbers::account_behaviour(account.account.expose()), random),
                kind: PaymentMethodKind::Ach,
                label: numbers::bank_name(account.routing.as_str()).to_owned(),
                last4: account.account.last4().to_owned(),
                expiry: None,
            },
        })
    }

    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, GatewayError> {
        let (rail, behaviour) =
            numbers::parse_token(&request.token).ok_or(GatewayError::InvalidMethod(MethodProblem::UnknownToken))?;
        if request.amount.minor_units() <= 0 {
            return Err(GatewayError::Refused(Refusal::InvalidAmount));
        }
        match behaviour {
            Behaviour::Decline(code) => return Err(GatewayError::Declined(code)),
            Behaviour::ProcessingError => return Err(GatewayError::Transient(TransientReason::ProcessingError)),
            Behaviour::Succeed | Behaviour::Return(_) => {}
        }
        let digest = numbers::digest(&[&request.idempotency_key, &request.amount.to_string()]);
        let sent = self.clock.now().date_naive();
        let reference = numbers::charge_reference(rail, behaviour, sent, &digest);
        let status = match rail {
            Rail::Card => ChargeStatus::Succeeded,
            Rail::Ach => ChargeStatus::Pending,
        };
        Ok(Charge { reference, status })
    }

    async fn refund(&self, request: &RefundRequest) -> Result<GatewayRefund, GatewayError> {
        let (rail, _, _) =
            numbers::parse_charge(&request.charge_reference).ok_or(GatewayError::Refused(Refusal::UnknownCharge))?;
        if request.amount.minor_units() <= 0 {
            return Err(GatewayError::Refused(Refusal::InvalidAmount));
        }
        if rail == Rail::Ach && self.debit_outcome(&request.charge_reference).await? != DebitOutcome::Settled {
            return Err(GatewayError::Refused(Refusal::NotRefundable));
        }
        let digest = numbers::digest(&[&request.idempotency_key, &request.charge_reference]);
        Ok(GatewayRefund { reference: format!("re_sbx_{digest}") })
    }

    async fn debit_outcome(&self, charge_reference: &str) -> Result<DebitOutcome, GatewayError> {
        let (rail, behaviour, sent) =
            numbers::parse_charge(charge_reference).ok_or(GatewayError::Refused(Refusal::UnknownCharge))?;
        if rail == Rail::Card {
            return Ok(DebitOutcome::Settled);
        }
        if self.clock.now().date_naive() < settles_on(sent, self.settlement_days) {
            return Ok(DebitOutcome::Pending);
        }
        Ok(match behaviour {
            Behaviour::Return(code) => DebitOutcome::Returned(code),
            Behaviour::Succeed | Behaviour::Decline(_) | Behaviour::ProcessingError => DebitOutcome::Settled,
        })
    }

    async fn detach(&self, _token: &str) -> Result<(), GatewayError> {
        Ok(())
    }
}
