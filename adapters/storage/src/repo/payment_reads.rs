//! [`PaymentReader`] and [`SettlementQueue`] on sea-orm: payments with
//! their allocations and invoices, loaded in a few queries per page.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{
    Page, PageRequest, PaymentEvent, PaymentFilter, PaymentReader, PaymentRecord, RepositoryError, SettlementQueue,
};
use portico_domain::{Currency, MerchantId, PaymentId, PaymentStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::ROWS_PER_STATEMENT;
use super::payments::SeaOrmPaymentRepository;
use crate::entity::{documents, payment_allocations, payment_events, payments};
use crate::error::{DbResultExt, corrupt};
use crate::mapping::{payment_event_from_model, payment_from_model};
use crate::sql;

/// Payments with their allocations (in the order chosen) and each
/// allocation's invoice, in the order of `rows`.
pub(crate) async fn load<C: ConnectionTrait>(
    db: &C,
    rows: Vec<payments::Model>,
) -> Result<Vec<PaymentRecord>, RepositoryError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut allocations: HashMap<Uuid, Vec<payment_allocations::Model>> = HashMap::new();
    let mut invoices: HashMap<Uuid, documents::Model> = HashMap::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let found = payment_allocations::Entity::find()
            .filter(payment_allocations::Column::PaymentId.is_in(chunk.iter().copied()))
            .order_by_asc(payment_allocations::Column::Position)
            .all(db)
            .await
            .repo()?;
        for a in found {
            allocations.entry(a.payment_id).or_default().push(a);
        }
    }
    let documents: Vec<Uuid> = allocations.values().flatten().map(|a| a.document_id).collect();
    for chunk in documents.chunks(ROWS_PER_STATEMENT) {
        let found = documents::Entity::find()
            .filter(documents::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await
            .repo()?;
        invoices.extend(found.into_iter().map(|d| (d.id, d)));
    }
    rows.into_iter()
        .map(|p| {
            let lines = allocations.remove(&p.id).unwrap_or_default();
            let lines = lines.into_iter().map(|a| {
                let invoice = invoices.get(&a.document_id);
                (a, invoice)
            });
            payment_from_model(p, lines.collect())
        })
        .collect()
}

fn filtered(merchant: MerchantId, filter: &PaymentFilter) -> Select<payments::Entity> {
    use payments::Column as P;
    let mut query = payments::Entity::find().filter(P::MerchantId.eq(merchant.as_uuid()));
    if let Some(customer) = filter.customer {
        query = query.filter(P::CustomerId.eq(customer.as_uuid()));
    }
    if let Some(status) = filter.status {
        query = query.filter(P::Status.eq(status.as_str()));
    }
    if let Some(kind) = filter.method {
        query = query.filter(P::MethodKind.eq(kind.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(P::CreatedAt.gte(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(P::CreatedAt.lt(until));
    }
    query
}

#[async_trait]
impl PaymentReader for SeaOrmPaymentRepository {
    async fn find(&self, merchant: MerchantId, id: PaymentId) -> Result<Option<PaymentRecord>, RepositoryError> {
        let row = payments::Entity::find_by_id(id.as_uuid())
            .filter(payments::Column::MerchantId.eq(merchant.as_uuid()))
            .one(&self.db)
            .await
            .repo()?;
        Ok(load(&self.db, row.into_iter().collect()).await?.pop())
    }

    async fn list(
        &self,
        merchant: MerchantId,
        filter: &PaymentFilter,
        page: PageRequest,
    ) -> Result<Page<PaymentRecord>, RepositoryError> {
        let query = filtered(merchant, filter);
        let total = query.clone().count(&self.db).await.repo()?;
        let rows = query
            .order_by_desc(payments::Column::CreatedAt)
            .order_by_desc(payments::Column::Id)
            .offset(page.offset)
            .limit(page.limit.min(PageRequest::MAX_LIMIT))
            .all(&self.db)
            .await
            .repo()?;
        Ok(Page { items: load(&self.db, rows).await?, total })
    }

    async fn events(&self, merchant: MerchantId, id: PaymentId) -> Result<Vec<PaymentEvent>, RepositoryError> {
        let Some(payment) = payments::Entity::find_by_id(id.as_uuid())
            .filter(payments::Column::MerchantId.eq(merchant.as_uuid()))
            .one(&self.db)
            .await
            .repo()?
        else {
            return Ok(Vec::new());
        };
        let currency = Currency::parse(&payment.currency).map_err(|e| corrupt("payments", "currency", e))?;
        let rows = payment_events::Entity::find()
            .filter(payment_events::Column::PaymentId.eq(payment.id))
            .order_by_asc(payment_events::Column::Id)
            .all(&self.db)
            .await
            .repo()?;
        rows.into_iter().map(|e| payment_event_from_model(e, currency)).collect()
    }
}

#[async_trait]
impl SettlementQueue for SeaOrmPaymentRepository {
    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PaymentRecord>, RepositoryError> {
        let waiting = [PaymentStatus::Pending.as_str(), PaymentStatus::Processing.as_str()];
        let rows = payments::Entity::find()
            .filter(payments::Column::RecheckAt.lte(now))
            .filter(payments::Column::Status.is_in(waiting))
            .order_by_asc(payments::Column::RecheckAt)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .repo()?;
        load(&self.db, rows).await
    }

    async fn recheck_at(&self, payment: PaymentId, at: DateTime<Utc>) -> Result<(), RepositoryError> {
        let backend = self.db.get_database_backend();
        let update = "UPDATE payments SET recheck_at = ? WHERE id = ? AND recheck_at IS NOT NULL";
        self.db.execute_raw(sql::stmt(backend, update, vec![at.into(), payment.as_uuid().into()])).await.repo()?;
        Ok(())
    }
}
