//! Forward-only schema migrations, written once as SQL with a few type
//! placeholders that each backend fills in (see [`dialect`]).

mod dialect;
mod m20261123_000001_directory;
mod m20261123_000002_invitations;
mod m20261123_000003_default_merchant;
mod m20261123_000004_idempotency;
mod m20261123_000005_invitation_batch;
mod m20261123_000006_outbox_queue_order;
mod m20261203_010001_one_primary_contact;
mod m20261203_020001_idempotency_claims;
mod m20261203_050001_payments;

pub use m20261123_000003_default_merchant::DEFAULT_MERCHANT_ID;

use sea_orm_migration::prelude::*;

/// Every migration, oldest first. There are no `down` steps: the schema only
/// moves forward.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_directory::Migration),
            Box::new(m20261123_000002_invitations::Migration),
            Box::new(m20261123_000003_default_merchant::Migration),
            Box::new(m20261123_000004_idempotency::Migration),
            Box::new(m20261123_000005_invitation_batch::Migration),
            Box::new(m20261123_000006_outbox_queue_order::Migration),
            Box::new(m20261203_050001_payments::Migration),
            Box::new(m20261203_020001_idempotency_claims::Migration),
            Box::new(m20261203_010001_one_primary_contact::Migration),
        ]
    }
}
