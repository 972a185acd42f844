//! The customer import against a mocked repository.

use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use portico_app::use_cases::import_customers::{ImportCustomers, ImportCustomersError};
use portico_app::{CustomerUpsert, MockClock, MockCustomerRepository, UpsertOutcome};
use portico_domain::{ContactEmail, MerchantId};
use uuid::Uuid;

const SAMPLE: &[u8] = include_bytes!("../../../data/customers.csv");
const HEADER: &str = "erp_id,customer_number,customer_name,currency,collection_priority,contact_first_name,contact_last_name,contact_email,contact_phone,primary\r\n";

fn clock() -> Arc<MockClock> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap());
    Arc::new(clock)
}

type Chunks = Arc<Mutex<Vec<Vec<CustomerUpsert>>>>;

/// A repository that records every chunk and answers `outcome` for each customer.
fn recording(outcome: UpsertOutcome) -> (Arc<MockCustomerRepository>, Chunks) {
    let chunks = Arc::new(Mutex::new(Vec::new()));
    let seen = chunks.clone();
    let mut repo = MockCustomerRepository::new();
    repo.expect_upsert_customers().returning(move |_, customers, _| {
        seen.lock().unwrap().push(customers.to_vec());
        Ok(vec![outcome; customers.len()])
    });
    (Arc::new(repo), chunks)
}

fn merchant() -> MerchantId {
    MerchantId::from_uuid(Uuid::from_u128(1))
}

#[tokio::test]
async fn sample_file_imports_every_customer_and_rejects_only_the_short_last_line() {
    let (repo, chunks) = recording(UpsertOutcome::Created);
    let import = ImportCustomers { customers: repo, clock: clock() };

    let report = import.execute(merchant(), SAMPLE).await.unwrap();

    assert_eq!(report.created, 300);
    assert_eq!((report.updated, report.unchanged), (0, 0));
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].line, 459);
    assert!(report.rejected[0].reason.contains("too few columns"), "{}", report.rejected[0].reason);
    let chunks = chunks.lock().unwrap();
    let contacts: usize = chunks.iter().flatten().map(|c| c.contacts.len()).sum();
    // 457 contact rows, of which three are exact duplicates.
    assert_eq!(contacts, 454);
}

#[tokio::test]
async fn invalid_and_missing_emails_are_kept_not_rejected() {
    let (repo, chunks) = recording(UpsertOutcome::Created);
    let import = ImportCustomers { customers: repo, clock: clock() };
    let csv =
        format!("{HEADER}E1,C1,Acme,USD,high,Ann,Lee,not-an-email,,yes\r\nE2,,Beta,EUR,,Bob,Ray,,555-123-4567,yes\r\n");

    let report = import.execute(merchant(), csv.as_bytes()).await.unwrap();

    assert_eq!(report.created, 2);
    assert!(report.rejected.is_empty());
    let chunks = chunks.lock().unwrap();
    assert!(matches!(chunks[0][0].contacts[0].email, ContactEmail::Invalid { .. }));
    assert_eq!(chunks[0][1].contacts[0].email, ContactEmail::Missing);
}

#[tokio::test]
async fn bad_rows_are_rejected_with_a_reason_naming_the_problem_and_good_rows_still_import() {
    let (repo, _) = recording(UpsertOutcome::Created);
    let import = ImportCustomers { customers: repo, clock: clock() };
    let csv = format!(
        "{HEADER}\
         E1,C1,Acme,USD,high,Ann,Lee,ann@example.com,,yes\r\n\
         E2,C2,Beta,DOLLARS,high,Bob,Ray,bob@example.com,,yes\r\n\
         ,C3,Gamma,USD,low,Cy,Day,cy@example.com,,yes\r\n\
         E4,C4,Delta,USD,urgent,Di,Eve,di@example.com,,yes\r\n\
         E5,C5,,USD,low,Ed,Fox,ed@example.com,,yes\r\n\
         E6,C6,Zeta,USD,low,Fi,Gee,fi@example.com,,maybe\r\n\
         E1,C1,Acme Renamed,USD,high,Gus,Hay,gus@example.com,,no\r\n\
         E7,C7,Eta,USD,low,Hal,Ivy,hal@example.com,,yes,extra\r\n"
    );

    let report = import.execute(merchant(), csv.as_bytes()).await.unwrap();

    assert_eq!(report.created, 1);
    let reasons: Vec<(u64, &str)> = report.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    assert!(reasons[0].1.contains("invalid currency"), "{reasons:?}");
    assert!(reasons[1].1.contains("erp_id") && reasons[1].1.contains("empty"), "{reasons:?}");
    assert!(reasons[2].1.contains("unknown priority"), "{reasons:?}");
    assert!(reasons[3].1.contains("customer_name: is empty"), "{reasons:?}");
    assert!(reasons[4].1.contains("primary"), "{reasons:?}");
    assert!(reasons[5].1.contains("differ from line 2"), "{reasons:?}");
    assert!(reasons[6].1.contains("too many columns"), "{reasons:?}");
    assert_eq!(reasons.iter().map(|r| r.0).collect::<Vec<_>>(), vec![3, 4, 5, 6, 7, 8, 9]);
}

#[tokio::test]
async fn large_files_go_to_storage_in_chunks_of_at_most_500_rows() {
    let (repo, chunks) = recording(UpsertOutcome::Unchanged);
    let import = ImportCustomers { customers: repo, clock: clock() };
    let mut csv = String::from(HEADER);
    for i in 0..1_200 {
        csv.push_str(&format!("E{i},C{i},Customer {i},USD,low,First,Last,c{i}@example.com,,yes\r\n"));
    }
    let mut progress = Vec::new();

    let report = import.execute_with_progress(merchant(), csv.as_bytes(), |n| progress.push(n)).await.unwrap();

    assert_eq!(report.unchanged, 1_200);
    let sizes: Vec<usize> = chunks.lock().unwrap().iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![500, 500, 200]);
    assert_eq!(progress, vec![500, 1_000, 1_200]);
}

#[tokio::test]
async fn a_customer_split_over_chunks_counts_once() {
    let mut repo = MockCustomerRepository::new();
    let mut call = 0;
    repo.expect_upsert_customers().returning(move |_, customers, _| {
        call += 1;
        let first = if call == 1 { UpsertOutcome::Created } else { UpsertOutcome::Updated };
        Ok(vec![first; customers.len()])
    });
    let import = ImportCustomers { customers: Arc::new(repo), clock: clock() };
    let mut csv = String::from(HEADER);
    for i in 0..500 {
        csv.push_str(&format!("E{i},C{i},Customer {i},USD,low,First,Last,c{i}@example.com,,yes\r\n"));
    }
    csv.push_str("E0,C0,Customer 0,USD,low,Second,Contact,second@example.com,,no\r\n");

    let report = import.execute(merchant(), csv.as_bytes()).await.unwrap();

    assert_eq!((report.created, report.updated), (500, 0));
}

#[tokio::test]
async fn a_file_without_the_header_is_refused_naming_the_missing_columns() {
    let import = ImportCustomers { customers: Arc::new(MockCustomerRepository::new()), clock: clock() };

    let wrong = import.execute(merchant(), "erp_id,name\r\nE1,Acme\r\n".as_bytes()).await;
    let empty = import.execute(merchant(), "".as_bytes()).await;

    match wrong {
        Err(ImportCustomersError::Header(e)) => assert!(e.to_string().contains("customer_number"), "{e}"),
        other => panic!("expected a header error, got {other:?}"),
    }
    assert!(matches!(empty, Err(ImportCustomersError::Header(_))));
}

#[tokio::test]
async fn a_storage_failure_stops_the_import_as_unexpected() {
    let mut repo = MockCustomerRepository::new();
    repo.expect_upsert_customers().returning(|_, _, _| Err(portico_app::RepositoryError::unexpected("down")));
    let import = ImportCustomers { customers: Arc::new(repo), clock: clock() };

    let result = import.execute(merchant(), SAMPLE).await;

    assert!(matches!(result, Err(ImportCustomersError::Unexpected(_))));
}

#[tokio::test]
async fn line_numbers_count_quoted_line_breaks_and_blank_lines() {
    let (repo, _) = recording(UpsertOutcome::Created);
    let import = ImportCustomers { customers: repo, clock: clock() };
    let csv = format!(
        "\u{feff}{HEADER}E1,C1,\"Acme\r\nWest\",USD,high,Ann,Lee,ann@example.com,,yes\r\n\r\nE2,C2,Beta,XX,low,Bo,Ray,,,yes\r\nE3\r\n"
    );

    let report = import.execute(merchant(), csv.as_bytes()).await.unwrap();

    let lines: Vec<u64> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![5, 6]);
}

#[tokio::test]
async fn a_second_primary_contact_is_imported_as_a_contact_with_a_warning() {
    let (repo, chunks) = recording(UpsertOutcome::Created);
    let import = ImportCustomers { customers: repo, clock: clock() };
    let csv = format!(
        "{HEADER}\
         E1,C1,Acme,USD,high,Ann,Lee,ann@example.com,,yes\r\n\
         E1,C1,Acme,USD,high,Bob,Ray,bob@example.com,,yes\r\n\
         E1,C1,Acme,USD,high,Cy,Day,cy@example.com,,no\r\n"
    );

    let report = import.execute(merchant(), csv.as_bytes()).await.unwrap();

    let stored = chunks.lock().unwrap().concat();
    let primaries: Vec<&str> =
        stored[0].contacts.iter().filter(|c| c.primary).filter_map(|c| c.email.stored()).collect();
    assert_eq!(primaries, ["ann@example.com"], "the first primary is kept");
    assert_eq!(stored[0].contacts.len(), 3, "the later one is still imported");
    assert!(report.rejected.is_empty(), "{report:?}");
    assert_eq!(report.warnings.len(), 1, "{report:?}");
    assert_eq!(report.warnings[0].line, 3);
    assert!(report.warnings[0].message.contains("line 2"), "{report:?}");
}
