//! Throughput of the mail adapter, printed as figures (no timing assertions):
//! messages per second through the dispatcher to a loopback SMTP server
//! (pooled) and to the file transport, and renders per second.

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use portico_app::{MailKind, OutboxEmail, TemplateSource};
use portico_domain::MerchantId;
use portico_mail::{Dispatcher, DispatcherConfig, FileTransport, HandlebarsRenderer, MailTransport, SmtpTransport};
use portico_testkit::smtp::SmtpServer;
use support::outbox::MemoryOutbox;
use support::templates::MemoryTemplateStore;
use support::{SystemClock, email, sender, smtp_options};

const MESSAGES: u128 = 5_000;

fn config() -> DispatcherConfig {
    DispatcherConfig {
        batch_size: 200,
        concurrency: 8,
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
        ..DispatcherConfig::default()
    }
}

fn emails() -> Vec<OutboxEmail> {
    let html = format!("<p>{}</p>", "Your invoice is ready. ".repeat(60));
    let text = "Your invoice is ready. ".repeat(60);
    (0..MESSAGES)
        .map(|n| OutboxEmail { html: html.clone(), text: text.clone(), ..email(n, &format!("c{n}@acme.example")) })
        .collect()
}

async fn through(name: &str, transport: Arc<dyn MailTransport>, messages: u128) -> usize {
    let outbox = Arc::new(MemoryOutbox::default());
    outbox.enqueue(&emails()[..messages as usize]);
    let dispatcher = Dispatcher::new(outbox.clone(), transport, Arc::new(SystemClock), config());
    let start = Instant::now();
    let report = dispatcher.drain().await.unwrap();
    let elapsed = start.elapsed();
    assert_eq!(report.sent, messages as usize, "{report:?}");
    println!(
        "dispatch {name:<28} {messages:>5} messages in {:>7.3} s = {:>8.0} messages/s",
        elapsed.as_secs_f64(),
        messages as f64 / elapsed.as_secs_f64()
    );
    report.sent
}

async fn renders(renderer: &HandlebarsRenderer, merchant: MerchantId, name: &str) {
    let content = portico_mail::sample_content(MailKind::PaymentReminder, portico_mail::sample_common());
    let n = 20_000;
    let start = Instant::now();
    for _ in 0..n {
        portico_app::TemplateRenderer::render(renderer, merchant, &content).await.unwrap();
    }
    let per_second = f64::from(n) / start.elapsed().as_secs_f64();
    println!("render {name:<30} {per_second:>8.0} renders/s");
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let server = SmtpServer::start().await;
        for pool in [1, 4, 8] {
            let before = server.connections();
            let smtp = SmtpTransport::from_url(&server.url(), &smtp_options(pool), sender()).unwrap();
            let config = DispatcherConfig { concurrency: pool as usize, ..config() };
            let outbox = Arc::new(MemoryOutbox::default());
            outbox.enqueue(&emails());
            let dispatcher = Dispatcher::new(outbox.clone(), Arc::new(smtp), Arc::new(SystemClock), config);
            let start = Instant::now();
            let report = dispatcher.drain().await.unwrap();
            let elapsed = start.elapsed().as_secs_f64();
            assert_eq!(report.sent, MESSAGES as usize, "{report:?}");
            println!(
                "dispatch SMTP loopback, pool {pool:<2}         {MESSAGES:>5} messages in {elapsed:>7.3} s = {:>8.0} messages/s ({} connections)",
                MESSAGES as f64 / elapsed,
                server.connections() - before
            );
        }

        let dir = std::env::temp_dir().join(format!("portico-mail-bench-{}", uuid::Uuid::now_v7()));
        let files = FileTransport::new(&dir, sender()).unwrap();
        through("file transport (.eml)", Arc::new(files), MESSAGES).await;
        std::fs::remove_dir_all(&dir).unwrap();

        let store = Arc::new(MemoryTemplateStore::default());
        let renderer = HandlebarsRenderer::new(store.clone()).unwrap();
        let merchant = MerchantId::from_uuid(uuid::Uuid::from_u128(1));
        renders(&renderer, merchant, "default template").await;
        let source = TemplateSource {
            subject: "[CustomerName]: [Total] past due".into(),
            html: "<p>Hello [ContactName],</p>[InvoiceList]<p>Total: [Total]</p>[PaymentButtons]".into(),
            text: "Hello [ContactName],\n\n[InvoiceList]\nTotal: [Total]\n[PaymentButtons]".into(),
        };
        renderer.save_override(merchant, MailKind::PaymentReminder, &source).await.unwrap();
        renders(&renderer, merchant, "override, compiled once").await;
        let n = 20_000;
        let start = Instant::now();
        for _ in 0..n {
            renderer.preview(MailKind::PaymentReminder, Some(&source), &portico_mail::sample_common()).unwrap();
        }
        let per_second = f64::from(n) / start.elapsed().as_secs_f64();
        println!("render {:<30} {per_second:>8.0} renders/s", "override, compiled per render");
    });
    if let Some(mib) = peak_rss_mib() {
        println!("peak RSS {mib:.1} MiB");
    }
}
