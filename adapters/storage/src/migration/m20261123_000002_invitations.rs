//! Invitations with every token they issued and their audit trail, bulk
//! batches, the outbox, and template overrides.

use sea_orm_migration::prelude::*;

use super::dialect;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

const SQL: &str = r"
CREATE TABLE invitations (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT invitations_merchant_fk REFERENCES merchants (id),
    customer_id {uuid} NOT NULL CONSTRAINT invitations_customer_fk REFERENCES customers (id),
    contact_id {uuid} NOT NULL CONSTRAINT invitations_contact_fk REFERENCES contacts (id),
    recipient TEXT NOT NULL,
    mode TEXT NOT NULL,
    username TEXT,
    password_hash TEXT,
    state TEXT NOT NULL,
    token_hash TEXT,
    issued_at {ts},
    expires_at {ts},
    closed_at {ts},
    created_at {ts} NOT NULL,
    last_sent_at {ts} NOT NULL,
    send_count INTEGER NOT NULL
);
CREATE UNIQUE INDEX invitations_one_open_per_contact ON invitations (contact_id) WHERE state = 'open';
CREATE INDEX invitations_contact ON invitations (contact_id, created_at);
CREATE INDEX invitations_merchant_created ON invitations (merchant_id, created_at);
CREATE INDEX invitations_merchant_username ON invitations (merchant_id, username);
CREATE TABLE invitation_tokens (
    token_hash TEXT PRIMARY KEY,
    invitation_id {uuid} NOT NULL CONSTRAINT invitation_tokens_invitation_fk REFERENCES invitations (id),
    position INTEGER NOT NULL
);
CREATE INDEX invitation_tokens_invitation ON invitation_tokens (invitation_id, position);
CREATE TABLE invitation_events (
    id {serial},
    merchant_id {uuid} NOT NULL CONSTRAINT invitation_events_merchant_fk REFERENCES merchants (id),
    invitation_id {uuid} NOT NULL CONSTRAINT invitation_events_invitation_fk REFERENCES invitations (id),
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id {uuid},
    at {ts} NOT NULL
);
CREATE INDEX invitation_events_invitation ON invitation_events (invitation_id, id);
CREATE TABLE invitation_batches (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT invitation_batches_merchant_fk REFERENCES merchants (id),
    spec TEXT NOT NULL,
    spec_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    total {bigint} NOT NULL,
    invited {bigint} NOT NULL,
    failed {bigint} NOT NULL,
    skipped_missing_email {bigint} NOT NULL,
    skipped_missing_phone {bigint} NOT NULL,
    skipped_missing_customer_number {bigint} NOT NULL,
    skipped_has_login {bigint} NOT NULL,
    skipped_already_invited {bigint} NOT NULL,
    skipped_declined {bigint} NOT NULL,
    skipped_username_taken {bigint} NOT NULL,
    skipped_invalid_email {bigint} NOT NULL,
    cursor {uuid},
    error TEXT,
    lease_id {uuid},
    lease_until {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX invitation_batches_one_live_per_spec ON invitation_batches (merchant_id, spec_hash)
    WHERE state IN ('queued', 'running');
CREATE INDEX invitation_batches_state ON invitation_batches (state, created_at);
CREATE TABLE outbox (
    id {uuid} PRIMARY KEY,
    merchant_id {uuid} NOT NULL CONSTRAINT outbox_merchant_fk REFERENCES merchants (id),
    invitation_id {uuid} CONSTRAINT outbox_invitation_fk REFERENCES invitations (id),
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    to_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at {ts},
    lease_id {uuid},
    locked_until {ts},
    last_error TEXT,
    sent_at {ts}
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_invitation ON outbox (invitation_id);
CREATE TABLE templates (
    merchant_id {uuid} NOT NULL CONSTRAINT templates_merchant_fk REFERENCES merchants (id),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (merchant_id, kind)
)
";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        dialect::run(manager, SQL).await
    }
}
