//! How a payment spreads over invoices, and how a refund gives it back.
//!
//! A payment covers one or many open invoices of one customer, each for its
//! whole balance or part of it, never more, all in one currency. A refund
//! goes back to the invoices in the reverse order they were paid.

use chrono::NaiveDate;

use crate::{Currency, DocumentId, Money};

/// The most invoices one payment may cover.
pub const MAX_INVOICES_PER_PAYMENT: usize = 100;

/// An open invoice as the payer sees it when choosing what to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvoice {
    /// The invoice.
    pub id: DocumentId,
    /// Its number.
    pub number: String,
    /// What is still owed (positive).
    pub balance: Money,
    /// When it is due.
    pub due_date: Option<NaiveDate>,
}

/// One invoice the payer chose, with the amount to pay on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceAmount {
    /// The invoice.
    pub invoice: DocumentId,
    /// `None` pays the whole balance.
    pub amount: Option<Money>,
}

/// The part of a payment that goes to one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    /// The invoice.
    pub invoice: DocumentId,
    /// The amount (positive).
    pub amount: Money,
}

/// A payment's allocations, validated: at least one, no invoice twice, each
/// positive and within its balance, one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocations {
    items: Vec<Allocation>,
    total: Money,
}

/// Why a choice of invoices and amounts cannot be paid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    /// No invoice chosen.
    #[error("choose at least one invoice to pay")]
    Empty,
    /// More than [`MAX_INVOICES_PER_PAYMENT`].
    #[error("one payment covers at most {MAX_INVOICES_PER_PAYMENT} invoices")]
    TooMany,
    /// The same invoice twice.
    #[error("invoice {0} is listed twice")]
    Duplicate(DocumentId),
    /// Not an open invoice of this customer (paid, unknown, or another's).
    #[error("invoice {0} is not open for payment")]
    NotOpen(DocumentId),
    /// Zero or negative.
    #[error("the amount for invoice {number} must be above zero")]
    NotPositive {
        /// The invoice number.
        number: String,
    },
    /// More than is owed.
    #[error("the amount for invoice {number} is above its balance of {balance}")]
    AboveBalance {
        /// The invoice number.
        number: String,
        /// What it owes.
        balance: Money,
    },
    /// Invoices or amounts in different currencies.
    #[error("one payment is in one currency; pay {0} invoices separately")]
    MixedCurrency(Currency),
    /// The total does not fit in 64-bit minor units.
    #[error("the total is too large")]
    Overflow,
}

impl Allocations {
    /// Checks the payer's choice against the customer's open invoices.
    ///
    /// # Errors
    /// The first [`AllocationError`], in the order the invoices were chosen.
    pub fn plan(chosen: &[InvoiceAmount], open: &[OpenInvoice]) -> Result<Self, AllocationError> {
        if chosen.is_empty() {
            return Err(AllocationError::Empty);
        }
        if chosen.len() > MAX_INVOICES_PER_PAYMENT {
            return Err(AllocationError::TooMany);
        }
        let mut items: Vec<Allocation> = Vec::with_capacity(chosen.len());
        let mut total: Option<Money> = None;
        for choice in chosen {
            if items.iter().any(|a| a.invoice == choice.invoice) {
                return Err(AllocationError::Duplicate(choice.invoice));
            }
            let invoice = open
                .iter()
                .find(|o| o.id == choice.invoice && o.balance.minor_units() > 0)
                .ok_or(AllocationError::NotOpen(choice.invoice))?;
            let amount = choice.amount.unwrap_or(invoice.balance);
            let currency = total.map_or(invoice.balance.currency(), |t| t.currency());
            for c in [invoice.balance.currency(), amount.currency()] {
                if c != currency {
                    return Err(AllocationError::MixedCurrency(c));
                }
            }
            if amount.minor_units() <= 0 {
                return Err(AllocationError::NotPositive { number: invoice.number.clone() });
            }
            if amount.minor_units() > invoice.balance.minor_units() {
                return Err(AllocationError::AboveBalance { number: invoice.number.clone(), balance: invoice.balance });
            }
            total = Some(match total {
                None => amount,
                Some(t) => t.checked_add(amount).ok_or(AllocationError::Overflow)?,
            });
            items.push(Allocation { invoice: invoice.id, amount });
        }
        let total = total.ok_or(AllocationError::Empty)?;
        Ok(Self { items, total })
    }

    /// Allocations already validated, read back from storage.
    #[must_use]
    pub fn from_stored(items: Vec<Allocation>) -> Option<Self> {
        let first = items.first()?.amount;
        let total = items.iter().skip(1).try_fold(first, |t, a| t.checked_add(a.amount))?;
        Some(Self { items, total })
    }

    /// Each invoice's share, in the order chosen.
    #[must_use]
    pub fn items(&self) -> &[Allocation] {
        &self.items
    }

    /// The payment's amount.
    #[must_use]
    pub const fn total(&self) -> Money {
        self.total
    }
}

/// A paid invoice's share with what was refunded of it so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaidShare {
    /// The invoice.
    pub invoice: DocumentId,
    /// What the payment put on it.
    pub amount: Money,
    /// What refunds took back from it.
    pub refunded: Money,
}

/// Why a refund is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    /// Zero or negative.
    #[error("a refund must be above zero")]
    NotPositive,
    /// In another currency than the payment.
    #[error("the payment is in {0}")]
    Currency(Currency),
    /// More than is left to refund.
    #[error("at most {0} is left to refund")]
    AboveRemaining(Money),
}

/// How a refund of `amount` goes back to the invoices: the last paid first,
/// each up to what is left of its share.
///
/// # Errors
/// [`RefundError`] when the amount is not positive, in another currency, or
/// above what is left.
pub fn refund_split(shares: &[PaidShare], amount: Money) -> Result<Vec<Allocation>, RefundError> {
    let currency = shares.first().map_or(amount.currency(), |s| s.amount.currency());
    if amount.currency() != currency {
        return Err(RefundError::Currency(currency));
    }
    if amount.minor_units() <= 0 {
        return Err(RefundError::NotPositive);
    }
    let left: i64 = shares.iter().map(|s| s.amount.minor_units() - s.refunded.minor_units()).sum();
    if amount.minor_units() > left {
        return Err(RefundError::AboveRemaining(Money::from_minor(left, currency)));
    }
    let mut due = amount.minor_units();
    let mut out = Vec::new();
    for share in shares.iter().rev() {
        let take = due.min(share.amount.minor_units() - share.refunded.minor_units());
        if take > 0 {
            out.push(Allocation { invoice: share.invoice, amount: Money::from_minor(take, currency) });
            due -= take;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn id(n: u128) -> DocumentId {
        DocumentId::from_uuid(Uuid::from_u128(n))
    }

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    fn open() -> Vec<OpenInvoice> {
        [(1, 10_000), (2, 2_500), (3, 0)]
            .into_iter()
            .map(|(n, b)| OpenInvoice { id: id(n), number: format!("INV-{n}"), balance: usd(b), due_date: None })
            .collect()
    }

    #[test]
    fn whole_and_partial_amounts_add_up() {
        let chosen = [
            InvoiceAmount { invoice: id(1), amount: None },
            InvoiceAmount { invoice: id(2), amount: Some(usd(1_000)) },
        ];
        let plan = Allocations::plan(&chosen, &open()).unwrap();
        assert_eq!(plan.total(), usd(11_000));
        assert_eq!(plan.items()[1], Allocation { invoice: id(2), amount: usd(1_000) });
    }

    #[test]
    fn a_choice_breaking_a_rule_names_it() {
        let one = |n, amount| [InvoiceAmount { invoice: id(n), amount }];
        assert_eq!(Allocations::plan(&[], &open()), Err(AllocationError::Empty));
        assert_eq!(Allocations::plan(&one(3, None), &open()), Err(AllocationError::NotOpen(id(3))));
        assert_eq!(Allocations::plan(&one(9, None), &open()), Err(AllocationError::NotOpen(id(9))));
        assert!(matches!(
            Allocations::plan(&one(2, Some(usd(2_501))), &open()),
            Err(AllocationError::AboveBalance { .. })
        ));
        assert!(matches!(Allocations::plan(&one(2, Some(usd(0))), &open()), Err(AllocationError::NotPositive { .. })));
        let eur = Money::from_minor(100, Currency::parse("EUR").unwrap());
        assert!(matches!(Allocations::plan(&one(2, Some(eur)), &open()), Err(AllocationError::MixedCurrency(_))));
        let twice = [InvoiceAmount { invoice: id(1), amount: None }, InvoiceAmount { invoice: id(1), amount: None }];
        assert_eq!(Allocations::plan(&twice, &open()), Err(AllocationError::Duplicate(id(1))));
    }

    #[test]
    fn a_refund_goes_back_to_the_last_paid_invoice_first() {
        let shares = [
            PaidShare { invoice: id(1), amount: usd(10_000), refunded: usd(0) },
            PaidShare { invoice: id(2), amount: usd(2_500), refunded: usd(500) },
        ];
        let split = refund_split(&shares, usd(3_000)).unwrap();
        assert_eq!(
            split,
            [Allocation { invoice: id(2), amount: usd(2_000) }, Allocation { invoice: id(1), amount: usd(1_000) }]
        );
        assert_eq!(refund_split(&shares, usd(12_001)), Err(RefundError::AboveRemaining(usd(12_000))));
        assert_eq!(refund_split(&shares, usd(0)), Err(RefundError::NotPositive));
    }
}
