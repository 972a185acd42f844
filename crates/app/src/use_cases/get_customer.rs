//! One customer with its contacts.

use std::sync::Arc;

use portico_domain::{CustomerId, MerchantId};

use crate::{BoxError, CustomerDetail, CustomerRepository, RepositoryError};

/// Why the customer cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum GetCustomerError {
    /// No such customer at this merchant.
    #[error("no customer has this id")]
    NotFound,
    /// An infrastructure failure.
    #[error("loading the customer failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for GetCustomerError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports it needs.
#[derive(Clone)]
pub struct GetCustomer {
    /// The customer directory.
    pub customers: Arc<dyn CustomerRepository>,
}

impl std::fmt::Debug for GetCustomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetCustomer").finish_non_exhaustive()
    }
}

impl GetCustomer {
    /// The customer, scoped to the merchant: another merchant's id is "not found".
    ///
    /// # Errors
    /// [`GetCustomerError`].
    pub async fn execute(&self, merchant: MerchantId, id: CustomerId) -> Result<CustomerDetail, GetCustomerError> {
        self.customers.find(merchant, id).await?.ok_or(GetCustomerError::NotFound)
    }
}
