//! Fresh databases per test, the `contract!` macro, and test data built with
//! the domain types.

use std::sync::Once;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use portico_app::{
    ContactUpsert, CustomerRepository, CustomerUpsert, InvitationWrite, MailKind, Merchant, MerchantRepository,
    OutboxEmail, PortalSettings, Selection,
};
use portico_domain::{
    Actor, CollectionPriority, ContactEmail, ContactId, ContactStanding, Currency, CustomerId, CustomerNumber,
    EmailAddress, ErpId, Invitation, InvitationId, InvitationLifetime, InvitationMode, MerchantId, NewInvitation,
    OutboxMessageId, PhoneNumber, SecretToken,
};
use portico_storage::{Database, connect, migrate};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

/// Declares each listed `async fn name(db: Database)` as two tests,
/// `name::sqlite` and `name::postgres`.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::support::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                // The database is dropped when `pg` goes out of scope, even on a panic.
                if let Some(pg) = crate::support::postgres().await {
                    super::$name(pg.db.clone()).await;
                }
            }
        }
    )*};
}

/// The id source of every test database: ids that count up.
pub fn ids() -> std::sync::Arc<dyn portico_app::TokenSource> {
    std::sync::Arc::new(portico_testkit::ids::SequentialIds::new())
}

/// A fresh, migrated in-memory SQLite database.
pub async fn sqlite() -> Database {
    let db = connect("sqlite::memory:", ids()).await.expect("open SQLite");
    migrate(&db).await.expect("migrate SQLite");
    db
}

/// A fresh PostgreSQL database, dropped with this value.
pub struct PgDb {
    pub db: Database,
    admin_url: String,
    name: String,
}

static SKIPPED: Once = Once::new();

/// A fresh, migrated PostgreSQL database, or `None` (said once) when
/// `PORTICO_TEST_DATABASE_URL` is unset.
pub async fn postgres() -> Option<PgDb> {
    let Ok(admin_url) = std::env::var("PORTICO_TEST_DATABASE_URL") else {
        SKIPPED.call_once(|| println!("PostgreSQL skipped: PORTICO_TEST_DATABASE_URL is not set"));
        return None;
    };
    let name = format!("portico_test_{}", Uuid::now_v7().simple());
    let admin = sea_orm::Database::connect(&admin_url).await.expect("connect to PORTICO_TEST_DATABASE_URL");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    admin.close().await.expect("close admin connection");
    let db = connect(&database_url(&admin_url, &name), ids()).await.expect("connect to the test database");
    migrate(&db).await.expect("migrate PostgreSQL");
    Some(PgDb { db, admin_url, name })
}

/// `url` with its database name replaced by `name`.
pub fn database_url(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime: clean up on a thread with its own.
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let admin = sea_orm::Database::connect(&admin_url).await.expect("reconnect for cleanup");
                let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                admin.execute_unprepared(&sql).await.expect("drop test database");
                admin.close().await.expect("close admin connection");
            });
        });
        if cleanup.join().is_err() && !std::thread::panicking() {
            panic!("dropping the test database failed");
        }
    }
}

/// A fixed instant: tests never read the clock.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("valid instant")
}

/// `t0` plus some seconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

/// A new merchant with default settings.
pub async fn merchant(db: &Database, name: &str) -> MerchantId {
    let id = MerchantId::from_uuid(Uuid::now_v7());
    let merchant = Merchant { id, name: name.to_owned(), settings: PortalSettings::default() };
    db.merchants().create(&merchant).await.expect("create merchant");
    id
}

/// The customers of `tests/fixtures/customers.csv`, contacts grouped under their ERP id.
pub fn fixture_customers() -> Vec<CustomerUpsert> {
    let mut reader = csv::Reader::from_reader(include_str!("../fixtures/customers.csv").as_bytes());
    let mut out: Vec<CustomerUpsert> = Vec::new();
    for record in reader.records() {
        let r = record.expect("fixture row");
        let contact = ContactUpsert {
            first_name: r[5].to_owned(),
            last_name: r[6].to_owned(),
            email: ContactEmail::from_raw(&r[7]),
            phone: PhoneNumber::parse(&r[8]).ok(),
            primary: &r[9] == "yes",
        };
        let erp = ErpId::parse(&r[0]).expect("fixture ERP id");
        match out.last_mut() {
            Some(last) if last.erp_id == erp => last.contacts.push(contact),
            _ => out.push(CustomerUpsert {
                erp_id: erp,
                customer_number: CustomerNumber::parse(&r[1]).ok(),
                name: r[2].to_owned(),
                currency: Currency::parse(&r[3]).expect("fixture currency"),
                collection_priority: CollectionPriority::parse(&r[4]),
                contacts: vec![contact],
            }),
        }
    }
    out
}

/// A customer with one primary contact.
pub fn customer(erp: &str, email: &str) -> CustomerUpsert {
    CustomerUpsert {
        erp_id: ErpId::parse(erp).expect("ERP id"),
        customer_number: Some(CustomerNumber::parse(&format!("C-{erp}")).expect("number")),
        name: format!("Customer {erp}"),
        currency: Currency::USD,
        collection_priority: None,
        contacts: vec![ContactUpsert {
            first_name: "Ann".to_owned(),
            last_name: erp.to_owned(),
            email: ContactEmail::from_raw(email),
            phone: None,
            primary: true,
        }],
    }
}

/// Imports `n` customers with one primary contact each; their primary
/// contacts in id order.
pub async fn seed(db: &Database, merchant: MerchantId, prefix: &str, n: usize) -> Vec<(CustomerId, ContactId)> {
    let upserts: Vec<CustomerUpsert> =
        (0..n).map(|i| customer(&format!("{prefix}-{i:05}"), &format!("{prefix}.{i}@example.com"))).collect();
    for chunk in upserts.chunks(500) {
        db.customers().upsert_customers(merchant, chunk, t0()).await.expect("seed customers");
    }
    let mut out = Vec::with_capacity(n);
    let mut after = None;
    loop {
        let page = portico_app::InvitationReader::candidates(&*db.invitations(), merchant, &Selection::All, after, 500)
            .await
            .expect("candidates");
        let Some(last) = page.last() else { break };
        after = Some(last.contact.id);
        out.extend(page.iter().map(|c| (c.customer.id, c.contact.id)));
    }
    out
}

/// A deterministic token numbered `n`.
pub fn token(n: u32) -> SecretToken {
    let mut bytes = [0_u8; 32];
    bytes[..4].copy_from_slice(&n.to_be_bytes());
    bytes[31] = 7;
    SecretToken::from_bytes(bytes)
}

/// A link invitation of a contact issued at `now` with token `n`, with its
/// event and email.
pub fn issue(
    merchant: MerchantId,
    customer: CustomerId,
    contact: ContactId,
    n: u32,
    now: DateTime<Utc>,
) -> InvitationWrite {
    let id = InvitationId::from_uuid(Uuid::now_v7());
    let recipient = EmailAddress::parse("invitee@example.com").expect("address");
    let new = NewInvitation {
        id,
        merchant_id: merchant,
        customer_id: customer,
        contact_id: contact,
        recipient: recipient.clone(),
        mode: InvitationMode::Link,
        lifetime: InvitationLifetime::days(14).expect("lifetime"),
        override_declined: false,
    };
    let issued = Invitation::issue(new, ContactStanding::default(), token(n), Actor::System, now).expect("issue");
    InvitationWrite { invitation: issued.invitation, event: issued.event, email: Some(email(merchant, Some(id))) }
}

/// An email ready to queue.
pub fn email(merchant: MerchantId, invitation: Option<InvitationId>) -> OutboxEmail {
    OutboxEmail {
        id: OutboxMessageId::from_uuid(Uuid::now_v7()),
        merchant_id: merchant,
        kind: MailKind::InvitationLink,
        to: EmailAddress::parse("invitee@example.com").expect("address"),
        to_name: "Ann".to_owned(),
        subject: "You are invited".to_owned(),
        html: "<p>secret link</p>".to_owned(),
        text: "secret link".to_owned(),
        invitation_id: invitation,
    }
}
