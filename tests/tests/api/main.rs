//! End-to-end tests of the admin API over the composed server (port 0, a
//! fresh SQLite database per test).

mod auth;
mod customers;
mod imports;
mod robustness;
mod templates_settings;
mod workers;
