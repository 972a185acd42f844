//! Staff users and their API keys: [`ApiKeyRepository`] on sea-orm, plus the
//! staff-user operations no port covers yet.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{ApiKeyRepository, NewApiKey, RepositoryError, StaffPrincipal};
use portico_domain::{MerchantId, Role, StaffUserId, TokenHash};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use crate::entity::{api_keys, staff_users};
use crate::error::{DbResultExt, corrupt};

/// A member of a merchant's staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffUser {
    /// Id.
    pub id: StaffUserId,
    /// Merchant.
    pub merchant_id: MerchantId,
    /// Email (unique per merchant).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// An API key, known only by the SHA-256 hash of its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: Uuid,
    /// Merchant.
    pub merchant_id: MerchantId,
    /// The staff user it acts for.
    pub staff_user_id: StaffUserId,
    /// The role it grants.
    pub role: Role,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// Stores staff users and API keys.
#[derive(Clone, Debug)]
pub struct SeaOrmStaffRepository {
    db: DatabaseConnection,
}

impl SeaOrmStaffRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates a staff user.
    ///
    /// # Errors
    /// `Conflict` (`staff_users_merchant_email`) when the merchant has a staff
    /// user with that email; `Conflict` (`foreign_key`) for an unknown merchant.
    pub async fn create_staff(&self, user: &StaffUser) -> Result<(), RepositoryError> {
        insert_staff(&self.db, user).await
    }

    /// Stores an API key by the hex SHA-256 hash of its secret (the secret
    /// itself is shown once to its creator and never stored).
    ///
    /// # Errors
    /// `Conflict` (`api_keys_key_hash`) when the hash exists.
    pub async fn create_api_key(&self, key: &ApiKey, key_hash: &str) -> Result<(), RepositoryError> {
        insert_api_key(&self.db, key, key_hash).await
    }

    /// The live (not revoked) API key with this hash.
    ///
    /// # Errors
    /// On a storage failure or a corrupt row.
    pub async fn find_api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, RepositoryError> {
        let row = api_keys::Entity::find()
            .filter(api_keys::Column::KeyHash.eq(key_hash))
            .filter(api_keys::Column::RevokedAt.is_null())
            .one(&self.db)
            .await
            .repo()?;
        row.map(|r| {
            Ok(ApiKey {
                id: r.id,
                merchant_id: MerchantId::from_uuid(r.merchant_id),
                staff_user_id: StaffUserId::from_uuid(r.staff_user_id),
                role: Role::parse(&r.role).ok_or_else(|| corrupt("api_keys", "role", &r.role))?,
                created_at: r.created_at,
            })
        })
        .transpose()
    }

    /// Revokes an API key of a merchant; `false` when there was no live one.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn revoke_api_key(
        &self,
        merchant: MerchantId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let res = api_keys::Entity::update_many()
            .col_expr(api_keys::Column::RevokedAt, sea_orm::sea_query::Expr::value(at))
            .filter(api_keys::Column::Id.eq(id))
            .filter(api_keys::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(api_keys::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await
            .repo()?;
        Ok(res.rows_affected > 0)
    }
}

async fn insert_staff<C: ConnectionTrait>(db: &C, user: &StaffUser) -> Result<(), RepositoryError> {
    let row = staff_users::Model {
        id: user.id.as_uuid(),
        merchant_id: user.merchant_id.as_uuid(),
        email: user.email.trim().to_lowercase(),
        name: user.name.clone(),
        role: user.role.as_str().to_owned(),
        created_at: user.created_at,
    };
    staff_users::Entity::insert(row.into_active_model()).exec_without_returning(db).await.repo()?;
    Ok(())
}

async fn insert_api_key<C: ConnectionTrait>(db: &C, key: &ApiKey, key_hash: &str) -> Result<(), RepositoryError> {
    let row = api_keys::Model {
        id: key.id,
        merchant_id: key.merchant_id.as_uuid(),
        staff_user_id: key.staff_user_id.as_uuid(),
        key_hash: key_hash.to_owned(),
        role: key.role.as_str().to_owned(),
        created_at: key.created_at,
        revoked_at: None,
    };
    api_keys::Entity::insert(row.into_active_model()).exec_without_returning(db).await.repo()?;
    Ok(())
}

/// Each key gets its own staff user, named by the key's label; both rows are
/// written in one transaction, so a refused key leaves no orphan user.
#[async_trait]
impl ApiKeyRepository for SeaOrmStaffRepository {
    async fn create(&self, key: &NewApiKey) -> Result<(), RepositoryError> {
        let p = &key.principal;
        let user = StaffUser {
            id: p.staff_user_id,
            merchant_id: p.merchant_id,
            // Staff emails are unique per merchant; a key-only user has none.
            email: format!("api-key-{}@staff.invalid", key.id),
            name: key.name.clone(),
            role: p.role,
            created_at: key.created_at,
        };
        let stored = ApiKey {
            id: key.id,
            merchant_id: p.merchant_id,
            staff_user_id: p.staff_user_id,
            role: p.role,
            created_at: key.created_at,
        };
        let txn = self.db.begin().await.repo()?;
        insert_staff(&txn, &user).await?;
        insert_api_key(&txn, &stored, &key.hash.to_hex()).await?;
        txn.commit().await.repo()
    }

    async fn find_by_hash(&self, hash: &TokenHash) -> Result<Option<StaffPrincipal>, RepositoryError> {
        Ok(self.find_api_key_by_hash(&hash.to_hex()).await?.map(|k| StaffPrincipal {
            merchant_id: k.merchant_id,
            staff_user_id: k.staff_user_id,
            role: k.role,
            api_key_id: k.id,
        }))
    }
}
