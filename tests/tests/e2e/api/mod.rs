//! The admin API end to end (a fresh SQLite database per test, mail written
//! as files).

mod auth;
mod customers;
mod idempotency;
mod imports;
mod robustness;
mod templates_settings;
mod workers;
