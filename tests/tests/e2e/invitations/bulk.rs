//! Inviting every customer: exactly one email per invited contact, every
//! other contact in the report with its reason, and sending to another
//! address when staff ask.

use std::collections::HashSet;

use portico_testkit::smtp::SmtpServer;
use portico_tests::SAMPLE_CUSTOMERS;
use serde_json::json;

use crate::support::expected::{invite_all, skipped_of};
use crate::support::scenario::with_sample;
use portico_tests::mail::{recipient_of, tokens_in};
use portico_tests::{TestApp, eventually, spawn_app};

/// Waits until no email of the batch is still queued (each was sent or
/// failed), the batch reports `sent` emails sent and the SMTP server holds
/// at least that many messages.
async fn delivered(app: &TestApp, smtp: &SmtpServer, batch_id: &str, sent: u64) {
    eventually("every email is sent or failed", || async {
        let batch = app.batch(batch_id).await;
        let queued = app.invitations(None).await.into_iter().filter(|i| i["delivery"] == "queued").count();
        let reported = batch["emails_sent"].as_u64().unwrap_or_default();
        if queued == 0 && reported == sent && smtp.count() as u64 >= sent {
            Ok(())
        } else {
            Err(format!("{batch}; {queued} queued; {} received", smtp.count()))
        }
    })
    .await;
}

#[tokio::test]
async fn inviting_all_sends_one_email_per_eligible_contact_and_reports_every_other_with_its_reason() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app().smtp(&smtp).await;
    invite_all_sends_once(app, &smtp).await;
}

#[tokio::test]
async fn on_postgresql_inviting_all_sends_one_email_per_eligible_contact() {
    let smtp = SmtpServer::start().await;
    let Some(spawn) = spawn_app().smtp(&smtp).postgres() else { return };
    invite_all_sends_once(spawn.await, &smtp).await;
}

async fn invite_all_sends_once(app: TestApp, smtp: &SmtpServer) {
    let report = app.import_customers(&app.admin_key, SAMPLE_CUSTOMERS).await.expect_status(200);
    let expected = invite_all(SAMPLE_CUSTOMERS, &report);

    let id = app.invite(&json!({ "all": true, "mode": "link" })).await;
    let batch = app.completed_batch(&id).await;
    let invited = batch["invited"].as_u64().unwrap_or_default();
    let deliverable = expected.deliverable.len() as u64;
    delivered(&app, smtp, &id, deliverable).await;

    assert_eq!(batch["total"].as_u64(), Some(expected.total), "{batch}");
    assert_eq!(invited, expected.recipients.len() as u64, "{batch}");
    assert_eq!(skipped_of(&batch), expected.skipped, "{batch}");
    assert_eq!(batch["failed"], 0, "{batch}");
    let received = smtp.received();
    assert_eq!(received.len() as u64, deliverable, "exactly one email per invited contact the server can take");
    let mut got: Vec<String> = received.iter().map(recipient_of).collect();
    let mut want = expected.deliverable.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want, "the envelope recipients are the invited contacts' addresses");
    let distinct: HashSet<&String> = got.iter().collect();
    assert_eq!(distinct.len(), want.iter().collect::<HashSet<_>>().len());
    let pending = app.invitations(Some("pending")).await;
    assert_eq!(pending.len() as u64, invited);
    // The loopback server offers no SMTPUTF8: internationalised addresses
    // fail for good, with the reason shown to staff, and are never retried.
    let mut failed: Vec<String> = pending
        .iter()
        .filter(|i| i["delivery"] == "failed")
        .inspect(|i| assert!(i["delivery_error"].as_str().is_some_and(|e| e.contains("SMTPUTF8")), "{i}"))
        .filter_map(|i| i["recipient"].as_str().map(str::to_owned))
        .collect();
    let mut undeliverable: Vec<String> = expected.recipients.iter().filter(|r| !r.is_ascii()).cloned().collect();
    failed.sort();
    undeliverable.sort();
    assert_eq!(failed, undeliverable);
    let mut tokens = HashSet::new();
    for message in &received {
        let found = tokens_in(message);
        assert_eq!(found.len(), 1, "one link per email: {found:?}");
        assert!(tokens.insert(found[0].clone()), "a link was sent twice");
        let page = app.open_link(&found[0]).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.form("/accept").is_some_and(|f| f.fields.iter().any(|n| n == "password")), "{}", page.html);
    }
    assert_eq!(app.invitations(Some("pending")).await.len() as u64, invited, "opening the links changed nothing");
    app.stop().await;
}

#[tokio::test]
async fn sending_to_another_address_delivers_every_email_there_only() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let expected = invite_all(SAMPLE_CUSTOMERS, &report);
    let tester = "tester@portico.example";

    let id = app.invite(&json!({ "all": true, "recipient": tester })).await;
    let batch = app.completed_batch(&id).await;
    let invited = batch["invited"].as_u64().unwrap_or_default();
    delivered(&app, &smtp, &id, invited).await;

    // The contact's own address is not needed, so nobody lacks one.
    assert_eq!(invited, expected.total, "{batch}");
    assert_eq!(skipped_of(&batch).values().sum::<u64>(), 0, "{batch}");
    let received = smtp.received();
    assert_eq!(received.len() as u64, invited);
    assert!(received.iter().all(|m| recipient_of(m) == tester), "an email went elsewhere");
    for message in &received {
        let to = message.header("To").unwrap_or_default();
        assert!(to.contains(tester), "the To header names {to}");
        for contact in &expected.recipients {
            assert!(!to.contains(contact.as_str()), "the To header names the contact {contact}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_preview_foretells_the_batch_and_sends_nothing() {
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let expected = invite_all(SAMPLE_CUSTOMERS, &report);
    let body = json!({ "all": true });

    let preview = app.preview_invitations(&body).await;

    assert_eq!(preview.status, 200, "{}", preview.text());
    let preview = preview.json();
    assert_eq!(preview["total"].as_u64(), Some(expected.total), "{preview}");
    assert_eq!(preview["invited"].as_u64(), Some(expected.recipients.len() as u64), "{preview}");
    assert_eq!(skipped_of(&preview), expected.skipped, "{preview}");
    let rows = preview["rows"].as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty(), "{preview}");
    for row in &rows {
        let to = row["recipient"].as_str();
        assert!(to.is_some() != row["skip_reason"].is_string(), "a row is either sent or skipped: {row}");
        assert!(to.is_none_or(|to| expected.recipients.iter().any(|r| r == to)), "{row}");
    }
    assert!(app.invitations(None).await.is_empty(), "a preview invites nobody");

    let batch = app.invite_and_wait(&body).await;

    assert_eq!(batch["invited"], preview["invited"], "{batch}");
    assert_eq!(skipped_of(&batch), skipped_of(&preview), "{batch}");
    app.stop().await;
}
