//! The payment side of the composition: the gateway named by
//! `PORTICO_PAYMENTS`, the payment use cases, and the in-process
//! settlement worker.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use portico_app::PaymentGateway;
use portico_app::use_cases::manage_payment_methods::ManagePaymentMethods;
use portico_app::use_cases::pay_invoices::PayInvoices;
use portico_app::use_cases::payment_notices::PaymentNotices;
use portico_app::use_cases::record_charge::RecordCharge;
use portico_app::use_cases::refund_payment::RefundPayment;
use portico_app::use_cases::settle_payments::SettlePayments;
use portico_app::use_cases::track_payments::TrackPayments;
use portico_http::PaymentServices;

use crate::wiring::Wiring;

/// How often an idle settlement worker looks for payments due.
const SETTLEMENT_POLL: Duration = Duration::from_secs(1);
/// Payments one pass looks at.
const SETTLEMENT_BATCH: u32 = 100;

impl Wiring {
    /// The gateway, on the wiring's clock and randomness (the sandbox keeps
    /// no state, so every call may build one).
    #[must_use]
    pub fn gateway(&self) -> Arc<dyn PaymentGateway> {
        self.payments.build(self.clock.clone(), self.tokens.clone())
    }

    fn payment_notices(&self, public_url: &str) -> PaymentNotices {
        PaymentNotices {
            merchants: self.merchants.clone(),
            customers: self.customers.clone(),
            renderer: self.renderer.clone(),
            tokens: self.tokens.clone(),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    fn record_charge(&self, public_url: &str) -> RecordCharge {
        RecordCharge {
            payments: self.db.payments(),
            reader: self.db.payments(),
            notices: self.payment_notices(public_url),
        }
    }

    /// Paying invoices (the portal, a pay-from-the-inbox link).
    #[must_use]
    pub fn pay_invoices(&self, public_url: &str) -> PayInvoices {
        PayInvoices {
            payments: self.db.payments(),
            methods: self.db.payment_methods(),
            gateway: self.gateway(),
            recorder: self.record_charge(public_url),
            clock: self.clock.clone(),
            tokens: self.tokens.clone(),
        }
    }

    /// Saved methods.
    #[must_use]
    pub fn manage_payment_methods(&self) -> ManagePaymentMethods {
        ManagePaymentMethods { methods: self.db.payment_methods(), gateway: self.gateway(), clock: self.clock.clone() }
    }

    /// Reading payments.
    #[must_use]
    pub fn track_payments(&self) -> TrackPayments {
        TrackPayments { reader: self.db.payments() }
    }

    /// The payment use cases of the staff API.
    #[must_use]
    pub fn payment_services(&self) -> PaymentServices {
        PaymentServices {
            track: self.track_payments(),
            refund: RefundPayment {
                reader: self.db.payments(),
                refunds: self.db.refunds(),
                gateway: self.gateway(),
                clock: self.clock.clone(),
                tokens: self.tokens.clone(),
            },
        }
    }

    /// The settlement worker.
    #[must_use]
    pub fn settlement_worker(&self, public_url: &str) -> SettlePayments {
        SettlePayments {
            queue: self.db.payments(),
            payments: self.db.payments(),
            gateway: self.gateway(),
            recorder: self.record_charge(public_url),
            clock: self.clock.clone(),
            batch: SETTLEMENT_BATCH,
        }
    }
}

/// Settles payments until `stop` resolves: a full pass is followed at once
/// by another, an idle one by a pause.
pub async fn run_settlement(worker: SettlePayments, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    loop {
        let busy = tokio::select! {
            () = &mut stop => return,
            result = worker.run_once() => match result {
                Ok(report) => {
                    if report.settled + report.returned + report.recovered > 0 {
                        tracing::info!(?report, "payments settled");
                    }
                    report.settled + report.returned + report.recovered + report.waiting >= SETTLEMENT_BATCH
                }
                Err(e) => {
                    tracing::warn!(error = %chain(&e), "settling payments failed; the next pass retries");
                    false
                }
            },
        };
        if busy {
            continue;
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(SETTLEMENT_POLL) => {}
        }
    }
}

/// An error with its sources, `a: b: c`.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
