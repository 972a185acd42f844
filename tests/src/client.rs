//! A plain HTTP/1.1 client: one request per connection, enough for tests
//! that must see exactly what the server sends.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An answer.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`Value::Null` when it is not JSON).
    #[must_use]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as JSON, once the status is checked.
    ///
    /// # Panics
    /// When the status differs, showing the body.
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        self.json()
    }

    /// The body as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `code` of a JSON error body.
    #[must_use]
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }

    /// A header's value.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 exchange on a fresh connection (`Connection: close`).
///
/// # Errors
/// When the connection fails or the answer is not HTTP.
pub async fn request(
    address: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> anyhow::Result<Answer> {
    let stream = TcpStream::connect(address).await.context("connecting")?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let declares_length = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    if let Some(body) = body
        && !declares_length
    {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut message = head.into_bytes();
    message.extend_from_slice(body.unwrap_or_default());
    // Write and read at once: a server may answer (413, 415) before it has
    // read the whole body, and the answer must not be lost behind the write.
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move { writer.write_all(&message).await });
    let mut raw = Vec::new();
    let read = reader.read_to_end(&mut raw).await;
    let written = write.await.context("the writer task")?;
    if raw.is_empty() {
        read.context("reading the answer")?;
        written.context("writing the request")?;
    }
    parse(&raw)
}

fn parse(raw: &[u8]) -> anyhow::Result<Answer> {
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        bail!("no end of headers in {:?}", String::from_utf8_lossy(raw));
    };
    let head = std::str::from_utf8(&raw[..split])?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line.split(' ').nth(1).context("no status")?.parse()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(Answer { status, headers, body })
}

fn dechunk(mut input: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = input.windows(2).position(|w| w == b"\r\n").context("a chunk size line")?;
        let size_text = std::str::from_utf8(&input[..line_end])?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)?;
        input = &input[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(input.get(..size).context("a truncated chunk")?);
        input = input.get(size + 2..).context("a chunk without its line end")?;
    }
}
