//! Transports: what the dispatcher sends through. [`SmtpTransport`] (pooled,
//! TLS) and [`FileTransport`] (one `.eml` per message, the embedded default),
//! both behind [`MailTransport`], chosen from a URL by [`transport_from_url`].

mod file;
mod message;
mod pool;
mod smtp;
mod smtp_url;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portico_app::OutboxEmail;

pub use file::FileTransport;
pub use message::{Sender, build_message};
pub use smtp::{SmtpOptions, SmtpTransport};

/// Why a send failed, which decides whether it is retried.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying: a 4xx reply, a connection error, a timeout, a full disk.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Not worth retrying: a 5xx reply, an address the server or lettre refuses.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Delivers one rendered email. Implementations MUST be safe to call
/// concurrently and MUST give a message the same `Message-ID` on every
/// attempt (derived from the outbox id), so a receiver can spot a resend.
#[async_trait]
pub trait MailTransport: Send + Sync + std::fmt::Debug {
    /// Sends `email`, dated `date`.
    ///
    /// # Errors
    /// [`SendError::Transient`] or [`SendError::Permanent`].
    async fn send(&self, email: &OutboxEmail, date: DateTime<Utc>) -> Result<(), SendError>;
}

/// Why a transport could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TransportConfigError {
    /// The URL's scheme is none of `file`, `smtp`, `smtps`.
    #[error("unsupported mail URL scheme in {0:?}; use file://DIR, smtp://HOST:PORT or smtps://HOST:PORT")]
    Scheme(String),
    /// The SMTP URL is invalid.
    #[error("invalid SMTP URL {url}: {reason}")]
    Smtp {
        /// The URL, password redacted.
        url: String,
        /// What lettre reported.
        reason: String,
    },
    /// The sender address is invalid.
    #[error("invalid sender address {address:?}: {reason}")]
    Sender {
        /// The address given.
        address: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The SMTP transport was built outside a Tokio runtime.
    #[error("the SMTP transport must be built within a Tokio runtime")]
    NoRuntime,
    /// The mail directory could not be created.
    #[error("cannot create the mail directory {dir}")]
    Directory {
        /// The directory.
        dir: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Builds the transport a mail URL names: `file://DIR`, or an SMTP URL (see
/// [`SmtpTransport::from_url`]).
///
/// # Errors
/// An unknown scheme, an invalid URL, or a directory that cannot be created.
pub fn transport_from_url(
    url: &str,
    options: &SmtpOptions,
    sender: Sender,
) -> Result<Arc<dyn MailTransport>, TransportConfigError> {
    if let Some(dir) = url.strip_prefix("file://") {
        Ok(Arc::new(FileTransport::new(dir, sender)?))
    } else if url.starts_with("smtp://") || url.starts_with("smtps://") {
        Ok(Arc::new(SmtpTransport::from_url(url, options, sender)?))
    } else {
        Err(TransportConfigError::Scheme(smtp::redact(url)))
    }
}
