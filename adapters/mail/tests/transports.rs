//! The transports against a real SMTP server on loopback and a real directory.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use portico_app::{MailKind, OutboxEmail, TemplateRenderer};
use portico_domain::MerchantId;
use portico_mail::{
    FileTransport, HandlebarsRenderer, MailTransport, SendError, SmtpTransport, sample_common, sample_content,
    transport_from_url,
};
use portico_testkit::smtp::SmtpServer;
use support::{email, sender, smtp_options};
use uuid::Uuid;

fn date() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_is_delivered_as_multipart_alternative() {
    let server = SmtpServer::start().await;
    let smtp = SmtpTransport::from_url(&server.url(), &smtp_options(2), sender()).unwrap();
    let renderer = HandlebarsRenderer::new(Arc::new(support::templates::MemoryTemplateStore::default())).unwrap();
    for (n, kind) in MailKind::ALL.into_iter().enumerate() {
        let rendered =
            renderer.render(MerchantId::from_uuid(Uuid::nil()), &sample_content(kind, sample_common())).await.unwrap();
        let outbox = OutboxEmail {
            kind,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            ..email(n as u128, "ann.lee@acme.example")
        };
        smtp.send(&outbox, date()).await.unwrap();
    }
    let received = server.received();
    assert_eq!(received.len(), MailKind::ALL.len());
    for (n, message) in received.iter().enumerate() {
        assert_eq!(message.from, "billing@northwind.example");
        assert_eq!(message.to, vec!["ann.lee@acme.example".to_owned()]);
        let id = email(n as u128, "ann.lee@acme.example").id;
        assert_eq!(message.header("Message-ID"), Some(format!("<{id}@northwind.example>")));
        assert_eq!(message.header("Date").as_deref(), Some("Mon, 23 Nov 2026 09:30:00 +0000"));
        assert!(message.header("Content-Type").unwrap().starts_with("multipart/alternative"));
        assert!(message.data.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(message.data.contains("Content-Type: text/html; charset=utf-8"));
        assert!(message.header("From").unwrap().contains("<billing@northwind.example>"));
    }
    assert!(received[0].header("Subject").unwrap().contains("customer portal account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pooled_connections_are_reused() {
    let server = SmtpServer::start().await;
    let smtp = Arc::new(SmtpTransport::from_url(&server.url(), &smtp_options(3), sender()).unwrap());
    for n in 0..20 {
        smtp.send(&email(n, "a@acme.example"), date()).await.unwrap();
    }
    assert_eq!(server.connections(), 1, "sequential sends share one connection");
    let mut sends = tokio::task::JoinSet::new();
    for n in 20..80 {
        let smtp = smtp.clone();
        sends.spawn(async move { smtp.send(&email(n, "a@acme.example"), date()).await });
    }
    while let Some(sent) = sends.join_next().await {
        sent.unwrap().unwrap();
    }
    assert_eq!(server.count(), 80);
    assert!(server.connections() <= 3, "{} connections for a pool of 3", server.connections());
    assert_eq!(server.sessions(), server.connections());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_and_outages_are_classified() {
    let mut server = SmtpServer::start().await;
    let smtp = SmtpTransport::from_url(&server.url(), &smtp_options(2), sender()).unwrap();
    server.refuse("gone@acme.example");
    server.defer("busy@acme.example", 1);
    let refused = smtp.send(&email(1, "gone@acme.example"), date()).await.unwrap_err();
    assert!(matches!(&refused, SendError::Permanent(m) if m.contains("550")), "{refused:?}");
    let deferred = smtp.send(&email(2, "busy@acme.example"), date()).await.unwrap_err();
    assert!(matches!(&deferred, SendError::Transient(m) if m.contains("451")), "{deferred:?}");
    smtp.send(&email(2, "busy@acme.example"), date()).await.unwrap();
    server.go_down();
    let down = smtp.send(&email(3, "ann@acme.example"), date()).await.unwrap_err();
    assert!(matches!(down, SendError::Transient(_)), "{down:?}");
    server.come_up().await;
    smtp.send(&email(3, "ann@acme.example"), date()).await.unwrap();
    let to: Vec<_> = server.received().into_iter().map(|m| m.to[0].clone()).collect();
    assert_eq!(to, ["busy@acme.example", "ann@acme.example"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_internationalised_address_to_a_server_without_smtputf8_fails_for_good() {
    let server = SmtpServer::start().await;
    let smtp = SmtpTransport::from_url(&server.url(), &smtp_options(1), sender()).unwrap();

    let refused = smtp.send(&email(1, "zoë.smith@acme.example"), date()).await.unwrap_err();

    assert!(matches!(&refused, SendError::Permanent(m) if m.contains("SMTPUTF8")), "{refused:?}");
    smtp.send(&email(2, "zoe.smith@acme.example"), date()).await.unwrap();
    assert_eq!(server.count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_breaks_in_names_and_subjects_never_inject_a_header() {
    let server = SmtpServer::start().await;
    let smtp = SmtpTransport::from_url(&server.url(), &smtp_options(1), sender()).unwrap();
    let attacks = [
        ("Eve\r\nBcc: victim@evil.example", "Hello\r\nBcc: victim@evil.example"),
        ("Eve\nX-Injected: yes", "Hi\nX-Injected: yes\n\n<html>body</html>"),
        ("Eve\rTo: victim@evil.example", "Hi\r\n X-Folded: yes"),
        ("\"Eve\" <eve@evil.example>,\r\nCc: victim@evil.example", "Ünïcode\r\nCc: victim@evil.example"),
    ];
    for (n, (name, subject)) in attacks.iter().enumerate() {
        let outbox = OutboxEmail {
            to_name: (*name).to_owned(),
            subject: (*subject).to_owned(),
            ..email(n as u128, "ann@acme.example")
        };
        smtp.send(&outbox, date()).await.unwrap();
    }
    let received = server.received();
    assert_eq!(received.len(), attacks.len());
    for message in &received {
        assert_eq!(message.to, vec!["ann@acme.example".to_owned()], "envelope recipients untouched");
        for header in ["Bcc", "Cc", "X-Injected", "X-Folded"] {
            assert_eq!(message.header(header), None, "{header} injected into:\n{}", message.data);
        }
        let to = message.header("To").unwrap();
        assert!(to.ends_with("<ann@acme.example>") && !to.contains("victim"), "{to}");
    }
}

fn temp_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("portico-mail-{}", Uuid::now_v7())).join("nested/mail")
}

#[tokio::test]
async fn the_file_transport_writes_one_eml_per_message_into_a_new_directory() {
    let dir = temp_dir();
    let files = FileTransport::new(&dir, sender()).unwrap();
    let injected = OutboxEmail { subject: "Hi\r\nBcc: victim@evil.example".into(), ..email(2, "b@acme.example") };
    for outbox in [email(1, "a@acme.example"), injected.clone(), injected.clone()] {
        files.send(&outbox, date()).await.unwrap();
    }
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let id = |n| email(n, "x@acme.example").id;
    assert_eq!(names, [format!("{}.eml", id(1)), format!("{}.eml", id(2))], "a resend replaces its file");
    let eml = std::fs::read_to_string(dir.join(format!("{}.eml", id(2)))).unwrap();
    assert!(eml.contains(&format!("Message-ID: <{}@northwind.example>", id(2))));
    assert!(eml.contains("multipart/alternative"));
    assert!(!eml.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc:")), "{eml}");
    std::fs::remove_dir_all(dir.parent().unwrap().parent().unwrap()).unwrap();
}

#[tokio::test]
async fn mail_urls_choose_the_transport() {
    let dir = temp_dir();
    let options = smtp_options(1);
    assert!(
        format!("{:?}", transport_from_url(&format!("file://{}", dir.display()), &options, sender()).unwrap())
            .starts_with("FileTransport")
    );
    assert!(dir.is_dir());
    let smtp = transport_from_url("smtps://u:secret@smtp.example.com", &options, sender()).unwrap();
    assert!(format!("{smtp:?}").contains("smtps://u:***@smtp.example.com"));
    let error = transport_from_url("ftp://u:secret@host", &options, sender()).unwrap_err().to_string();
    assert!(error.contains("unsupported mail URL scheme") && !error.contains("secret"), "{error}");
    std::fs::remove_dir_all(dir.parent().unwrap().parent().unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_times_out_as_a_transient_failure() {
    // Accepts TCP connections and never greets.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let options = portico_mail::SmtpOptions { timeout: Duration::from_millis(300), ..smtp_options(1) };
    let smtp = SmtpTransport::from_url(&format!("smtp://127.0.0.1:{port}"), &options, sender()).unwrap();
    let error = smtp.send(&email(1, "a@acme.example"), date()).await.unwrap_err();
    assert!(matches!(error, SendError::Transient(_)), "{error:?}");
    held.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starttls_is_used_when_offered_and_enforced_when_required() {
    // The test server offers no STARTTLS.
    let server = SmtpServer::start().await;
    let opportunistic = format!("{}?tls=opportunistic", server.url());
    let smtp = SmtpTransport::from_url(&opportunistic, &smtp_options(1), sender()).unwrap();
    smtp.send(&email(1, "a@acme.example"), date()).await.unwrap();
    let required = format!("{}?tls=required", server.url());
    let smtp = SmtpTransport::from_url(&required, &smtp_options(1), sender()).unwrap();
    let error = smtp.send(&email(2, "a@acme.example"), date()).await.unwrap_err();
    assert!(matches!(&error, SendError::Transient(m) if m.contains("STARTTLS")), "{error:?}");
    assert_eq!(server.count(), 1, "nothing sent in clear when TLS is required");
}
