//! [`RefundRepository`] on sea-orm. A reservation grows the payment's
//! refunded amount with a guarded update (the amount it was computed from,
//! and never above the payment, which a CHECK also holds); a success gives
//! the invoices their balances back, split by the domain's rule (the last
//! paid first) from each allocation's own refunded amount, with the
//! payment's row locked on PostgreSQL so two finishing refunds take turns.

use async_trait::async_trait;
use portico_app::{RefundRepository, RefundResolution, RepositoryError};
use portico_domain::payment::{PaidShare, refund_split};
use portico_domain::{Currency, DocumentId, Money, PaymentStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    TransactionTrait,
};

use super::payments::restore_balances;
use crate::entity::{payment_allocations, payment_events, payment_refunds, payments};
use crate::error::{DbResultExt, corrupt};
use crate::mapping::payment_event_to_active;
use crate::sql;

/// Refunds of payments.
#[derive(Clone, Debug)]
pub struct SeaOrmRefundRepository {
    db: DatabaseConnection,
}

impl SeaOrmRefundRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl RefundRepository for SeaOrmRefundRepository {
    async fn reserve(&self, refund: &portico_app::NewRefund) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.repo()?;
        let backend = txn.get_database_backend();
        let update = "UPDATE payments SET refunded_minor = refunded_minor + ?, updated_at = ? \
                      WHERE id = ? AND merchant_id = ? AND status IN (?, ?) AND currency = ? \
                      AND refunded_minor = ? AND refunded_minor + ? <= amount_minor";
        let values = vec![
            refund.amount.minor_units().into(),
            refund.at.into(),
            refund.payment.as_uuid().into(),
            refund.merchant.as_uuid().into(),
            PaymentStatus::Succeeded.as_str().into(),
            PaymentStatus::PartiallyRefunded.as_str().into(),
            refund.amount.currency().code().into(),
            refund.refunded_before.minor_units().into(),
            refund.amount.minor_units().into(),
        ];
        if txn.execute_raw(sql::stmt(backend, update, values)).await.repo()?.rows_affected() != 1 {
            return Err(RepositoryError::Conflict { constraint: "payments_refundable".to_owned() });
        }
        let row = payment_refunds::Model {
            id: refund.id.as_uuid(),
            merchant_id: refund.merchant.as_uuid(),
            payment_id: refund.payment.as_uuid(),
            amount_minor: refund.amount.minor_units(),
            status: "pending".to_owned(),
            gateway_key: refund.gateway_key.clone(),
            gateway_reference: None,
            created_at: refund.at,
            updated_at: refund.at,
        };
        payment_refunds::Entity::insert(row.into_active_model()).exec_without_returning(&txn).await.repo()?;
        txn.commit().await.repo()
    }

    async fn finish(&self, resolution: &RefundResolution) -> Result<(), RepositoryError> {
        let refund = &resolution.refund;
        let txn = self.db.begin().await.repo()?;
        let backend = txn.get_database_backend();
        if backend == DbBackend::Postgres {
            let lock = "SELECT id FROM payments WHERE id = ? FOR UPDATE";
            txn.execute_raw(sql::stmt(backend, lock, vec![refund.payment.as_uuid().into()])).await.repo()?;
        }
        let status = if resolution.reference.is_some() { "succeeded" } else { "failed" };
        let mark = "UPDATE payment_refunds SET status = ?, gateway_reference = ?, updated_at = ? \
                    WHERE id = ? AND merchant_id = ? AND status = 'pending'";
        let values = vec![
            status.into(),
            resolution.reference.clone().into(),
            refund.at.into(),
            refund.id.as_uuid().into(),
            refund.merchant.as_uuid().into(),
        ];
        if txn.execute_raw(sql::stmt(backend, mark, values)).await.repo()?.rows_affected() == 0 {
            // Finished before: nothing more to record.
            return txn.commit().await.repo();
        }
        let payment = payments::Entity::find_by_id(refund.payment.as_uuid())
            .one(&txn)
            .await
            .repo()?
            .ok_or_else(|| corrupt("payment_refunds", "payment_id", refund.payment))?;
        let currency = Currency::parse(&payment.currency).map_err(|e| corrupt("payments", "currency", e))?;
        if resolution.reference.is_some() {
            let rows = payment_allocations::Entity::find()
                .filter(payment_allocations::Column::PaymentId.eq(payment.id))
                .order_by_asc(payment_allocations::Column::Position)
                .all(&txn)
                .await
                .repo()?;
            let money = |m| Money::from_minor(m, currency);
            let shares: Vec<PaidShare> = rows
                .iter()
                .map(|a| PaidShare {
                    invoice: DocumentId::from_uuid(a.document_id),
                    amount: money(a.amount_minor),
                    refunded: money(a.refunded_minor),
                })
                .collect();
            let split = refund_split(&shares, refund.amount)
                .map_err(|e| corrupt("payment_allocations", "refunded_minor", e))?;
            let take = "UPDATE payment_allocations SET refunded_minor = refunded_minor + ? \
                        WHERE payment_id = ? AND document_id = ?";
            for part in &split {
                let values = vec![part.amount.minor_units().into(), payment.id.into(), part.invoice.as_uuid().into()];
                txn.execute_raw(sql::stmt(backend, take, values)).await.repo()?;
            }
            restore_balances(&txn, refund.merchant, split.iter().map(|a| (a.invoice, a.amount)).collect(), refund.at)
                .await?;
            let refunded: i64 = rows.iter().map(|a| a.refunded_minor).sum::<i64>() + refund.amount.minor_units();
            let status = PaymentStatus::after_refunds(money(payment.amount_minor), money(refunded));
            let update = "UPDATE payments SET status = ?, updated_at = ? WHERE id = ?";
            txn.execute_raw(sql::stmt(
                backend,
                update,
                vec![status.as_str().into(), refund.at.into(), payment.id.into()],
            ))
            .await
            .repo()?;
        } else {
            let release = "UPDATE payments SET refunded_minor = refunded_minor - ?, updated_at = ? WHERE id = ?";
            let values = vec![refund.amount.minor_units().into(), refund.at.into(), payment.id.into()];
            txn.execute_raw(sql::stmt(backend, release, values)).await.repo()?;
        }
        payment_events::Entity::insert(payment_event_to_active(refund.merchant, &resolution.event))
            .exec_without_returning(&txn)
            .await
            .repo()?;
        txn.commit().await.repo()
    }
}
