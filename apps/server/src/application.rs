//! The running server: migrated database, bound listener, background
//! workers, and a graceful stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use poem::Server;
use poem::listener::{Acceptor, Listener, TcpListener};
use portico_mail::{Dispatcher, DispatcherConfig, Sender, SmtpOptions, transport_from_url};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, redact_url};
use crate::invitations::run_batches;
use crate::payments::run_settlement;
use crate::wiring::Wiring;

/// Resolves once a stop is asked.
async fn stopped(mut stop: watch::Receiver<bool>) {
    if stop.wait_for(|stopped| *stopped).await.is_err() {
        // The sender is gone only when the application is dropped without a stop.
        std::future::pending::<()>().await;
    }
}

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
    dispatcher: JoinHandle<()>,
    batches: JoinHandle<()>,
    settlement: JoinHandle<()>,
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
        let routes =
            portico_http::routes(wiring.api_services(&public_url), wiring.portal_services(&public_url), &public_url);
        let (stop, stop_rx) = watch::channel(false);
        let server_stop = stopped(stop_rx.clone());
        let server = tokio::spawn(async move {
            Server::new_with_acceptor(acceptor).run_with_graceful_shutdown(routes, server_stop, Some(GRACE)).await
        });
        // The outbox dispatcher runs in-process; on a stop it finishes or
        // releases the emails it holds.
        let dispatch = DispatcherConfig { rate_per_second: config.mail_rate, ..DispatcherConfig::default() };
        let dispatcher = Dispatcher::new(wiring.db.outbox(), transport, wiring.clock.clone(), dispatch);
        // Each chunk a batch writes wakes the dispatcher, so its emails leave at once.
        let worker = wiring.batch_worker(&public_url, Arc::new(dispatcher.clone()));
        let batches = tokio::spawn(run_batches(worker, stopped(stop_rx.clone())));
        let settlement = tokio::spawn(run_settlement(wiring.settlement_worker(&public_url), stopped(stop_rx.clone())));
        let dispatcher = tokio::spawn(async move { dispatcher.run(stopped(stop_rx)).await });
        tracing::info!(%address, %public_url, "listening");
        Ok(Self { address, public_url, wiring, stop, server, dispatcher, batches, settlement })
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
        self.batches.await.context("the batch worker panicked")?;
        self.settlement.await.context("the settlement worker panicked")?;
        self.dispatcher.await.context("the outbox dispatcher panicked")?;
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
                tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C still stops the server");
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
