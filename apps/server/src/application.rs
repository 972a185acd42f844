//! The running server: migrated database, bound listener, background
//! workers, and a graceful stop.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};
use portico_mail::{DispatcherConfig, Sender, SmtpOptions, transport_from_url};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, redact_url};
use crate::wiring::Wiring;
use crate::workers::{Workers, stopped};

/// How long in-flight requests may take to finish once a stop is asked.
const GRACE: Duration = Duration::from_secs(10);

/// A server listening on its address.
#[derive(Debug)]
pub struct Application {
    address: SocketAddr,
    public_url: String,
    wiring: Wiring,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    workers: Workers,
}

impl Application {
    /// Migrates the database, binds the listener (port 0 picks a free one)
    /// and starts serving.
    ///
    /// # Errors
    /// When the database, the mail transport or the address is unusable.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let wiring = Wiring::connect(&config).await?;
        Self::build_with(config, wiring).await
    }

    /// As [`build`](Self::build), with adapters already connected: a test or
    /// an embedder may replace parts of the [`Wiring`] first (the clock, say).
    ///
    /// # Errors
    /// When the mail transport or the address is unusable.
    pub async fn build_with(config: Config, wiring: Wiring) -> anyhow::Result<Self> {
        tracing::info!(?config, "starting");
        // Built at start, so a typo in the mail URL fails the start, not the first send.
        let sender = Sender::parse(&config.mail_from).context("PORTICO_MAIL_FROM")?;
        let transport = transport_from_url(&config.mail, &SmtpOptions::default(), sender)
            .with_context(|| format!("PORTICO_MAIL={}", redact_url(&config.mail)))?;
        let acceptor = TcpListener::bind(config.listen.to_string())
            .into_acceptor()
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("the listener has no socket address")?;
        let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{address}"));
        let portal = wiring.portal_services(&public_url, &config.trusted_proxies);
        let routes = portico_http::routes(wiring.api_services(&public_url), portal, &public_url);
        let (stop, stop_rx) = watch::channel(false);
        let server_stop = stopped(stop_rx.clone());
        let server = tokio::spawn(async move {
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(routes, server_stop, Some(GRACE)).await
        });
        let dispatch = DispatcherConfig { rate_per_second: config.mail_rate, ..DispatcherConfig::default() };
        let workers = Workers::start(&wiring, &public_url, transport, dispatch, &stop_rx);
        tracing::info!(%address, %public_url, "listening");
        Ok(Self { address, public_url, wiring, stop, server, workers })
    }

    /// The bound address.
    #[must_use]
    pub const fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base URL used in links.
    #[must_use]
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The adapters, for seeding and tests.
    #[must_use]
    pub const fn wiring(&self) -> &Wiring {
        &self.wiring
    }

    /// Serves until SIGTERM or Ctrl-C, then stops gracefully.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("stopping: finishing in-flight requests");
        self.stop().await
    }

    /// Stops accepting, lets in-flight requests and sends finish (up to a
    /// grace period), and closes the database.
    ///
    /// # Errors
    /// When the server task failed.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.stop.send_replace(true);
        self.server.await.context("the server task panicked")?.context("the server failed")?;
        self.workers.join().await?;
        self.wiring.db.close().await.context("closing the database")?;
        Ok(())
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(e) => {
                tracing::warn!(error = %portico_app::ErrorChain(&e), "cannot listen for SIGTERM; Ctrl-C still stops the server");
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
