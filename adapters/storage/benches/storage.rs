//! Throughput of the bulk paths: importing 10,000 customers in chunks of 500,
//! and recording 10,000 invitations with their events and outbox emails, on a
//! SQLite file and (when `PORTICO_TEST_DATABASE_URL` is set) a fresh
//! PostgreSQL database. Prints rows per second.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use portico_app::{
    ContactUpsert, CustomerRepository, CustomerUpsert, InvitationReader, InvitationWrite, InvitationWriter, MailKind,
    Merchant, MerchantRepository, OutboxEmail, PortalSettings, Selection, UpsertOutcome,
};
use portico_domain::{
    Actor, ContactEmail, ContactStanding, Currency, CustomerNumber, EmailAddress, ErpId, Invitation, InvitationId,
    InvitationLifetime, InvitationMode, MerchantId, NewInvitation, OutboxMessageId, SecretToken,
};
use portico_storage::{Database, connect, migrate};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

const ROWS: usize = 10_000;
const CHUNK: usize = 500;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> BenchResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let dir = std::env::temp_dir().join(format!("portico-bench-{}", Uuid::now_v7().simple()));
        let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
        run("SQLite (file, WAL)", &url).await?;
        std::fs::remove_dir_all(&dir)?;
        match std::env::var("PORTICO_TEST_DATABASE_URL") {
            Ok(admin) => {
                let name = format!("portico_bench_{}", Uuid::now_v7().simple());
                let server = sea_orm::Database::connect(&admin).await?;
                server.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
                let url = match admin.rsplit_once('/') {
                    Some((prefix, _)) => format!("{prefix}/{name}"),
                    None => return Err("PORTICO_TEST_DATABASE_URL has no database name".into()),
                };
                let outcome = run("PostgreSQL", &url).await;
                server.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
                outcome?;
            }
            Err(_) => println!("PostgreSQL skipped: PORTICO_TEST_DATABASE_URL is not set"),
        }
        Ok(())
    })
}

async fn run(label: &str, url: &str) -> BenchResult<()> {
    let db = connect(url, std::sync::Arc::new(portico_testkit::ids::SequentialIds::new())).await?;
    migrate(&db).await?;
    let merchant = MerchantId::from_uuid(Uuid::now_v7());
    db.merchants()
        .create(&Merchant { id: merchant, name: "Bench".into(), settings: PortalSettings::default() })
        .await?;
    let customers: Vec<CustomerUpsert> = (0..ROWS).map(customer).collect::<Result<_, _>>()?;
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().ok_or("bad instant")?;

    let repo = db.customers();
    let started = Instant::now();
    for chunk in customers.chunks(CHUNK) {
        repo.upsert_customers(merchant, chunk, now).await?;
    }
    report(label, "import 10,000 customers (new)", started);
    let started = Instant::now();
    let mut unchanged = 0;
    for chunk in customers.chunks(CHUNK) {
        let outcomes = repo.upsert_customers(merchant, chunk, now).await?;
        unchanged += outcomes.iter().filter(|o| **o == UpsertOutcome::Unchanged).count();
    }
    report(label, "re-import 10,000 customers (unchanged)", started);
    if unchanged != ROWS {
        return Err(format!("a re-import changed {} customers", ROWS - unchanged).into());
    }

    let writes = invitation_writes(&db, merchant, now).await?;
    let invitations = db.invitations();
    let started = Instant::now();
    for chunk in writes.chunks(CHUNK) {
        invitations.insert(merchant, chunk).await?;
    }
    report(label, "record 10,000 invitations + events + outbox", started);
    db.close().await?;
    Ok(())
}

fn report(label: &str, what: &str, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!("{label:<20} {what:<45} {:>8.0} rows/s  ({secs:.2} s)", ROWS as f64 / secs);
}

fn customer(i: usize) -> BenchResult<CustomerUpsert> {
    Ok(CustomerUpsert {
        erp_id: ErpId::parse(&format!("ERP-{i:06}"))?,
        customer_number: Some(CustomerNumber::parse(&format!("C{i:06}"))?),
        name: format!("Customer {i}"),
        currency: Currency::USD,
        collection_priority: None,
        contacts: vec![ContactUpsert {
            first_name: "Ann".into(),
            last_name: format!("Person {i}"),
            email: ContactEmail::from_raw(&format!("ann.{i}@example.com")),
            phone: None,
            primary: true,
        }],
    })
}

/// One link invitation per primary contact, with its event and email.
async fn invitation_writes(
    db: &Database,
    merchant: MerchantId,
    now: chrono::DateTime<Utc>,
) -> BenchResult<Vec<InvitationWrite>> {
    let repo = db.invitations();
    let mut out = Vec::with_capacity(ROWS);
    let mut after = None;
    loop {
        let page = repo.candidates(merchant, &Selection::All, after, 500).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.contact.id);
        for c in page {
            let id = InvitationId::from_uuid(Uuid::now_v7());
            let recipient = c.contact.email.valid().ok_or("bench contact without email")?.clone();
            let new = NewInvitation {
                id,
                merchant_id: merchant,
                customer_id: c.customer.id,
                contact_id: c.contact.id,
                recipient: recipient.clone(),
                mode: InvitationMode::Link,
                lifetime: InvitationLifetime::default(),
                override_declined: false,
            };
            let mut seed = [0_u8; 32];
            seed[..16].copy_from_slice(id.as_uuid().as_bytes());
            let issued =
                Invitation::issue(new, ContactStanding::default(), SecretToken::from_bytes(seed), Actor::System, now)?;
            let email = OutboxEmail {
                id: OutboxMessageId::from_uuid(Uuid::now_v7()),
                merchant_id: merchant,
                kind: MailKind::InvitationLink,
                to: EmailAddress::parse(recipient.as_str())?,
                to_name: c.contact.display_name(),
                subject: "You are invited to the customer portal".into(),
                html: "<p>Hello, follow the link to register.</p>".repeat(20),
                text: "Hello, follow the link to register.\n".repeat(20),
                invitation_id: Some(id),
            };
            out.push(InvitationWrite { invitation: issued.invitation, event: issued.event, email: Some(email) });
        }
    }
    Ok(out)
}
