//! Dispatchers share the outbox through leases: a dispatcher keeps the lease
//! of what it is sending, never starts a send its lease may not cover, and
//! retries the record of an accepted send instead of the send.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{DeliveryStatus, OutboxEmail};
use portico_mail::{Dispatcher, DispatcherConfig, FileTransport, MailTransport, SendError, Sender, SmtpTransport};
use portico_testkit::smtp::{SmtpServer, wait_until};
use support::outbox::MemoryOutbox;
use support::{SystemClock, email, sender, smtp_options};
use tokio::sync::{Semaphore, oneshot};

const DEADLINE: Duration = Duration::from_secs(60);

/// Accepts a message only when the test adds a permit.
#[derive(Debug)]
struct HeldTransport {
    release: Semaphore,
    started: Semaphore,
}

#[async_trait]
impl MailTransport for HeldTransport {
    async fn send(&self, _email: &OutboxEmail, _date: DateTime<Utc>) -> Result<(), SendError> {
        self.started.add_permits(1);
        self.release.acquire().await.map_err(|e| SendError::Transient(e.to_string()))?.forget();
        Ok(())
    }
}

fn short_lease(lease_ms: u64, margin_ms: u64) -> DispatcherConfig {
    DispatcherConfig {
        lease: Duration::from_millis(lease_ms),
        lease_margin: Duration::from_millis(margin_ms),
        concurrency: 1,
        poll_interval: Duration::from_millis(20),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(100),
        ..DispatcherConfig::default()
    }
}

fn files() -> (std::path::PathBuf, Arc<dyn MailTransport>) {
    let dir = std::env::temp_dir().join(format!("portico-mail-{}", uuid::Uuid::now_v7()));
    let transport: Arc<dyn MailTransport> = Arc::new(FileTransport::new(&dir, sender()).unwrap());
    (dir, transport)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_held_past_the_lease_keeps_its_row_from_other_dispatchers() {
    let outbox = Arc::new(MemoryOutbox::default());
    let queued = email(1, "a@acme.example");
    outbox.enqueue(std::slice::from_ref(&queued));
    let held = Arc::new(HeldTransport { release: Semaphore::new(0), started: Semaphore::new(0) });
    let config = short_lease(300, 50);
    let slow = Dispatcher::new(outbox.clone(), held.clone(), Arc::new(SystemClock), config.clone());
    let first = tokio::spawn(async move { slow.drain_once().await });
    held.started.acquire().await.unwrap().forget();
    let started_at = Utc::now();
    assert!(wait_until(DEADLINE, || Utc::now() > started_at + Duration::from_millis(700)).await);

    let (dir, files) = files();
    let other = Dispatcher::new(outbox.clone(), files, Arc::new(SystemClock), config);
    let report = other.drain_once().await.unwrap();
    assert_eq!(report.claimed, 0, "the lease was renewed during the send: {report:?}");

    held.release.add_permits(1);
    let report = first.await.unwrap().unwrap();
    assert_eq!((report.claimed, report.sent, report.unrecorded), (1, 1, 0));
    assert!(matches!(outbox.status(queued.id), Some(DeliveryStatus::Sent { .. })));
    assert_eq!(std::fs::read_dir(&dir).map(Iterator::count).unwrap_or(0), 0, "the other dispatcher sent nothing");
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs the dispatcher until the returned sender fires.
fn spawn(dispatcher: Dispatcher) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
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

fn assert_each_received_once(server: &SmtpServer, emails: &[OutboxEmail]) {
    let mut ids: HashMap<String, usize> = HashMap::new();
    for message in server.received() {
        *ids.entry(message.header("Message-ID").unwrap()).or_insert(0) += 1;
    }
    for email in emails {
        let id = sender().message_id(email);
        assert_eq!(ids.get(&id), Some(&1), "{id} received {:?} times", ids.get(&id));
    }
    assert_eq!(server.count(), emails.len(), "messages received");
}

/// The acceptance test of "no send after the lease": each message takes the
/// server longer than a whole lease, and two dispatchers share the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_slower_than_the_lease_gets_each_message_once_from_two_dispatchers() {
    let server = SmtpServer::start().await;
    server.slow_down(Duration::from_millis(700));
    let outbox = Arc::new(MemoryOutbox::default());
    let emails: Vec<_> = (0..4).map(|n| email(n, &format!("c{n}@acme.example"))).collect();
    outbox.enqueue(&emails);
    let config = short_lease(600, 150);
    let running: Vec<_> = (0..2)
        .map(|_| {
            let smtp = Arc::new(SmtpTransport::from_url(&server.url(), &smtp_options(1), sender()).unwrap());
            spawn(Dispatcher::new(outbox.clone(), smtp, Arc::new(SystemClock), config.clone()))
        })
        .collect();
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 4, 0)).await, "{:?}", outbox.counts());
    for (stop, handle) in running {
        stop.send(()).unwrap();
        handle.await.unwrap();
    }
    assert_each_received_once(&server, &emails);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_send_starts_once_the_lease_cannot_be_renewed_and_another_dispatcher_sends_the_rest_once() {
    let server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let emails: Vec<_> = (0..5).map(|n| email(n, &format!("c{n}@acme.example"))).collect();
    outbox.enqueue(&emails);
    outbox.fail_renewals();
    // 250 ms per message, one at a time, a one-second lease that cannot be
    // renewed, and no send with less than 300 ms of it left: the first
    // three go out, the fourth would start with too little lease.
    server.slow_down(Duration::from_millis(250));
    let smtp = || Arc::new(SmtpTransport::from_url(&server.url(), &smtp_options(1), sender()).unwrap());
    let first = Dispatcher::new(outbox.clone(), smtp(), Arc::new(SystemClock), short_lease(1_000, 300));

    let report = first.drain_once().await.unwrap();

    assert_eq!((report.claimed, report.sent, report.expired, report.unrecorded), (5, 3, 2, 0), "{report:?}");
    assert_eq!(server.count(), 3);
    // Once the lease ends, another dispatcher sends the rest, each once.
    server.slow_down(Duration::ZERO);
    let (stop, handle) =
        spawn(Dispatcher::new(outbox.clone(), smtp(), Arc::new(SystemClock), short_lease(30_000, 100)));
    assert!(wait_until(DEADLINE, || outbox.counts() == (0, 5, 0)).await, "{:?}", outbox.counts());
    stop.send(()).unwrap();
    handle.await.unwrap();
    assert_each_received_once(&server, &emails);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_record_of_an_accepted_send_is_retried_without_sending_again() {
    let server = SmtpServer::start().await;
    let outbox = Arc::new(MemoryOutbox::default());
    let queued = email(1, "a@acme.example");
    outbox.enqueue(std::slice::from_ref(&queued));
    outbox.fail_mark_sent(3);
    let smtp = Arc::new(SmtpTransport::from_url(&server.url(), &smtp_options(1), sender()).unwrap());
    let dispatcher = Dispatcher::new(outbox.clone(), smtp, Arc::new(SystemClock), short_lease(5_000, 100));

    let report = dispatcher.drain_once().await.unwrap();

    assert_eq!((report.sent, report.unrecorded), (1, 0), "{report:?}");
    assert!(matches!(outbox.status(queued.id), Some(DeliveryStatus::Sent { .. })));
    assert_eq!(server.count(), 1, "sent once; only the record was retried");
}

#[test]
fn a_sender_with_a_line_break_is_refused() {
    let error = Sender::parse("Shop\r\nBcc: victim@evil.example <shop@example.com>").unwrap_err();
    assert!(error.to_string().contains("control character"), "{error}");
    assert!(Sender::parse("not an address").is_err());
}
