//! [`IdempotencyRepository`] on sea-orm: insert first, then look, so of two
//! concurrent claims of a key exactly one starts. Each claim has its own id;
//! completing or abandoning touches that claim's row only.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use portico_app::{ClaimedKey, IdempotencyClaim, IdempotencyRepository, RepositoryError};
use sea_orm::{ConnectionTrait, DatabaseConnection, Value};
use uuid::Uuid;

use crate::error::DbResultExt;
use crate::sql;

/// How long a key and its answer are kept.
const IDEMPOTENCY_RETENTION: TimeDelta = TimeDelta::hours(24);
/// A key still unanswered after this long belongs to a request that died.
const STALE: TimeDelta = TimeDelta::minutes(10);

/// Idempotency keys with their first answers.
#[derive(Clone, Debug)]
pub struct SeaOrmIdempotencyRepository {
    db: DatabaseConnection,
}

impl SeaOrmIdempotencyRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn insert(
        &self,
        claimed: &ClaimedKey,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let backend = self.db.get_database_backend();
        let values: Vec<Value> = vec![
            claimed.scope.as_str().into(),
            claimed.key.as_str().into(),
            fingerprint.into(),
            now.into(),
            claimed.claim.into(),
        ];
        let insert = "INSERT INTO idempotency_keys (scope, idempotency_key, fingerprint, created_at, claim_id) \
                      VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, idempotency_key) DO NOTHING";
        let done = self.db.execute_raw(sql::stmt(backend, insert, values)).await.repo()?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces a row that is expired or stale, if it is still the one read.
    async fn take_over(
        &self,
        claimed: &ClaimedKey,
        fingerprint: &str,
        seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let backend = self.db.get_database_backend();
        let values: Vec<Value> = vec![
            fingerprint.into(),
            now.into(),
            claimed.claim.into(),
            claimed.scope.as_str().into(),
            claimed.key.as_str().into(),
            seen.into(),
        ];
        let update = "UPDATE idempotency_keys SET fingerprint = ?, status = NULL, body = NULL, created_at = ?, \
                      claim_id = ? WHERE scope = ? AND idempotency_key = ? AND created_at = ?";
        let done = self.db.execute_raw(sql::stmt(backend, update, values)).await.repo()?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl IdempotencyRepository for SeaOrmIdempotencyRepository {
    async fn claim(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim, RepositoryError> {
        let claimed = ClaimedKey { scope: scope.to_owned(), key: key.to_owned(), claim: Uuid::now_v7() };
        if self.insert(&claimed, fingerprint, now).await? {
            return Ok(IdempotencyClaim::Started(claimed));
        }
        let backend = self.db.get_database_backend();
        let select = "SELECT fingerprint, status, body, created_at FROM idempotency_keys \
                      WHERE scope = ? AND idempotency_key = ?";
        let row = self.db.query_one_raw(sql::stmt(backend, select, vec![scope.into(), key.into()])).await.repo()?;
        let Some(row) = row else {
            // Deleted between the insert and the read: another request owns it.
            return Ok(IdempotencyClaim::InProgress);
        };
        let stored: String = row.try_get("", "fingerprint").repo()?;
        let status: Option<i32> = row.try_get("", "status").repo()?;
        let body: Option<String> = row.try_get("", "body").repo()?;
        let created_at: DateTime<Utc> = row.try_get("", "created_at").repo()?;
        let expired = now - created_at >= IDEMPOTENCY_RETENTION;
        let stale = status.is_none() && now - created_at >= STALE;
        if expired || stale {
            return Ok(if self.take_over(&claimed, fingerprint, created_at, now).await? {
                IdempotencyClaim::Started(claimed)
            } else {
                IdempotencyClaim::InProgress
            });
        }
        if stored != fingerprint {
            return Ok(IdempotencyClaim::Mismatch);
        }
        Ok(match status {
            None => IdempotencyClaim::InProgress,
            Some(status) => IdempotencyClaim::Replay {
                status: u16::try_from(status).unwrap_or(200),
                body: body.unwrap_or_default().into_bytes(),
            },
        })
    }

    async fn complete(&self, claimed: &ClaimedKey, status: u16, body: &[u8]) -> Result<(), RepositoryError> {
        let backend = self.db.get_database_backend();
        let values: Vec<Value> = vec![
            i32::from(status).into(),
            String::from_utf8_lossy(body).into_owned().into(),
            claimed.scope.as_str().into(),
            claimed.key.as_str().into(),
            claimed.claim.into(),
        ];
        let update = "UPDATE idempotency_keys SET status = ?, body = ? \
                      WHERE scope = ? AND idempotency_key = ? AND claim_id = ? AND status IS NULL";
        self.db.execute_raw(sql::stmt(backend, update, values)).await.repo()?;
        Ok(())
    }

    async fn abandon(&self, claimed: &ClaimedKey) -> Result<(), RepositoryError> {
        let backend = self.db.get_database_backend();
        let values: Vec<Value> = vec![claimed.scope.as_str().into(), claimed.key.as_str().into(), claimed.claim.into()];
        let delete = "DELETE FROM idempotency_keys \
                      WHERE scope = ? AND idempotency_key = ? AND claim_id = ? AND status IS NULL";
        self.db.execute_raw(sql::stmt(backend, delete, values)).await.repo()?;
        Ok(())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, RepositoryError> {
        let backend = self.db.get_database_backend();
        let cutoff = now - IDEMPOTENCY_RETENTION;
        let delete = "DELETE FROM idempotency_keys WHERE created_at <= ?";
        let done = self.db.execute_raw(sql::stmt(backend, delete, vec![cutoff.into()])).await.repo()?;
        Ok(done.rows_affected())
    }
}
