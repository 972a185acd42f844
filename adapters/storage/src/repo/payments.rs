//! [`PaymentRepository`] on sea-orm. A payment reduces its invoices'
//! balances in the transaction that records it, each with a guarded update
//! (`balance_minor >= share`), so two concurrent payments can never take an
//! invoice below zero: on PostgreSQL the second waits for the first's row
//! lock and then finds the balance too low; on SQLite the one connection
//! runs them one after the other. Invoices are updated in id order, so two
//! payments of the same invoices cannot deadlock.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{
    BeginOutcome, InvoiceSelection, NewPayment, PaymentRecord, PaymentRepository, PaymentResolution, RepositoryError,
};
use portico_domain::payment::OpenInvoice;
use portico_domain::{Currency, CustomerId, DocumentId, IdempotencyKey, MerchantId, Money};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use super::payment_reads::load;
use crate::entity::{documents, outbox, payment_allocations, payment_events, payments};
use crate::error::{DbResultExt, corrupt};
use crate::mapping::{outbox_to_model, payment_event_to_active, payment_to_model};
use crate::sql;

/// Payments, their allocations, events and saved methods; the payment
/// ports of the app are implemented across this module and its siblings.
#[derive(Clone, Debug)]
pub struct SeaOrmPaymentRepository {
    pub(super) db: DatabaseConnection,
}

impl SeaOrmPaymentRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The most open invoices read at once.
const OPEN_INVOICES: u64 = 500;

fn balance_conflict() -> RepositoryError {
    RepositoryError::Conflict { constraint: "documents_balance_covers_payment".to_owned() }
}

/// Reduces each invoice's balance by its share, in invoice order, only
/// where the invoice is the customer's, in the share's currency, and its
/// balance covers the share.
pub(super) async fn reduce_balances(
    txn: &DatabaseTransaction,
    merchant: MerchantId,
    customer: CustomerId,
    mut shares: Vec<(DocumentId, Money)>,
    at: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    shares.sort_by_key(|(invoice, _)| *invoice);
    let backend = txn.get_database_backend();
    let update = "UPDATE documents SET balance_minor = balance_minor - ?, updated_at = ? \
                  WHERE id = ? AND merchant_id = ? AND customer_id = ? AND kind = 'invoice' AND currency = ? \
                  AND balance_minor >= ?";
    for (invoice, amount) in shares {
        let values = vec![
            amount.minor_units().into(),
            at.into(),
            invoice.as_uuid().into(),
            merchant.as_uuid().into(),
            customer.as_uuid().into(),
            amount.currency().code().into(),
            amount.minor_units().into(),
        ];
        if txn.execute_raw(sql::stmt(backend, update, values)).await.repo()?.rows_affected() != 1 {
            return Err(balance_conflict());
        }
    }
    Ok(())
}

/// Gives each invoice its share back, in invoice order.
pub(super) async fn restore_balances(
    txn: &DatabaseTransaction,
    merchant: MerchantId,
    mut shares: Vec<(DocumentId, Money)>,
    at: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    shares.sort_by_key(|(invoice, _)| *invoice);
    let backend = txn.get_database_backend();
    let update =
        "UPDATE documents SET balance_minor = balance_minor + ?, updated_at = ? WHERE id = ? AND merchant_id = ?";
    for (invoice, amount) in shares.into_iter().filter(|(_, a)| a.minor_units() > 0) {
        let values = vec![amount.minor_units().into(), at.into(), invoice.as_uuid().into(), merchant.as_uuid().into()];
        txn.execute_raw(sql::stmt(backend, update, values)).await.repo()?;
    }
    Ok(())
}

#[async_trait]
impl PaymentRepository for SeaOrmPaymentRepository {
    async fn open_invoices(
        &self,
        merchant: MerchantId,
        customer: CustomerId,
        selection: &InvoiceSelection,
    ) -> Result<Vec<OpenInvoice>, RepositoryError> {
        use documents::Column as D;
        let mut query = documents::Entity::find()
            .filter(D::MerchantId.eq(merchant.as_uuid()))
            .filter(D::CustomerId.eq(customer.as_uuid()))
            .filter(D::Kind.eq("invoice"))
            .filter(D::BalanceMinor.gt(0));
        if let InvoiceSelection::Only(ids) = selection {
            query = query.filter(D::Id.is_in(ids.iter().map(|d| d.as_uuid())));
        }
        let rows =
            query.order_by_asc(D::DueDate).order_by_asc(D::Number).limit(OPEN_INVOICES).all(&self.db).await.repo()?;
        rows.into_iter()
            .map(|d| {
                let currency = Currency::parse(&d.currency).map_err(|e| corrupt("documents", "currency", e))?;
                Ok(OpenInvoice {
                    id: DocumentId::from_uuid(d.id),
                    number: d.number,
                    balance: Money::from_minor(d.balance_minor, currency),
                    due_date: d.due_date,
                })
            })
            .collect()
    }

    async fn begin(&self, payment: &NewPayment) -> Result<BeginOutcome, RepositoryError> {
        let r = &payment.record;
        let txn = self.db.begin().await.repo()?;
        let row = payment_to_model(r, Some(payment.recheck_at)).into_active_model();
        let inserted = payments::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([payments::Column::MerchantId, payments::Column::IdempotencyKey])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .repo()?;
        if inserted == 0 {
            txn.rollback().await.repo()?;
            let key =
                IdempotencyKey::parse(&r.idempotency_key).map_err(|e| corrupt("payments", "idempotency_key", e))?;
            return match self.find_by_key(r.merchant_id, &key).await? {
                Some(existing) => Ok(BeginOutcome::Existing(Box::new(existing))),
                // Rolled back by its owner meanwhile: the key is free again.
                None => Err(RepositoryError::Conflict { constraint: "payments_merchant_idempotency_key".to_owned() }),
            };
        }
        let moves = payment.allocations.items().iter().map(|a| (a.invoice, a.amount)).collect();
        reduce_balances(&txn, r.merchant_id, r.customer_id, moves, r.created_at).await?;
        let allocations = payment.allocations.items().iter().enumerate().map(|(i, a)| payment_allocations::Model {
            payment_id: r.id.as_uuid(),
            document_id: a.invoice.as_uuid(),
            position: i32::try_from(i).unwrap_or(i32::MAX),
            amount_minor: a.amount.minor_units(),
            refunded_minor: 0,
        });
        payment_allocations::Entity::insert_many(allocations.map(IntoActiveModel::into_active_model))
            .exec_without_returning(&txn)
            .await
            .repo()?;
        payment_events::Entity::insert(payment_event_to_active(r.merchant_id, &payment.event))
            .exec_without_returning(&txn)
            .await
            .repo()?;
        txn.commit().await.repo()?;
        Ok(BeginOutcome::Started)
    }

    async fn resolve(&self, r: &PaymentResolution) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.repo()?;
        let backend = txn.get_database_backend();
        let at = r.event.at;
        let payment = payments::Entity::find_by_id(r.payment.as_uuid())
            .filter(payments::Column::MerchantId.eq(r.merchant.as_uuid()))
            .one(&txn)
            .await
            .repo()?
            .ok_or_else(|| RepositoryError::Conflict { constraint: "payments_exist_for_merchant".to_owned() })?;
        let customer = CustomerId::from_uuid(payment.customer_id);
        if let Some(save) = &r.save_method {
            super::payment_methods::insert(&txn, r.merchant, customer, save, at).await?;
        }
        let update = "UPDATE payments SET status = ?, gateway_reference = COALESCE(?, gateway_reference), \
                      failure_code = ?, recheck_at = ?, payment_method_id = COALESCE(?, payment_method_id), \
                      updated_at = ? WHERE id = ? AND merchant_id = ? AND status = ?";
        let values = vec![
            r.to.as_str().into(),
            r.reference.clone().into(),
            r.failure.map(|f| f.code()).into(),
            r.recheck_at.into(),
            r.save_method.as_ref().map(|s| s.id.as_uuid()).into(),
            at.into(),
            r.payment.as_uuid().into(),
            r.merchant.as_uuid().into(),
            r.from.as_str().into(),
        ];
        if txn.execute_raw(sql::stmt(backend, update, values)).await.repo()?.rows_affected() == 0 {
            return Err(RepositoryError::Conflict { constraint: "payments_current_status".to_owned() });
        }
        if r.restore_balances {
            let rows = payment_allocations::Entity::find()
                .filter(payment_allocations::Column::PaymentId.eq(r.payment.as_uuid()))
                .all(&txn)
                .await
                .repo()?;
            let currency = Currency::parse(&payment.currency).map_err(|e| corrupt("payments", "currency", e))?;
            let moves = rows
                .iter()
                .map(|a| {
                    let left = a.amount_minor - a.refunded_minor;
                    (DocumentId::from_uuid(a.document_id), Money::from_minor(left, currency))
                })
                .collect();
            restore_balances(&txn, r.merchant, moves, at).await?;
        }
        if let Some(forget) = r.forget_method {
            super::payment_methods::remove_in(&txn, r.merchant, customer, forget, at).await?;
        }
        payment_events::Entity::insert(payment_event_to_active(r.merchant, &r.event))
            .exec_without_returning(&txn)
            .await
            .repo()?;
        if let Some(email) = &r.email {
            outbox::Entity::insert(outbox_to_model(email, Some(at)).into_active_model())
                .exec_without_returning(&txn)
                .await
                .repo()?;
        }
        txn.commit().await.repo()
    }

    async fn find_by_key(
        &self,
        merchant: MerchantId,
        key: &IdempotencyKey,
    ) -> Result<Option<PaymentRecord>, RepositoryError> {
        let row = payments::Entity::find()
            .filter(payments::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(payments::Column::IdempotencyKey.eq(key.as_str()))
            .one(&self.db)
            .await
            .repo()?;
        Ok(load(&self.db, row.into_iter().collect()).await?.pop())
    }
}
