//! [`LoginRepository`] on sea-orm.

use std::collections::HashSet;

use async_trait::async_trait;
use portico_app::{LoginRepository, RepositoryError};
use portico_domain::{CustomerId, Login, LoginId, MerchantId, Username};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, Value,
};

use super::ROWS_PER_STATEMENT;
use crate::entity::{invitations, login_customers, logins};
use crate::error::{DbResultExt, corrupt};
use crate::mapping::{login_from_model, login_to_model};
use crate::sql;

/// Portal logins and the customers each reaches.
#[derive(Clone, Debug)]
pub struct SeaOrmLoginRepository {
    db: DatabaseConnection,
}

impl SeaOrmLoginRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl LoginRepository for SeaOrmLoginRepository {
    async fn find_by_username(
        &self,
        merchant: MerchantId,
        username: &Username,
    ) -> Result<Option<Login>, RepositoryError> {
        let Some(row) = logins::Entity::find()
            .filter(logins::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(logins::Column::Username.eq(username.as_str()))
            .one(&self.db)
            .await
            .repo()?
        else {
            return Ok(None);
        };
        let links = login_customers::Entity::find()
            .filter(login_customers::Column::LoginId.eq(row.id))
            .order_by_asc(login_customers::Column::Position)
            .all(&self.db)
            .await
            .repo()?;
        login_from_model(row, links.into_iter().map(|l| l.customer_id).collect()).map(Some)
    }

    async fn taken(&self, merchant: MerchantId, usernames: &[Username]) -> Result<HashSet<Username>, RepositoryError> {
        let mut out = HashSet::new();
        let parse = |s: String| Username::parse(&s).map_err(|e| corrupt("logins", "username", e));
        for chunk in usernames.chunks(ROWS_PER_STATEMENT) {
            let names: Vec<&str> = chunk.iter().map(Username::as_str).collect();
            let from_logins: Vec<String> = logins::Entity::find()
                .select_only()
                .column(logins::Column::Username)
                .filter(logins::Column::MerchantId.eq(merchant.as_uuid()))
                .filter(logins::Column::Username.is_in(names.clone()))
                .into_tuple()
                .all(&self.db)
                .await
                .repo()?;
            let from_invitations: Vec<Option<String>> = invitations::Entity::find()
                .select_only()
                .column(invitations::Column::Username)
                .filter(invitations::Column::MerchantId.eq(merchant.as_uuid()))
                .filter(invitations::Column::State.eq("open"))
                .filter(invitations::Column::Username.is_in(names))
                .into_tuple()
                .all(&self.db)
                .await
                .repo()?;
            for name in from_logins.into_iter().chain(from_invitations.into_iter().flatten()) {
                out.insert(parse(name)?);
            }
        }
        Ok(out)
    }

    async fn save(&self, login: &Login) -> Result<(), RepositoryError> {
        let txn = self.db.begin().await.repo()?;
        save_login(&txn, login).await?;
        txn.commit().await.repo()
    }
}

/// Creates or updates a login and adds its customer links, on `txn`. Links
/// are only ever added, one row each, so a concurrent link is never lost.
pub(crate) async fn save_login<Conn: ConnectionTrait>(txn: &Conn, login: &Login) -> Result<(), RepositoryError> {
    use logins::Column as C;
    logins::Entity::insert(login_to_model(login).into_active_model())
        .on_conflict(
            OnConflict::column(C::Id).update_columns([C::Username, C::PasswordHash, C::MustChangePassword]).to_owned(),
        )
        .exec_without_returning(txn)
        .await
        .repo()?;
    for customer in &login.customers {
        link_customer(txn, login.merchant_id, login.id, *customer).await?;
    }
    Ok(())
}

/// Adds one customer to a login of `merchant`, after the ones it reaches
/// (nothing when it reaches it already).
///
/// # Errors
/// `Conflict` (`logins_exist_for_merchant`) when the merchant has no such login.
pub(crate) async fn link_customer<Conn: ConnectionTrait>(
    txn: &Conn,
    merchant: MerchantId,
    login: LoginId,
    customer: CustomerId,
) -> Result<(), RepositoryError> {
    let exists = logins::Entity::find_by_id(login.as_uuid())
        .filter(logins::Column::MerchantId.eq(merchant.as_uuid()))
        .count(txn)
        .await
        .repo()?;
    if exists == 0 {
        return Err(RepositoryError::Conflict { constraint: "logins_exist_for_merchant".to_owned() });
    }
    let text = "INSERT INTO login_customers (login_id, customer_id, position)
         SELECT ?, ?, COALESCE(MAX(position) + 1, 0) FROM login_customers WHERE login_id = ?
         ON CONFLICT (login_id, customer_id) DO NOTHING";
    let values: Vec<Value> = vec![login.as_uuid().into(), customer.as_uuid().into(), login.as_uuid().into()];
    txn.execute_raw(sql::stmt(txn.get_database_backend(), text, values)).await.repo()?;
    Ok(())
}
