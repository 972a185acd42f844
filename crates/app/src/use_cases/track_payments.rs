//! Reading payments: the staff list (filters, paging), one payment with its
//! audit trail, and a customer's own history for the portal, where another
//! customer's payment answers exactly as an unknown one does.

use std::sync::Arc;

use portico_domain::{CustomerId, MerchantId, PaymentId};

use crate::{BoxError, Page, PageRequest, PaymentEvent, PaymentFilter, PaymentReader, PaymentRecord, RepositoryError};

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum TrackPaymentsError {
    /// No such payment (for this merchant, or this customer).
    #[error("no such payment")]
    NotFound,
    /// A page size outside 1–500.
    #[error("limit must be between 1 and {max}", max = PageRequest::MAX_LIMIT)]
    PageSize,
    /// `from` is not before `until`.
    #[error("the date range is empty: from must be before until")]
    EmptyRange,
    /// An infrastructure failure.
    #[error("reading payments failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for TrackPaymentsError {
    fn from(e: RepositoryError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// A payment with its audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDetail {
    /// The payment.
    pub payment: PaymentRecord,
    /// What happened to it, oldest first.
    pub events: Vec<PaymentEvent>,
}

/// The use case.
#[derive(Clone)]
pub struct TrackPayments {
    /// Payments.
    pub reader: Arc<dyn PaymentReader>,
}

impl std::fmt::Debug for TrackPayments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackPayments").finish_non_exhaustive()
    }
}

type Result<T> = std::result::Result<T, TrackPaymentsError>;

impl TrackPayments {
    /// A page of the merchant's payments, newest first.
    ///
    /// # Errors
    /// `PageSize`, `EmptyRange`, or a storage failure.
    pub async fn list(
        &self,
        merchant: MerchantId,
        filter: &PaymentFilter,
        page: PageRequest,
    ) -> Result<Page<PaymentRecord>> {
        if page.limit == 0 || page.limit > PageRequest::MAX_LIMIT {
            return Err(TrackPaymentsError::PageSize);
        }
        if let (Some(from), Some(until)) = (filter.from, filter.until)
            && from >= until
        {
            return Err(TrackPaymentsError::EmptyRange);
        }
        Ok(self.reader.list(merchant, filter, page).await?)
    }

    /// One payment of the merchant with its audit trail.
    ///
    /// # Errors
    /// `NotFound`, or a storage failure.
    pub async fn get(&self, merchant: MerchantId, id: PaymentId) -> Result<PaymentDetail> {
        let payment = self.reader.find(merchant, id).await?.ok_or(TrackPaymentsError::NotFound)?;
        let events = self.reader.events(merchant, id).await?;
        Ok(PaymentDetail { payment, events })
    }

    /// One payment of this customer; another customer's is `NotFound`.
    ///
    /// # Errors
    /// `NotFound`, or a storage failure.
    pub async fn get_for_customer(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentId,
    ) -> Result<PaymentRecord> {
        match self.reader.find(merchant, id).await? {
            Some(p) if p.customer_id == customer => Ok(p),
            _ => Err(TrackPaymentsError::NotFound),
        }
    }

    /// A page of one customer's payments, newest first.
    ///
    /// # Errors
    /// `PageSize`, or a storage failure.
    pub async fn history(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        page: PageRequest,
    ) -> Result<Page<PaymentRecord>> {
        let filter = PaymentFilter { customer: Some(customer), ..PaymentFilter::default() };
        self.list(merchant, &filter, page).await
    }
}
