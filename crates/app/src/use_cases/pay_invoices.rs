//! Paying one or many open invoices of one customer, by card or bank
//! account, new or saved.
//!
//! Callable with an explicit scope (customer, invoices and amounts, method,
//! idempotency key, actor), so the portal and a pay-from-the-inbox link use
//! it alike. The payment is recorded first, its invoices' balances reduced
//! in the same transaction (so a concurrent payment cannot take them below
//! zero); then the gateway is asked, with the payment's id as its
//! idempotency key; then its answer is recorded. The same idempotency key
//! pays once: a double submit, a refresh or a second tab answers the first
//! payment.

use std::sync::Arc;

use portico_domain::payment::{
    AllocationError, Allocations, BankAccountDetails, BankFieldError, CardDetails, CardFieldError, InvoiceAmount,
};
use portico_domain::{
    Actor, ContactId, CustomerId, IdempotencyKey, MerchantId, Money, PaymentEventKind, PaymentId, PaymentMethodId,
    PaymentStatus,
};
use sha2::{Digest, Sha256};

use super::record_charge::{PROCESSING_GRACE, RecordCharge, Recorded, charge_request};
use crate::{
    AllocationLine, BeginOutcome, BoxError, Clock, GatewayError, InvoiceSelection, MethodDetails, MethodProblem,
    MethodSnapshot, MethodToSave, NewPayment, PaymentEvent, PaymentFailure, PaymentGateway, PaymentRecord,
    PaymentRepository, RepositoryError, SavedMethodRepository, TokenSource, TransientReason,
};

/// A new card as typed in a form. `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct CardForm {
    /// The number.
    pub number: String,
    /// Expiry month.
    pub exp_month: String,
    /// Expiry year (two or four digits).
    pub exp_year: String,
    /// Security code.
    pub cvc: String,
}

/// A new US bank account as typed in a form. `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct BankForm {
    /// ABA routing number.
    pub routing_number: String,
    /// Account number.
    pub account_number: String,
    /// `checking` or `savings`.
    pub account_type: String,
    /// The account holder's name.
    pub holder_name: String,
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(<redacted>)"))
            }
        }
    )*};
}
redacted_debug!(CardForm, BankForm);

/// What to pay with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodChoice {
    /// One of the customer's saved methods.
    Saved(PaymentMethodId),
    /// A new card; `save` keeps it for later payments.
    Card {
        /// The card.
        form: CardForm,
        /// Save it.
        save: bool,
    },
    /// A new bank account; `save` keeps it for later payments.
    Bank {
        /// The account.
        form: BankForm,
        /// Save it.
        save: bool,
    },
}

/// Everything one payment needs, independent of who asks (portal session,
/// emailed link, staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayScope {
    /// The merchant.
    pub merchant: MerchantId,
    /// The paying customer; every invoice must be theirs.
    pub customer: CustomerId,
    /// Who pays (a contact gets the receipt).
    pub actor: Actor,
    /// The invoices, each with an amount or `None` for its whole balance.
    pub invoices: Vec<InvoiceAmount>,
    /// The method.
    pub method: MethodChoice,
    /// The same key pays once.
    pub idempotency_key: IdempotencyKey,
}

/// A payment made (or found again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayOutcome {
    /// The payment: `succeeded` (card), `pending` (bank debit), or
    /// `processing` when the gateway's answer is not known yet.
    pub payment: PaymentRecord,
    /// An earlier request with this key made it.
    pub replayed: bool,
}

/// Why nothing was paid.
#[derive(Debug, thiserror::Error)]
pub enum PayInvoicesError {
    /// The choice of invoices or amounts breaks a rule.
    #[error("{0}")]
    Allocation(#[from] AllocationError),
    /// The card form is wrong.
    #[error("{0}")]
    InvalidCard(CardFieldError),
    /// The bank account form is wrong.
    #[error("{0}")]
    InvalidBank(BankFieldError),
    /// The gateway refused the card or account data.
    #[error("{0}")]
    MethodRefused(MethodProblem),
    /// No saved method with this id for this customer.
    #[error("no such saved payment method")]
    UnknownMethod,
    /// The gateway could not take the method now; nothing was recorded.
    #[error("{0}")]
    Transient(TransientReason),
    /// A concurrent payment reduced an invoice's balance below this one's share.
    #[error("an invoice's balance changed meanwhile; reload and try again")]
    BalanceChanged,
    /// The key was used for a different payment.
    #[error("this idempotency key was used for a different payment")]
    KeyReused,
    /// The gateway declined; the payment is recorded as failed and the
    /// invoices owe what they owed.
    #[error("{}", .failure.message())]
    Failed {
        /// The failed payment.
        payment: Box<PaymentRecord>,
        /// Why.
        failure: PaymentFailure,
    },
    /// An infrastructure failure.
    #[error("the payment failed on our side")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for PayInvoicesError {
    fn from(e: RepositoryError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// The use case.
#[derive(Clone)]
pub struct PayInvoices {
    /// Payments.
    pub payments: Arc<dyn PaymentRepository>,
    /// Saved methods.
    pub methods: Arc<dyn SavedMethodRepository>,
    /// The gateway.
    pub gateway: Arc<dyn PaymentGateway>,
    /// Recording the gateway's answer.
    pub recorder: RecordCharge,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub tokens: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for PayInvoices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayInvoices").finish_non_exhaustive()
    }
}

type Result<T> = std::result::Result<T, PayInvoicesError>;

/// A method ready to charge: its token, what it looks like, and whether to save it.
struct Ready {
    token: String,
    snapshot: MethodSnapshot,
    save: bool,
}

impl PayInvoices {
    /// Pays. See the module documentation.
    ///
    /// # Errors
    /// [`PayInvoicesError`]; a replayed key answers as its first request did.
    pub async fn execute(&self, scope: &PayScope) -> Result<PayOutcome> {
        let fingerprint = fingerprint(scope);
        if let Some(existing) = self.payments.find_by_key(scope.merchant, &scope.idempotency_key).await? {
            return replay(existing, &fingerprint, scope.customer);
        }
        let ids = scope.invoices.iter().map(|i| i.invoice).collect();
        let open = self.payments.open_invoices(scope.merchant, scope.customer, &InvoiceSelection::Only(ids)).await?;
        let allocations = Allocations::plan(&scope.invoices, &open)?;
        let ready = self.ready(scope).await?;
        let now = self.clock.now();
        let zero = Money::zero(allocations.total().currency());
        let lines = allocations
            .items()
            .iter()
            .map(|a| {
                let invoice = open.iter().find(|o| o.id == a.invoice);
                AllocationLine {
                    invoice: a.invoice,
                    number: invoice.map(|o| o.number.clone()).unwrap_or_default(),
                    due_date: invoice.and_then(|o| o.due_date),
                    amount: a.amount,
                    refunded: zero,
                }
            })
            .collect();
        let id = PaymentId::from_uuid(self.tokens.uuid());
        let record = PaymentRecord {
            id,
            merchant_id: scope.merchant,
            customer_id: scope.customer,
            payer: payer(scope.actor),
            status: PaymentStatus::Processing,
            amount: allocations.total(),
            refunded: zero,
            method: ready.snapshot.clone(),
            token: ready.token.clone(),
            allocations: lines,
            gateway_reference: None,
            failure: None,
            idempotency_key: scope.idempotency_key.as_str().to_owned(),
            fingerprint: fingerprint.clone(),
            created_at: now,
            updated_at: now,
        };
        let event = PaymentEvent {
            payment_id: id,
            kind: PaymentEventKind::Initiated,
            actor: scope.actor,
            amount: record.amount,
            detail: None,
            at: now,
        };
        let begin = NewPayment { record: record.clone(), allocations, event, recheck_at: now + PROCESSING_GRACE };
        match self.payments.begin(&begin).await {
            Ok(BeginOutcome::Started) => {}
            Ok(BeginOutcome::Existing(existing)) => return replay(*existing, &fingerprint, scope.customer),
            Err(RepositoryError::Conflict { constraint }) if constraint == "documents_balance_covers_payment" => {
                return Err(PayInvoicesError::BalanceChanged);
            }
            Err(e) => return Err(e.into()),
        }
        let answer = self.gateway.charge(&charge_request(&record)).await;
        let save = ready.save.then(|| MethodToSave {
            id: PaymentMethodId::from_uuid(self.tokens.uuid()),
            snapshot: ready.snapshot,
            token: ready.token,
        });
        let recorded = self
            .recorder
            .record(&record, answer, save, scope.actor, self.clock.now())
            .await
            .map_err(PayInvoicesError::Unexpected)?;
        match recorded {
            Recorded::Resolved(payment) | Recorded::Unconfirmed(payment) => outcome(payment, false),
        }
    }

    /// Parses or finds the method and tokenises a new one.
    async fn ready(&self, scope: &PayScope) -> Result<Ready> {
        let today = self.clock.now().date_naive();
        let (details, save) = match &scope.method {
            MethodChoice::Saved(id) => {
                let saved = self
                    .methods
                    .find(scope.merchant, scope.customer, *id)
                    .await?
                    .ok_or(PayInvoicesError::UnknownMethod)?;
                return Ok(Ready { token: saved.token.clone(), snapshot: saved.snapshot(), save: false });
            }
            MethodChoice::Card { form, save } => {
                let card = CardDetails::parse(&form.number, &form.exp_month, &form.exp_year, &form.cvc, today)
                    .map_err(PayInvoicesError::InvalidCard)?;
                (MethodDetails::Card(card), *save)
            }
            MethodChoice::Bank { form, save } => {
                let account = BankAccountDetails::parse(
                    &form.routing_number,
                    &form.account_number,
                    &form.account_type,
                    &form.holder_name,
                )
                .map_err(PayInvoicesError::InvalidBank)?;
                (MethodDetails::BankAccount(account), *save)
            }
        };
        let method = self.gateway.tokenize(&details).await.map_err(|e| match e {
            GatewayError::InvalidMethod(p) => PayInvoicesError::MethodRefused(p),
            GatewayError::Transient(r) => PayInvoicesError::Transient(r),
            other => PayInvoicesError::Unexpected(other.into()),
        })?;
        let snapshot = MethodSnapshot {
            kind: method.kind,
            label: method.label,
            last4: method.last4,
            expiry: method.expiry,
            saved: None,
        };
        Ok(Ready { token: method.token, snapshot, save })
    }
}

const fn payer(actor: Actor) -> Option<ContactId> {
    match actor {
        Actor::Contact(id) => Some(id),
        Actor::Staff(_) | Actor::System => None,
    }
}

/// The answer to a payment as its first request got it.
fn outcome(payment: PaymentRecord, replayed: bool) -> Result<PayOutcome> {
    match (payment.status, payment.failure) {
        (PaymentStatus::Failed, Some(failure)) => Err(PayInvoicesError::Failed { payment: Box::new(payment), failure }),
        _ => Ok(PayOutcome { payment, replayed }),
    }
}

fn replay(existing: PaymentRecord, fingerprint: &str, customer: CustomerId) -> Result<PayOutcome> {
    if existing.customer_id != customer || existing.fingerprint != fingerprint {
        return Err(PayInvoicesError::KeyReused);
    }
    outcome(existing, true)
}

/// What a request asks for, without any card or account digit: customer,
/// invoices and amounts, and which method (saved id, or brand/bank and last four).
fn fingerprint(scope: &PayScope) -> String {
    let mut h = Sha256::new();
    let mut part = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    part(&scope.customer.to_string());
    for i in &scope.invoices {
        part(&i.invoice.to_string());
        part(&i.amount.map_or_else(|| "whole".to_owned(), |m| m.to_string()));
    }
    let tail = |s: &str| s.chars().rev().filter(char::is_ascii_digit).take(4).collect::<String>();
    match &scope.method {
        MethodChoice::Saved(id) => part(&format!("saved {id}")),
        MethodChoice::Card { form, save } => part(&format!("card {} {save}", tail(&form.number))),
        MethodChoice::Bank { form, save } => part(&format!("bank {} {save}", tail(&form.account_number))),
    }
    hex::encode(h.finalize())
}
