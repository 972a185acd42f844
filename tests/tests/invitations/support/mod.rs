//! Test support for the invitation tests: the composed server with SMTP mail
//! to a real server on loopback and a clock the test moves
//! ([`Portico::spawn`]), one helper per endpoint ([`api`], [`portal`]), email
//! reading ([`mail`]), HTML forms ([`form`]), and the outcomes the
//! sample data should produce ([`expected`]).

pub mod api;
pub mod clock;
pub mod database;
pub mod expected;
pub mod form;
pub mod mail;
pub mod portal;
pub mod scenario;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use clock::TestClock;
use database::Store;
use portico_domain::Role;
use portico_server::{Application, Config, Wiring};
use portico_testkit::smtp::SmtpServer;

/// How long any awaited condition may take.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running server whose mail goes to an SMTP server on loopback.
#[derive(Debug)]
pub struct Portico {
    /// The server.
    pub app: Application,
    /// Where it listens.
    pub address: SocketAddr,
    /// An admin API key.
    pub admin_key: String,
    /// The shared clock.
    pub clock: Arc<TestClock>,
    /// Its data directory.
    pub dir: PathBuf,
    store: Store,
    mail: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Portico {
    /// Starts the server on port 0 with a fresh SQLite database, mail to
    /// `smtp`, and its own [`TestClock`].
    pub async fn spawn(smtp: &SmtpServer) -> Self {
        let dir = data_dir();
        let store = Store::Sqlite(format!("sqlite://{}/portico.db?mode=rwc", dir.display()));
        Self::spawn_on(smtp, dir, store).await
    }

    /// As [`spawn`](Self::spawn) on a fresh PostgreSQL database, or `None`
    /// when `PORTICO_TEST_DATABASE_URL` is unset.
    pub async fn spawn_postgres(smtp: &SmtpServer) -> Option<Self> {
        let store = Store::postgres().await?;
        Some(Self::spawn_on(smtp, data_dir(), store).await)
    }

    async fn spawn_on(smtp: &SmtpServer, dir: PathBuf, store: Store) -> Self {
        let clock = Arc::new(TestClock::default());
        let app = start(store.url(), &smtp.url(), clock.clone()).await;
        let admin_key =
            app.wiring().create_api_key().execute(None, Role::Admin, "e2e admin").await.expect("an admin key").key;
        Self { address: app.address(), app, admin_key, clock, dir, store, mail: smtp.url() }
    }

    /// Stops the application (as a stop or crash mid-batch would) and starts
    /// a new one on the same database, SMTP server and clock.
    pub async fn restart(self) -> Self {
        self.app.stop().await.expect("a clean stop");
        let app = start(self.store.url(), &self.mail, self.clock.clone()).await;
        Self { address: app.address(), app, ..self }
    }

    /// Stops the server and removes its data.
    pub async fn stop(self) {
        self.app.stop().await.expect("a clean stop");
        self.store.remove().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn data_dir() -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("portico-invitations-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

async fn start(database_url: &str, mail: &str, clock: Arc<TestClock>) -> Application {
    let config = Config {
        database_url: database_url.to_owned(),
        listen: "127.0.0.1:0".parse().expect("an address"),
        public_url: None,
        mail: mail.to_owned(),
        payments: "sandbox".to_owned(),
        mail_from: portico_server::config::DEFAULT_MAIL_FROM.to_owned(),
        mail_rate: None,
    };
    let mut wiring = Wiring::connect(&config).await.expect("the database");
    wiring.clock = clock;
    Application::build_with(config, wiring).await.expect("the server starts")
}

/// Polls `check` until it gives a value or [`PATIENCE`] passes.
///
/// # Panics
/// When the deadline passes, with `what` and the last value seen.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) => {
                assert!(tokio::time::Instant::now() < deadline, "{what}: still not so after {PATIENCE:?}: {last}");
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
