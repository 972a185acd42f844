//! The end-to-end harness, shared by the `e2e` test binary and the
//! benchmarks: [`spawn_app`] starts the composed server on port 0 with a fresh
//! database, mail to a directory or to an SMTP server on loopback, and a
//! [`TestClock`] the test moves; [`TestApp`] has one helper per endpoint
//! ([`admin`], [`portal`]) over a plain HTTP/1.1 client ([`Answer`]);
//! [`eventually`] waits on a condition with a deadline; [`mail`] reads the
//! emails a test catches and [`form`] the portal's HTML forms; [`browser`]
//! drives the pages in headless Chromium through WebDriver.

pub mod admin;
mod app;
pub mod bench;
pub mod browser;
mod client;
pub mod clock;
mod database;
pub mod form;
pub mod mail;
pub mod payments;
pub mod portal;

use std::time::Duration;

pub use app::{Spawn, TestApp, spawn_app};
pub use client::{Answer, request};
pub use clock::TestClock;
pub use form::{Form, Page};
pub use portal::link;

/// The sample customer export.
pub const SAMPLE_CUSTOMERS: &[u8] = include_bytes!("../../data/customers.csv");
/// The sample invoice export.
pub const SAMPLE_INVOICES: &[u8] = include_bytes!("../../data/invoices.csv");

/// How long any awaited condition may take.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Polls `check` until it gives a value or [`PATIENCE`] passes.
///
/// # Panics
/// When the deadline passes, with `what` and the last value seen.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) => {
                assert!(tokio::time::Instant::now() < deadline, "{what}: still not so after {PATIENCE:?}: {last}");
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
