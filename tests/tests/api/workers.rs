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
