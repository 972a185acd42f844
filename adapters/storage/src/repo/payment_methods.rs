//! [`SavedMethodRepository`] on sea-orm. A removed method keeps its row
//! (`removed_at`), so the payments made with it still say what they used.
//! At most one live default per customer (a partial unique index); the
//! first saved method becomes the default, and removing the default makes
//! the newest left the default.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{MethodToSave, RepositoryError, SavedMethod, SavedMethodRepository};
use portico_domain::{CustomerId, MerchantId, PaymentMethodId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    TransactionTrait,
};

use crate::entity::payment_methods;
use crate::error::DbResultExt;
use crate::mapping::{method_from_model, method_to_model};
use crate::sql;

/// Customers' saved cards and bank accounts.
#[derive(Clone, Debug)]
pub struct SeaOrmPaymentMethodRepository {
    db: DatabaseConnection,
}

impl SeaOrmPaymentMethodRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

fn live(merchant: MerchantId, customer: CustomerId) -> sea_orm::Select<payment_methods::Entity> {
    use payment_methods::Column as M;
    payment_methods::Entity::find()
        .filter(M::MerchantId.eq(merchant.as_uuid()))
        .filter(M::CustomerId.eq(customer.as_uuid()))
        .filter(M::RemovedAt.is_null())
}

/// Saves a method on `db`; it becomes the default when the customer has none.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    merchant: MerchantId,
    customer: CustomerId,
    save: &MethodToSave,
    at: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    let has_default =
        live(merchant, customer).filter(payment_methods::Column::IsDefault.eq(true)).one(db).await.repo()?.is_some();
    let row = payment_methods::Model {
        is_default: !has_default,
        ..method_to_model(merchant, customer, save.id, &save.snapshot, &save.token, at)
    };
    payment_methods::Entity::insert(row.into_active_model()).exec_without_returning(db).await.repo()?;
    Ok(())
}

/// Removes a method on `db`, promoting the newest left if it was the
/// default; the removed row, or `None` when it is not the customer's.
pub(super) async fn remove_in<C: ConnectionTrait>(
    db: &C,
    merchant: MerchantId,
    customer: CustomerId,
    id: PaymentMethodId,
    at: DateTime<Utc>,
) -> Result<Option<SavedMethod>, RepositoryError> {
    let Some(row) =
        live(merchant, customer).filter(payment_methods::Column::Id.eq(id.as_uuid())).one(db).await.repo()?
    else {
        return Ok(None);
    };
    let backend = db.get_database_backend();
    let remove = "UPDATE payment_methods SET removed_at = ?, is_default = ? WHERE id = ? AND removed_at IS NULL";
    db.execute_raw(sql::stmt(backend, remove, vec![at.into(), false.into(), row.id.into()])).await.repo()?;
    if row.is_default {
        let next = live(merchant, customer)
            .order_by_desc(payment_methods::Column::CreatedAt)
            .order_by_desc(payment_methods::Column::Id)
            .one(db)
            .await
            .repo()?;
        if let Some(next) = next {
            let promote = "UPDATE payment_methods SET is_default = ? WHERE id = ?";
            db.execute_raw(sql::stmt(backend, promote, vec![true.into(), next.id.into()])).await.repo()?;
        }
    }
    method_from_model(row).map(Some)
}

#[async_trait]
impl SavedMethodRepository for SeaOrmPaymentMethodRepository {
    async fn list(&self, merchant: MerchantId, customer: CustomerId) -> Result<Vec<SavedMethod>, RepositoryError> {
        let rows = live(merchant, customer)
            .order_by_desc(payment_methods::Column::IsDefault)
            .order_by_desc(payment_methods::Column::CreatedAt)
            .order_by_desc(payment_methods::Column::Id)
            .all(&self.db)
            .await
            .repo()?;
        rows.into_iter().map(method_from_model).collect()
    }

    async fn find(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
    ) -> Result<Option<SavedMethod>, RepositoryError> {
        let row =
            live(merchant, customer).filter(payment_methods::Column::Id.eq(id.as_uuid())).one(&self.db).await.repo()?;
        row.map(method_from_model).transpose()
    }

    async fn set_default(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
    ) -> Result<bool, RepositoryError> {
        let txn = self.db.begin().await.repo()?;
        if live(merchant, customer)
            .filter(payment_methods::Column::Id.eq(id.as_uuid()))
            .one(&txn)
            .await
            .repo()?
            .is_none()
        {
            return Ok(false);
        }
        let backend = txn.get_database_backend();
        let clear = "UPDATE payment_methods SET is_default = ? WHERE customer_id = ? AND is_default = ? AND id <> ?";
        let values = vec![false.into(), customer.as_uuid().into(), true.into(), id.as_uuid().into()];
        txn.execute_raw(sql::stmt(backend, clear, values)).await.repo()?;
        let set = "UPDATE payment_methods SET is_default = ? WHERE id = ?";
        txn.execute_raw(sql::stmt(backend, set, vec![true.into(), id.as_uuid().into()])).await.repo()?;
        txn.commit().await.repo()?;
        Ok(true)
    }

    async fn remove(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        id: PaymentMethodId,
        at: DateTime<Utc>,
    ) -> Result<Option<SavedMethod>, RepositoryError> {
        let txn = self.db.begin().await.repo()?;
        let removed = remove_in(&txn, merchant, customer, id, at).await?;
        txn.commit().await.repo()?;
        Ok(removed)
    }
}
