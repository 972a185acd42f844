//! # portico-storage
//!
//! Portico's storage adapter: sea-orm entities, forward-only migrations, and
//! the repositories implementing the app's ports on SQLite (the embedded
//! default) and PostgreSQL (for several instances).
//!
//! Start with [`connect`] (it takes the id source new rows and leases draw
//! from), run [`migrate`], then hand the repositories from [`Database`] to the
//! use cases. No sea-orm type appears in this crate's public API.

mod database;
mod entity;
mod error;
mod mapping;
mod migration;
mod repo;
mod sql;

pub use database::{Database, StorageError, connect, default_sqlite_url, migrate};
pub use migration::DEFAULT_MERCHANT_ID;
pub use repo::{
    ApiKey, SeaOrmAcceptanceRepository, SeaOrmBatchRepository, SeaOrmCustomerRepository, SeaOrmHealthCheck,
    SeaOrmIdempotencyRepository, SeaOrmInvitationRepository, SeaOrmLoginRepository, SeaOrmMerchantRepository,
    SeaOrmOutboxRepository, SeaOrmPaymentMethodRepository, SeaOrmPaymentRepository, SeaOrmRefundRepository,
    SeaOrmStaffRepository, SeaOrmTemplateStore, StaffUser,
};
