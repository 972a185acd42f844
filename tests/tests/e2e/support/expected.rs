//! What inviting every customer of a customer export should do, worked out
//! from the file with the domain's own parsers: each customer's primary
//! contact is invited at its valid email, or skipped for a missing or
//! invalid one. An internationalised address (non-ASCII) is invited but
//! cannot be delivered through an SMTP server without SMTPUTF8, such as the
//! loopback test server: its delivery fails with that reason.

use std::collections::{BTreeMap, HashSet};

use portico_domain::ContactEmail;
use serde_json::Value;

/// The expected outcome of inviting all customers in link mode.
#[derive(Debug, Default)]
pub struct Expected {
    /// The addresses of the invited contacts, one per contact.
    pub recipients: Vec<String>,
    /// Those of them an SMTP server without SMTPUTF8 can take.
    pub deliverable: Vec<String>,
    /// Skipped contacts by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Primary contacts considered.
    pub total: u64,
}

/// One primary contact row of the export.
#[derive(Debug)]
pub struct PrimaryRow {
    /// The ERP id column.
    pub erp_id: String,
    /// The customer number column.
    pub customer_number: String,
    /// The email column.
    pub email: String,
    /// The phone column.
    pub phone: String,
}

/// Each customer's first primary contact row, skipping the lines the import
/// `report` rejected.
pub fn primary_rows(csv: &[u8], report: &Value) -> Vec<PrimaryRow> {
    let rejected: HashSet<u64> =
        report["rejected"].as_array().into_iter().flatten().filter_map(|r| r["line"].as_u64()).collect();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(csv);
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.expect("a readable CSV record");
        let line = line_of(csv, record.position().map_or(0, csv::Position::byte));
        if rejected.contains(&line) || record.len() != 10 {
            assert!(rejected.contains(&line), "line {line} is malformed yet was not rejected");
            continue;
        }
        let primary = matches!(record[9].trim().to_ascii_lowercase().as_str(), "yes" | "y" | "true" | "1");
        if primary && seen.insert(record[0].trim().to_owned()) {
            rows.push(PrimaryRow {
                erp_id: record[0].trim().to_owned(),
                customer_number: record[1].trim().to_owned(),
                email: record[7].to_owned(),
                phone: record[8].to_owned(),
            });
        }
    }
    rows
}

/// The line a person sees a record on, from the byte the parser says it
/// starts at (which may be the line break before it).
fn line_of(csv: &[u8], byte: u64) -> u64 {
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(csv.len());
    while csv.get(start).is_some_and(|b| *b == b'\r' || *b == b'\n') {
        start += 1;
    }
    csv[..start].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// Inviting all customers of a fresh import in link mode.
pub fn invite_all(csv: &[u8], report: &Value) -> Expected {
    let mut expected = Expected::default();
    for row in primary_rows(csv, report) {
        expected.total += 1;
        match ContactEmail::from_raw(&row.email) {
            ContactEmail::Valid(email) => {
                if email.as_str().is_ascii() {
                    expected.deliverable.push(email.as_str().to_owned());
                }
                expected.recipients.push(email.as_str().to_owned());
            }
            ContactEmail::Missing => *expected.skipped.entry("missing_email".to_owned()).or_default() += 1,
            ContactEmail::Invalid { .. } => *expected.skipped.entry("invalid_email".to_owned()).or_default() += 1,
        }
    }
    expected
}

/// The skip counts of a batch as a map.
pub fn skipped_of(batch: &Value) -> BTreeMap<String, u64> {
    batch["skipped"]
        .as_object()
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_u64()?))).collect())
        .unwrap_or_default()
}
