//! Test support: what only tests and benchmarks do with the outbox (queue
//! emails with no state change behind them, read a row's delivery status and
//! body). Production code queues emails through the writes that cause them
//! and delivers them through [`OutboxQueue`](portico_app::OutboxQueue).

use portico_app::{DeliveryStatus, OutboxEmail, RepositoryError};
use portico_domain::OutboxMessageId;
use sea_orm::{EntityTrait, IntoActiveModel};

use super::SeaOrmOutboxRepository;
use crate::entity::outbox;
use crate::error::DbResultExt;
use crate::mapping::{delivery_from_model, outbox_to_model};
use crate::repo::statements;

impl SeaOrmOutboxRepository {
    /// Queues emails on their own, due at once.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn enqueue(&self, emails: &[OutboxEmail]) -> Result<(), RepositoryError> {
        let size = |e: &OutboxEmail| 200 + e.subject.len() + e.html.len() + e.text.len();
        for chunk in statements(self.db.get_database_backend(), emails, size) {
            let rows = chunk.iter().map(|e| outbox_to_model(e, None).into_active_model());
            outbox::Entity::insert_many(rows).exec_without_returning(&self.db).await.repo()?;
        }
        Ok(())
    }

    /// Delivery status of one email.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn status(&self, id: OutboxMessageId) -> Result<Option<DeliveryStatus>, RepositoryError> {
        let row = outbox::Entity::find_by_id(id.as_uuid()).one(&self.db).await.repo()?;
        row.as_ref().map(delivery_from_model).transpose()
    }

    /// The stored HTML and text parts of an email: both empty once it was
    /// sent or failed for good.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn body(&self, id: OutboxMessageId) -> Result<Option<(String, String)>, RepositoryError> {
        let row = outbox::Entity::find_by_id(id.as_uuid()).one(&self.db).await.repo()?;
        Ok(row.map(|r| (r.html, r.text)))
    }
}
