//! The database a test server runs on: a SQLite file in its data directory,
//! or a fresh PostgreSQL database (created on the server named by
//! `PORTICO_TEST_DATABASE_URL`, dropped when the test stops it).

use sea_orm::ConnectionTrait;

/// Where the server keeps its data.
#[derive(Debug)]
pub(crate) enum Store {
    /// A SQLite URL.
    Sqlite(String),
    /// A PostgreSQL database of its own.
    Postgres {
        /// Its URL.
        url: String,
        /// The server's URL, to drop it.
        admin_url: String,
        /// Its name.
        name: String,
    },
}

impl Store {
    /// A fresh PostgreSQL database on the server `PORTICO_TEST_DATABASE_URL` names.
    ///
    /// # Panics
    /// When the variable is unset or the server refuses.
    pub async fn postgres() -> Self {
        let admin_url = std::env::var("PORTICO_TEST_DATABASE_URL").expect("PORTICO_TEST_DATABASE_URL");
        let name = format!("portico_e2e_{}", uuid::Uuid::now_v7().simple());
        let admin = sea_orm::Database::connect(&admin_url).await.expect("connect to PORTICO_TEST_DATABASE_URL");
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create a test database");
        admin.close().await.expect("close the admin connection");
        Self::Postgres { url: with_name(&admin_url, &name), admin_url, name }
    }

    /// The URL the server connects to.
    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite(url) | Self::Postgres { url, .. } => url,
        }
    }

    /// Drops a PostgreSQL database (a SQLite file goes with its directory).
    pub async fn remove(&self) {
        if let Self::Postgres { admin_url, name, .. } = self {
            let admin = sea_orm::Database::connect(admin_url).await.expect("reconnect to drop the test database");
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            admin.execute_unprepared(&sql).await.expect("drop the test database");
            admin.close().await.expect("close the admin connection");
        }
    }
}

/// `url` with its database name replaced by `name`.
fn with_name(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}
