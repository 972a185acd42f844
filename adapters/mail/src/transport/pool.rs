//! Pooled SMTP connections with `TCP_NODELAY`, for `smtp://` URLs (plain or
//! STARTTLS). lettre 0.11.23 opens its sockets with Nagle's algorithm on and
//! writes the `.` ending DATA on its own, so each message waits for the
//! server's delayed ACK (~40 ms on Linux: 22 messages/s per connection). Here
//! lettre still speaks SMTP (`AsyncSmtpConnection`), over a socket we open.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;

use super::SendError;
use super::smtp::classify;

/// Where and how to connect.
pub(super) struct Endpoint {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) starttls: Option<StartTls>,
    pub(super) hello: ClientId,
    pub(super) credentials: Option<Credentials>,
}

/// STARTTLS settings.
pub(super) struct StartTls {
    pub(super) parameters: TlsParameters,
    /// Refuse to send in clear when the server does not offer it.
    pub(super) required: bool,
}

/// Idle connections, reused most recent first.
pub(super) struct NoDelayPool {
    endpoint: Endpoint,
    connect_timeout: Duration,
    idle_timeout: Duration,
    max_idle: usize,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl NoDelayPool {
    pub(super) fn new(endpoint: Endpoint, connect_timeout: Duration, idle_timeout: Duration, max_idle: usize) -> Self {
        Self { endpoint, connect_timeout, idle_timeout, max_idle, idle: Mutex::new(Vec::new()) }
    }

    /// Sends one message on a pooled or new connection.
    pub(super) async fn send(&self, envelope: &Envelope, body: &[u8]) -> Result<(), SendError> {
        let mut conn = match self.checkout().await {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        let result = conn.send(envelope, body).await;
        if conn.has_broken() {
            conn.abort().await;
        } else {
            self.checkin(conn);
        }
        result.map(drop).map_err(|e| classify(&e))
    }

    async fn checkout(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut conn, since) = self.lock().pop()?;
            if since.elapsed() < self.idle_timeout && conn.test_connected().await {
                return Some(conn);
            }
            conn.abort().await;
        }
    }

    fn checkin(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.lock();
        if idle.len() < self.max_idle {
            idle.push((conn, Instant::now()));
        }
        // else: dropped, which closes the socket.
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let Endpoint { host, port, starttls, hello, credentials } = &self.endpoint;
        let failed = |e: &dyn std::fmt::Display| SendError::Transient(format!("connecting to {host}:{port}: {e}"));
        let tcp = match tokio::time::timeout(self.connect_timeout, TcpStream::connect((host.as_str(), *port))).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(e)) => return Err(failed(&e)),
            Err(_) => return Err(failed(&format!("no connection within {:?}", self.connect_timeout))),
        };
        // The point of this pool: every write leaves at once.
        tcp.set_nodelay(true).map_err(|e| failed(&e))?;
        let mut conn =
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), hello).await.map_err(|e| classify(&e))?;
        if let Some(tls) = starttls {
            if conn.can_starttls() {
                conn.starttls(tls.parameters.clone(), hello).await.map_err(|e| classify(&e))?;
            } else if tls.required {
                conn.abort().await;
                return Err(failed(&"the server does not offer STARTTLS, which the URL requires (tls=required)"));
            }
        }
        if let Some(credentials) = credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials).await.map_err(|e| classify(&e))?;
        }
        Ok(conn)
    }
}
