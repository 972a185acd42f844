//! A batch stopped mid-way resumes on a new application over the same
//! database once its lease ends: every eligible contact is invited and
//! emailed exactly once.

use std::collections::HashSet;
use std::fmt::Write;

use chrono::TimeDelta;
use portico_testkit::smtp::SmtpServer;
use serde_json::json;

use portico_tests::mail::recipient_of;
use portico_tests::{TestApp, eventually, spawn_app};

/// Several chunks of 500 contacts.
const CUSTOMERS: usize = 3_000;
/// The server's batch lease, and a margin.
const PAST_THE_LEASE: TimeDelta = TimeDelta::seconds(61);

fn export(customers: usize) -> String {
    let mut csv = String::from(
        "erp_id,customer_number,customer_name,currency,collection_priority,contact_first_name,contact_last_name,contact_email,contact_phone,primary\n",
    );
    for i in 0..customers {
        let _ = writeln!(csv, "ERP-{i:06},C{i:06},Customer {i},USD,,Pat,Lee {i},pat.lee{i}@example.com,,yes");
    }
    csv
}

#[tokio::test]
async fn a_batch_stopped_mid_way_resumes_after_a_restart_and_invites_everyone_exactly_once() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app().smtp(&smtp).await;
    stopped_batch_resumes_once(app, &smtp).await;
}

#[tokio::test]
async fn on_postgresql_a_batch_stopped_mid_way_resumes_and_invites_everyone_exactly_once() {
    let smtp = SmtpServer::start().await;
    let Some(spawn) = spawn_app().smtp(&smtp).postgres() else { return };
    stopped_batch_resumes_once(spawn.await, &smtp).await;
}

async fn stopped_batch_resumes_once(app: TestApp, smtp: &SmtpServer) {
    let report = app.import_customers(&app.admin_key, export(CUSTOMERS).as_bytes()).await.expect_status(200);
    assert_eq!(report["created"].as_u64(), Some(CUSTOMERS as u64), "{report}");

    let id = app.invite(&json!({ "all": true })).await;
    let midway = eventually("the batch shows progress", || async {
        let batch = app.batch(&id).await;
        let invited = batch["invited"].as_u64().unwrap_or_default();
        assert_ne!(batch["state"], "completed", "the batch finished before it could be stopped: {batch}");
        if invited > 0 { Ok(batch) } else { Err(batch.to_string()) }
    })
    .await;
    assert!(midway["invited"].as_u64() < Some(CUSTOMERS as u64), "{midway}");
    let app = app.restart().await;

    let after_stop = app.batch(&id).await;
    assert_ne!(after_stop["state"], "completed", "stopped mid-way: {after_stop} (seen {midway})");
    // The stopped worker's lease still holds the batch: asking again returns it.
    let again = app.admin("POST", "/api/v1/invitations", Some(&json!({ "all": true }))).await;
    assert_eq!(again.status, 202, "{}", again.text());
    assert_eq!(again.json()["batch_id"], id.as_str(), "{}", again.text());
    assert_eq!(again.json()["created"], false, "{}", again.text());
    app.clock.advance(PAST_THE_LEASE);
    let batch = app.completed_batch(&id).await;
    eventually("every email is delivered", || async {
        let batch = app.batch(&id).await;
        let sent = batch["emails_sent"].as_u64().unwrap_or_default();
        if sent == CUSTOMERS as u64 && smtp.count() >= CUSTOMERS {
            Ok(())
        } else {
            Err(format!("{batch}; {} received", smtp.count()))
        }
    })
    .await;

    assert_eq!(batch["invited"].as_u64(), Some(CUSTOMERS as u64), "{batch}");
    assert_eq!(batch["total"].as_u64(), Some(CUSTOMERS as u64), "{batch}");
    assert_eq!(batch["failed"], 0, "{batch}");
    let received = smtp.received();
    assert_eq!(received.len(), CUSTOMERS, "one email per contact, none twice");
    let recipients: HashSet<String> = received.iter().map(recipient_of).collect();
    let expected: HashSet<String> = (0..CUSTOMERS).map(|i| format!("pat.lee{i}@example.com")).collect();
    assert_eq!(recipients, expected);
    assert_eq!(app.invitations(None).await.len(), CUSTOMERS, "one invitation per contact");
    app.stop().await;
}
