//! [`CustomerRepository`] on sea-orm: batched upserts by ERP id.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{
    ContactUpsert, CustomerDetail, CustomerFilter, CustomerRepository, CustomerSort, CustomerSummary, CustomerUpsert,
    InvoiceUpsert, InvoiceUpsertOutcome, Page, PageRequest, RepositoryError, TokenSource, UpsertOutcome,
};
use portico_domain::{CustomerId, MerchantId};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, TransactionTrait,
};
use uuid::Uuid;

use super::{ROWS_PER_STATEMENT, statements};
use crate::entity::{contacts, customers, documents};
use crate::error::DbResultExt;
use crate::mapping::{
    contact_from_model, contact_to_model, contact_unchanged, customer_from_model, customer_to_model,
    customer_unchanged, invoice_to_model, invoice_unchanged,
};

/// Customers, contacts and invoices.
#[derive(Clone)]
pub struct SeaOrmCustomerRepository {
    pub(super) db: DatabaseConnection,
    ids: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for SeaOrmCustomerRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeaOrmCustomerRepository").finish_non_exhaustive()
    }
}

impl SeaOrmCustomerRepository {
    pub(crate) fn new(db: DatabaseConnection, ids: Arc<dyn TokenSource>) -> Self {
        Self { db, ids }
    }
}

/// Customers of `merchant` with these ERP ids, by ERP id.
async fn customers_by_erp(
    txn: &DatabaseTransaction,
    merchant: MerchantId,
    erp_ids: Vec<String>,
) -> Result<HashMap<String, customers::Model>, RepositoryError> {
    let mut out = HashMap::with_capacity(erp_ids.len());
    for chunk in erp_ids.chunks(ROWS_PER_STATEMENT) {
        let rows = customers::Entity::find()
            .filter(customers::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(customers::Column::ErpId.is_in(chunk.iter().cloned()))
            .all(txn)
            .await
            .repo()?;
        out.extend(rows.into_iter().map(|r| (r.erp_id.clone(), r)));
    }
    Ok(out)
}

/// Upserts rows into contacts in multi-row statements.
async fn write_contacts(txn: &DatabaseTransaction, rows: Vec<contacts::Model>) -> Result<(), RepositoryError> {
    use contacts::Column as C;
    let size = |c: &contacts::Model| {
        160 + c.natural_key.len() + c.first_name.len() + c.last_name.len() + c.email.as_ref().map_or(0, String::len)
    };
    for chunk in statements(txn.get_database_backend(), &rows, size) {
        contacts::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .on_conflict(
                OnConflict::columns([C::CustomerId, C::NaturalKey])
                    .update_columns([C::FirstName, C::LastName, C::Email, C::Phone, C::IsPrimary, C::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await
            .repo()?;
    }
    Ok(())
}

#[async_trait]
impl CustomerRepository for SeaOrmCustomerRepository {
    async fn upsert_customers(
        &self,
        merchant: MerchantId,
        upserts: &[CustomerUpsert],
        now: DateTime<Utc>,
    ) -> Result<Vec<UpsertOutcome>, RepositoryError> {
        if upserts.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.db.begin().await.repo()?;
        let erp_ids: Vec<String> = upserts.iter().map(|c| c.erp_id.as_str().to_owned()).collect();
        let mut by_erp = customers_by_erp(&txn, merchant, erp_ids).await?;
        let mut stored_contacts: HashMap<(Uuid, String), contacts::Model> = HashMap::new();
        let ids: Vec<Uuid> = by_erp.values().map(|c| c.id).collect();
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let rows = contacts::Entity::find()
                .filter(contacts::Column::CustomerId.is_in(chunk.iter().copied()))
                .all(&txn)
                .await
                .repo()?;
            stored_contacts.extend(rows.into_iter().map(|r| ((r.customer_id, r.natural_key.clone()), r)));
        }

        // Writes keyed so a key listed twice in a chunk is written once, as last given.
        // New rows get ids from the id source (UUID v7 in production, so id
        // order stays creation order); the port passes none.
        let mut customer_writes: HashMap<String, customers::Model> = HashMap::new();
        let mut contact_writes: HashMap<(Uuid, String), contacts::Model> = HashMap::new();
        let mut demotions: Vec<contacts::Model> = Vec::new();
        let mut outcomes = Vec::with_capacity(upserts.len());
        for upsert in upserts {
            let erp = upsert.erp_id.as_str().to_owned();
            let existing = by_erp.get(&erp);
            let (id, created_at) = existing.map_or_else(|| (self.ids.uuid(), now), |c| (c.id, c.created_at));
            let wanted = customer_to_model(merchant, id, upsert, created_at, now);
            let mut outcome = match existing {
                None => UpsertOutcome::Created,
                Some(stored) if customer_unchanged(stored, &wanted) => UpsertOutcome::Unchanged,
                Some(_) => UpsertOutcome::Updated,
            };
            if outcome != UpsertOutcome::Unchanged {
                customer_writes.insert(erp.clone(), wanted.clone());
                by_erp.insert(erp, wanted);
            }
            // A new primary demotes any other: a customer has one primary contact.
            if let Some(primary) = upsert.contacts.iter().find(|c| c.primary).map(ContactUpsert::natural_key) {
                for (key, stored) in stored_contacts.iter_mut().filter(|(k, s)| k.0 == id && s.is_primary) {
                    if key.1 != primary {
                        stored.is_primary = false;
                        stored.updated_at = now;
                        demotions.push(stored.clone());
                        if outcome == UpsertOutcome::Unchanged {
                            outcome = UpsertOutcome::Updated;
                        }
                    }
                }
            }
            for contact in &upsert.contacts {
                let key = (id, contact.natural_key());
                let stored = stored_contacts.get(&key);
                let (cid, created) = stored.map_or_else(|| (self.ids.uuid(), now), |c| (c.id, c.created_at));
                let row = contact_to_model(merchant, id, cid, contact, created, now);
                if stored.is_some_and(|s| contact_unchanged(s, &row)) {
                    continue;
                }
                if outcome == UpsertOutcome::Unchanged {
                    outcome = UpsertOutcome::Updated;
                }
                contact_writes.insert(key.clone(), row.clone());
                stored_contacts.insert(key, row);
            }
            outcomes.push(outcome);
        }

        use customers::Column as C;
        let customer_rows: Vec<customers::Model> = customer_writes.into_values().collect();
        let size = |c: &customers::Model| {
            140 + c.erp_id.len() + c.name.len() + c.customer_number.as_ref().map_or(0, String::len)
        };
        for chunk in statements(txn.get_database_backend(), &customer_rows, size) {
            customers::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
                .on_conflict(
                    OnConflict::columns([C::MerchantId, C::ErpId])
                        .update_columns([C::CustomerNumber, C::Name, C::Currency, C::CollectionPriority, C::UpdatedAt])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .repo()?;
        }
        // Demotions first: the index allows one primary per customer at every row.
        write_contacts(&txn, demotions).await?;
        write_contacts(&txn, contact_writes.into_values().collect()).await?;
        txn.commit().await.repo()?;
        Ok(outcomes)
    }

    async fn upsert_invoices(
        &self,
        merchant: MerchantId,
        invoices: &[InvoiceUpsert],
        now: DateTime<Utc>,
    ) -> Result<Vec<InvoiceUpsertOutcome>, RepositoryError> {
        if invoices.is_empty() {
            return Ok(Vec::new());
        }
        let txn = self.db.begin().await.repo()?;
        let by_erp =
            customers_by_erp(&txn, merchant, invoices.iter().map(|i| i.erp_id.as_str().to_owned()).collect()).await?;
        let numbers: Vec<String> = invoices.iter().map(|i| i.invoice_number.clone()).collect();
        let mut stored: HashMap<String, documents::Model> = HashMap::new();
        for chunk in numbers.chunks(ROWS_PER_STATEMENT) {
            let rows = documents::Entity::find()
                .filter(documents::Column::MerchantId.eq(merchant.as_uuid()))
                .filter(documents::Column::Kind.eq("invoice"))
                .filter(documents::Column::Number.is_in(chunk.iter().cloned()))
                .all(&txn)
                .await
                .repo()?;
            stored.extend(rows.into_iter().map(|r| (r.number.clone(), r)));
        }
        let mut writes: HashMap<String, documents::Model> = HashMap::new();
        let mut outcomes = Vec::with_capacity(invoices.len());
        for invoice in invoices {
            let Some(customer) = by_erp.get(invoice.erp_id.as_str()) else {
                outcomes.push(InvoiceUpsertOutcome::UnknownCustomer);
                continue;
            };
            let existing = stored.get(&invoice.invoice_number);
            let (id, created) = existing.map_or_else(|| (self.ids.uuid(), now), |d| (d.id, d.created_at));
            let row = invoice_to_model(merchant, customer.id, id, invoice, created, now);
            let outcome = match existing {
                None => UpsertOutcome::Created,
                Some(s) if invoice_unchanged(s, &row) => UpsertOutcome::Unchanged,
                Some(_) => UpsertOutcome::Updated,
            };
            if outcome != UpsertOutcome::Unchanged {
                writes.insert(row.number.clone(), row.clone());
                stored.insert(row.number.clone(), row);
            }
            outcomes.push(InvoiceUpsertOutcome::Saved(outcome));
        }
        use documents::Column as D;
        let rows: Vec<documents::Model> = writes.into_values().collect();
        for chunk in statements(txn.get_database_backend(), &rows, |d| 180 + d.number.len()) {
            documents::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
                .on_conflict(
                    OnConflict::columns([D::MerchantId, D::Kind, D::Number])
                        .update_columns([
                            D::CustomerId,
                            D::IssueDate,
                            D::DueDate,
                            D::AmountMinor,
                            D::BalanceMinor,
                            D::Currency,
                            D::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .repo()?;
        }
        txn.commit().await.repo()?;
        Ok(outcomes)
    }

    async fn find(&self, merchant: MerchantId, id: CustomerId) -> Result<Option<CustomerDetail>, RepositoryError> {
        let Some(row) = customers::Entity::find_by_id(id.as_uuid())
            .filter(customers::Column::MerchantId.eq(merchant.as_uuid()))
            .one(&self.db)
            .await
            .repo()?
        else {
            return Ok(None);
        };
        let contact_rows = contacts::Entity::find()
            .filter(contacts::Column::CustomerId.eq(row.id))
            .order_by_desc(contacts::Column::IsPrimary)
            .order_by_asc(contacts::Column::Id)
            .all(&self.db)
            .await
            .repo()?;
        Ok(Some(CustomerDetail {
            customer: customer_from_model(&row)?,
            contacts: contact_rows.iter().map(contact_from_model).collect::<Result<_, _>>()?,
        }))
    }

    async fn list(
        &self,
        merchant: MerchantId,
        filter: &CustomerFilter,
        sort: CustomerSort,
        page: PageRequest,
        now: DateTime<Utc>,
    ) -> Result<Page<CustomerSummary>, RepositoryError> {
        super::customer_list::list(&self.db, merchant, filter, sort, page, now).await
    }
}
