//! Merchants, customers, contacts, logins and invoices.

use chrono::{DateTime, Utc};
use portico_app::{ContactUpsert, CustomerUpsert, InvoiceUpsert, Merchant, PortalSettings, RepositoryError};
use portico_domain::{
    CollectionPriority, Contact, ContactEmail, ContactId, Currency, Customer, CustomerId, CustomerNumber, ErpId, Login,
    LoginId, MerchantId, PasswordHash, PhoneNumber, Username,
};
use uuid::Uuid;

use crate::entity::{contacts, customers, documents, logins, merchants};
use crate::error::corrupt;

pub(crate) fn merchant_to_model(m: &Merchant) -> merchants::Model {
    merchants::Model {
        id: m.id.as_uuid(),
        name: m.name.clone(),
        portal_enabled: m.settings.portal_enabled,
        invitation_lifetime_days: i32::try_from(m.settings.invitation_lifetime_days).unwrap_or(i32::MAX),
        brand_name: m.settings.brand_name.clone(),
        brand_color: m.settings.brand_color.clone(),
    }
}

pub(crate) fn merchant_from_model(m: merchants::Model) -> Merchant {
    Merchant {
        id: MerchantId::from_uuid(m.id),
        name: m.name,
        settings: PortalSettings {
            portal_enabled: m.portal_enabled,
            // Out-of-range values fall back to the default in `invitation_lifetime()`.
            invitation_lifetime_days: u32::try_from(m.invitation_lifetime_days).unwrap_or(0),
            brand_name: m.brand_name,
            brand_color: m.brand_color,
        },
    }
}

pub(crate) fn customer_from_model(m: &customers::Model) -> Result<Customer, RepositoryError> {
    const T: &str = "customers";
    Ok(Customer {
        id: CustomerId::from_uuid(m.id),
        merchant_id: MerchantId::from_uuid(m.merchant_id),
        erp_id: ErpId::parse(&m.erp_id).map_err(|e| corrupt(T, "erp_id", e))?,
        customer_number: m
            .customer_number
            .as_deref()
            .map(CustomerNumber::parse)
            .transpose()
            .map_err(|e| corrupt(T, "customer_number", e))?,
        name: m.name.clone(),
        currency: Currency::parse(&m.currency).map_err(|e| corrupt(T, "currency", e))?,
        collection_priority: m
            .collection_priority
            .as_deref()
            .map(|p| CollectionPriority::parse(p).ok_or_else(|| corrupt(T, "collection_priority", p)))
            .transpose()?,
    })
}

/// The row an upsert writes; `id` and `created_at` are kept when the row exists.
pub(crate) fn customer_to_model(
    merchant: MerchantId,
    id: Uuid,
    c: &CustomerUpsert,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> customers::Model {
    customers::Model {
        id,
        merchant_id: merchant.as_uuid(),
        erp_id: c.erp_id.as_str().to_owned(),
        customer_number: c.customer_number.as_ref().map(|n| n.as_str().to_owned()),
        name: c.name.clone(),
        currency: c.currency.code().to_owned(),
        collection_priority: c.collection_priority.map(|p| p.as_str().to_owned()),
        created_at,
        updated_at: now,
    }
}

/// Whether a stored customer already says what the upsert says.
pub(crate) fn customer_unchanged(stored: &customers::Model, wanted: &customers::Model) -> bool {
    stored.customer_number == wanted.customer_number
        && stored.name == wanted.name
        && stored.currency == wanted.currency
        && stored.collection_priority == wanted.collection_priority
}

pub(crate) fn contact_from_model(m: &contacts::Model) -> Result<Contact, RepositoryError> {
    Ok(Contact {
        id: ContactId::from_uuid(m.id),
        customer_id: CustomerId::from_uuid(m.customer_id),
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        email: m.email.as_deref().map_or(ContactEmail::Missing, ContactEmail::from_raw),
        phone: m.phone.as_deref().map(PhoneNumber::parse).transpose().map_err(|e| corrupt("contacts", "phone", e))?,
        primary: m.is_primary,
    })
}

pub(crate) fn contact_to_model(
    merchant: MerchantId,
    customer: Uuid,
    id: Uuid,
    c: &ContactUpsert,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> contacts::Model {
    contacts::Model {
        id,
        merchant_id: merchant.as_uuid(),
        customer_id: customer,
        natural_key: c.natural_key(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email.stored().map(str::to_owned),
        phone: c.phone.as_ref().map(|p| p.digits().to_owned()),
        is_primary: c.primary,
        created_at,
        updated_at: now,
    }
}

pub(crate) fn contact_unchanged(stored: &contacts::Model, wanted: &contacts::Model) -> bool {
    stored.first_name == wanted.first_name
        && stored.last_name == wanted.last_name
        && stored.email == wanted.email
        && stored.phone == wanted.phone
        && stored.is_primary == wanted.is_primary
}

pub(crate) fn invoice_to_model(
    merchant: MerchantId,
    customer: Uuid,
    id: Uuid,
    i: &InvoiceUpsert,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> documents::Model {
    documents::Model {
        id,
        merchant_id: merchant.as_uuid(),
        customer_id: customer,
        kind: "invoice".to_owned(),
        number: i.invoice_number.clone(),
        issue_date: i.issue_date,
        due_date: Some(i.due_date),
        amount_minor: i.amount.minor_units(),
        balance_minor: i.balance.minor_units(),
        currency: i.amount.currency().code().to_owned(),
        status: None,
        created_at,
        updated_at: now,
    }
}

pub(crate) fn invoice_unchanged(stored: &documents::Model, wanted: &documents::Model) -> bool {
    stored.customer_id == wanted.customer_id
        && stored.issue_date == wanted.issue_date
        && stored.due_date == wanted.due_date
        && stored.amount_minor == wanted.amount_minor
        && stored.balance_minor == wanted.balance_minor
        && stored.currency == wanted.currency
}

pub(crate) fn login_from_model(m: logins::Model, customers: Vec<Uuid>) -> Result<Login, RepositoryError> {
    Ok(Login {
        id: LoginId::from_uuid(m.id),
        merchant_id: MerchantId::from_uuid(m.merchant_id),
        username: Username::parse(&m.username).map_err(|e| corrupt("logins", "username", e))?,
        password_hash: PasswordHash::from_phc(m.password_hash),
        must_change_password: m.must_change_password,
        customers: customers.into_iter().map(CustomerId::from_uuid).collect(),
    })
}

pub(crate) fn login_to_model(l: &Login) -> logins::Model {
    logins::Model {
        id: l.id.as_uuid(),
        merchant_id: l.merchant_id.as_uuid(),
        username: l.username.as_str().to_owned(),
        password_hash: l.password_hash.as_phc().to_owned(),
        must_change_password: l.must_change_password,
    }
}
