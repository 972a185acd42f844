//! Dispatchers share the outbox through leases: a send that outlives its
//! lease loses the row to another dispatcher and records nothing.

mod support;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::{DeliveryStatus, OutboxEmail};
use portico_mail::{Dispatcher, DispatcherConfig, FileTransport, MailTransport, SendError, Sender};
use portico_testkit::smtp::wait_until;
use support::outbox::MemoryOutbox;
use support::{SystemClock, email, sender};
use tokio::sync::Semaphore;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_outlives_its_lease_loses_the_row_and_records_nothing() {
    let outbox = Arc::new(MemoryOutbox::default());
    let queued = email(1, "a@acme.example");
    outbox.enqueue(std::slice::from_ref(&queued));
    let held = Arc::new(HeldTransport { release: Semaphore::new(0), started: Semaphore::new(0) });
    let config = DispatcherConfig { lease: Duration::from_millis(50), ..DispatcherConfig::default() };
    let slow = Dispatcher::new(outbox.clone(), held.clone(), Arc::new(SystemClock), config.clone());
    let first = tokio::spawn(async move { slow.drain_once().await });
    held.started.acquire().await.unwrap().forget();
    let claimed_at = Utc::now();
    assert!(wait_until(Duration::from_secs(10), || Utc::now() > claimed_at + Duration::from_millis(60)).await);

    let dir = std::env::temp_dir().join(format!("portico-mail-{}", uuid::Uuid::now_v7()));
    let files: Arc<dyn MailTransport> = Arc::new(FileTransport::new(&dir, sender()).unwrap());
    let fast = Dispatcher::new(outbox.clone(), files, Arc::new(SystemClock), config);
    let report = fast.drain_once().await.unwrap();
    assert_eq!((report.claimed, report.sent), (1, 1), "the expired lease let another dispatcher claim it");

    held.release.add_permits(1);
    let report = first.await.unwrap().unwrap();
    assert_eq!((report.claimed, report.sent, report.unrecorded), (1, 0, 1));
    assert!(matches!(outbox.status(queued.id), Some(DeliveryStatus::Sent { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_sender_with_a_line_break_is_refused() {
    let error = Sender::parse("Shop\r\nBcc: victim@evil.example <shop@example.com>").unwrap_err();
    assert!(error.to_string().contains("control character"), "{error}");
    assert!(Sender::parse("not an address").is_err());
}
