//! A real SMTP server on loopback (mailin-embedded) behind a gate: a small TCP
//! relay the test can close (connections refused, open ones cut) and open
//! again on the same port, to simulate an outage.
//!
//! The gate cuts a connection only when the client sends while the gate is
//! closed (or the connection predates the last restart). SMTP is lock-step,
//! so a message is then either wholly accepted before the cut (and the client
//! saw the reply) or not at all: an outage alone never causes a duplicate.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One message as the server received it.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    /// Envelope sender.
    pub from: String,
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The raw message.
    pub data: String,
}

impl Captured {
    /// The value of the first header `name` (unfolded).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let mut lines = head.split("\r\n").peekable();
        while let Some(line) = lines.next() {
            if line.to_ascii_lowercase().starts_with(&prefix) {
                let mut value = line[prefix.len()..].trim().to_owned();
                while let Some(next) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
                    value.push(' ');
                    value.push_str(next.trim());
                }
                return Some(value);
            }
        }
        None
    }
}

/// How the server answers, shared by every connection.
#[derive(Debug, Default)]
struct Rules {
    /// Recipients refused with a 550.
    refused: Vec<String>,
    /// Recipients answered 451 this many more times.
    deferred: HashMap<String, usize>,
    /// How long the server takes before it answers the end of each message.
    delay: Duration,
}

#[derive(Clone, Default)]
struct Sink {
    current: Captured,
    received: Arc<Mutex<Vec<Captured>>>,
    /// Messages accepted, kept or not.
    accepted: Arc<AtomicUsize>,
    /// Whether to keep each message (else only count it).
    keep: bool,
    sessions: Arc<AtomicUsize>,
    rules: Arc<Mutex<Rules>>,
}

impl Handler for Sink {
    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        self.sessions.fetch_add(1, Ordering::SeqCst);
        response::OK
    }

    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.current = Captured { from: from.to_owned(), ..Captured::default() };
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let mut rules = self.rules.lock().unwrap();
        if rules.refused.iter().any(|r| r == to) {
            return response::NO_MAILBOX;
        }
        if let Some(left) = rules.deferred.get_mut(to).filter(|left| **left > 0) {
            *left -= 1;
            return response::INTERNAL_ERROR;
        }
        self.current.to.push(to.to_owned());
        response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
        self.current.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.keep {
            self.current.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        // mailin serves each connection on a thread of its own: a blocking
        // sleep slows this session only.
        let delay = self.rules.lock().unwrap().delay;
        std::thread::sleep(delay);
        let message = std::mem::take(&mut self.current);
        if self.keep {
            self.received.lock().unwrap().push(message);
        }
        self.accepted.fetch_add(1, Ordering::SeqCst);
        response::OK
    }
}

/// The server and its gate. Dropping it closes the gate.
#[derive(Debug)]
pub struct SmtpServer {
    /// The port clients connect to (the gate's).
    pub port: u16,
    received: Arc<Mutex<Vec<Captured>>>,
    accepted: Arc<AtomicUsize>,
    sessions: Arc<AtomicUsize>,
    rules: Arc<Mutex<Rules>>,
    gate: Gate,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sink")
    }
}

impl SmtpServer {
    /// Starts mailin on an ephemeral loopback port and opens a gate before it.
    /// Every message is kept, for [`received`](Self::received).
    pub async fn start() -> Self {
        Self::start_with(true).await
    }

    /// As [`start`](Self::start), but messages are only counted, not kept:
    /// for benchmarks, whose memory figures must not include the messages.
    pub async fn start_counting() -> Self {
        Self::start_with(false).await
    }

    async fn start_with(keep: bool) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let backend = listener.local_addr().unwrap();
        let sink = Sink { keep, ..Sink::default() };
        let (received, accepted) = (sink.received.clone(), sink.accepted.clone());
        let (sessions, rules) = (sink.sessions.clone(), sink.rules.clone());
        let mut server = Server::new(sink);
        server
            .with_name("smtp.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_num_threads(32)
            .with_tcp_listener(listener);
        // mailin's error type is not Send: serve on a plain thread and drop its result.
        std::thread::spawn(move || drop(server.serve()));
        let gate = Gate::open(backend).await;
        Self { port: gate.port, received, accepted, sessions, rules, gate }
    }

    /// The URL of a plain SMTP connection to the server, through the gate.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The URL of the server itself, bypassing the gate.
    pub fn direct_url(&self) -> String {
        format!("smtp://{}", self.gate.backend)
    }

    /// Every message received so far (none when only counting).
    pub fn received(&self) -> Vec<Captured> {
        self.received.lock().unwrap().clone()
    }

    /// Messages received so far.
    pub fn count(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// SMTP sessions (EHLO) so far.
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    /// TCP connections through the gate so far.
    pub fn connections(&self) -> usize {
        self.gate.state.accepted.load(Ordering::SeqCst)
    }

    /// Answers 550 to this recipient from now on.
    pub fn refuse(&self, recipient: &str) {
        self.rules.lock().unwrap().refused.push(recipient.to_owned());
    }

    /// Answers 451 to this recipient the next `times` times.
    pub fn defer(&self, recipient: &str, times: usize) {
        self.rules.lock().unwrap().deferred.insert(recipient.to_owned(), times);
    }

    /// Takes `delay` before answering the end of each message from now on
    /// (the message counts as received once answered).
    pub fn slow_down(&self, delay: Duration) {
        self.rules.lock().unwrap().delay = delay;
    }

    /// The outage begins: new connections are refused, open ones are cut.
    pub fn go_down(&mut self) {
        self.gate.close();
    }

    /// The outage ends: the same port accepts again.
    pub async fn come_up(&mut self) {
        self.gate.reopen().await;
    }
}

#[derive(Debug, Default)]
struct GateState {
    closed: AtomicBool,
    epoch: AtomicU64,
    accepted: AtomicUsize,
}

#[derive(Debug)]
struct Gate {
    port: u16,
    backend: SocketAddr,
    state: Arc<GateState>,
    acceptor: Option<JoinHandle<()>>,
}

impl Gate {
    async fn open(backend: SocketAddr) -> Self {
        let mut gate = Self { port: 0, backend, state: Arc::default(), acceptor: None };
        gate.reopen().await;
        gate
    }

    async fn reopen(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.port = listener.local_addr().unwrap().port();
        self.state.epoch.fetch_add(1, Ordering::SeqCst);
        self.state.closed.store(false, Ordering::SeqCst);
        let (state, backend) = (self.state.clone(), self.backend);
        self.acceptor = Some(tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                state.accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(relay(client, backend, state.clone()));
            }
        }));
    }

    fn close(&mut self) {
        self.state.closed.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.abort(); // drops the listener: connections are refused
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.close();
    }
}

async fn relay(client: TcpStream, backend: SocketAddr, state: Arc<GateState>) {
    let epoch = state.epoch.load(Ordering::SeqCst);
    let Ok(server) = TcpStream::connect(backend).await else { return };
    // Relay each SMTP line at once: Nagle plus delayed ACKs would add ~40 ms per exchange.
    let _ = (client.set_nodelay(true), server.set_nodelay(true));
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let down = tokio::spawn(async move { tokio::io::copy(&mut server_read, &mut client_write).await });
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match client_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if state.closed.load(Ordering::SeqCst) || state.epoch.load(Ordering::SeqCst) != epoch {
            break; // the client spoke during the outage or to a server since restarted: cut
        }
        if server_write.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    down.abort();
    drop(server_write);
}

/// Polls `condition` every 10 ms until it holds or `within` passes.
pub async fn wait_until(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if condition() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
