//! Upsert one customer with its contacts by ERP id (the JSON sync path); the
//! values are checked with the same rules as the CSV import.

use std::sync::Arc;

use portico_domain::MerchantId;

use super::csv_table::FieldError;
use super::customer_fields::{RawContact, RawCustomer, parse_contact, parse_customer};
use crate::{BoxError, Clock, CustomerRepository, CustomerUpsert, RepositoryError, UpsertOutcome};

/// A customer as the caller sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerInput {
    /// The upsert key.
    pub erp_id: String,
    /// Customer number.
    pub customer_number: Option<String>,
    /// Name.
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// `high`, `medium`, `low`, or none.
    pub collection_priority: Option<String>,
    /// Contacts, upserted by email (or name); others already stored are kept.
    pub contacts: Vec<ContactInput>,
}

/// A contact as the caller sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email (kept even when invalid).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The primary contact.
    pub primary: bool,
}

/// Why the upsert did not happen.
#[derive(Debug, thiserror::Error)]
pub enum UpsertCustomerError {
    /// A value breaks a rule; the message names the field.
    #[error("{0}")]
    Invalid(FieldError),
    /// An infrastructure failure.
    #[error("saving the customer failed")]
    Unexpected(#[source] BoxError),
}

impl From<RepositoryError> for UpsertCustomerError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports it needs.
#[derive(Clone)]
pub struct UpsertCustomer {
    /// The customer directory.
    pub customers: Arc<dyn CustomerRepository>,
    /// Time.
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for UpsertCustomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpsertCustomer").finish_non_exhaustive()
    }
}

/// At most this many contacts per customer in one call.
pub const MAX_CONTACTS: usize = 200;

impl UpsertCustomer {
    /// Creates or updates the customer.
    ///
    /// # Errors
    /// [`UpsertCustomerError`].
    pub async fn execute(
        &self,
        merchant: MerchantId,
        input: &CustomerInput,
    ) -> Result<UpsertOutcome, UpsertCustomerError> {
        let upsert = parse(input).map_err(UpsertCustomerError::Invalid)?;
        let outcomes = self.customers.upsert_customers(merchant, &[upsert], self.clock.now()).await?;
        outcomes.first().copied().ok_or_else(|| UpsertCustomerError::Unexpected("storage answered no outcome".into()))
    }
}

fn parse(input: &CustomerInput) -> Result<CustomerUpsert, FieldError> {
    let fields = parse_customer(RawCustomer {
        erp_id: &input.erp_id,
        customer_number: input.customer_number.as_deref().unwrap_or_default(),
        name: &input.name,
        currency: &input.currency,
        collection_priority: input.collection_priority.as_deref().unwrap_or_default(),
    })?;
    if input.contacts.len() > MAX_CONTACTS {
        return Err(FieldError::new("contacts", format!("holds more than {MAX_CONTACTS} contacts")));
    }
    if input.contacts.iter().filter(|c| c.primary).count() > 1 {
        return Err(FieldError::new("contacts", "more than one contact is primary"));
    }
    let mut contacts: Vec<crate::ContactUpsert> = Vec::with_capacity(input.contacts.len());
    for c in &input.contacts {
        let contact = parse_contact(RawContact {
            first_name: &c.first_name,
            last_name: &c.last_name,
            email: c.email.as_deref().unwrap_or_default(),
            phone: c.phone.as_deref().unwrap_or_default(),
            primary: c.primary,
        })?;
        if contacts.iter().any(|o| o.natural_key() == contact.natural_key()) {
            let key = contact.natural_key();
            return Err(FieldError::new("contacts", format!("two contacts share the email or name {key}")));
        }
        contacts.push(contact);
    }
    Ok(CustomerUpsert {
        erp_id: fields.erp_id,
        customer_number: fields.customer_number,
        name: fields.name,
        currency: fields.currency,
        collection_priority: fields.collection_priority,
        contacts,
    })
}
