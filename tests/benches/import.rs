//! Importing generated customer exports through the API of an in-process
//! server: rows per second, and the process's peak RSS during each import.
//! Prints figures; asserts nothing about time.

use std::fmt::Write as _;
use std::time::Instant;

use portico_tests::spawn_app;

/// A customer export: `customers` customers, every third with a second contact.
fn export(customers: usize) -> (Vec<u8>, usize) {
    let mut csv = String::from(
        "erp_id,customer_number,customer_name,currency,collection_priority,contact_first_name,contact_last_name,contact_email,contact_phone,primary\r\n",
    );
    let priorities = ["high", "medium", "low", ""];
    let mut rows = 0;
    for i in 0..customers {
        let priority = priorities[i % priorities.len()];
        let _ = write!(
            csv,
            "ERP-{i:07},C{i},\"Customer {i}, Inc.\",USD,{priority},Ann,Lee{i},ann.lee{i}@example.com,(555) 010-{:04},yes\r\n",
            i % 10_000
        );
        rows += 1;
        if i % 3 == 0 {
            let _ = write!(csv, "ERP-{i:07},C{i},\"Customer {i}, Inc.\",USD,{priority},Bo,Ray{i},,,no\r\n");
            rows += 1;
        }
    }
    (csv.into_bytes(), rows)
}

/// Peak resident set size of this process in KiB (`VmHWM`).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current RSS (Linux), so each import's peak is its own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("customer import through POST /api/v1/imports/customers (SQLite, in-process server)");
    for customers in [10_000, 50_000] {
        let app = spawn_app().await?;
        let (csv, rows) = export(customers);
        reset_peak();
        let before = peak_rss_kib();
        let started = Instant::now();
        let answer = app.import_customers(&app.admin_key, &csv).await?;
        let elapsed = started.elapsed();
        let peak = peak_rss_kib();
        anyhow::ensure!(answer.status == 200, "import failed: {}", answer.text());
        let report = answer.json();
        anyhow::ensure!(report["created"] == customers, "unexpected report {report}");
        let again_started = Instant::now();
        let again = app.import_customers(&app.admin_key, &csv).await?.json();
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
        app.stop().await?;
    }
    Ok(())
}
