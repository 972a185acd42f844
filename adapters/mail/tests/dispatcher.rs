//! The outbox dispatcher against a real SMTP server on loopback and a faithful
//! in-memory outbox.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use portico_app::{DeliveryStatus, OutboxEmail, OutboxQueue};
use portico_mail::{Dispatcher, DispatcherConfig, FileTransport, MailTransport, SmtpTransport};
use portico_testkit::smtp::{SmtpServer, wait_until};
use support::outbox::MemoryOutbox;
use support::{SystemClock, email, sender, smtp_options};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const DEADLINE: Duration = Duration::from_secs(60);

fn config() -> DispatcherConfig {
    DispatcherConfig {
        batch_size: 50,
        lease: Duration::from_secs(30),
        lease_margin: Duration::from_secs(5),
        max_attempts: 100,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        rate_per_second: None,
        concurrency: 8,
        poll_interval: Duration::from_millis(20),
    }
}

fn dispatcher(outbox: &Arc<MemoryOutbox>, transport: Arc<dyn MailTransport>, config: DispatcherConfig) -> Dispatcher {
    Dispatcher::new(outbox.clone(), transport, Arc::new(SystemClock), config)
}

fn smtp(server: &SmtpServer, pool: u32) -> Arc<dyn MailTransport> {
    Arc::new(SmtpTransport::from_url(&server.url(), &smtp_options(pool), sender()).unwrap())
}

/// Runs the dispatcher until the returned sender fires (or is dropped).
fn spawn(dispatcher: Dispatcher) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        dispatcher
            .run(async {
                let _ = stopped.await;
            })
            .await;
    });
    (stop, handle)
}

async fn enqueue(outbox: &MemoryOutbox, emails: &[OutboxEmail]) {
    outbox.enqueue(emails);
}

/// Message-ID → times received.
fn received_ids(server: &SmtpServer) -> HashMap<String, usize> {
    let mut ids = HashMap::new();
    for message in server.received() {
        *ids.entry(message.header("Message-ID").unwrap()).or_insert(0) += 1;
    }
    ids
}

fn assert_each_received_once(server: &SmtpServer, emails: &[OutboxEmail]) {
    let ids = received_ids(server);
    assert_eq!(server.count(), emails.len(), "messages received");
    for email in emails {
        let id = sender().message_id(email);
        assert_eq!(ids.get(&id), Some(&1), "{id} received {:?} times", ids.get(&id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_message_is_retried_and_delivered_once() {
    let server = SmtpServer::start().await;
    server.defer("busy@acme.example", 2);
    let outbox = Arc::new(MemoryOutbox::default());
    let emails = vec![email(1, "a@acme.example"), email(2, "busy@acme.example"), email(3, "c@acme.example")];
    enqueue(&outbox, &emails).await;
    let (stop, handle) = spawn(dispatcher(&outbox, smtp(&server, 2), config()));
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 3, 0)).await, "{:?}", outbox.counts());
    stop.send(()).unwrap();
    handle.await.unwrap();
    assert_each_received_once(&server, &emails);
    assert_eq!(outbox.claimed(), 5, "two deferrals, then delivered");
    assert_eq!(outbox.body(emails[1].id), Some((String::new(), String::new())), "body cleared once sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_message_fails_at_once_and_keeps_the_error() {
    let server = SmtpServer::start().await;
    server.refuse("gone@acme.example");
    let outbox = Arc::new(MemoryOutbox::default());
    let emails = [email(1, "gone@acme.example"), email(2, "a@acme.example")];
    enqueue(&outbox, &emails).await;
    let report = dispatcher(&outbox, smtp(&server, 2), config()).drain().await.unwrap();
    assert_eq!((report.claimed, report.sent, report.failed, report.retrying), (2, 1, 1, 0));
    let status = outbox.status(emails[0].id);
    assert!(matches!(&status, Some(DeliveryStatus::Failed { error }) if error.contains("550")), "{status:?}");
    assert_eq!(outbox.claimed(), 2, "never retried");
    assert_eq!(server.received()[0].to, ["a@acme.example"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_give_up_after_the_attempt_limit() {
    let server = SmtpServer::start().await;
    server.defer("busy@acme.example", 1000);
    let outbox = Arc::new(MemoryOutbox::default());
    enqueue(&outbox, &[email(1, "busy@acme.example")]).await;
    let config = DispatcherConfig { max_attempts: 3, ..config() };
    let (stop, handle) = spawn(dispatcher(&outbox, smtp(&server, 1), config));
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 0, 1)).await, "{:?}", outbox.counts());
    drop(stop);
    handle.await.unwrap();
    let status = outbox.status(email(1, "x@acme.example").id);
    assert!(
        matches!(&status, Some(DeliveryStatus::Failed { error }) if error.starts_with("gave up after 3 attempts") && error.contains("451")),
        "{status:?}"
    );
    assert_eq!((outbox.claimed(), server.count()), (3, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_or_duplicated_when_the_server_is_down_then_up() {
    let mut server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let emails: Vec<_> = (0..40).map(|n| email(n, "a@acme.example")).collect();
    enqueue(&outbox, &emails).await;
    server.go_down();
    let (stop, handle) = spawn(dispatcher(&outbox, smtp(&server, 4), config()));
    let retried = || {
        outbox
            .statuses()
            .iter()
            .filter(|(_, s)| matches!(s, DeliveryStatus::Queued { attempts, .. } if *attempts >= 2))
            .count()
    };
    assert!(wait_until(DEADLINE, || retried() == emails.len()).await, "every email failed twice while down");
    assert_eq!(server.count(), 0);
    server.come_up().await;
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 40, 0)).await, "{:?}", outbox.counts());
    stop.send(()).unwrap();
    handle.await.unwrap();
    assert_each_received_once(&server, &emails);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_the_claimed_emails_not_yet_sent() {
    let server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let emails: Vec<_> = (0..50).map(|n| email(n, "a@acme.example")).collect();
    enqueue(&outbox, &emails).await;
    let config = DispatcherConfig { rate_per_second: std::num::NonZeroU32::new(20), ..config() };
    let (stop, handle) = spawn(dispatcher(&outbox, smtp(&server, 2), config));
    assert!(wait_until(DEADLINE, || server.count() >= 2).await);
    assert_eq!(outbox.claimed(), 50, "the whole batch is claimed");
    stop.send(()).unwrap();
    handle.await.unwrap();
    let (queued, sent, failed) = outbox.counts();
    assert_eq!((queued + sent, failed), (50, 0));
    assert!(queued > 0, "the rate limit left some unsent");
    assert_eq!(sent, server.count(), "every send started was finished and recorded");
    // Released, not left leased: claimable at once.
    let again = outbox.claim(100, chrono::Utc::now(), chrono::Utc::now()).await.unwrap();
    assert_eq!(again.len(), queued);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatchers_side_by_side_send_each_email_once() {
    let server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let emails: Vec<_> = (0..300).map(|n| email(n, "a@acme.example")).collect();
    enqueue(&outbox, &emails).await;
    let config = DispatcherConfig { batch_size: 10, ..config() };
    let running: Vec<_> = (0..3).map(|_| spawn(dispatcher(&outbox, smtp(&server, 2), config.clone()))).collect();
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 300, 0)).await, "{:?}", outbox.counts());
    for (stop, handle) in running {
        stop.send(()).unwrap();
        handle.await.unwrap();
    }
    assert_each_received_once(&server, &emails);
    assert_eq!(outbox.claimed(), 300);
}

#[tokio::test]
async fn the_file_transport_drains_the_outbox_into_files() {
    let dir = std::env::temp_dir().join(format!("portico-mail-{}", uuid::Uuid::now_v7()));
    let files: Arc<dyn MailTransport> = Arc::new(FileTransport::new(&dir, sender()).unwrap());
    let outbox = Arc::new(MemoryOutbox::default());
    enqueue(&outbox, &(0..25).map(|n| email(n, "a@acme.example")).collect::<Vec<_>>()).await;
    let report = dispatcher(&outbox, files, DispatcherConfig { batch_size: 10, ..config() }).drain().await.unwrap();
    assert_eq!((report.claimed, report.sent), (25, 25));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 25);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The acceptance test: 1,000 emails, an outage in the middle, each received once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_emails_arrive_exactly_once_despite_an_outage() {
    let mut server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let emails: Vec<_> = (0..1000).map(|n| email(n, &format!("contact{n}@acme.example"))).collect();
    enqueue(&outbox, &emails).await;
    let (stop, handle) = spawn(dispatcher(&outbox, smtp(&server, 8), config()));
    assert!(wait_until(DEADLINE, || server.count() >= 300).await, "first third delivered");
    server.go_down();
    let failed_during_outage = || {
        outbox
            .statuses()
            .iter()
            .filter(|(_, s)| matches!(s, DeliveryStatus::Queued { last_error: Some(_), .. }))
            .count()
    };
    assert!(wait_until(DEADLINE, || failed_during_outage() >= 50).await, "sends failed during the outage");
    let during = server.count();
    server.come_up().await;
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 1000, 0)).await, "{:?}", outbox.counts());
    stop.send(()).unwrap();
    handle.await.unwrap();
    assert!(during < 1000, "the outage happened mid-run ({during} delivered before it ended)");
    assert_each_received_once(&server, &emails);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wake_through_the_port_sends_queued_mail_without_waiting_for_the_poll() {
    let server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let config = DispatcherConfig { poll_interval: Duration::from_secs(3600), ..config() };
    let dispatcher = dispatcher(&outbox, smtp(&server, 1), config);
    let waker: Arc<dyn portico_app::OutboxWaker> = Arc::new(dispatcher.clone());
    let (stop, handle) = spawn(dispatcher);
    // The first claim finds nothing; the dispatcher then idles for an hour.
    assert!(wait_until(DEADLINE, || outbox.claims() >= 1).await);
    enqueue(&outbox, &[email(1, "a@acme.example")]).await;
    waker.wake();
    assert!(wait_until(DEADLINE, || server.count() == 1).await, "the wake-up ended the idle wait");
    stop.send(()).unwrap();
    handle.await.unwrap();
}
