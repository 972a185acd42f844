//! [`OutboxQueue`] on sea-orm. Claims take a lease in one statement:
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the single pooled
//! connection makes the statement run alone.

mod inspect;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{ClaimedEmail, OutboxQueue, RepositoryError};
use portico_domain::OutboxMessageId;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, Value};
use uuid::Uuid;

use crate::entity::outbox;
use crate::error::DbResultExt;
use crate::mapping::{FAILED, QUEUED, SENT, outbox_from_model};
use crate::sql;

/// Most ids in one statement naming many rows (well under every backend's
/// limit on bound values).
const IDS_PER_STATEMENT: usize = 500;

/// Queued emails and their delivery outcome.
#[derive(Clone, Debug)]
pub struct SeaOrmOutboxRepository {
    db: DatabaseConnection,
}

impl SeaOrmOutboxRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Runs a completion update; no row changed means the lease is not ours.
    async fn complete(&self, sql_text: &str, values: Vec<Value>) -> Result<(), RepositoryError> {
        let res = self.db.execute_raw(sql::stmt(self.db.get_database_backend(), sql_text, values)).await.repo()?;
        if res.rows_affected() == 0 { Err(RepositoryError::LeaseLost) } else { Ok(()) }
    }
}

#[async_trait]
impl OutboxQueue for SeaOrmOutboxRepository {
    async fn claim(
        &self,
        limit: u32,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedEmail>, RepositoryError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let backend = self.db.get_database_backend();
        let lock = if backend == DbBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        // A NULL next_attempt_at is due at once; ids are UUID v7, so id order is queue order.
        let text = format!(
            "UPDATE outbox SET lease_id = ?, locked_until = ? WHERE id IN (
               SELECT id FROM outbox WHERE status = '{QUEUED}'
                 AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
                 AND (locked_until IS NULL OR locked_until <= ?)
               ORDER BY id LIMIT ? {lock})
             RETURNING *"
        );
        let lease = Uuid::now_v7();
        let values: Vec<Value> =
            vec![lease.into(), lease_until.into(), now.into(), now.into(), i64::from(limit).into()];
        let mut rows =
            outbox::Entity::find().from_raw_sql(sql::stmt(backend, &text, values)).all(&self.db).await.repo()?;
        rows.sort_by_key(|r| r.id);
        rows.iter()
            .map(|r| {
                Ok(ClaimedEmail {
                    email: outbox_from_model(r)?,
                    attempts: u32::try_from(r.attempts).unwrap_or(0),
                    lease,
                    lease_until,
                })
            })
            .collect()
    }

    async fn mark_sent(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError> {
        let backend = self.db.get_database_backend();
        let mut recorded = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            // The body may hold a link token or a first password: it must not stay at rest.
            let text = format!(
                "UPDATE outbox SET status = '{SENT}', sent_at = ?, html = '', text = '', attempts = attempts + 1,
                   lease_id = NULL, locked_until = NULL, last_error = NULL
                 WHERE lease_id = ? AND status = '{QUEUED}' AND id IN ({})
                 RETURNING id",
                sql::list(chunk.len())
            );
            let mut values: Vec<Value> = vec![at.into(), lease.into()];
            values.extend(chunk.iter().map(|id| Value::from(id.as_uuid())));
            let rows = self.db.query_all_raw(sql::stmt(backend, &text, values)).await.repo()?;
            for row in rows {
                let id: Uuid = row.try_get("", "id").repo()?;
                recorded.push(OutboxMessageId::from_uuid(id));
            }
        }
        Ok(recorded)
    }

    async fn mark_failed(
        &self,
        id: OutboxMessageId,
        lease: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError> {
        let status = if retry_at.is_some() { QUEUED } else { FAILED };
        let text = format!(
            "UPDATE outbox SET status = '{status}', next_attempt_at = ?, last_error = ?, attempts = attempts + 1,
               lease_id = NULL, locked_until = NULL
             WHERE id = ? AND lease_id = ? AND status = '{QUEUED}'"
        );
        self.complete(&text, vec![retry_at.into(), error.into(), id.as_uuid().into(), lease.into()]).await
    }

    async fn release(&self, id: OutboxMessageId, lease: Uuid) -> Result<(), RepositoryError> {
        let text = format!(
            "UPDATE outbox SET next_attempt_at = NULL, lease_id = NULL, locked_until = NULL
             WHERE id = ? AND lease_id = ? AND status = '{QUEUED}'"
        );
        self.complete(&text, vec![id.as_uuid().into(), lease.into()]).await
    }
}
