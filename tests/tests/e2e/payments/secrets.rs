//! Raw card and account numbers never reach storage or logs: after paying
//! with new cards and bank accounts (saved, declined, returned, mistyped),
//! neither the SQLite files nor the captured logs nor the emails hold one.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::TimeDelta;
use portico_domain::PaymentStatus;
use portico_tests::payments::{bank, card};
use portico_tests::spawn_app;

/// Every log line of this process, at every level.
static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Sink(buffer.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(move || sink.clone())
            .try_init();
        buffer
    })
    .clone()
}

const NUMBERS: [&str; 7] = [
    "4242424242424242",
    "4242 4242 4242 4242",
    "4000000000000002",
    "4242424242424241",
    "000123456789",
    "000222222227",
    "000111111113",
];

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the data directory").flatten() {
        let path = entry.path();
        if path.is_dir() { out.extend(files_under(&path)) } else { out.push(path) }
    }
    out
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn no_card_or_account_number_reaches_the_database_files_the_logs_or_the_emails() {
    let logs = capture_logs();
    let app = spawn_app().await;
    let payers = app.sample_payers(2).await;
    let (a, b) = (&payers[0], &payers[1]);
    app.pay(a, &[(0, None)], card("4242 4242 4242 4242", true), "e2e-secret-001").await.unwrap();
    assert!(app.pay(a, &[(1, None)], card("4000000000000002", true), "e2e-secret-002").await.is_err());
    assert!(app.pay(a, &[(1, None)], card("4242424242424241", true), "e2e-secret-003").await.is_err());
    let settles = app.pay(b, &[(0, None)], bank("000123456789", true), "e2e-secret-004").await.unwrap();
    let returns = app.pay(b, &[(1, None)], bank("000222222227", true), "e2e-secret-005").await.unwrap();
    let closed = app.pay(a, &[(1, Some(100))], bank("000111111113", true), "e2e-secret-006").await.unwrap();
    app.clock.advance(TimeDelta::days(7));
    for id in [settles.payment.id, returns.payment.id, closed.payment.id] {
        let status = if id == settles.payment.id { PaymentStatus::Succeeded } else { PaymentStatus::Failed };
        app.payment_in(&id.to_string(), status).await;
    }

    let mut stored = Vec::new();
    for file in files_under(&app.dir) {
        let bytes = std::fs::read(&file).expect("a readable file");
        for number in NUMBERS {
            assert!(!holds(&bytes, number), "{number} is in {}", file.display());
        }
        stored.extend(bytes);
    }
    // The files do hold the payments: what they keep instead.
    assert!(holds(&stored, "pm_sbx_card_ok_") && holds(&stored, "4242"), "the payments were written");
    let logs = logs.lock().expect("the log buffer").clone();
    assert!(!logs.is_empty(), "logs were captured");
    for number in NUMBERS {
        assert!(!holds(&logs, number), "{number} is in the logs");
    }
    app.stop().await;
}
