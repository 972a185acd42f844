//! [`HealthCheck`] on the database: it answers a trivial query.

use async_trait::async_trait;
use portico_app::{BoxError, HealthCheck};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// `/healthz`: the database answers.
#[derive(Clone, Debug)]
pub struct SeaOrmHealthCheck {
    db: DatabaseConnection,
}

impl SeaOrmHealthCheck {
    pub(crate) const fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl HealthCheck for SeaOrmHealthCheck {
    async fn check(&self) -> Result<(), BoxError> {
        self.db.execute_unprepared("SELECT 1").await.map(drop).map_err(Into::into)
    }
}
