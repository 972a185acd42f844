//! [`spawn_app`]: the composed server on port 0, each test with its own data
//! directory, database and clock.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use portico_domain::Role;
use portico_server::{Application, Config, Wiring};
use portico_testkit::smtp::SmtpServer;

use crate::clock::TestClock;
use crate::database::Store;

/// Starts a server: `spawn_app().await` on SQLite with mail written as
/// `.eml` files under [`TestApp::dir`]; `spawn_app().smtp(&smtp).await` with
/// mail to an SMTP server on loopback; `spawn_app().postgres()` on a fresh
/// PostgreSQL database.
pub fn spawn_app() -> Spawn {
    Spawn::default()
}

/// The options of a server to start; awaiting it starts the server.
#[derive(Debug, Default)]
#[must_use = "nothing starts until the Spawn is awaited"]
pub struct Spawn {
    mail: Option<String>,
    postgres: bool,
}

impl Spawn {
    /// Mail goes to `smtp`, through its gate (so the test can cut it).
    pub fn smtp(self, smtp: &SmtpServer) -> Self {
        self.mail(smtp.url())
    }

    /// Mail goes to this transport URL (`smtp://…`, `file://…`).
    pub fn mail(mut self, url: impl Into<String>) -> Self {
        self.mail = Some(url.into());
        self
    }

    /// On a fresh PostgreSQL database created on the server named by
    /// `PORTICO_TEST_DATABASE_URL` (dropped at [`TestApp::stop`]), or `None`,
    /// said on stdout, when that variable is unset.
    pub fn postgres(mut self) -> Option<Self> {
        if std::env::var_os("PORTICO_TEST_DATABASE_URL").is_none() {
            println!("PostgreSQL skipped: PORTICO_TEST_DATABASE_URL is not set");
            return None;
        }
        self.postgres = true;
        Some(self)
    }

    /// Starts the server and creates an admin API key.
    ///
    /// # Panics
    /// When the database or the server cannot start.
    pub async fn start(self) -> TestApp {
        let dir = data_dir();
        let store = if self.postgres {
            Store::postgres().await
        } else {
            Store::Sqlite(format!("sqlite://{}/portico.db?mode=rwc", dir.display()))
        };
        let mail = self.mail.unwrap_or_else(|| format!("file://{}/mail", dir.display()));
        let clock = Arc::new(TestClock::default());
        let app = start(store.url(), &mail, clock.clone()).await;
        let admin_key =
            app.wiring().create_api_key().execute(None, Role::Admin, "e2e admin").await.expect("an admin key").key;
        TestApp { address: app.address(), app, admin_key, clock, dir, store, mail }
    }
}

impl IntoFuture for Spawn {
    type Output = TestApp;
    type IntoFuture = Pin<Box<dyn Future<Output = TestApp> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.start())
    }
}

/// A running server with its own database, an admin key and a clock.
#[derive(Debug)]
pub struct TestApp {
    /// The server.
    pub app: Application,
    /// Where it listens.
    pub address: SocketAddr,
    /// An admin API key.
    pub admin_key: String,
    /// The server's clock: the system time plus an offset the test advances.
    pub clock: Arc<TestClock>,
    /// Its data directory (the SQLite database, the `mail` directory).
    pub dir: PathBuf,
    store: Store,
    mail: String,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl TestApp {
    /// A key of another role.
    ///
    /// # Panics
    /// On a storage failure.
    pub async fn key(&self, role: Role) -> String {
        self.app.wiring().create_api_key().execute(None, role, "e2e").await.expect("an API key").key
    }

    /// The absolute URL of `path` on this server, for a browser.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Stops the application (as a stop or crash mid-batch would) and starts
    /// a new one on the same database, mail and clock.
    ///
    /// # Panics
    /// When the server does not stop cleanly or does not start again.
    pub async fn restart(self) -> Self {
        self.app.stop().await.expect("a clean stop");
        let app = start(self.store.url(), &self.mail, self.clock.clone()).await;
        Self { address: app.address(), app, ..self }
    }

    /// Stops the server and removes its data.
    ///
    /// # Panics
    /// When the server does not stop cleanly.
    pub async fn stop(self) {
        self.app.stop().await.expect("a clean stop");
        self.store.remove().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn data_dir() -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("portico-e2e-{}-{n}", std::process::id()));
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
        trusted_proxies: portico_server::config::TrustedProxies::default(),
    };
    let mut wiring = Wiring::connect(&config).await.expect("the database");
    wiring.clock = clock;
    Application::build_with(config, wiring).await.expect("the server starts")
}
