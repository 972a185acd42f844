//! [`MerchantRepository`] on sea-orm.

use async_trait::async_trait;
use portico_app::{Merchant, MerchantRepository, PortalSettings, RepositoryError};
use portico_domain::MerchantId;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryOrder};

use crate::entity::merchants;
use crate::error::DbResultExt;
use crate::mapping::{merchant_from_model, merchant_to_model};
use crate::sql;

/// Merchants and their portal settings.
#[derive(Clone, Debug)]
pub struct SeaOrmMerchantRepository {
    db: DatabaseConnection,
}

impl SeaOrmMerchantRepository {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl MerchantRepository for SeaOrmMerchantRepository {
    async fn create(&self, merchant: &Merchant) -> Result<(), RepositoryError> {
        merchants::Entity::insert(merchant_to_model(merchant).into_active_model())
            .exec_without_returning(&self.db)
            .await
            .repo()?;
        Ok(())
    }

    async fn get(&self, id: MerchantId) -> Result<Option<Merchant>, RepositoryError> {
        Ok(merchants::Entity::find_by_id(id.as_uuid()).one(&self.db).await.repo()?.map(merchant_from_model))
    }

    /// Oldest first: ids are UUID v7, so id order is creation order.
    async fn list(&self) -> Result<Vec<Merchant>, RepositoryError> {
        let rows = merchants::Entity::find().order_by_asc(merchants::Column::Id).all(&self.db).await.repo()?;
        Ok(rows.into_iter().map(merchant_from_model).collect())
    }

    async fn update_settings(&self, id: MerchantId, settings: &PortalSettings) -> Result<bool, RepositoryError> {
        let days = i32::try_from(settings.invitation_lifetime_days).unwrap_or(i32::MAX);
        let stmt = sql::stmt(
            self.db.get_database_backend(),
            "UPDATE merchants SET portal_enabled = ?, invitation_lifetime_days = ?, brand_name = ?, brand_color = ? \
             WHERE id = ?",
            vec![
                settings.portal_enabled.into(),
                days.into(),
                settings.brand_name.clone().into(),
                settings.brand_color.clone().into(),
                id.as_uuid().into(),
            ],
        );
        Ok(self.db.execute_raw(stmt).await.repo()?.rows_affected() > 0)
    }
}
