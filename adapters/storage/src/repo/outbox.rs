//! [`OutboxQueue`] on sea-orm. Claims take a lease in one statement:
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the single pooled
//! connection makes the statement run alone.

mod inspect;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{ClaimedEmail, MailKind, OutboxQueue, RepositoryError, TokenSource};
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
#[derive(Clone)]
pub struct SeaOrmOutboxRepository {
    db: DatabaseConnection,
    ids: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for SeaOrmOutboxRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeaOrmOutboxRepository").finish_non_exhaustive()
    }
}

impl SeaOrmOutboxRepository {
    pub(crate) fn new(db: DatabaseConnection, ids: Arc<dyn TokenSource>) -> Self {
        Self { db, ids }
    }

    /// Runs `text(n)`, an update of `n` listed ids answering `RETURNING id`,
    /// over `ids` in slices: `values` first, then the slice's ids.
    async fn update_ids(
        &self,
        ids: &[OutboxMessageId],
        text: impl Fn(usize) -> String,
        values: Vec<Value>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError> {
        let backend = self.db.get_database_backend();
        let mut updated = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut bound = values.clone();
            bound.extend(chunk.iter().map(|id| Value::from(id.as_uuid())));
            let rows = self.db.query_all_raw(sql::stmt(backend, &text(chunk.len()), bound)).await.repo()?;
            for row in rows {
                let id: Uuid = row.try_get("", "id").repo()?;
                updated.push(OutboxMessageId::from_uuid(id));
            }
        }
        Ok(updated)
    }

    /// Fails a claimed row that does not read back as an email, with the reason.
    async fn fail_unreadable(&self, id: Uuid, lease: Uuid, error: &RepositoryError) -> Result<(), RepositoryError> {
        tracing::warn!(%id, error = error as &dyn std::error::Error, "an outbox row is unreadable; failing it");
        let detail = std::error::Error::source(error).map_or_else(|| error.to_string(), ToString::to_string);
        let reason = format!("the stored email is unreadable ({detail}); it was not sent");
        let text = format!(
            "UPDATE outbox SET status = '{FAILED}', last_error = ?, html = '', text = '',
               lease_id = NULL, locked_until = NULL
             WHERE id = ? AND lease_id = ?"
        );
        let values: Vec<Value> = vec![reason.into(), id.into(), lease.into()];
        self.db.execute_raw(sql::stmt(self.db.get_database_backend(), &text, values)).await.repo()?;
        Ok(())
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
        // Invitation emails wait while their merchant's portal is off: the
        // setting stops what is already queued, not only what is planned.
        let held: Vec<String> =
            MailKind::ALL.iter().filter(|k| k.is_invitation()).map(|k| format!("'{}'", k.as_str())).collect();
        // A NULL next_attempt_at is due at once; ids are UUID v7, so id order is queue order.
        let text = format!(
            "UPDATE outbox SET lease_id = ?, locked_until = ? WHERE id IN (
               SELECT o.id FROM outbox o WHERE o.status = '{QUEUED}'
                 AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)
                 AND (o.locked_until IS NULL OR o.locked_until <= ?)
                 AND (o.kind NOT IN ({held}) OR EXISTS (
                   SELECT 1 FROM merchants m WHERE m.id = o.merchant_id AND m.portal_enabled))
               ORDER BY o.id LIMIT ? {lock})
             RETURNING *",
            held = held.join(", ")
        );
        let lease = self.ids.uuid();
        let values: Vec<Value> =
            vec![lease.into(), lease_until.into(), now.into(), now.into(), i64::from(limit).into()];
        let mut rows =
            outbox::Entity::find().from_raw_sql(sql::stmt(backend, &text, values)).all(&self.db).await.repo()?;
        rows.sort_by_key(|r| r.id);
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            match outbox_from_model(row) {
                Ok(email) => claimed.push(ClaimedEmail {
                    email,
                    attempts: u32::try_from(row.attempts).unwrap_or(0),
                    lease,
                    lease_until,
                }),
                // One bad row must not stall the queue: it fails with its
                // reason, and the others go out.
                Err(error) => self.fail_unreadable(row.id, lease, &error).await?,
            }
        }
        Ok(claimed)
    }

    async fn renew(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError> {
        let text = |n| {
            format!(
                "UPDATE outbox SET locked_until = ?
                 WHERE lease_id = ? AND status = '{QUEUED}' AND id IN ({})
                 RETURNING id",
                sql::list(n)
            )
        };
        self.update_ids(ids, text, vec![until.into(), lease.into()]).await
    }

    async fn mark_sent(
        &self,
        ids: &[OutboxMessageId],
        lease: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessageId>, RepositoryError> {
        // The body may hold a link token or a first password: it must not stay at rest.
        let text = |n| {
            format!(
                "UPDATE outbox SET status = '{SENT}', sent_at = ?, html = '', text = '', attempts = attempts + 1,
                   lease_id = NULL, locked_until = NULL, last_error = NULL
                 WHERE lease_id = ? AND status = '{QUEUED}' AND id IN ({})
                 RETURNING id",
                sql::list(n)
            )
        };
        self.update_ids(ids, text, vec![at.into(), lease.into()]).await
    }

    async fn mark_failed(
        &self,
        id: OutboxMessageId,
        lease: Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), RepositoryError> {
        // Failed for good, the body goes as a sent one's does: it may hold a
        // link token or a first password. Recipient, kind and error stay.
        let (status, blank) = if retry_at.is_some() { (QUEUED, "") } else { (FAILED, ", html = '', text = ''") };
        let text = format!(
            "UPDATE outbox SET status = '{status}', next_attempt_at = ?, last_error = ?, attempts = attempts + 1,
               lease_id = NULL, locked_until = NULL{blank}
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
