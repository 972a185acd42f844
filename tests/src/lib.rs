//! Test support for end-to-end tests and benchmarks: [`spawn_app`] starts the
//! composed server on port 0 with a fresh SQLite database, and [`TestApp`]
//! has one helper per endpoint over a plain HTTP/1.1 client.

pub mod bench;
mod client;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub use client::{Answer, request};
use portico_domain::Role;
use portico_server::{Application, Config};
use serde_json::Value;

/// The sample customer export.
pub const SAMPLE_CUSTOMERS: &[u8] = include_bytes!("../../data/customers.csv");
/// The sample invoice export.
pub const SAMPLE_INVOICES: &[u8] = include_bytes!("../../data/invoices.csv");

/// A running server with a fresh database and an admin key.
#[derive(Debug)]
pub struct TestApp {
    /// Where it listens.
    pub address: SocketAddr,
    /// An admin API key.
    pub admin_key: String,
    /// The server.
    pub app: Application,
    /// Its data directory (database and mail).
    pub dir: PathBuf,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Starts the composed server on port 0 with a fresh SQLite database.
///
/// # Errors
/// When the server does not start.
pub async fn spawn_app() -> anyhow::Result<TestApp> {
    spawn_app_with(|_| {}).await
}

/// As [`spawn_app`], with the configuration changed first by `configure`
/// (such as `mail` pointing at an SMTP server).
///
/// # Errors
/// When the server does not start.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Config)) -> anyhow::Result<TestApp> {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("portico-e2e-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let mut config = Config {
        database_url: format!("sqlite://{}/portico.db?mode=rwc", dir.display()),
        listen: "127.0.0.1:0".parse()?,
        public_url: None,
        mail: format!("file://{}/mail", dir.display()),
        payments: "sandbox".to_owned(),
        mail_from: portico_server::config::DEFAULT_MAIL_FROM.to_owned(),
        mail_rate: None,
    };
    configure(&mut config);
    let app = Application::build(config).await?;
    let admin_key = app.wiring().create_api_key().execute(None, Role::Admin, "e2e admin").await?.key;
    Ok(TestApp { address: app.address(), admin_key, app, dir })
}

impl TestApp {
    /// A key of another role.
    ///
    /// # Errors
    /// On a storage failure.
    pub async fn key(&self, role: Role) -> anyhow::Result<String> {
        Ok(self.app.wiring().create_api_key().execute(None, role, "e2e").await?.key)
    }

    /// Stops the server and removes its data.
    ///
    /// # Errors
    /// When the server failed.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.app.stop().await?;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }

    /// Any request: method, path, headers, body.
    ///
    /// # Errors
    /// When the connection fails or the answer is not HTTP.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> anyhow::Result<Answer> {
        request(self.address, method, path, headers, body).await
    }

    /// An admin call with a JSON body (or none).
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn admin_json(&self, method: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Answer> {
        let auth = format!("Bearer {}", self.admin_key);
        let bytes = body.map(serde_json::to_vec).transpose()?;
        let mut headers = vec![("authorization", auth.as_str())];
        if bytes.is_some() {
            headers.push(("content-type", "application/json"));
        }
        self.send(method, path, &headers, bytes.as_deref()).await
    }

    /// `GET /healthz`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn health(&self) -> anyhow::Result<Answer> {
        self.send("GET", "/healthz", &[], None).await
    }

    /// `POST /api/v1/imports/customers` with `text/csv`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn import_customers(&self, key: &str, csv: &[u8]) -> anyhow::Result<Answer> {
        self.import("customers", key, csv).await
    }

    /// `POST /api/v1/imports/invoices` with `text/csv`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn import_invoices(&self, key: &str, csv: &[u8]) -> anyhow::Result<Answer> {
        self.import("invoices", key, csv).await
    }

    async fn import(&self, what: &str, key: &str, csv: &[u8]) -> anyhow::Result<Answer> {
        let auth = format!("Bearer {key}");
        let headers = [("authorization", auth.as_str()), ("content-type", "text/csv")];
        self.send("POST", &format!("/api/v1/imports/{what}"), &headers, Some(csv)).await
    }

    /// `GET /api/v1/customers?query`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn list_customers(&self, query: &str) -> anyhow::Result<Answer> {
        self.admin_json("GET", &format!("/api/v1/customers?{query}"), None).await
    }

    /// `GET /api/v1/customers/:id`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn get_customer(&self, id: &str) -> anyhow::Result<Answer> {
        self.admin_json("GET", &format!("/api/v1/customers/{id}"), None).await
    }

    /// `PUT /api/v1/customers/by-erp-id/:erp_id`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn upsert_customer(&self, erp_id: &str, body: &Value) -> anyhow::Result<Answer> {
        self.admin_json("PUT", &format!("/api/v1/customers/by-erp-id/{erp_id}"), Some(body)).await
    }

    /// `GET /api/v1/templates`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn list_templates(&self) -> anyhow::Result<Answer> {
        self.admin_json("GET", "/api/v1/templates", None).await
    }

    /// `GET /api/v1/templates/:kind`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn get_template(&self, kind: &str) -> anyhow::Result<Answer> {
        self.admin_json("GET", &format!("/api/v1/templates/{kind}"), None).await
    }

    /// `PUT /api/v1/templates/:kind`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn put_template(&self, kind: &str, body: &Value) -> anyhow::Result<Answer> {
        self.admin_json("PUT", &format!("/api/v1/templates/{kind}"), Some(body)).await
    }

    /// `DELETE /api/v1/templates/:kind`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn reset_template(&self, kind: &str) -> anyhow::Result<Answer> {
        self.admin_json("DELETE", &format!("/api/v1/templates/{kind}"), None).await
    }

    /// `POST /api/v1/templates/:kind/preview`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn preview_template(&self, kind: &str, body: &Value) -> anyhow::Result<Answer> {
        self.admin_json("POST", &format!("/api/v1/templates/{kind}/preview"), Some(body)).await
    }

    /// `GET /api/v1/settings`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn get_settings(&self) -> anyhow::Result<Answer> {
        self.admin_json("GET", "/api/v1/settings", None).await
    }

    /// `PUT /api/v1/settings`.
    ///
    /// # Errors
    /// When the connection fails.
    pub async fn put_settings(&self, body: &Value) -> anyhow::Result<Answer> {
        self.admin_json("PUT", "/api/v1/settings", Some(body)).await
    }
}
