//! Merchants, staff and API keys, the customer directory, logins, documents
//! and sessions.

use sea_orm_migration::prelude::*;

use super::dialect;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

const SQL: &str = r"
CREATE TABLE merchants (
    id {uuid} PRIMARY KEY,
    name TEXT NOT NULL,
    portal_enabled {bool} NOT NULL,
    invitation_lifetime_days INTEGER NOT NULL,
    brand_name TEXT NOT NULL,
    brand_color TEXT NOT NULL
);
CREATE TABLE staff_users (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT staff_users_merchant_fk REFERENCES merchants (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CONSTRAINT staff_users_merchant_email UNIQUE (merchant_id, email)
);
CREATE TABLE api_keys (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT api_keys_merchant_fk REFERENCES merchants (id),
    staff_user_id {uuid} NOT NULL CONSTRAINT api_keys_staff_user_fk REFERENCES staff_users (id),
    key_hash TEXT NOT NULL CONSTRAINT api_keys_key_hash UNIQUE,
    role TEXT NOT NULL,
    created_at {ts} NOT NULL,
    revoked_at {ts}
);
CREATE TABLE customers (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT customers_merchant_fk REFERENCES merchants (id),
    erp_id TEXT NOT NULL,
    customer_number TEXT,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    collection_priority TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT customers_merchant_erp_id UNIQUE (merchant_id, erp_id)
);
CREATE TABLE contacts (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT contacts_merchant_fk REFERENCES merchants (id),
    customer_id {uuid} NOT NULL CONSTRAINT contacts_customer_fk REFERENCES customers (id),
    natural_key TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    is_primary {bool} NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT contacts_customer_natural_key UNIQUE (customer_id, natural_key)
);
CREATE INDEX contacts_merchant_id ON contacts (merchant_id, id);
CREATE TABLE logins (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT logins_merchant_fk REFERENCES merchants (id),
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password {bool} NOT NULL,
    CONSTRAINT logins_merchant_username UNIQUE (merchant_id, username)
);
CREATE TABLE login_customers (
    login_id {uuid} NOT NULL CONSTRAINT login_customers_login_fk REFERENCES logins (id),
    customer_id {uuid} NOT NULL CONSTRAINT login_customers_customer_fk REFERENCES customers (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (login_id, customer_id)
);
CREATE INDEX login_customers_customer ON login_customers (customer_id);
CREATE TABLE documents (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT documents_merchant_fk REFERENCES merchants (id),
    customer_id {uuid} NOT NULL CONSTRAINT documents_customer_fk REFERENCES customers (id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    issue_date DATE NOT NULL,
    due_date DATE,
    amount_minor {bigint} NOT NULL,
    balance_minor {bigint} NOT NULL,
    currency TEXT NOT NULL,
    status TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT documents_merchant_kind_number UNIQUE (merchant_id, kind, number)
);
CREATE INDEX documents_customer ON documents (customer_id, kind);
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT sessions_merchant_fk REFERENCES merchants (id),
    login_id {uuid} CONSTRAINT sessions_login_fk REFERENCES logins (id),
    staff_user_id {uuid} CONSTRAINT sessions_staff_user_fk REFERENCES staff_users (id),
    customer_id {uuid} CONSTRAINT sessions_customer_fk REFERENCES customers (id),
    csrf_token TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
)
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, SQL).await
    }
}
