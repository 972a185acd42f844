//! Idempotency keys remember which claim owns them, so a request that
//! outlived its claim cannot store its answer over a newer one; and they are
//! indexed by age, for the sweep that deletes expired keys.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::dialect::run(
            manager,
            "ALTER TABLE idempotency_keys ADD COLUMN claim_id {uuid} NULL;
             CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)",
        )
        .await
    }
}
