//! Shared by the benchmarks: the process's peak resident set size, and
//! generated customer exports.

use std::fmt::Write as _;

/// Peak resident set size of this process in KiB (`VmHWM`), 0 where unknown.
#[must_use]
pub fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Resets `VmHWM` to the current RSS (Linux), so each run's peak is its own.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// KiB as MiB, for printing.
#[must_use]
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The header of a customer export.
pub const EXPORT_HEADER: &str = "erp_id,customer_number,customer_name,currency,collection_priority,contact_first_name,contact_last_name,contact_email,contact_phone,primary\r\n";

/// A customer export of customers `from..to`, each with one primary contact
/// with an email (every one of them can be invited), then, when
/// `extra_contacts`, a second contact without an email for every third.
#[must_use]
pub fn customer_export(from: usize, to: usize, extra_contacts: bool) -> (Vec<u8>, usize) {
    let mut csv = String::from(EXPORT_HEADER);
    let priorities = ["high", "medium", "low", ""];
    let mut rows = 0;
    for i in from..to {
        let priority = priorities[i % priorities.len()];
        let _ = write!(
            csv,
            "ERP-{i:07},C{i},\"Customer {i}, Inc.\",USD,{priority},Ann,Lee{i},ann.lee{i}@example.com,(555) 010-{:04},yes\r\n",
            i % 10_000
        );
        rows += 1;
        if extra_contacts && i % 3 == 0 {
            let _ = write!(csv, "ERP-{i:07},C{i},\"Customer {i}, Inc.\",USD,{priority},Bo,Ray{i},,,no\r\n");
            rows += 1;
        }
    }
    (csv.into_bytes(), rows)
}
