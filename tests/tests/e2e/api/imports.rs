//! CSV imports through the API, checked line by line against the planted
//! cases of the sample data.

use portico_tests::{SAMPLE_CUSTOMERS, SAMPLE_INVOICES, spawn_app};
use serde_json::Value;

fn rejected(report: &Value) -> Vec<(u64, String)> {
    report["rejected"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| (r["line"].as_u64().unwrap_or(0), r["reason"].as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn counts(report: &Value) -> (u64, u64, u64) {
    let n = |k: &str| report[k].as_u64().unwrap_or(u64::MAX);
    (n("created"), n("updated"), n("unchanged"))
}

#[tokio::test]
async fn sample_exports_import_with_only_the_planted_bad_rows_refused_and_reimport_changes_nothing() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();

    let customers = app.import_customers(&key, SAMPLE_CUSTOMERS).await;
    let invoices = app.import_invoices(&key, SAMPLE_INVOICES).await;
    let customers_again = app.import_customers(&key, SAMPLE_CUSTOMERS).await;
    let invoices_again = app.import_invoices(&key, SAMPLE_INVOICES).await;

    assert_eq!(customers.status, 200, "{}", customers.text());
    let report = customers.json();
    // 300 customers; the three exact duplicate rows are harmless.
    assert_eq!(counts(&report), (300, 0, 0));
    let bad = rejected(&report);
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0].0, 459);
    assert!(bad[0].1.contains("too few columns"), "{}", bad[0].1);

    assert_eq!(invoices.status, 200, "{}", invoices.text());
    let report = invoices.json();
    assert_eq!(counts(&report), (796, 0, 0));
    let bad = rejected(&report);
    assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), vec![549, 583]);
    assert!(bad[0].1.contains("INV-74419-0 already appears on line 128"), "{}", bad[0].1);
    assert!(bad[1].1.contains("INV-93046-1 already appears on line 155"), "{}", bad[1].1);

    assert_eq!(counts(&customers_again.json()), (0, 0, 300));
    assert_eq!(counts(&invoices_again.json()), (0, 0, 796));
    app.stop().await;
}

#[tokio::test]
async fn a_changed_row_updates_its_customer_and_bad_rows_never_stop_good_ones() {
    let app = spawn_app().await;
    let key = app.admin_key.clone();
    let header = "erp_id,customer_number,customer_name,currency,collection_priority,contact_first_name,contact_last_name,contact_email,contact_phone,primary\r\n";
    let first = format!(
        "{header}E1,C1,Acme,USD,high,Ann,Lee,ann@example.com,,yes\r\nE2,C2,Beta,USD,low,Bo,Ray,bo@example.com,,yes\r\n"
    );
    let second = format!(
        "{header}E1,C1,Acme Renamed,USD,high,Ann,Lee,ann@example.com,,yes\r\nE2,C2,Beta,USD,low,Bo,Ray,bo@example.com,,yes\r\nE3,C3,Gamma,ZZZZ,low,Cy,Day,,,yes\r\nE4,C4,Delta,USD,urgent,Di,Eve,,,yes\r\n,C5,Eps,USD,low,Ed,Fox,,,yes\r\nE6,C6,Zeta,EUR,,Fi,Gee,not-an-email,,yes\r\n"
    );

    app.import_customers(&key, first.as_bytes()).await;
    let report = app.import_customers(&key, second.as_bytes()).await.json();

    assert_eq!(counts(&report), (1, 1, 1), "{report}");
    let bad = rejected(&report);
    assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), vec![4, 5, 6], "{bad:?}");
    assert!(bad[0].1.contains("invalid currency"), "{}", bad[0].1);
    assert!(bad[1].1.contains("unknown priority"), "{}", bad[1].1);
    assert!(bad[2].1.contains("erp_id"), "{}", bad[2].1);
    app.stop().await;
}

#[tokio::test]
async fn invoices_of_unknown_customers_are_refused_by_line() {
    let app = spawn_app().await;
    let csv = "erp_id,invoice_number,issue_date,due_date,currency,amount,balance\nNOPE,I-1,2026-01-01,2026-02-01,USD,10.00,10.00\n";

    let report = app.import_invoices(&app.admin_key, csv.as_bytes()).await.json();

    assert_eq!(counts(&report), (0, 0, 0));
    let bad = rejected(&report);
    assert_eq!(bad[0].0, 2);
    assert!(bad[0].1.contains("no customer has erp_id NOPE"), "{}", bad[0].1);
    app.stop().await;
}

#[tokio::test]
async fn malformed_files_wrong_content_types_and_oversized_bodies_are_clear_4xx() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.admin_key);
    let path = "/api/v1/imports/customers";

    let no_header = app.import_customers(&app.admin_key, b"hello,world\n1,2\n").await;
    let empty = app.import_customers(&app.admin_key, b"").await;
    let binary = app.import_customers(&app.admin_key, &[0xff, 0xfe, 0x00, 0x81, b'\n']).await;
    let json =
        app.send("POST", path, &[("authorization", &auth), ("content-type", "application/json")], Some(b"{}")).await;
    let no_type = app.send("POST", path, &[("authorization", &auth)], Some(b"erp_id\n")).await;
    let huge = app
        .send(
            "POST",
            path,
            &[("authorization", &auth), ("content-type", "text/csv"), ("content-length", "67108865")],
            None,
        )
        .await;

    assert_eq!((no_header.status, no_header.code().as_str()), (422, "malformed_csv"));
    assert!(no_header.json()["message"].as_str().unwrap_or_default().contains("erp_id"));
    assert_eq!((empty.status, empty.code().as_str()), (422, "malformed_csv"));
    assert_eq!(binary.status, 422, "{}", binary.text());
    assert_eq!((json.status, json.code().as_str()), (415, "unsupported_media_type"));
    assert_eq!((no_type.status, no_type.code().as_str()), (415, "unsupported_media_type"));
    assert_eq!((huge.status, huge.code().as_str()), (413, "payload_too_large"));
    app.stop().await;
}
