//! The customer directory.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_domain::{
    CollectionPriority, Contact, ContactEmail, Currency, Customer, CustomerId, CustomerNumber, ErpId, InvitationStatus,
    MerchantId, Money, PhoneNumber,
};

use crate::{Page, PageRequest, RepositoryError};

/// A contact as the ERP describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactUpsert {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email on file (kept even when invalid).
    pub email: ContactEmail,
    /// Phone.
    pub phone: Option<PhoneNumber>,
    /// The customer's primary contact.
    pub primary: bool,
}

impl ContactUpsert {
    /// What identifies this contact within its customer across imports: the
    /// lower-cased email when it has one, else the lower-cased name.
    #[must_use]
    pub fn natural_key(&self) -> String {
        match self.email.stored() {
            Some(email) => email.trim().to_lowercase(),
            None => format!("{} {}", self.first_name.trim(), self.last_name.trim()).to_lowercase(),
        }
    }
}

/// A customer with its contacts, as the ERP describes it. Upserted by ERP id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerUpsert {
    /// The upsert key.
    pub erp_id: ErpId,
    /// Customer number.
    pub customer_number: Option<CustomerNumber>,
    /// Name.
    pub name: String,
    /// Currency.
    pub currency: Currency,
    /// Collection priority.
    pub collection_priority: Option<CollectionPriority>,
    /// Contacts, upserted by [`ContactUpsert::natural_key`]; contacts already
    /// stored and not listed are kept.
    pub contacts: Vec<ContactUpsert>,
}

/// What an upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UpsertOutcome {
    /// A new customer.
    Created,
    /// An existing customer or one of its contacts changed.
    Updated,
    /// Nothing changed.
    Unchanged,
}

/// An invoice as the ERP describes it. Upserted by invoice number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceUpsert {
    /// The customer's ERP id.
    pub erp_id: ErpId,
    /// Unique per merchant.
    pub invoice_number: String,
    /// Issue date.
    pub issue_date: chrono::NaiveDate,
    /// Due date.
    pub due_date: chrono::NaiveDate,
    /// Total.
    pub amount: Money,
    /// Still owed; zero means paid.
    pub balance: Money,
}

/// What an invoice upsert did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvoiceUpsertOutcome {
    /// Stored as given.
    Saved(UpsertOutcome),
    /// No customer has that ERP id.
    UnknownCustomer,
}

/// How to order the customer list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CustomerSort {
    /// By name, A–Z.
    #[default]
    Name,
    /// Largest outstanding balance first.
    BalanceDesc,
    /// High, medium, low, then none.
    Priority,
}

/// Filters on the customer list; `None` means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    /// Whether a contact of the customer has a login.
    pub has_login: Option<bool>,
    /// The customer's invitation badge; `Some(None)` means "no badge".
    pub invitation_status: Option<Option<InvitationStatus>>,
    /// Pending since before this instant.
    pub pending_since_before: Option<DateTime<Utc>>,
}

/// A row of the customer list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerSummary {
    /// The customer.
    pub customer: Customer,
    /// Sum of open invoice balances (in the customer's currency).
    pub outstanding: Money,
    /// Some contact has a login reaching this customer.
    pub has_login: bool,
    /// The badge: the status of the primary contact's latest invitation
    /// (at the query's instant), or `None` for "no badge".
    pub invitation_status: Option<InvitationStatus>,
}

/// A customer with its contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerDetail {
    /// The customer.
    pub customer: Customer,
    /// Its contacts, primary first.
    pub contacts: Vec<Contact>,
}

/// Stores customers, contacts and invoices.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CustomerRepository: Send + Sync {
    /// Upserts customers by ERP id, in one transaction per call; the outcome
    /// of each, in order. Callers pass chunks (hundreds), not single rows.
    ///
    /// # Errors
    /// On a storage failure; nothing of the chunk is written then.
    async fn upsert_customers(
        &self,
        merchant: MerchantId,
        customers: &[CustomerUpsert],
        now: DateTime<Utc>,
    ) -> Result<Vec<UpsertOutcome>, RepositoryError>;

    /// Upserts invoices by number, in one transaction per call.
    ///
    /// # Errors
    /// On a storage failure; nothing of the chunk is written then.
    async fn upsert_invoices(
        &self,
        merchant: MerchantId,
        invoices: &[InvoiceUpsert],
        now: DateTime<Utc>,
    ) -> Result<Vec<InvoiceUpsertOutcome>, RepositoryError>;

    /// One customer with its contacts.
    ///
    /// # Errors
    /// On a storage failure.
    async fn find(&self, merchant: MerchantId, id: CustomerId) -> Result<Option<CustomerDetail>, RepositoryError>;

    /// A page of the customer list. `now` decides pending versus expired.
    ///
    /// # Errors
    /// On a storage failure.
    async fn list(
        &self,
        merchant: MerchantId,
        filter: &CustomerFilter,
        sort: CustomerSort,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<CustomerSummary>, RepositoryError>;
}
