//! [`SmtpTransport`]: pooled SMTP through lettre, configured from a URL.
//!
//! `smtp://` URLs use our own pool of `TCP_NODELAY` sockets (see `pool`);
//! `smtps://` uses lettre's pool, whose sockets keep Nagle on: each message
//! there waits ~40 ms for the server's delayed ACK, so about 22 messages/s
//! per connection. Upstream has merged TCP_NODELAY (lettre PR 1159); once
//! released, lettre's pool can serve every URL.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use portico_app::OutboxEmail;
use tokio::sync::Semaphore;

use super::pool::NoDelayPool;
use super::smtp_url::parse_smtp_url;
use super::{MailTransport, SendError, Sender, TransportConfigError, build_message};

/// Connection settings the URL does not carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpOptions {
    /// Deadline of the TCP connect and, separately, of a whole send
    /// (lettre's async client bounds only the connect; a server that stops
    /// answering mid-session would otherwise hold a send forever).
    pub timeout: Duration,
    /// Most connections kept open and used at once.
    pub pool_max_size: u32,
    /// An idle pooled connection is closed after this long.
    pub pool_idle_timeout: Duration,
}

impl Default for SmtpOptions {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(30), pool_max_size: 4, pool_idle_timeout: Duration::from_secs(60) }
    }
}

/// Sends through an SMTP server, reusing pooled connections.
pub struct SmtpTransport {
    client: Client,
    /// lettre's pool caps idle connections, not open ones: this caps sends in
    /// flight, hence connections, at the pool size.
    in_flight: Semaphore,
    timeout: Duration,
    sender: Sender,
    url: String,
}

impl std::fmt::Debug for SmtpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport").field("url", &self.url).field("sender", &self.sender).finish_non_exhaustive()
    }
}

enum Client {
    NoDelay(Box<NoDelayPool>),
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

impl SmtpTransport {
    /// Builds the transport from a URL:
    ///
    /// | URL | connection |
    /// |---|---|
    /// | `smtps://user:pass@host:465` | implicit TLS (port 465 by default) |
    /// | `smtp://user:pass@host:587?tls=required` | STARTTLS, refused if the server does not offer it |
    /// | `smtp://user:pass@host:587?tls=opportunistic` | STARTTLS when the server offers it, plain otherwise |
    /// | `smtp://host:25` | plain, no TLS (a local relay or a test server) |
    ///
    /// User and password are optional and percent-encoded; a path
    /// (`smtp://host/ehlo.example.com`) sets the EHLO name.
    ///
    /// Must be called within a Tokio runtime (the pool runs a task there).
    ///
    /// # Errors
    /// When the URL is not one of these forms, or no Tokio runtime is running.
    pub fn from_url(url: &str, options: &SmtpOptions, sender: Sender) -> Result<Self, TransportConfigError> {
        let redacted = redact(url);
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(TransportConfigError::NoRuntime);
        }
        let invalid = |reason: String| TransportConfigError::Smtp { url: redacted.clone(), reason };
        let client = if url.starts_with("smtp://") {
            let endpoint = parse_smtp_url(url).map_err(invalid)?;
            let max_idle = options.pool_max_size.max(1) as usize;
            Client::NoDelay(Box::new(NoDelayPool::new(endpoint, options.timeout, options.pool_idle_timeout, max_idle)))
        } else {
            let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| invalid(e.to_string()))?;
            let pool = PoolConfig::new().max_size(options.pool_max_size.max(1)).idle_timeout(options.pool_idle_timeout);
            Client::Lettre(builder.timeout(Some(options.timeout)).pool_config(pool).build())
        };
        let in_flight = Semaphore::new(options.pool_max_size.max(1) as usize);
        Ok(Self { client, in_flight, timeout: options.timeout, sender, url: redacted })
    }
}

#[async_trait]
impl MailTransport for SmtpTransport {
    async fn send(&self, email: &OutboxEmail, date: DateTime<Utc>) -> Result<(), SendError> {
        let message = build_message(&self.sender, email, date)?;
        let Ok(_permit) = self.in_flight.acquire().await else {
            return Err(SendError::Transient("the SMTP transport is shutting down".to_owned()));
        };
        let send = async {
            match &self.client {
                Client::NoDelay(pool) => pool.send(message.envelope(), &message.formatted()).await,
                Client::Lettre(lettre) => {
                    let sent = lettre.send(message).await.map(drop).map_err(|e| classify(&e));
                    // lettre's pool parks a used connection from a task it spawns
                    // when the send ends; yielding lets the next send find it.
                    tokio::task::yield_now().await;
                    sent
                }
            }
        };
        tokio::time::timeout(self.timeout, send).await.unwrap_or_else(|_| {
            Err(SendError::Transient(format!("no answer from the SMTP server within {:?}", self.timeout)))
        })
    }
}

/// 5xx replies are permanent, and so is a non-ASCII envelope to a server
/// without SMTPUTF8; everything else (4xx, connection, TLS, timeout) may pass
/// on a later attempt.
pub(super) fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    // lettre refuses an internationalised address before sending when the
    // server does not offer SMTPUTF8: every retry fails the same way, so
    // retrying for hours would only keep the email "queued" with no hope.
    let unencodable = error.is_client() && message.contains("SMTPUTF8");
    if error.is_permanent() || unencodable { SendError::Permanent(message) } else { SendError::Transient(message) }
}

/// The URL with its password replaced, for logs and errors.
pub(super) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
            format!("{scheme}://{user}:***@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender::parse("Portico <noreply@portico.example>").unwrap()
    }

    #[tokio::test]
    async fn every_documented_url_form_builds() {
        for url in [
            "smtps://user:secret@smtp.example.com",
            "smtp://user:secret@smtp.example.com:587?tls=required",
            "smtp://smtp.example.com:587?tls=opportunistic",
            "smtp://127.0.0.1:2525",
            "smtp://127.0.0.1:2525/ehlo.example.com",
        ] {
            SmtpTransport::from_url(url, &SmtpOptions::default(), sender()).unwrap();
        }
    }

    #[tokio::test]
    async fn a_bad_url_is_refused_without_showing_the_password() {
        let error = SmtpTransport::from_url("smtp://ann:hunter2@host?tls=sometimes", &SmtpOptions::default(), sender())
            .unwrap_err()
            .to_string();
        assert!(error.contains("smtp://ann:***@host?tls=sometimes"), "{error}");
        assert!(!error.contains("hunter2"));
        let t = SmtpTransport::from_url("smtps://ann:hunter2@host", &SmtpOptions::default(), sender()).unwrap();
        assert!(!format!("{t:?}").contains("hunter2"));
    }

    #[test]
    fn building_outside_a_runtime_is_an_error_not_a_panic() {
        let error = SmtpTransport::from_url("smtp://127.0.0.1:25", &SmtpOptions::default(), sender()).unwrap_err();
        assert!(matches!(error, TransportConfigError::NoRuntime));
    }
}
