//! Bulk invitations end to end: customers imported first (not timed), then
//! `POST /api/v1/invitations {"all": true}` on an in-process server, timed
//! until a real SMTP server on loopback has received every email. Prints
//! invites per second and the process's peak RSS; asserts nothing about time.
//!
//! The figures cover the whole path: the batch worker planning chunks
//! (tokens, argon2id hashes in credentials mode, rendering), each chunk's
//! transaction, and the outbox dispatcher's claims, SMTP sends and records.
//! The SMTP server runs in this process too and only counts messages.

use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use portico_testkit::smtp::SmtpServer;
use portico_tests::bench::{customer_export, mib, peak_rss_kib, reset_peak};
use portico_tests::{TestApp, spawn_app};
use serde_json::{Value, json};

/// Customers per import request while seeding.
const SEED_SLICE: usize = 20_000;
/// A run that has not delivered everything by then is reported as stuck.
const DEADLINE: Duration = Duration::from_secs(900);
/// How often the batch's progress is read (each read counts sent emails).
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// What one run measured.
struct Figures {
    seconds: f64,
    invited_after: Option<f64>,
    before_kib: u64,
    peak_kib: u64,
}

async fn seed(app: &TestApp, contacts: usize) -> anyhow::Result<()> {
    let mut from = 0;
    while from < contacts {
        let to = (from + SEED_SLICE).min(contacts);
        let (csv, _) = customer_export(from, to, false);
        let answer = app.import_customers(&app.admin_key, &csv).await;
        ensure!(answer.status == 200, "seeding failed: {}", answer.text());
        let report = answer.json();
        ensure!(report["created"] == to - from, "unexpected import report {report}");
        from = to;
    }
    Ok(())
}

async fn batch(app: &TestApp, id: &str) -> anyhow::Result<Value> {
    let answer = app.admin("GET", &format!("/api/v1/invitation-batches/{id}"), None).await;
    ensure!(answer.status == 200, "reading the batch failed: {}", answer.text());
    Ok(answer.json())
}

/// Invites every customer's contact with `body` and waits for every email.
async fn run(contacts: usize, body: &Value) -> anyhow::Result<Figures> {
    let smtp = SmtpServer::start_counting().await;
    let app = spawn_app().mail(smtp.direct_url()).await;
    seed(&app, contacts).await?;
    reset_peak();
    let before_kib = peak_rss_kib();
    let started = Instant::now();
    let answer = app.admin("POST", "/api/v1/invitations", Some(body)).await;
    ensure!(answer.status == 202, "starting the batch failed: {}", answer.text());
    let id = answer.json()["batch_id"].as_str().context("no batch_id")?.to_owned();
    let mut invited_after = None;
    let mut next_progress = Instant::now() + PROGRESS_EVERY;
    while smtp.count() < contacts {
        if started.elapsed() > DEADLINE {
            bail!("{} of {contacts} emails after {DEADLINE:?}; batch {}", smtp.count(), batch(&app, &id).await?);
        }
        if invited_after.is_none() && Instant::now() >= next_progress {
            next_progress += PROGRESS_EVERY;
            let progress = batch(&app, &id).await?;
            ensure!(progress["state"] != "failed", "the batch failed: {progress}");
            if progress["state"] == "completed" {
                invited_after = Some(started.elapsed().as_secs_f64());
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let peak_kib = peak_rss_kib();
    let progress = batch(&app, &id).await?;
    // Completed between the last progress read and the last email.
    let invited_after = invited_after.or(Some(seconds));
    ensure!(progress["state"] == "completed" && progress["invited"] == contacts, "unexpected batch {progress}");
    ensure!(smtp.count() == contacts, "{} emails for {contacts} contacts", smtp.count());
    app.stop().await;
    Ok(Figures { seconds, invited_after, before_kib, peak_kib })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!(
        "bulk invitation: POST /api/v1/invitations {{\"all\": true}} until every email reached a loopback SMTP server"
    );
    println!("(SQLite, in-process server, outbox dispatcher on its defaults)");
    let link = json!({ "all": true });
    let credentials =
        json!({ "all": true, "mode": "credentials", "username_from": "email", "password_from": "random" });
    for (contacts, mode, body) in
        [(10_000, "link", &link), (100_000, "link", &link), (1_000, "credentials", &credentials)]
    {
        let f = run(contacts, body).await?;
        let invited = f.invited_after.map_or_else(String::new, |s| format!("{s:.1} s"));
        println!(
            "{contacts:>7} contacts, {mode:<11}: {:>6.1} s = {:>6.0} invites/s end to end (batch completed by {invited}); \
             peak RSS {:.1} MiB (from {:.1} MiB before)",
            f.seconds,
            contacts as f64 / f.seconds,
            mib(f.peak_kib),
            mib(f.before_kib),
        );
    }
    Ok(())
}
