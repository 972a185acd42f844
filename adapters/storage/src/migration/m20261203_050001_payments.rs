//! Payments: saved methods (the gateway's token, brand or bank, last four,
//! expiry; never a number), payments with their allocations to invoices,
//! their audit trail, and refunds.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

const SQL: &str = r"
CREATE TABLE payment_methods (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT payment_methods_merchant_fk REFERENCES merchants (id),
    customer_id {uuid} NOT NULL CONSTRAINT payment_methods_customer_fk REFERENCES customers (id),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month INTEGER,
    exp_year INTEGER,
    gateway_token TEXT NOT NULL,
    is_default {bool} NOT NULL,
    created_at {ts} NOT NULL,
    removed_at {ts}
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id, created_at);
CREATE UNIQUE INDEX payment_methods_one_default_per_customer ON payment_methods (customer_id)
    WHERE is_default AND removed_at IS NULL;
CREATE TABLE payments (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT payments_merchant_fk REFERENCES merchants (id),
    customer_id {uuid} NOT NULL CONSTRAINT payments_customer_fk REFERENCES customers (id),
    payer_contact_id {uuid} CONSTRAINT payments_payer_fk REFERENCES contacts (id),
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor {bigint} NOT NULL,
    refunded_minor {bigint} NOT NULL,
    method_kind TEXT NOT NULL,
    method_label TEXT NOT NULL,
    method_last4 TEXT NOT NULL,
    method_exp_month INTEGER,
    method_exp_year INTEGER,
    payment_method_id {uuid} CONSTRAINT payments_method_fk REFERENCES payment_methods (id),
    gateway_token TEXT NOT NULL,
    gateway_reference TEXT,
    failure_code TEXT,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    recheck_at {ts},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CONSTRAINT payments_merchant_idempotency_key UNIQUE (merchant_id, idempotency_key),
    CONSTRAINT payments_refunded_within_amount CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor)
);
CREATE INDEX payments_merchant_created ON payments (merchant_id, created_at, id);
CREATE INDEX payments_customer_created ON payments (customer_id, created_at, id);
CREATE INDEX payments_recheck ON payments (recheck_at) WHERE recheck_at IS NOT NULL;
CREATE TABLE payment_allocations (
    payment_id {uuid} NOT NULL CONSTRAINT payment_allocations_payment_fk REFERENCES payments (id),
    document_id {uuid} NOT NULL CONSTRAINT payment_allocations_document_fk REFERENCES documents (id),
    position INTEGER NOT NULL,
    amount_minor {bigint} NOT NULL,
    refunded_minor {bigint} NOT NULL,
    PRIMARY KEY (payment_id, document_id)
);
CREATE INDEX payment_allocations_document ON payment_allocations (document_id);
CREATE TABLE payment_events (
    id {serial},
    merchant_id {uuid} NOT NULL CONSTRAINT payment_events_merchant_fk REFERENCES merchants (id),
    payment_id {uuid} NOT NULL CONSTRAINT payment_events_payment_fk REFERENCES payments (id),
    kind TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id {uuid},
    amount_minor {bigint} NOT NULL,
    detail TEXT,
    at {ts} NOT NULL
);
CREATE INDEX payment_events_payment ON payment_events (payment_id, id);
CREATE TABLE payment_refunds (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT payment_refunds_merchant_fk REFERENCES merchants (id),
    payment_id {uuid} NOT NULL CONSTRAINT payment_refunds_payment_fk REFERENCES payments (id),
    amount_minor {bigint} NOT NULL,
    status TEXT NOT NULL,
    gateway_key TEXT NOT NULL,
    gateway_reference TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX payment_refunds_payment ON payment_refunds (payment_id)
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::dialect::run(manager, SQL).await
    }
}
