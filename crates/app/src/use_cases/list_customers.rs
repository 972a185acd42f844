//! The customer list: paged, sorted by balance, priority or name, filtered by
//! login, invitation badge and how long an invitation has been pending.

use std::sync::Arc;

use chrono::TimeDelta;
use portico_domain::{InvitationStatus, MerchantId};

use crate::{
    BoxError, Clock, CustomerFilter, CustomerRepository, CustomerSort, CustomerSummary, Page, PageRequest,
    RepositoryError,
};

/// What staff asked to see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListCustomersQuery {
    /// Order.
    pub sort: CustomerSort,
    /// Only customers with (or without) a login.
    pub has_login: Option<bool>,
    /// Only this badge; `Some(None)` is "no badge".
    pub invitation_status: Option<Option<InvitationStatus>>,
    /// Only invitations pending for more than this many days.
    pub pending_for_more_than_days: Option<u32>,
    /// Items to skip.
    pub offset: u64,
    /// Items to return, 1 to [`PageRequest::MAX_LIMIT`].
    pub limit: u64,
}

/// Why the list cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum ListCustomersError {
    /// The page size is outside 1 to 500.
    #[error("limit must be between 1 and {max}, got {got}")]
    InvalidLimit {
        /// The asked size.
        got: u64,
        /// The largest allowed.
        max: u64,
    },
    /// The day count is too large.
    #[error("pending_for_more_than_days must be at most 36500")]
    InvalidDays,
    /// An infrastructure failure.
    #[error("listing customers failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for ListCustomersError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the list needs.
#[derive(Clone)]
pub struct ListCustomers {
    /// The customer directory.
    pub customers: Arc<dyn CustomerRepository>,
    /// Time (decides pending versus expired).
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ListCustomers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListCustomers").finish_non_exhaustive()
    }
}

impl ListCustomers {
    /// One page of the merchant's customers.
    ///
    /// # Errors
    /// [`ListCustomersError`]: a bad page size or day count, or a storage failure.
    pub async fn execute(
        &self,
        merchant: MerchantId,
        query: &ListCustomersQuery,
    ) -> Result<Page<CustomerSummary>, ListCustomersError> {
        if query.limit == 0 || query.limit > PageRequest::MAX_LIMIT {
            return Err(ListCustomersError::InvalidLimit { got: query.limit, max: PageRequest::MAX_LIMIT });
        }
        let now = self.clock.now();
        let pending_since_before = match query.pending_for_more_than_days {
            None => None,
            Some(days) if days <= 36_500 => Some(now - TimeDelta::days(i64::from(days))),
            Some(_) => return Err(ListCustomersError::InvalidDays),
        };
        let filter = CustomerFilter {
            has_login: query.has_login,
            invitation_status: query.invitation_status,
            pending_since_before,
        };
        let page = PageRequest { offset: query.offset, limit: query.limit };
        Ok(self.customers.list(merchant, &filter, query.sort, page, now).await?)
    }
}
