//! Maps database errors to [`RepositoryError`]: a violated constraint becomes
//! `Conflict` naming it, everything else `Unexpected` (never "not found").

use std::ops::Deref;

use portico_app::RepositoryError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// SQLite names the columns of a violated unique rule, not the rule: these are
/// the rules' names as the migrations (and PostgreSQL) know them.
const SQLITE_UNIQUE: &[(&str, &str)] = &[
    ("invitations.contact_id", "invitations_one_open_per_contact"),
    ("customers.merchant_id, customers.erp_id", "customers_merchant_erp_id"),
    ("contacts.customer_id, contacts.natural_key", "contacts_customer_natural_key"),
    ("contacts.customer_id", "contacts_one_primary_per_customer"),
    ("logins.merchant_id, logins.username", "logins_merchant_username"),
    ("invitation_batches.merchant_id, invitation_batches.spec_hash", "invitation_batches_one_live_per_spec"),
    ("staff_users.merchant_id, staff_users.email", "staff_users_merchant_email"),
    ("api_keys.key_hash", "api_keys_key_hash"),
    ("documents.merchant_id, documents.kind, documents.number", "documents_merchant_kind_number"),
    ("invitation_tokens.token_hash", "invitation_tokens_pkey"),
    ("payments.merchant_id, payments.idempotency_key", "payments_merchant_idempotency_key"),
    ("payment_methods.customer_id", "payment_methods_one_default_per_customer"),
    ("payments.id", "payments_pkey"),
    ("payment_methods.id", "payment_methods_pkey"),
    ("payment_refunds.id", "payment_refunds_pkey"),
    ("payment_allocations.payment_id, payment_allocations.document_id", "payment_allocations_pkey"),
    ("merchants.id", "merchants_pkey"),
    ("customers.id", "customers_pkey"),
    ("contacts.id", "contacts_pkey"),
    ("logins.id", "logins_pkey"),
    ("invitations.id", "invitations_pkey"),
    ("invitation_batches.id", "invitation_batches_pkey"),
    ("outbox.id", "outbox_pkey"),
    ("staff_users.id", "staff_users_pkey"),
    ("api_keys.id", "api_keys_pkey"),
];

/// The repository error for a database error.
pub(crate) fn map(err: DbErr) -> RepositoryError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            RepositoryError::Conflict { constraint: constraint_name(&err).unwrap_or_else(|| sqlite_unique(&message)) }
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => RepositoryError::Conflict {
            // SQLite does not say which foreign key failed.
            constraint: constraint_name(&err).unwrap_or_else(|| "foreign_key".to_owned()),
        },
        _ => RepositoryError::unexpected(err),
    }
}

/// The constraint PostgreSQL reports.
fn constraint_name(err: &DbErr) -> Option<String> {
    if let DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) = err
        && let sea_orm::sqlx::Error::Database(db) = e.deref()
    {
        return db.constraint().map(str::to_owned);
    }
    None
}

fn sqlite_unique(message: &str) -> String {
    let columns = message.rsplit("failed: ").next().unwrap_or(message).trim();
    SQLITE_UNIQUE
        .iter()
        .find(|(cols, _)| *cols == columns)
        .map_or_else(|| columns.to_owned(), |(_, name)| (*name).to_owned())
}

/// A stored value that does not parse back into its domain type.
#[derive(Debug, thiserror::Error)]
#[error("corrupt {table}.{column}: {detail}")]
pub(crate) struct CorruptRow {
    pub(crate) table: &'static str,
    pub(crate) column: &'static str,
    pub(crate) detail: String,
}

/// A [`RepositoryError`] for a stored value that does not parse.
pub(crate) fn corrupt(table: &'static str, column: &'static str, detail: impl ToString) -> RepositoryError {
    RepositoryError::unexpected(CorruptRow { table, column, detail: detail.to_string() })
}

/// Shorthand for mapping a `DbErr` result.
pub(crate) trait DbResultExt<T> {
    /// Maps the error with [`map`].
    fn repo(self) -> Result<T, RepositoryError>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn repo(self) -> Result<T, RepositoryError> {
        self.map_err(map)
    }
}
