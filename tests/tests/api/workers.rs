//! The background workers of the composed server.

use std::time::{Duration, Instant};

use portico_app::{MailKind, OutboxEmail, OutboxRepository};
use portico_domain::{EmailAddress, OutboxMessageId};
use portico_tests::spawn_app;

#[tokio::test]
async fn the_outbox_dispatcher_delivers_queued_email_to_the_mail_directory() {
    let app = spawn_app().await.unwrap();
    let wiring = app.app.wiring();
    let merchant = wiring.merchants.list().await.unwrap()[0].id;
    let email = OutboxEmail {
        id: OutboxMessageId::from_uuid(uuid::Uuid::now_v7()),
        merchant_id: merchant,
        kind: MailKind::PasswordReset,
        to: EmailAddress::parse("ann@example.com").unwrap(),
        to_name: "Ann Lee".to_owned(),
        subject: "Reset your password".to_owned(),
        html: "<p>Hello</p>".to_owned(),
        text: "Hello".to_owned(),
        invitation_id: None,
    };

    wiring.db.outbox().enqueue(std::slice::from_ref(&email)).await.unwrap();

    let mail_dir = app.dir.join("mail");
    let deadline = Instant::now() + Duration::from_secs(10);
    let delivered = loop {
        let files: Vec<_> = std::fs::read_dir(&mail_dir)
            .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).collect())
            .unwrap_or_default();
        if !files.is_empty() {
            break std::fs::read_to_string(files[0].path()).unwrap();
        }
        assert!(Instant::now() < deadline, "no .eml file appeared in {}", mail_dir.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(delivered.contains("Reset your password"), "{delivered}");
    assert!(delivered.contains("ann@example.com"));
    app.stop().await.unwrap();
}

fn eml_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "eml")).count())
        .unwrap_or(0)
}

#[tokio::test]
async fn an_invite_all_batch_runs_in_the_background_and_each_invited_contact_gets_one_email() {
    let app = spawn_app().await.unwrap();
    app.import_customers(&app.admin_key, portico_tests::SAMPLE_CUSTOMERS).await.unwrap();

    let started =
        app.admin_json("POST", "/api/v1/invitations", Some(&serde_json::json!({ "all": true }))).await.unwrap();

    assert_eq!(started.status, 202, "{}", started.text());
    let id = started.json()["batch_id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(30);
    let batch = loop {
        let batch = app.admin_json("GET", &format!("/api/v1/invitation-batches/{id}"), None).await.unwrap().json();
        if batch["state"] == "completed" {
            break batch;
        }
        assert!(Instant::now() < deadline, "the batch did not complete: {batch}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let invited = batch["invited"].as_u64().unwrap();
    let skipped: u64 = batch["skipped"].as_object().unwrap().values().filter_map(serde_json::Value::as_u64).sum();
    assert_eq!(invited + skipped, batch["total"].as_u64().unwrap(), "{batch}");
    assert!(invited > 200, "{batch}");
    let mail_dir = app.dir.join("mail");
    while eml_files(&mail_dir) < invited as usize {
        assert!(Instant::now() < deadline, "{} of {invited} emails written", eml_files(&mail_dir));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(eml_files(&mail_dir), invited as usize);
    app.stop().await.unwrap();
}
