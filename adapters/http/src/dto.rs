//! The JSON shapes of the API, mapped from and to the app's types at this edge.

use poem_openapi::{Enum, Object};
use portico_app::{CustomerDetail, CustomerSort, CustomerSummary, Page};
use portico_domain::{ContactEmail, Customer, InvitationStatus};

/// One refused row of an import.
#[derive(Debug, Object)]
pub struct RejectedRowDto {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// What is wrong with the row.
    pub reason: String,
}

/// A row imported with a change.
#[derive(Debug, Object)]
pub struct RowWarningDto {
    /// The line in the file (the header is line 1).
    pub line: u64,
    /// What was changed, and why.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Object)]
pub struct ImportReportDto {
    /// Records created.
    pub created: u64,
    /// Records updated.
    pub updated: u64,
    /// Records already as given.
    pub unchanged: u64,
    /// Rows refused, in line order.
    pub rejected: Vec<RejectedRowDto>,
    /// Rows imported with a change (a second primary contact became a
    /// non-primary one), in line order.
    pub warnings: Vec<RowWarningDto>,
}

/// A contact in an upsert.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct ContactBody {
    /// First name.
    #[oai(default, validator(max_length = 100))]
    pub first_name: String,
    /// Last name.
    #[oai(default, validator(max_length = 100))]
    pub last_name: String,
    /// Email; kept even when invalid (such a contact is skipped when inviting).
    #[oai(validator(max_length = 320))]
    pub email: Option<String>,
    /// Phone in any US format.
    #[oai(validator(max_length = 40))]
    pub phone: Option<String>,
    /// The customer's primary contact.
    #[oai(default)]
    pub primary: bool,
}

/// A customer in an upsert; the ERP id is in the path.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct CustomerBody {
    /// The merchant's customer number.
    #[oai(validator(max_length = 64))]
    pub customer_number: Option<String>,
    /// Name.
    #[oai(validator(max_length = 200))]
    pub name: String,
    /// ISO 4217 code.
    #[oai(validator(max_length = 3))]
    pub currency: String,
    /// `high`, `medium` or `low`.
    #[oai(validator(max_length = 10))]
    pub collection_priority: Option<String>,
    /// Contacts, upserted by email (or name); contacts not listed are kept.
    #[oai(default, validator(max_items = 200))]
    pub contacts: Vec<ContactBody>,
}

/// What an upsert did.
#[derive(Debug, Object)]
pub struct UpsertResultDto {
    /// `created`, `updated` or `unchanged`.
    pub outcome: String,
}

/// The customer list's order.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SortDto {
    /// By name, A–Z.
    Name,
    /// Largest outstanding balance first.
    Balance,
    /// High, medium, low, then none.
    Priority,
}

impl SortDto {
    pub(crate) const fn into_sort(self) -> CustomerSort {
        match self {
            Self::Name => CustomerSort::Name,
            Self::Balance => CustomerSort::BalanceDesc,
            Self::Priority => CustomerSort::Priority,
        }
    }
}

/// The invitation badge; `none` when the customer was never invited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BadgeDto {
    /// Never invited.
    None,
    /// Sent and still valid.
    Pending,
    /// Accepted.
    Accepted,
    /// Declined.
    Declined,
    /// Expired.
    Expired,
    /// Revoked by staff.
    Revoked,
}

impl BadgeDto {
    pub(crate) const fn into_status(self) -> Option<InvitationStatus> {
        match self {
            Self::None => None,
            Self::Pending => Some(InvitationStatus::Pending),
            Self::Accepted => Some(InvitationStatus::Accepted),
            Self::Declined => Some(InvitationStatus::Declined),
            Self::Expired => Some(InvitationStatus::Expired),
            Self::Revoked => Some(InvitationStatus::Revoked),
        }
    }

    pub(crate) const fn from_status(status: Option<InvitationStatus>) -> Self {
        match status {
            None => Self::None,
            Some(InvitationStatus::Pending) => Self::Pending,
            Some(InvitationStatus::Accepted) => Self::Accepted,
            Some(InvitationStatus::Declined) => Self::Declined,
            Some(InvitationStatus::Expired) => Self::Expired,
            Some(InvitationStatus::Revoked) => Self::Revoked,
        }
    }
}

/// A customer's own fields.
#[derive(Debug, Object)]
pub struct CustomerDto {
    /// Portico's id.
    pub id: uuid::Uuid,
    /// The ERP id.
    pub erp_id: String,
    /// The merchant's customer number.
    pub customer_number: Option<String>,
    /// Name.
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// `high`, `medium`, `low`, or absent.
    pub collection_priority: Option<String>,
}

impl From<Customer> for CustomerDto {
    fn from(c: Customer) -> Self {
        Self {
            id: c.id.as_uuid(),
            erp_id: c.erp_id.to_string(),
            customer_number: c.customer_number.map(|n| n.to_string()),
            name: c.name,
            currency: c.currency.code().to_owned(),
            collection_priority: c.collection_priority.map(|p| p.as_str().to_owned()),
        }
    }
}

/// A row of the customer list.
#[derive(Debug, Object)]
pub struct CustomerRowDto {
    /// The customer.
    #[oai(flatten)]
    pub customer: CustomerDto,
    /// Sum of open invoice balances, as a decimal string.
    pub outstanding_balance: String,
    /// Some contact has a portal login reaching this customer.
    pub has_login: bool,
    /// The invitation badge of the primary contact.
    pub invitation_status: BadgeDto,
}

/// A page of customers.
#[derive(Debug, Object)]
pub struct CustomerPageDto {
    /// The rows.
    pub items: Vec<CustomerRowDto>,
    /// Customers matching the filters, over all pages.
    pub total: u64,
    /// Items skipped.
    pub offset: u64,
    /// Page size.
    pub limit: u64,
}

impl CustomerPageDto {
    pub(crate) fn from_page(page: Page<CustomerSummary>, offset: u64, limit: u64) -> Self {
        let items = page
            .items
            .into_iter()
            .map(|s| CustomerRowDto {
                outstanding_balance: s.outstanding.decimal(),
                has_login: s.has_login,
                invitation_status: BadgeDto::from_status(s.invitation_status),
                customer: s.customer.into(),
            })
            .collect();
        Self { items, total: page.total, offset, limit }
    }
}

/// A contact.
#[derive(Debug, Object)]
pub struct ContactDto {
    /// Portico's id.
    pub id: uuid::Uuid,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email on file, valid or not.
    pub email: Option<String>,
    /// Whether the email on file is a valid address.
    pub email_valid: bool,
    /// Phone digits.
    pub phone: Option<String>,
    /// The primary contact.
    pub primary: bool,
}

/// A customer with its contacts.
#[derive(Debug, Object)]
pub struct CustomerDetailDto {
    /// The customer.
    #[oai(flatten)]
    pub customer: CustomerDto,
    /// Contacts, primary first.
    pub contacts: Vec<ContactDto>,
}

impl From<CustomerDetail> for CustomerDetailDto {
    fn from(d: CustomerDetail) -> Self {
        let contacts = d
            .contacts
            .into_iter()
            .map(|c| ContactDto {
                id: c.id.as_uuid(),
                email: c.email.stored().map(str::to_owned),
                email_valid: matches!(c.email, ContactEmail::Valid(_)),
                phone: c.phone.as_ref().map(|p| p.digits().to_owned()),
                first_name: c.first_name,
                last_name: c.last_name,
                primary: c.primary,
            })
            .collect();
        Self { customer: d.customer.into(), contacts }
    }
}
