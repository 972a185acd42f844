//! The repositories: one struct per port, named `SeaOrm<Role>Repository`.

mod acceptance;
mod batches;
mod candidates;
mod customer_list;
mod customers;
mod idempotency;
mod invitations;
mod logins;
mod merchants;
mod outbox;
mod staff;
mod templates;

pub use acceptance::SeaOrmAcceptanceRepository;
pub use batches::SeaOrmBatchRepository;
pub use customers::SeaOrmCustomerRepository;
pub use idempotency::SeaOrmIdempotencyRepository;
pub use invitations::SeaOrmInvitationRepository;
pub use logins::SeaOrmLoginRepository;
pub use merchants::SeaOrmMerchantRepository;
pub use outbox::SeaOrmOutboxRepository;
pub use staff::{ApiKey, SeaOrmStaffRepository, StaffUser};
pub use templates::SeaOrmTemplateStore;

/// Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters for the widest table.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;
