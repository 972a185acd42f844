//! The repositories: one struct per port, named `SeaOrm<Role>Repository`.

mod acceptance;
mod batches;
mod candidates;
mod customer_list;
mod customers;
mod health;
mod idempotency;
mod invitations;
mod logins;
mod merchants;
mod outbox;
mod payment_methods;
mod payment_reads;
mod payments;
mod refunds;
mod staff;
mod templates;

pub use acceptance::SeaOrmAcceptanceRepository;
pub use batches::SeaOrmBatchRepository;
pub use customers::SeaOrmCustomerRepository;
pub use health::SeaOrmHealthCheck;
pub use idempotency::SeaOrmIdempotencyRepository;
pub use invitations::SeaOrmInvitationRepository;
pub use logins::SeaOrmLoginRepository;
pub use merchants::SeaOrmMerchantRepository;
pub use outbox::SeaOrmOutboxRepository;
pub use payment_methods::SeaOrmPaymentMethodRepository;
pub use payments::SeaOrmPaymentRepository;
pub use refunds::SeaOrmRefundRepository;
pub use staff::{ApiKey, SeaOrmStaffRepository, StaffUser};
pub use templates::SeaOrmTemplateStore;

/// Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters for the widest table.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// Payload budget of one multi-row statement on PostgreSQL. sqlx 0.9.0 does
/// not set `TCP_NODELAY` (transact-rs/sqlx#4335): a statement whose message
/// spans several TCP segments then waits for the server's delayed ACK, about
/// 40 ms. Measured on loopback: messages under 17 KB never stalled, from 35 KB
/// most did. Raise it once sqlx sets `TCP_NODELAY` again.
const PG_STATEMENT_BYTES: usize = 16 * 1024;

/// Splits `rows` into the slices written by one statement each: at most
/// [`ROWS_PER_STATEMENT`] rows, and on PostgreSQL at most
/// [`PG_STATEMENT_BYTES`] by the `bytes` estimate (a single larger row goes alone).
pub(crate) fn statements<T>(backend: sea_orm::DbBackend, rows: &[T], bytes: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let budget = if backend == sea_orm::DbBackend::Postgres { PG_STATEMENT_BYTES } else { usize::MAX };
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0_usize);
    for (i, row) in rows.iter().enumerate() {
        let b = bytes(row);
        if i > start && (i - start >= ROWS_PER_STATEMENT || size.saturating_add(b) > budget) {
            out.push(&rows[start..i]);
            (start, size) = (i, 0);
        }
        size = size.saturating_add(b);
    }
    if start < rows.len() {
        out.push(&rows[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use sea_orm::DbBackend;

    use super::*;

    #[test]
    fn statements_respect_the_row_cap_and_the_postgres_byte_budget() {
        let rows = vec![100_usize; 1_200];
        let sqlite: Vec<usize> = statements(DbBackend::Sqlite, &rows, |b| *b).iter().map(|s| s.len()).collect();
        assert_eq!(sqlite, [500, 500, 200]);
        let pg = statements(DbBackend::Postgres, &rows, |b| *b);
        assert!(pg.iter().all(|s| s.iter().sum::<usize>() <= PG_STATEMENT_BYTES));
        assert_eq!(pg.iter().map(|s| s.len()).sum::<usize>(), 1_200);
        let huge = vec![PG_STATEMENT_BYTES * 2; 3];
        assert_eq!(statements(DbBackend::Postgres, &huge, |b| *b).len(), 3);
        assert!(statements(DbBackend::Postgres, &Vec::<usize>::new(), |b| *b).is_empty());
    }
}
