//! The outbox queue in claim order: queued emails by id, so a claim reads
//! the next due emails directly instead of stepping over every sent one (the
//! claim's cost grew with the outbox's history: a bulk send slowed itself).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::dialect::run(manager, "CREATE INDEX outbox_queue ON outbox (status, id)").await
    }
}
