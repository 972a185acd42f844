//! The ports: small role traits the use cases need and the adapters implement.
//!
//! With the `mock` feature each trait has a `mockall` mock (`MockClock`, ...)
//! for use-case tests in any crate.

mod acceptance;
mod batches;
mod customers;
mod idempotency;
mod invitations;
mod logins;
mod mail;
mod merchants;
mod outbox;
mod payments;
mod security;
mod staff;
mod system;
mod templates;

pub use acceptance::*;
pub use batches::*;
pub use customers::*;
pub use idempotency::*;
pub use invitations::*;
pub use logins::*;
pub use mail::*;
pub use merchants::*;
pub use outbox::*;
pub use payments::*;
pub use security::*;
pub use staff::*;
pub use system::*;
pub use templates::*;

/// A page of results with the total count matching the query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Items matching the query, over all pages.
    pub total: u64,
}

/// Offset paging, capped by the adapters at [`PageRequest::MAX_LIMIT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// Items to skip.
    pub offset: u64,
    /// Items to return.
    pub limit: u64,
}

impl PageRequest {
    /// The largest page an adapter returns.
    pub const MAX_LIMIT: u64 = 500;
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { offset: 0, limit: 50 }
    }
}
