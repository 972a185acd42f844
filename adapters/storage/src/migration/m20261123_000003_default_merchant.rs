//! The default merchant, so a fresh database serves a portal at once.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

/// The id of the merchant every fresh database holds (shaped as a UUID v7 with
/// the smallest timestamp, so it lists first).
pub const DEFAULT_MERCHANT_ID: Uuid = Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0001);

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let sql = crate::sql::placeholders(
            backend,
            "INSERT INTO merchants (id, name, portal_enabled, invitation_lifetime_days, brand_name, brand_color) \
             VALUES (?, ?, ?, ?, ?, ?)",
        );
        let values: Vec<sea_orm_migration::sea_orm::Value> = vec![
            DEFAULT_MERCHANT_ID.into(),
            "Portico".into(),
            true.into(),
            14_i32.into(),
            "Portico".into(),
            "#2563eb".into(),
        ];
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        Ok(())
    }
}
