//! Importing generated customer exports through the API of an in-process
//! server: rows per second, and the process's peak RSS during each import.
//! Prints figures; asserts nothing about time.

use std::time::Instant;

use portico_tests::bench::{customer_export, peak_rss_kib, reset_peak};
use portico_tests::spawn_app;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("customer import through POST /api/v1/imports/customers (SQLite, in-process server)");
    for customers in [10_000, 50_000] {
        let app = spawn_app().await;
        let (csv, rows) = customer_export(0, customers, true);
        reset_peak();
        let before = peak_rss_kib();
        let started = Instant::now();
        let answer = app.import_customers(&app.admin_key, &csv).await;
        let elapsed = started.elapsed();
        let peak = peak_rss_kib();
        anyhow::ensure!(answer.status == 200, "import failed: {}", answer.text());
        let report = answer.json();
        anyhow::ensure!(report["created"] == customers, "unexpected report {report}");
        let again_started = Instant::now();
        let again = app.import_customers(&app.admin_key, &csv).await.json();
        let again_elapsed = again_started.elapsed();
        anyhow::ensure!(again["unchanged"] == customers, "unexpected re-import report {again}");
        println!(
            "{customers:>6} customers ({rows} rows, {:.1} MiB): first import {:.2} s = {:.0} rows/s ({:.0} customers/s); \
             re-import {:.2} s = {:.0} rows/s; peak RSS {:.1} MiB (from {:.1} MiB before the import)",
            csv.len() as f64 / 1_048_576.0,
            elapsed.as_secs_f64(),
            rows as f64 / elapsed.as_secs_f64(),
            customers as f64 / elapsed.as_secs_f64(),
            again_elapsed.as_secs_f64(),
            rows as f64 / again_elapsed.as_secs_f64(),
            peak as f64 / 1024.0,
            before as f64 / 1024.0,
        );
        app.stop().await;
    }
    Ok(())
}
