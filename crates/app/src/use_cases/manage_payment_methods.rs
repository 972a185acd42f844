//! A customer's saved cards and bank accounts: list, choose the default,
//! remove. Only the gateway's token, brand or bank, last four and expiry
//! are kept; removing one also forgets it at the gateway.

use std::sync::Arc;

use portico_domain::{CustomerId, MerchantId, PaymentMethodId};

use crate::{BoxError, Clock, PaymentGateway, RepositoryError, SavedMethod, SavedMethodRepository};

/// Why the change was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManagePaymentMethodsError {
    /// No such method for this customer.
    #[error("no such saved payment method")]
    NotFound,
    /// An infrastructure failure.
    #[error("changing saved payment methods failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for ManagePaymentMethodsError {
    fn from(e: RepositoryError) -> Self {
        Self::Unexpected(e.into())
    }
}

/// A removed method.
#[derive(Debug)]
pub struct Removed {
    /// What it was.
    pub method: SavedMethod,
    /// The gateway's failure to forget it, if any: Portico no longer
    /// offers it either way.
    pub detach_error: Option<BoxError>,
}

/// The use case.
#[derive(Clone)]
pub struct ManagePaymentMethods {
    /// Saved methods.
    pub methods: Arc<dyn SavedMethodRepository>,
    /// The gateway.
    pub gateway: Arc<dyn PaymentGateway>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for ManagePaymentMethods {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagePaymentMethods").finish_non_exhaustive()
    }
}

impl ManagePaymentMethods {
    /// The customer's methods, default first.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn list(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
    ) -> Result<Vec<SavedMethod>, ManagePaymentMethodsError> {
        Ok(self.methods.list(merchant, customer).await?)
    }

    /// Makes a method the default.
    ///
    /// # Errors
    /// `NotFound`, or a storage failure.
    pub async fn set_default(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
    ) -> Result<(), ManagePaymentMethodsError> {
        if self.methods.set_default(merchant, customer, id).await? {
            Ok(())
        } else {
            Err(ManagePaymentMethodsError::NotFound)
        }
    }

    /// Removes a method here and at the gateway.
    ///
    /// # Errors
    /// `NotFound`, or a storage failure.
    pub async fn remove(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
    ) -> Result<Removed, ManagePaymentMethodsError> {
        let method = self
            .methods
            .remove(merchant, customer, id, self.clock.now())
            .await?
            .ok_or(ManagePaymentMethodsError::NotFound)?;
        let detach_error = self.gateway.detach(&method.token).await.err().map(Into::into);
        Ok(Removed { method, detach_error })
    }
}
