//! Staff refund a payment, in full or in part. The refund is reserved
//! first (so two refunds can never exceed the payment), then sent to the
//! gateway; its success gives the invoices their balances back, the last
//! paid first. Permission: `refund_payments`.

use std::sync::Arc;

use portico_domain::payment::{RefundError, refund_split};
use portico_domain::{Actor, MerchantId, Money, PaymentEventKind, PaymentId, PaymentStatus, RefundId};

use crate::{
    BoxError, Clock, GatewayError, NewRefund, PaymentEvent, PaymentGateway, PaymentReader, PaymentRecord,
    RefundRepository, RefundRequest, RefundResolution, Refusal, RepositoryError, TokenSource, TransientReason,
};

/// Why nothing was refunded.
#[derive(Debug, thiserror::Error)]
pub enum RefundPaymentError {
    /// No such payment for this merchant.
    #[error("no such payment")]
    NotFound,
    /// Only money that arrived can go back.
    #[error("a {} payment cannot be refunded", .0.as_str())]
    NotRefundable(PaymentStatus),
    /// The amount breaks a rule.
    #[error("{0}")]
    Amount(#[from] RefundError),
    /// Another refund changed the payment meanwhile.
    #[error("the payment changed meanwhile; reload it")]
    Changed,
    /// The gateway refused.
    #[error("{0}")]
    Refused(Refusal),
    /// The gateway could not refund now; nothing was refunded.
    #[error("{0}")]
    Transient(TransientReason),
    /// The gateway did not answer; nothing was recorded. Asking again for
    /// the same amount cannot refund twice (same idempotency key).
    #[error("the gateway did not answer; nothing was recorded, ask again")]
    Unconfirmed,
    /// An infrastructure failure.
    #[error("the refund failed on our side")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for RefundPaymentError {
    fn from(e: RepositoryError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// The use case.
#[derive(Clone)]
pub struct RefundPayment {
    /// Reading payments.
    pub reader: Arc<dyn PaymentReader>,
    /// Recording refunds.
    pub refunds: Arc<dyn RefundRepository>,
    /// The gateway.
    pub gateway: Arc<dyn PaymentGateway>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub tokens: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for RefundPayment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefundPayment").finish_non_exhaustive()
    }
}

impl RefundPayment {
    /// Refunds `amount` (`None`: everything left) of a payment.
    ///
    /// # Errors
    /// [`RefundPaymentError`].
    pub async fn execute(
        &self,
        merchant: MerchantId,
        actor: Actor,
        id: PaymentId,
        amount: Option<Money>,
    ) -> Result<PaymentRecord, RefundPaymentError> {
        let payment = self.reader.find(merchant, id).await?.ok_or(RefundPaymentError::NotFound)?;
        if !payment.status.refundable() {
            return Err(RefundPaymentError::NotRefundable(payment.status));
        }
        let left = payment.amount.minor_units() - payment.refunded.minor_units();
        let amount = amount.unwrap_or_else(|| Money::from_minor(left, payment.amount.currency()));
        refund_split(&payment.shares(), amount)?;
        let (Some(reference), now) = (payment.gateway_reference.clone(), self.clock.now()) else {
            return Err(RefundPaymentError::Refused(Refusal::UnknownCharge));
        };
        let refund = NewRefund {
            id: RefundId::from_uuid(self.tokens.uuid()),
            merchant,
            payment: id,
            amount,
            refunded_before: payment.refunded,
            gateway_key: format!("refund-{id}-{}-{}", payment.refunded.minor_units(), amount.minor_units()),
            at: now,
        };
        match self.refunds.reserve(&refund).await {
            Ok(()) => {}
            Err(RepositoryError::Conflict { .. }) => return Err(RefundPaymentError::Changed),
            Err(e) => return Err(e.into()),
        }
        let request =
            RefundRequest { charge_reference: reference, amount, idempotency_key: refund.gateway_key.clone() };
        let answer = self.gateway.refund(&request).await;
        let (reference, kind, detail, error) = match answer {
            Ok(r) => (Some(r.reference.clone()), PaymentEventKind::Refunded, Some(r.reference), None),
            Err(e) => {
                let error = match e {
                    GatewayError::Refused(r) => RefundPaymentError::Refused(r),
                    GatewayError::Transient(t) => RefundPaymentError::Transient(t),
                    GatewayError::Unreachable(_) => RefundPaymentError::Unconfirmed,
                    GatewayError::Declined(_) | GatewayError::InvalidMethod(_) => {
                        RefundPaymentError::Refused(Refusal::NotRefundable)
                    }
                };
                (None, PaymentEventKind::RefundFailed, Some(error.to_string()), Some(error))
            }
        };
        let event = PaymentEvent { payment_id: id, kind, actor, amount, detail, at: now };
        self.refunds.finish(&RefundResolution { refund, reference, event }).await?;
        if let Some(error) = error {
            return Err(error);
        }
        self.reader.find(merchant, id).await?.ok_or(RefundPaymentError::NotFound)
    }
}
