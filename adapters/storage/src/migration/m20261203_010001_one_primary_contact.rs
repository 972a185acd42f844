//! One primary contact per customer: an invitation to "the customer" goes
//! to exactly one person. Where earlier imports stored several, the oldest
//! stays primary; the index then refuses a second one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::dialect::run(
            manager,
            "UPDATE contacts SET is_primary = FALSE WHERE is_primary = TRUE AND EXISTS (
               SELECT 1 FROM contacts o WHERE o.customer_id = contacts.customer_id AND o.is_primary = TRUE
                 AND o.id < contacts.id);
             CREATE UNIQUE INDEX contacts_one_primary_per_customer ON contacts (customer_id) WHERE is_primary = TRUE",
        )
        .await
    }
}
