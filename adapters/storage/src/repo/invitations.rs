//! [`InvitationWriter`] and [`InvitationReader`] on sea-orm: each write stores
//! the invitation, every token hash it issued, its audit event and its email
//! in one transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{
    CandidateRecord, InvitationReader, InvitationSummary, InvitationWrite, InvitationWriter, Page, PageRequest,
    RepositoryError, Selection,
};
use portico_domain::{
    BatchId, ContactId, Invitation, InvitationEvent, InvitationId, InvitationStatus, MerchantId, TokenHash,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::statements;
use crate::entity::{invitation_events, invitation_tokens, invitations, outbox};
use crate::error::DbResultExt;
use crate::mapping::{
    delivery_from_model, event_from_model, event_to_active, invitation_from_model, invitation_to_model,
    outbox_to_model, prior_row, token_key, token_rows,
};

/// Invitations with their tokens, audit trail and emails.
#[derive(Clone, Debug)]
pub struct SeaOrmInvitationRepository {
    db: DatabaseConnection,
}

impl SeaOrmInvitationRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// A write for another merchant than the call's.
#[derive(Debug, thiserror::Error)]
#[error("an invitation or email of merchant {found} was written on behalf of merchant {expected}")]
pub(crate) struct MerchantMismatch {
    expected: MerchantId,
    found: MerchantId,
}

fn check_scope(merchant: MerchantId, write: &InvitationWrite) -> Result<(), RepositoryError> {
    let found = write.invitation.merchant_id();
    let email = write.email.as_ref().map(|e| e.merchant_id);
    for found in std::iter::once(found).chain(email) {
        if found != merchant {
            return Err(RepositoryError::unexpected(MerchantMismatch { expected: merchant, found }));
        }
    }
    Ok(())
}

/// Inserts new invitations with their tokens, events and emails in a few
/// multi-row statements on `txn`.
pub(crate) async fn insert_writes<C: ConnectionTrait>(
    txn: &C,
    merchant: MerchantId,
    writes: &[InvitationWrite],
    batch: Option<BatchId>,
) -> Result<(), RepositoryError> {
    for w in writes {
        check_scope(merchant, w)?;
    }
    let backend = txn.get_database_backend();
    let rows: Vec<_> = writes
        .iter()
        .map(|w| invitations::Model { batch_id: batch.map(|b| b.as_uuid()), ..invitation_to_model(&w.invitation) })
        .collect();
    let size = |r: &invitations::Model| 360 + r.recipient.len() + r.username.as_ref().map_or(0, String::len);
    for slice in statements(backend, &rows, size) {
        let models = slice.iter().cloned().map(IntoActiveModel::into_active_model);
        invitations::Entity::insert_many(models).exec_without_returning(txn).await.repo()?;
    }
    let tokens: Vec<_> = writes.iter().flat_map(|w| token_rows(&w.invitation)).collect();
    for slice in statements(backend, &tokens, |_| 120) {
        let models = slice.iter().cloned().map(IntoActiveModel::into_active_model);
        invitation_tokens::Entity::insert_many(models).exec_without_returning(txn).await.repo()?;
    }
    for slice in statements(backend, writes, |_| 160) {
        let events = slice.iter().map(|w| event_to_active(merchant, &w.event));
        invitation_events::Entity::insert_many(events).exec_without_returning(txn).await.repo()?;
    }
    let emails: Vec<_> =
        writes.iter().filter_map(|w| w.email.as_ref().map(|e| outbox_to_model(e, Some(w.event.at)))).collect();
    let size = |e: &outbox::Model| 200 + e.to_name.len() + e.subject.len() + e.html.len() + e.text.len();
    for slice in statements(backend, &emails, size) {
        let models = slice.iter().cloned().map(IntoActiveModel::into_active_model);
        outbox::Entity::insert_many(models).exec_without_returning(txn).await.repo()?;
    }
    Ok(())
}

/// Rebuilds invitations with their token hashes, loaded in one query.
async fn load<C: ConnectionTrait>(db: &C, rows: Vec<invitations::Model>) -> Result<Vec<Invitation>, RepositoryError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut tokens: HashMap<Uuid, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        let token_rows = invitation_tokens::Entity::find()
            .filter(invitation_tokens::Column::InvitationId.is_in(ids))
            .order_by_asc(invitation_tokens::Column::Position)
            .all(db)
            .await
            .repo()?;
        for t in token_rows {
            tokens.entry(t.invitation_id).or_default().push(t.token_hash);
        }
    }
    rows.into_iter()
        .map(|r| {
            let own = tokens.remove(&r.id).unwrap_or_default();
            invitation_from_model(r, &own)
        })
        .collect()
}

fn status_filter(
    query: sea_orm::Select<invitations::Entity>,
    status: InvitationStatus,
    now: DateTime<Utc>,
) -> sea_orm::Select<invitations::Entity> {
    use invitations::Column as C;
    match status {
        InvitationStatus::Pending => query.filter(C::State.eq("open")).filter(C::ExpiresAt.gt(now)),
        InvitationStatus::Expired => query.filter(C::State.eq("open")).filter(C::ExpiresAt.lte(now)),
        other => query.filter(C::State.eq(other.as_str())),
    }
}

/// Every column but the batch, which only the first insert sets.
fn without_batch(mut row: invitations::ActiveModel) -> invitations::ActiveModel {
    row.batch_id = sea_orm::ActiveValue::NotSet;
    row
}

/// Saves a changed invitation with its new tokens, event and email on `txn`,
/// only if the stored row is still in the state the transition started from
/// (so a double accept, or a resend racing an accept, loses cleanly).
pub(crate) async fn update_write<C: ConnectionTrait>(
    txn: &C,
    merchant: MerchantId,
    write: &InvitationWrite,
) -> Result<(), RepositoryError> {
    check_scope(merchant, write)?;
    let model = invitation_to_model(&write.invitation);
    let (prior_state, prior_sends) = prior_row(&write.invitation, &write.event);
    let id = write.invitation.id().as_uuid();
    let updated = invitations::Entity::update_many()
        // A model converts to "unchanged" values: mark every column set.
        .set(without_batch(model.into_active_model().reset_all()))
        .filter(invitations::Column::Id.eq(id))
        .filter(invitations::Column::MerchantId.eq(merchant.as_uuid()))
        .filter(invitations::Column::State.eq(prior_state))
        .filter(invitations::Column::SendCount.eq(prior_sends))
        .exec(txn)
        .await
        .repo()?;
    if updated.rows_affected == 0 {
        let exists = invitations::Entity::find_by_id(id)
            .filter(invitations::Column::MerchantId.eq(merchant.as_uuid()))
            .count(txn)
            .await
            .repo()?
            > 0;
        let constraint = if exists { "invitations_current_state" } else { "invitations_exist_for_merchant" };
        return Err(RepositoryError::Conflict { constraint: constraint.to_owned() });
    }
    let tokens = token_rows(&write.invitation).into_iter().map(IntoActiveModel::into_active_model);
    invitation_tokens::Entity::insert_many(tokens)
        .on_conflict(OnConflict::column(invitation_tokens::Column::TokenHash).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await
        .repo()?;
    invitation_events::Entity::insert(event_to_active(merchant, &write.event))
        .exec_without_returning(txn)
        .await
        .repo()?;
    if let Some(email) = &write.email {
        outbox::Entity::insert(outbox_to_model(email, Some(write.event.at)).into_active_model())
            .exec_without_returning(txn)
            .await
            .repo()?;
    }
    Ok(())
}

#[async_trait]
impl InvitationWriter for SeaOrmInvitationRepository {
    async fn insert(&self, merchant: MerchantId, writes: &[InvitationWrite]) -> Result<(), RepositoryError> {
        if writes.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin().await.repo()?;
        insert_writes(&txn, merchant, writes, None).await?;
        txn.commit().await.repo()
    }

    async fn update(&self, merchant: MerchantId, write: &InvitationWrite) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.repo()?;
        update_write(&txn, merchant, write).await?;
        txn.commit().await.repo()
    }
}

#[async_trait]
impl InvitationReader for SeaOrmInvitationRepository {
    async fn candidates(
        &self,
        merchant: MerchantId,
        selection: &Selection,
        after: Option<ContactId>,
        limit: u32,
    ) -> Result<Vec<CandidateRecord>, RepositoryError> {
        super::candidates::candidates(&self.db, merchant, selection, after, limit).await
    }

    async fn find(&self, merchant: MerchantId, id: InvitationId) -> Result<Option<Invitation>, RepositoryError> {
        let row = invitations::Entity::find_by_id(id.as_uuid())
            .filter(invitations::Column::MerchantId.eq(merchant.as_uuid()))
            .one(&self.db)
            .await
            .repo()?;
        Ok(load(&self.db, row.into_iter().collect()).await?.pop())
    }

    async fn find_by_token(&self, hash: &TokenHash) -> Result<Option<Invitation>, RepositoryError> {
        let Some(token) = invitation_tokens::Entity::find_by_id(token_key(hash)).one(&self.db).await.repo()? else {
            return Ok(None);
        };
        let row = invitations::Entity::find_by_id(token.invitation_id).one(&self.db).await.repo()?;
        Ok(load(&self.db, row.into_iter().collect()).await?.pop())
    }

    async fn list(
        &self,
        merchant: MerchantId,
        status: Option<InvitationStatus>,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<InvitationSummary>, RepositoryError> {
        use invitations::Column as C;
        let mut query = invitations::Entity::find().filter(C::MerchantId.eq(merchant.as_uuid()));
        if let Some(status) = status {
            query = status_filter(query, status, now);
        }
        let total = query.clone().count(&self.db).await.repo()?;
        let rows = query
            .order_by_desc(C::CreatedAt)
            .order_by_desc(C::Id)
            // Bound as a signed 64-bit value: a larger offset would not fit (and skips everything anyway).
            .offset(page.offset.min(i64::MAX.unsigned_abs()))
            .limit(page.limit.min(PageRequest::MAX_LIMIT))
            .all(&self.db)
            .await
            .repo()?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut latest: HashMap<Uuid, outbox::Model> = HashMap::new();
        if !ids.is_empty() {
            let emails = outbox::Entity::find()
                .filter(outbox::Column::InvitationId.is_in(ids))
                .order_by_asc(outbox::Column::Id)
                .all(&self.db)
                .await
                .repo()?;
            for e in emails {
                if let Some(inv) = e.invitation_id {
                    latest.insert(inv, e);
                }
            }
        }
        let mut items = Vec::with_capacity(rows.len());
        for invitation in load(&self.db, rows).await? {
            let delivery = latest.get(&invitation.id().as_uuid()).map(delivery_from_model).transpose()?;
            items.push(InvitationSummary { status: invitation.status(now), invitation, delivery });
        }
        Ok(Page { items, total })
    }

    async fn events(&self, merchant: MerchantId, id: InvitationId) -> Result<Vec<InvitationEvent>, RepositoryError> {
        let rows = invitation_events::Entity::find()
            .filter(invitation_events::Column::InvitationId.eq(id.as_uuid()))
            .filter(invitation_events::Column::MerchantId.eq(merchant.as_uuid()))
            .order_by_asc(invitation_events::Column::Id)
            .all(&self.db)
            .await
            .repo()?;
        rows.into_iter().map(event_from_model).collect()
    }
}
