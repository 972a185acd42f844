//! Idempotency keys of the API's POSTs, with the first answer to each.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::dialect::run(
            manager,
            "CREATE TABLE idempotency_keys (
                scope TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                status INTEGER NULL,
                body TEXT NULL,
                created_at {ts} NOT NULL,
                PRIMARY KEY (scope, idempotency_key)
            )",
        )
        .await
    }
}
