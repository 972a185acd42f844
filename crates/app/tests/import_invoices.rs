//! The invoice import against a mocked repository.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use portico_app::use_cases::import_invoices::ImportInvoices;
use portico_app::{InvoiceUpsertOutcome, MockClock, MockCustomerRepository, UpsertOutcome};
use portico_domain::MerchantId;
use uuid::Uuid;

const SAMPLE: &[u8] = include_bytes!("../../../data/invoices.csv");
const HEADER: &str = "erp_id,invoice_number,issue_date,due_date,currency,amount,balance\n";

fn import(repo: MockCustomerRepository) -> ImportInvoices {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    ImportInvoices { customers: Arc::new(repo), clock: Arc::new(clock) }
}

fn merchant() -> MerchantId {
    MerchantId::from_uuid(Uuid::from_u128(1))
}

#[tokio::test]
async fn sample_file_refuses_the_two_reused_invoice_numbers() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_upsert_invoices()
        .returning(|_, invoices, _| Ok(vec![InvoiceUpsertOutcome::Saved(UpsertOutcome::Created); invoices.len()]));

    let report = import(repo).execute(merchant(), SAMPLE).await.unwrap();

    assert_eq!(report.created, 796);
    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![549, 583]);
    assert!(report.rejected[0].reason.contains("INV-74419-0 already appears on line 128"));
}

#[tokio::test]
async fn unknown_customers_and_bad_values_are_rejected_by_line() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_upsert_invoices().returning(|_, invoices, _| {
        Ok(invoices
            .iter()
            .map(|i| {
                if i.erp_id.as_str() == "NOPE" {
                    InvoiceUpsertOutcome::UnknownCustomer
                } else {
                    InvoiceUpsertOutcome::Saved(UpsertOutcome::Updated)
                }
            })
            .collect())
    });
    let csv = format!(
        "{HEADER}\
         E1,I1,2026-01-01,2026-02-01,USD,10.00,5.00\n\
         NOPE,I2,2026-01-01,2026-02-01,USD,10.00,5.00\n\
         E1,I3,2026-13-01,2026-02-01,USD,10.00,5.00\n\
         E1,I4,2026-01-01,2026-02-01,USD,ten,5.00\n\
         E1,I5,2026-01-01,2026-02-01,XX,10.00,5.00\n\
         E1,I6,2026-01-01,2026-02-01,USD,10.00,11.00\n\
         E1,I1,2026-01-01,2026-02-01,USD,10.00,5.00\n"
    );

    let report = import(repo).execute(merchant(), csv.as_bytes()).await.unwrap();

    assert_eq!(report.updated, 1);
    let rejected: Vec<(u64, &str)> = report.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), vec![3, 4, 5, 6, 7], "{rejected:?}");
    assert!(rejected[0].1.contains("no customer has erp_id NOPE"));
    assert!(rejected[1].1.contains("issue_date"));
    assert!(rejected[2].1.contains("amount"));
    assert!(rejected[3].1.contains("invalid currency"));
    assert!(rejected[4].1.contains("larger than amount"));
}
