//! The settlement worker: asks the gateway about payments still waiting on
//! it. A pending bank debit that settled succeeds (and the receipt goes
//! out); one that came back fails with its return code, its invoices owe
//! again, the contact is told, and the trail records it for staff. A
//! payment stuck in `processing` (its request died before the gateway's
//! answer was recorded) is charged again with the same idempotency key,
//! which answers the first charge instead of making a second.
//!
//! Every instance may run it: outcomes are recorded only from the status
//! they were computed from, so of two workers on one payment one records.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use portico_domain::{Actor, PaymentEventKind, PaymentOutcome, PaymentStatus};

use super::record_charge::{DEBIT_RECHECK, PROCESSING_GRACE, RecordCharge, Recorded, charge_request};
use crate::{
    BoxError, Clock, DebitOutcome, PaymentEvent, PaymentFailure, PaymentGateway, PaymentRecord, PaymentRepository,
    PaymentResolution, RepositoryError, SettlementQueue,
};

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettleReport {
    /// Debits that settled.
    pub settled: u32,
    /// Debits that came back.
    pub returned: u32,
    /// Stuck payments whose outcome was learnt.
    pub recovered: u32,
    /// Payments still waiting.
    pub waiting: u32,
}

/// Why a pass stopped.
#[derive(Debug, thiserror::Error)]
pub enum SettlePaymentsError {
    /// An infrastructure failure (payments not yet looked at wait for the next pass).
    #[error("settling payments failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for SettlePaymentsError {
    fn from(e: RepositoryError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// The worker's ports.
#[derive(Clone)]
pub struct SettlePayments {
    /// Payments waiting on the gateway.
    pub queue: Arc<dyn SettlementQueue>,
    /// Recording settlements and returns.
    pub payments: Arc<dyn PaymentRepository>,
    /// The gateway.
    pub gateway: Arc<dyn PaymentGateway>,
    /// Recording a retried charge.
    pub recorder: RecordCharge,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Payments per pass.
    pub batch: u32,
}

impl std::fmt::Debug for SettlePayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettlePayments").field("batch", &self.batch).finish_non_exhaustive()
    }
}

impl SettlePayments {
    /// One pass over the payments due now.
    ///
    /// # Errors
    /// [`SettlePaymentsError`] on a storage or rendering failure.
    pub async fn run_once(&self) -> Result<SettleReport, SettlePaymentsError> {
        let now = self.clock.now();
        let mut report = SettleReport::default();
        for payment in self.queue.due(now, self.batch).await? {
            match payment.status {
                PaymentStatus::Pending => self.check_debit(&payment, now, &mut report).await?,
                PaymentStatus::Processing => {
                    let answer = self.gateway.charge(&charge_request(&payment)).await;
                    let recorded = self
                        .recorder
                        .record(&payment, answer, None, Actor::System, now)
                        .await
                        .map_err(SettlePaymentsError::Unexpected)?;
                    match recorded {
                        Recorded::Resolved(_) => report.recovered += 1,
                        Recorded::Unconfirmed(_) => {
                            self.queue.recheck_at(payment.id, now + PROCESSING_GRACE).await?;
                            report.waiting += 1;
                        }
                    }
                }
                // Resolved since it was read: nothing to do.
                _ => {}
            }
        }
        Ok(report)
    }

    async fn check_debit(
        &self,
        payment: &PaymentRecord,
        now: DateTime<Utc>,
        report: &mut SettleReport,
    ) -> Result<(), SettlePaymentsError> {
        let outcome = match &payment.gateway_reference {
            Some(reference) => self.gateway.debit_outcome(reference).await,
            None => Ok(DebitOutcome::Pending),
        };
        let (to, failure, kind) = match outcome {
            Ok(DebitOutcome::Settled) => (PaymentOutcome::Settled, None, PaymentEventKind::Settled),
            Ok(DebitOutcome::Returned(code)) => {
                (PaymentOutcome::Returned, Some(PaymentFailure::Returned(code)), PaymentEventKind::Returned)
            }
            // Still on its way, or the gateway could not say: ask again later.
            Ok(DebitOutcome::Pending) | Err(_) => {
                self.queue.recheck_at(payment.id, now + DEBIT_RECHECK).await?;
                report.waiting += 1;
                return Ok(());
            }
        };
        let mut after = payment.clone();
        after.status = payment.status.after(to).map_err(|e| SettlePaymentsError::Unexpected(e.into()))?;
        after.failure = failure;
        after.updated_at = now;
        let email = match failure {
            None => self.recorder.notices.receipt(&after).await,
            Some(f) => self.recorder.notices.failure(&after, f).await,
        }
        .map_err(SettlePaymentsError::Unexpected)?;
        let forget = match failure {
            Some(PaymentFailure::Returned(code)) if code.account_unusable() => payment.method.saved,
            _ => None,
        };
        let resolution = PaymentResolution {
            merchant: payment.merchant_id,
            payment: payment.id,
            from: payment.status,
            to: after.status,
            reference: payment.gateway_reference.clone(),
            failure,
            restore_balances: failure.is_some(),
            recheck_at: None,
            save_method: None,
            forget_method: forget,
            event: PaymentEvent {
                payment_id: payment.id,
                kind,
                actor: Actor::System,
                amount: payment.amount,
                detail: failure.map(|f| f.code()),
                at: now,
            },
            email,
        };
        match self.payments.resolve(&resolution).await {
            Ok(()) if failure.is_some() => report.returned += 1,
            Ok(()) => report.settled += 1,
            // Another instance recorded it first.
            Err(RepositoryError::Conflict { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }
}
