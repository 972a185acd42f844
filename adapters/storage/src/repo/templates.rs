//! [`TemplateStore`] on sea-orm.

use async_trait::async_trait;
use portico_app::{MailKind, RepositoryError, TemplateSource, TemplateStore};
use portico_domain::MerchantId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter};

use crate::entity::templates;
use crate::error::DbResultExt;
use crate::mapping::{template_from_model, template_to_model};

/// Merchants' template overrides, one per kind.
#[derive(Clone, Debug)]
pub struct SeaOrmTemplateStore {
    db: DatabaseConnection,
}

impl SeaOrmTemplateStore {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl TemplateStore for SeaOrmTemplateStore {
    async fn get(&self, merchant: MerchantId, kind: MailKind) -> Result<Option<TemplateSource>, RepositoryError> {
        let row =
            templates::Entity::find_by_id((merchant.as_uuid(), kind.as_str().to_owned())).one(&self.db).await.repo()?;
        Ok(row.map(template_from_model))
    }

    async fn put(&self, merchant: MerchantId, kind: MailKind, source: &TemplateSource) -> Result<(), RepositoryError> {
        use templates::Column as C;
        templates::Entity::insert(template_to_model(merchant, kind, source).into_active_model())
            .on_conflict(
                OnConflict::columns([C::MerchantId, C::Kind]).update_columns([C::Subject, C::Html, C::Text]).to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .repo()?;
        Ok(())
    }

    async fn delete(&self, merchant: MerchantId, kind: MailKind) -> Result<bool, RepositoryError> {
        let res = templates::Entity::delete_many()
            .filter(templates::Column::MerchantId.eq(merchant.as_uuid()))
            .filter(templates::Column::Kind.eq(kind.as_str()))
            .exec(&self.db)
            .await
            .repo()?;
        Ok(res.rows_affected > 0)
    }
}
