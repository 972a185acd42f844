//! Which batch wrote an invitation, so a batch's progress can count the
//! emails that actually left.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::dialect::run(
            manager,
            "ALTER TABLE invitations ADD COLUMN batch_id {uuid} NULL REFERENCES invitation_batches (id);
             CREATE INDEX invitations_batch ON invitations (batch_id)",
        )
        .await
    }
}
