//! The storage contract suite: every test runs on SQLite (a fresh in-memory
//! database) and, when `PORTICO_TEST_DATABASE_URL` is set, on PostgreSQL (a
//! fresh database per test, so tests run in parallel).

#[macro_use]
mod support;

mod acceptance;
mod batches;
mod concurrency;
mod customers;
mod idempotency;
mod invitations;
mod logins;
mod merchants;
mod outbox;
mod payment_support;
mod payments;
mod refunds;
mod scoping;
mod sqlite_file;
