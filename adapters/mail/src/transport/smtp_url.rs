//! Parsing of `smtp://` URLs into an [`Endpoint`] (lettre's own parser builds
//! its transport and keeps the parts private).

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;
use lettre::transport::smtp::extension::ClientId;

use super::pool::{Endpoint, StartTls};

/// Parses `smtp://[user[:pass]@]host[:port][/ehlo-name][?tls=required|opportunistic]`.
pub(super) fn parse_smtp_url(url: &str) -> Result<Endpoint, String> {
    let rest = url.strip_prefix("smtp://").ok_or("the scheme must be smtp://")?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority),
    };
    let mut tls = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("tls", "required")) => tls = Some(true),
            Some(("tls", "opportunistic")) => tls = Some(false),
            _ => return Err(format!("unknown parameter {pair:?}; use tls=required or tls=opportunistic")),
        }
    }
    let (host, port) = split_host_port(hostport)?;
    if host.is_empty() {
        return Err("the host is missing".to_owned());
    }
    let port = port.unwrap_or(if tls.is_some() { 587 } else { 25 });
    let starttls = match tls {
        Some(required) => {
            let parameters = TlsParameters::new(host.to_owned()).map_err(|e| format!("TLS setup failed: {e}"))?;
            Some(StartTls { parameters, required })
        }
        None => None,
    };
    let credentials = userinfo.map(|userinfo| {
        let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        Credentials::new(percent_decode(user), percent_decode(pass))
    });
    let ehlo = path.trim_matches('/');
    let hello = if ehlo.is_empty() { ClientId::default() } else { ClientId::Domain(ehlo.to_owned()) };
    Ok(Endpoint { host: host.to_owned(), port, starttls, hello, credentials })
}

fn split_host_port(hostport: &str) -> Result<(&str, Option<u16>), String> {
    let bad_port = |p: &str| format!("invalid port {p:?}");
    if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed '[' in the host")?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port.parse().map_err(|_| bad_port(port))?))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(format!("unexpected {after:?} after the host")),
        };
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) => Ok((host, Some(port.parse().map_err(|_| bad_port(port))?))),
        None => Ok((hostport, None)),
    }
}

/// Decodes `%XX` escapes; anything malformed is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_of_the_url_is_read() {
        let e = parse_smtp_url("smtp://ann%40corp:p%3Ass@mail.example.com:2525/ehlo.example.com?tls=required").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("mail.example.com", 2525));
        assert!(e.starttls.as_ref().is_some_and(|t| t.required));
        assert_eq!(e.hello, ClientId::Domain("ehlo.example.com".to_owned()));
        assert_eq!(e.credentials, Some(Credentials::new("ann@corp".to_owned(), "p:ss".to_owned())));
    }

    #[test]
    fn ports_default_by_security() {
        assert_eq!(parse_smtp_url("smtp://relay").unwrap().port, 25);
        let e = parse_smtp_url("smtp://relay?tls=opportunistic").unwrap();
        assert_eq!(e.port, 587);
        assert!(e.starttls.is_some_and(|t| !t.required));
        let e = parse_smtp_url("smtp://[::1]:2525").unwrap();
        assert_eq!((e.host.as_str(), e.port), ("::1", 2525));
    }

    #[test]
    fn mistakes_are_named() {
        for (url, expected) in [
            ("smtp://relay?tls=sometimes", "unknown parameter"),
            ("smtp://relay:twentyfive", "invalid port"),
            ("smtp://:25", "host is missing"),
            ("smtp://[::1", "unclosed"),
        ] {
            let error = parse_smtp_url(url).err().unwrap_or_default();
            assert!(error.contains(expected), "{url}: {error}");
        }
    }
}
