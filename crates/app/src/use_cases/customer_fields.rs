//! Parsing a customer and a contact from raw text, shared by the CSV import
//! and the JSON upsert so both refuse the same values with the same words.

use portico_domain::{CollectionPriority, ContactEmail, Currency, CustomerNumber, ErpId, PhoneNumber};

use super::csv_table::{FieldError, text};
use crate::ContactUpsert;

/// The customer-level part of an upsert.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CustomerFields {
    pub erp_id: ErpId,
    pub customer_number: Option<CustomerNumber>,
    pub name: String,
    pub currency: Currency,
    pub collection_priority: Option<CollectionPriority>,
}

/// Raw customer values as an ERP sends them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawCustomer<'a> {
    pub erp_id: &'a str,
    pub customer_number: &'a str,
    pub name: &'a str,
    pub currency: &'a str,
    pub collection_priority: &'a str,
}

/// Raw contact values as an ERP sends them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawContact<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub primary: bool,
}

pub(crate) fn parse_customer(raw: RawCustomer<'_>) -> Result<CustomerFields, FieldError> {
    let erp_id = ErpId::parse(raw.erp_id).map_err(|e| FieldError::new("erp_id", e.to_string()))?;
    let customer_number = if raw.customer_number.trim().is_empty() {
        None
    } else {
        Some(
            CustomerNumber::parse(raw.customer_number)
                .map_err(|e| FieldError::new("customer_number", e.to_string()))?,
        )
    };
    let name = text("customer_name", raw.name, 200, true)?;
    let currency =
        Currency::parse(raw.currency).map_err(|e| FieldError::new("currency", format!("invalid currency: {e}")))?;
    let collection_priority = match raw.collection_priority.trim() {
        "" => None,
        other => Some(CollectionPriority::parse(other).ok_or_else(|| {
            FieldError::new(
                "collection_priority",
                format!("unknown priority {other:?}: use high, medium, low or empty"),
            )
        })?),
    };
    Ok(CustomerFields { erp_id, customer_number, name, currency, collection_priority })
}

/// An invalid or missing email is kept (the contact is skipped later with
/// `invalid_email` / `missing_email`); an unreadable phone is dropped.
pub(crate) fn parse_contact(raw: RawContact<'_>) -> Result<ContactUpsert, FieldError> {
    let first_name = text("contact_first_name", raw.first_name, 100, false)?;
    let last_name = text("contact_last_name", raw.last_name, 100, false)?;
    if raw.email.chars().any(char::is_control) {
        return Err(FieldError::new("contact_email", "holds a control character"));
    }
    let email = ContactEmail::from_raw(raw.email);
    if first_name.is_empty() && last_name.is_empty() && email == ContactEmail::Missing {
        return Err(FieldError::new("contact_first_name", "the contact has no name and no email"));
    }
    let phone = PhoneNumber::parse(raw.phone).ok();
    Ok(ContactUpsert { first_name, last_name, email, phone, primary: raw.primary })
}

pub(crate) fn parse_primary(raw: &str) -> Result<bool, FieldError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" | "" => Ok(false),
        other => Err(FieldError::new("primary", format!("{other:?} is not yes or no"))),
    }
}
