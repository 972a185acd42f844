//! The background workers of the composed server.

use std::path::Path;

use portico_app::{MailKind, OutboxEmail};
use portico_domain::{EmailAddress, OutboxMessageId};
use portico_tests::{eventually, spawn_app};

/// The `.eml` files in `dir`, oldest name first.
fn eml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "eml")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[tokio::test]
async fn the_outbox_dispatcher_delivers_queued_email_to_the_mail_directory() {
    let app = spawn_app().await;
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
    let delivered = eventually("an .eml file appears in the mail directory", || async {
        let files = eml_files(&mail_dir);
        files.first().map(|f| std::fs::read_to_string(f).unwrap()).ok_or_else(|| mail_dir.display().to_string())
    })
    .await;
    assert!(delivered.contains("Reset your password"), "{delivered}");
    assert!(delivered.contains("ann@example.com"));
    app.stop().await;
}

#[tokio::test]
async fn an_invite_all_batch_runs_in_the_background_and_each_invited_contact_gets_one_email() {
    let app = spawn_app().await;
    app.import_customers(&app.admin_key, portico_tests::SAMPLE_CUSTOMERS).await;

    let started = app.admin("POST", "/api/v1/invitations", Some(&serde_json::json!({ "all": true }))).await;

    assert_eq!(started.status, 202, "{}", started.text());
    let id = started.json()["batch_id"].as_str().unwrap().to_owned();
    let batch = app.completed_batch(&id).await;
    let invited = batch["invited"].as_u64().unwrap();
    let skipped: u64 = batch["skipped"].as_object().unwrap().values().filter_map(serde_json::Value::as_u64).sum();
    assert_eq!(invited + skipped, batch["total"].as_u64().unwrap(), "{batch}");
    assert!(invited > 200, "{batch}");
    let mail_dir = app.dir.join("mail");
    eventually("every invited contact's email is written", || async {
        let written = eml_files(&mail_dir).len();
        if written >= invited as usize { Ok(()) } else { Err(format!("{written} of {invited} emails written")) }
    })
    .await;
    assert_eq!(eml_files(&mail_dir).len(), invited as usize);
    app.stop().await;
}
