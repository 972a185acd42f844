//! [`BatchRepository`] on sea-orm: batches claimed with a lease; a chunk's
//! invitations, events, emails and counters are written in one transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{Batch, BatchChunk, BatchRepository, RepositoryError};
use portico_domain::{BatchId, MerchantId, SkipReason};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait, Value,
};
use uuid::Uuid;

use super::invitations::insert_writes;
use crate::entity::invitation_batches;
use crate::error::DbResultExt;
use crate::mapping::{batch_from_model, batch_to_model, skip_column, spec_key};
use crate::sql;

/// Bulk invitation batches.
#[derive(Clone, Debug)]
pub struct SeaOrmBatchRepository {
    db: DatabaseConnection,
}

impl SeaOrmBatchRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn live_with_spec(&self, merchant: MerchantId, spec: &str) -> Result<Option<Batch>, RepositoryError> {
        let row = invitation_batches::Entity::find()
            .filter(invitation_batches::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(invitation_batches::Column::Spec.eq(spec))
            .filter(invitation_batches::Column::State.is_in(["queued", "running"]))
            .one(&self.db)
            .await
            .repo()?;
        row.as_ref().map(batch_from_model).transpose()
    }
}

fn u64_value(n: usize) -> Value {
    i64::try_from(n).unwrap_or(i64::MAX).into()
}

#[async_trait]
impl BatchRepository for SeaOrmBatchRepository {
    async fn create_or_get_running(&self, batch: &Batch) -> Result<(Batch, bool), RepositoryError> {
        let spec = spec_key(&batch.spec)?;
        if let Some(existing) = self.live_with_spec(batch.merchant_id, &spec).await? {
            return Ok((existing, false));
        }
        let insert = invitation_batches::Entity::insert(batch_to_model(batch, spec.clone()).into_active_model())
            .exec_without_returning(&self.db)
            .await
            .repo();
        match insert {
            Ok(_) => Ok((batch.clone(), true)),
            // A concurrent caller created it first: the partial unique index said so.
            Err(RepositoryError::Conflict { constraint }) if constraint == "invitation_batches_one_live_per_spec" => {
                match self.live_with_spec(batch.merchant_id, &spec).await? {
                    Some(existing) => Ok((existing, false)),
                    None => Err(RepositoryError::Conflict { constraint }),
                }
            }
            Err(other) => Err(other),
        }
    }

    async fn get(&self, merchant: MerchantId, id: BatchId) -> Result<Option<Batch>, RepositoryError> {
        let row = invitation_batches::Entity::find_by_id(id.as_uuid())
            .filter(invitation_batches::Column::MerchantId.eq(merchant.as_uuid()))
            .one(&self.db)
            .await
            .repo()?;
        let Some(mut batch) = row.as_ref().map(batch_from_model).transpose()? else { return Ok(None) };
        // Invitations of the batch whose email has left (a resend counts once).
        let backend = self.db.get_database_backend();
        let sent = "SELECT COUNT(DISTINCT i.id) AS n FROM invitations i JOIN outbox o ON o.invitation_id = i.id \
                    WHERE i.batch_id = ? AND i.merchant_id = ? AND o.status = 'sent'";
        let values: Vec<Value> = vec![id.as_uuid().into(), merchant.as_uuid().into()];
        let row = self.db.query_one_raw(sql::stmt(backend, sent, values)).await.repo()?;
        let n: i64 = match row {
            Some(row) => row.try_get("", "n").repo()?,
            None => 0,
        };
        batch.progress.emails_sent = u64::try_from(n).unwrap_or(0);
        Ok(Some(batch))
    }

    async fn claim(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>) -> Result<Option<Batch>, RepositoryError> {
        let backend = self.db.get_database_backend();
        let lock = if backend == DbBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
        let text = format!(
            "UPDATE invitation_batches SET state = 'running', lease_id = ?, lease_until = ? WHERE id IN (
               SELECT id FROM invitation_batches
               WHERE state = 'queued' OR (state = 'running' AND (lease_until IS NULL OR lease_until <= ?))
               ORDER BY created_at, id LIMIT 1 {lock})
             RETURNING *"
        );
        let values: Vec<Value> = vec![Uuid::now_v7().into(), lease_until.into(), now.into()];
        let row = invitation_batches::Entity::find()
            .from_raw_sql(sql::stmt(backend, &text, values))
            .one(&self.db)
            .await
            .repo()?;
        row.as_ref().map(batch_from_model).transpose()
    }

    async fn record_chunk(
        &self,
        batch: &Batch,
        chunk: &BatchChunk,
        lease_until: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let Some(lease) = batch.lease else {
            return Err(RepositoryError::LeaseLost);
        };
        let txn = self.db.begin().await.repo()?;
        let mut sets = vec![
            "total = total + ?".to_owned(),
            "invited = invited + ?".to_owned(),
            "cursor = ?".to_owned(),
            "lease_until = ?".to_owned(),
        ];
        let mut values: Vec<Value> = vec![
            u64_value(chunk.writes.len() + chunk.skipped.len()),
            u64_value(chunk.writes.len()),
            chunk.cursor.map(|c| c.as_uuid()).into(),
            // A completed batch holds no lease.
            (!chunk.done).then_some(lease_until).into(),
        ];
        for reason in SkipReason::ALL {
            let n = chunk.skipped.iter().filter(|(_, r)| *r == reason).count();
            if n > 0 {
                let column = skip_column(reason);
                sets.push(format!("{column} = {column} + ?"));
                values.push(u64_value(n));
            }
        }
        if chunk.done {
            sets.push("state = 'completed', lease_id = NULL".to_owned());
        }
        let text = format!(
            "UPDATE invitation_batches SET {} WHERE id = ? AND merchant_id = ? AND lease_id = ? AND state = 'running'",
            sets.join(", ")
        );
        values.extend([batch.id.as_uuid().into(), batch.merchant_id.as_uuid().into(), lease.into()]);
        let res = txn.execute_raw(sql::stmt(txn.get_database_backend(), &text, values)).await.repo()?;
        if res.rows_affected() == 0 {
            txn.rollback().await.repo()?;
            return Err(RepositoryError::LeaseLost);
        }
        insert_writes(&txn, batch.merchant_id, &chunk.writes, Some(batch.id)).await?;
        txn.commit().await.repo()
    }

    async fn fail(&self, merchant: MerchantId, id: BatchId, reason: &str) -> Result<(), RepositoryError> {
        let stmt = sql::stmt(
            self.db.get_database_backend(),
            "UPDATE invitation_batches SET state = 'failed', error = ?, lease_id = NULL, lease_until = NULL
             WHERE id = ? AND merchant_id = ?",
            vec![reason.into(), id.as_uuid().into(), merchant.as_uuid().into()],
        );
        self.db.execute_raw(stmt).await.repo()?;
        Ok(())
    }
}
