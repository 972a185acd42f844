//! [`BatchRepository`] on sea-orm: batches claimed with a lease; a chunk's
//! invitations, events, emails and counters are written in one transaction.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{Batch, BatchChunk, BatchRepository, RepositoryError, TokenSource};
use portico_domain::{BatchId, MerchantId, SkipReason};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait, Value,
};

use super::invitations::insert_writes;
use crate::entity::invitation_batches;
use crate::error::DbResultExt;
use crate::mapping::{batch_from_model, batch_spec, batch_to_model, skip_column, spec_key};
use crate::sql;

/// Bulk invitation batches.
#[derive(Clone)]
pub struct SeaOrmBatchRepository {
    db: DatabaseConnection,
    ids: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for SeaOrmBatchRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeaOrmBatchRepository").finish_non_exhaustive()
    }
}

impl SeaOrmBatchRepository {
    pub(crate) fn new(db: DatabaseConnection, ids: Arc<dyn TokenSource>) -> Self {
        Self { db, ids }
    }

    async fn live_with_spec(&self, merchant: MerchantId, spec_hash: &str) -> Result<Option<Batch>, RepositoryError> {
        let row = invitation_batches::Entity::find()
            .filter(invitation_batches::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(invitation_batches::Column::SpecHash.eq(spec_hash))
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
        if let Some(existing) = self.live_with_spec(batch.merchant_id, &spec.1).await? {
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
                match self.live_with_spec(batch.merchant_id, &spec.1).await? {
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
        loop {
            let values: Vec<Value> = vec![self.ids.uuid().into(), lease_until.into(), now.into()];
            let row = invitation_batches::Entity::find()
                .from_raw_sql(sql::stmt(backend, &text, values))
                .one(&self.db)
                .await
                .repo()?;
            let Some(row) = row else { return Ok(None) };
            // A request this version cannot read fails alone; the queue moves on.
            if let Err(unreadable) = batch_spec::decode(&row.spec) {
                let merchant = MerchantId::from_uuid(row.merchant_id);
                self.fail(merchant, BatchId::from_uuid(row.id), &unreadable.to_string()).await?;
                continue;
            }
            return batch_from_model(&row).map(Some);
        }
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

#[cfg(test)]
mod tests {
    use portico_app::{BatchProgress, BatchSpec, BatchState, Merchant, MerchantRepository, PortalSettings, Selection};
    use portico_domain::{Actor, InvitePlan};
    use portico_testkit::ids::SequentialIds;
    use sea_orm::ConnectionTrait;
    use uuid::Uuid;

    use super::*;

    #[tokio::test]
    async fn a_batch_whose_request_cannot_be_read_fails_alone_and_the_queue_moves_on() {
        let db = crate::connect("sqlite::memory:", Arc::new(SequentialIds::new())).await.unwrap();
        crate::migrate(&db).await.unwrap();
        let merchant = MerchantId::from_uuid(Uuid::from_u128(1));
        let settings = PortalSettings::default();
        db.merchants().create(&Merchant { id: merchant, name: "A".into(), settings }).await.unwrap();
        let at = |s: i64| chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let foreign = BatchId::from_uuid(Uuid::from_u128(2));
        let stmt = sql::stmt(
            db.conn.get_database_backend(),
            "INSERT INTO invitation_batches (id, merchant_id, spec, spec_hash, state, total, invited, failed,
               skipped_missing_email, skipped_missing_phone, skipped_missing_customer_number, skipped_has_login,
               skipped_already_invited, skipped_declined, skipped_username_taken, skipped_invalid_email, created_at)
             VALUES (?, ?, '{\"plan\":{\"mode\":3},\"selection\":\"all\"}', 'x', 'queued', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ?)",
            vec![foreign.as_uuid().into(), merchant.as_uuid().into(), at(0).into()],
        );
        db.conn.execute_raw(stmt).await.unwrap();
        let readable = Batch {
            id: BatchId::from_uuid(Uuid::from_u128(3)),
            merchant_id: merchant,
            spec: BatchSpec { selection: Selection::All, plan: InvitePlan::default(), actor: Actor::System },
            state: BatchState::Queued,
            progress: BatchProgress::default(),
            cursor: None,
            error: None,
            lease: None,
            created_at: at(1),
        };
        let repo = db.batches();
        repo.create_or_get_running(&readable).await.unwrap();

        let claimed = repo.claim(at(2), at(62)).await.unwrap().expect("the readable batch is claimed");

        assert_eq!(claimed.id, readable.id);
        let row = invitation_batches::Entity::find_by_id(foreign.as_uuid()).one(&db.conn).await.unwrap().unwrap();
        assert_eq!(row.state, "failed");
        assert!(row.error.unwrap_or_default().contains("cannot be read"));
    }
}
