//! Connecting, migrating, and handing out the repositories.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

use portico_app::{BoxError, TokenSource};

use crate::migration::Migrator;
use crate::repo::{
    SeaOrmAcceptanceRepository, SeaOrmBatchRepository, SeaOrmCustomerRepository, SeaOrmHealthCheck,
    SeaOrmIdempotencyRepository, SeaOrmInvitationRepository, SeaOrmLoginRepository, SeaOrmMerchantRepository,
    SeaOrmOutboxRepository, SeaOrmPaymentMethodRepository, SeaOrmPaymentRepository, SeaOrmRefundRepository,
    SeaOrmStaffRepository, SeaOrmTemplateStore,
};

/// Why the database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The URL is neither `sqlite:` nor `postgres:`/`postgresql:`.
    #[error("unsupported database URL scheme in {0:?}: use sqlite:// or postgres://")]
    Scheme(String),
    /// The directory of the SQLite file could not be created.
    #[error("cannot create the database directory {path}")]
    Directory {
        /// The directory.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Connecting (or closing) failed.
    #[error("cannot connect to the database")]
    Connect(#[source] BoxError),
    /// A migration failed.
    #[error("database migration failed")]
    Migrate(#[source] BoxError),
}

/// The embedded default: a SQLite file under `./portico-data/`, created when missing.
#[must_use]
pub fn default_sqlite_url() -> String {
    "sqlite://portico-data/portico.db?mode=rwc".to_owned()
}

/// An open database: clone it freely (it is a pool handle).
#[derive(Clone)]
pub struct Database {
    pub(crate) conn: DatabaseConnection,
    ids: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database").field("backend", &self.conn.get_database_backend()).finish_non_exhaustive()
    }
}

/// Opens `url` (`sqlite://PATH?mode=rwc`, `sqlite::memory:`, or `postgres://...`).
/// New rows and claim leases take their ids from `ids`, so tests can fix them.
///
/// SQLite is set up for a server: WAL journal, `synchronous=NORMAL`,
/// `foreign_keys=ON` and a 5 s `busy_timeout`, with the file's directory
/// created when missing. The pool holds one SQLite connection: SQLite has one
/// writer at a time anyway, and one connection makes every transaction and
/// claim serialisable without lock upgrades failing as "database is locked".
/// Migrations are not run: call [`migrate`].
///
/// # Errors
/// [`StorageError`] naming what failed.
pub async fn connect(url: &str, ids: Arc<dyn TokenSource>) -> Result<Database, StorageError> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        create_parent_dir(url)?;
        options
            .max_connections(1)
            .min_connections(1)
            // An in-memory database lives as long as its one connection.
            .idle_timeout(None::<Duration>)
            .max_lifetime(None::<Duration>)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            });
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        options
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // Bulk paths look rows up with `col IN (<500 values>)`. After five runs
            // PostgreSQL would cache a generic plan that filters those lists
            // row by row (measured: 85 ms instead of 3 ms per chunk); a plan
            // per execution keeps the index lookups.
            .map_sqlx_postgres_opts(|o| o.options([("plan_cache_mode", "force_custom_plan")]));
    } else {
        return Err(StorageError::Scheme(url.chars().take_while(|c| *c != ':').collect()));
    }
    let conn = sea_orm::Database::connect(options).await.map_err(|e| StorageError::Connect(e.into()))?;
    Ok(Database { conn, ids })
}

/// Creates the directory of a `sqlite://` file URL.
fn create_parent_dir(url: &str) -> Result<(), StorageError> {
    let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
        return Ok(());
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|source| StorageError::Directory { path: dir.display().to_string(), source }),
        _ => Ok(()),
    }
}

/// Runs every pending migration (forward-only). A fresh database ends with the
/// default merchant ([`crate::DEFAULT_MERCHANT_ID`]), inserted by a migration,
/// so it happens exactly once.
///
/// # Errors
/// [`StorageError::Migrate`].
pub async fn migrate(db: &Database) -> Result<(), StorageError> {
    Migrator::up(&db.conn, None).await.map_err(|e| StorageError::Migrate(e.into()))
}

impl Database {
    /// Whether this is PostgreSQL (`false`: SQLite).
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.conn.get_database_backend() == DbBackend::Postgres
    }

    /// Closes the pool.
    ///
    /// # Errors
    /// When closing fails.
    pub async fn close(self) -> Result<(), StorageError> {
        self.conn.close().await.map_err(|e| StorageError::Connect(e.into()))
    }

    /// The connection itself, for tests and tools that need raw SQL (the
    /// application goes through the repositories).
    #[must_use]
    pub const fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// The merchant repository.
    #[must_use]
    pub fn merchants(&self) -> Arc<SeaOrmMerchantRepository> {
        Arc::new(SeaOrmMerchantRepository::new(self.conn.clone()))
    }
    /// The customer repository.
    #[must_use]
    pub fn customers(&self) -> Arc<SeaOrmCustomerRepository> {
        Arc::new(SeaOrmCustomerRepository::new(self.conn.clone(), self.ids.clone()))
    }
    /// Invitations: the writer and the reader.
    #[must_use]
    pub fn invitations(&self) -> Arc<SeaOrmInvitationRepository> {
        Arc::new(SeaOrmInvitationRepository::new(self.conn.clone()))
    }
    /// The login repository.
    #[must_use]
    pub fn logins(&self) -> Arc<SeaOrmLoginRepository> {
        Arc::new(SeaOrmLoginRepository::new(self.conn.clone()))
    }
    /// The outbox repository.
    #[must_use]
    pub fn outbox(&self) -> Arc<SeaOrmOutboxRepository> {
        Arc::new(SeaOrmOutboxRepository::new(self.conn.clone(), self.ids.clone()))
    }
    /// The batch repository.
    #[must_use]
    pub fn batches(&self) -> Arc<SeaOrmBatchRepository> {
        Arc::new(SeaOrmBatchRepository::new(self.conn.clone(), self.ids.clone()))
    }
    /// The template store.
    #[must_use]
    pub fn templates(&self) -> Arc<SeaOrmTemplateStore> {
        Arc::new(SeaOrmTemplateStore::new(self.conn.clone()))
    }
    /// Staff users and API keys (the [`ApiKeyRepository`](portico_app::ApiKeyRepository)).
    #[must_use]
    pub fn staff(&self) -> Arc<SeaOrmStaffRepository> {
        Arc::new(SeaOrmStaffRepository::new(self.conn.clone()))
    }

    /// Acceptances (invitation and login together).
    #[must_use]
    pub fn acceptance(&self) -> Arc<SeaOrmAcceptanceRepository> {
        Arc::new(SeaOrmAcceptanceRepository::new(self.conn.clone()))
    }

    /// The health check behind `/healthz`.
    #[must_use]
    pub fn health(&self) -> Arc<SeaOrmHealthCheck> {
        Arc::new(SeaOrmHealthCheck::new(self.conn.clone()))
    }

    /// Idempotency keys.
    #[must_use]
    pub fn idempotency(&self) -> Arc<SeaOrmIdempotencyRepository> {
        Arc::new(SeaOrmIdempotencyRepository::new(self.conn.clone()))
    }

    /// Payments: recording, reading and the settlement queue.
    #[must_use]
    pub fn payments(&self) -> Arc<SeaOrmPaymentRepository> {
        Arc::new(SeaOrmPaymentRepository::new(self.conn.clone()))
    }

    /// Refunds.
    #[must_use]
    pub fn refunds(&self) -> Arc<SeaOrmRefundRepository> {
        Arc::new(SeaOrmRefundRepository::new(self.conn.clone()))
    }

    /// Customers' saved payment methods.
    #[must_use]
    pub fn payment_methods(&self) -> Arc<SeaOrmPaymentMethodRepository> {
        Arc::new(SeaOrmPaymentMethodRepository::new(self.conn.clone()))
    }
}
