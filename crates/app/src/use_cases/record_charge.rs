//! Recording what the gateway answered to a charge, the same way whether
//! the payer's request is still waiting for it or the settlement worker
//! retried a charge whose request died.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use portico_domain::{Actor, PaymentEventKind, PaymentOutcome, PaymentStatus};

use super::payment_notices::PaymentNotices;
use crate::{
    BoxError, Charge, ChargeRequest, ChargeStatus, GatewayError, MethodToSave, PaymentEvent, PaymentFailure,
    PaymentReader, PaymentRecord, PaymentRepository, PaymentResolution, RepositoryError,
};

/// How long a payment may stay `processing` before the settlement worker
/// asks the gateway again (with the same idempotency key).
pub const PROCESSING_GRACE: TimeDelta = TimeDelta::minutes(2);

/// How often a pending bank debit is looked at.
pub const DEBIT_RECHECK: TimeDelta = TimeDelta::hours(1);

/// What became of a recorded charge.
#[derive(Debug)]
pub enum Recorded {
    /// The payment as it now stands (succeeded, pending or failed).
    Resolved(PaymentRecord),
    /// The gateway did not answer; the payment stays `processing` until the
    /// settlement worker learns the outcome.
    Unconfirmed(PaymentRecord),
}

/// Records charge outcomes.
#[derive(Clone)]
pub struct RecordCharge {
    /// Payments.
    pub payments: Arc<dyn PaymentRepository>,
    /// Reading a payment back after a concurrent change.
    pub reader: Arc<dyn PaymentReader>,
    /// Receipts.
    pub notices: PaymentNotices,
}

impl std::fmt::Debug for RecordCharge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordCharge").finish_non_exhaustive()
    }
}

/// The charge request of a recorded payment; its id is the gateway's
/// idempotency key, so a retry can never charge twice.
#[must_use]
pub fn charge_request(payment: &PaymentRecord) -> ChargeRequest {
    let numbers: Vec<&str> = payment.allocations.iter().map(|a| a.number.as_str()).collect();
    let mut description = format!("Invoices {}", numbers.join(", "));
    if description.len() > 100 {
        description = format!("{} invoices", numbers.len());
    }
    ChargeRequest {
        token: payment.token.clone(),
        amount: payment.amount,
        idempotency_key: format!("payment-{}", payment.id),
        description,
    }
}

impl RecordCharge {
    /// Records the gateway's answer to the charge of a `processing` payment.
    ///
    /// # Errors
    /// On a storage or rendering failure.
    pub async fn record(
        &self,
        payment: &PaymentRecord,
        answer: Result<Charge, GatewayError>,
        save: Option<MethodToSave>,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Result<Recorded, BoxError> {
        let mut after = payment.clone();
        after.updated_at = now;
        let event = |kind, detail| PaymentEvent {
            payment_id: payment.id,
            kind,
            actor,
            amount: payment.amount,
            detail,
            at: now,
        };
        let (outcome, failure, kind, detail, recheck_at) = match answer {
            Ok(Charge { reference, status }) => {
                after.gateway_reference = Some(reference.clone());
                match status {
                    ChargeStatus::Succeeded => {
                        (PaymentOutcome::Charged, None, PaymentEventKind::Charged, Some(reference), None)
                    }
                    ChargeStatus::Pending => (
                        PaymentOutcome::Submitted,
                        None,
                        PaymentEventKind::Submitted,
                        Some(reference),
                        Some(now + DEBIT_RECHECK),
                    ),
                }
            }
            Err(GatewayError::Unreachable(_)) => return Ok(Recorded::Unconfirmed(payment.clone())),
            Err(e) => {
                let failure = match e {
                    GatewayError::Declined(code) => PaymentFailure::Declined(code),
                    GatewayError::Transient(reason) => PaymentFailure::Transient(reason),
                    _ => PaymentFailure::InvalidMethod,
                };
                (PaymentOutcome::Declined, Some(failure), PaymentEventKind::Declined, Some(failure.code()), None)
            }
        };
        after.status = payment.status.after(outcome)?;
        after.failure = failure;
        let succeeded = after.status == PaymentStatus::Succeeded;
        let save = if failure.is_none() { save } else { None };
        if let Some(s) = &save {
            after.method.saved = Some(s.id);
        }
        let email = if succeeded { self.notices.receipt(&after).await? } else { None };
        let resolution = PaymentResolution {
            merchant: payment.merchant_id,
            payment: payment.id,
            from: payment.status,
            to: after.status,
            reference: after.gateway_reference.clone(),
            failure,
            restore_balances: failure.is_some(),
            recheck_at,
            save_method: save,
            forget_method: None,
            event: event(kind, detail),
            email,
        };
        match self.payments.resolve(&resolution).await {
            Ok(()) => Ok(Recorded::Resolved(after)),
            Err(RepositoryError::Conflict { .. }) => {
                // Recorded meanwhile by the other path (a retried request, the worker).
                let stored = self.reader.find(payment.merchant_id, payment.id).await?;
                Ok(Recorded::Resolved(stored.unwrap_or(after)))
            }
            Err(e) => Err(e.into()),
        }
    }
}
