//! Who is asking: the client's address, for rate limits. By default it is the
//! peer of the TCP connection. Only when that peer is a configured trusted
//! proxy (`PORTICO_TRUSTED_PROXIES`) is `X-Forwarded-For` read, from the
//! right, skipping trusted proxies: the first address no trusted proxy could
//! have written is the client. Anything else a client sends in the header is
//! ignored, so nobody escapes a limit by inventing addresses.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use poem::Request;

/// Why a list of trusted proxies does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{entry:?} is neither an IP address nor a CIDR block such as 10.0.0.0/8 or fd00::/8")]
pub struct TrustedProxiesError {
    /// The entry at fault.
    pub entry: String,
}

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and CIDR blocks separated by commas or whitespace
    /// (`"10.0.0.0/8, 192.168.1.7 fd00::/8"`); an empty list trusts nobody.
    ///
    /// # Errors
    /// The first entry that is neither.
    pub fn parse(list: &str) -> Result<Self, TrustedProxiesError> {
        let entries = list.split(|c: char| c == ',' || c.is_whitespace()).filter(|e| !e.is_empty());
        let mut nets = Vec::new();
        for entry in entries {
            let net = entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| TrustedProxiesError { entry: entry.to_owned() })?;
            nets.push(net.trunc());
        }
        Ok(Self(nets))
    }

    /// Whether `ip` is a trusted proxy.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client behind a connection from `peer` that carried these
    /// `X-Forwarded-For` values.
    #[must_use]
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.contains(client) {
            return client;
        }
        let hops = forwarded_for.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|h| !h.is_empty());
        let hops: Vec<&str> = hops.collect();
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // Garbage from beyond the trusted proxies: the last one we trust is all we know.
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip())).ok().map(|ip| ip.to_canonical())
}

/// The client address of `request` (see the module documentation); `None`
/// when the connection has no IP peer (a Unix socket, a test client).
#[must_use]
pub fn client_address(request: &Request, proxies: &TrustedProxies) -> Option<IpAddr> {
    let peer = request.remote_addr().as_socket_addr()?.ip();
    let forwarded: Vec<&str> =
        request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    Some(proxies.client(peer, &forwarded))
}

/// The rate-limit key of a client: its IPv4 address, or the /64 network of
/// an IPv6 one (one subscriber usually holds a whole /64).
#[must_use]
pub fn client_key(client: Option<IpAddr>) -> String {
    match client {
        Some(IpAddr::V4(v4)) => format!("client:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("client:{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        None => "client:unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn lists_of_addresses_and_blocks_parse_and_mistakes_are_named() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7  fd00::/8").unwrap();
        assert!(proxies.contains(ip("10.1.2.3")) && proxies.contains(ip("192.168.1.7")));
        assert!(proxies.contains(ip("fd12::1")) && !proxies.contains(ip("192.168.1.8")));
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        let error = TrustedProxies::parse("10.0.0.0/8,proxy.local").unwrap_err();
        assert_eq!(error.entry, "proxy.local");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("203.0.113.9"), &["198.51.100.1"]), ip("203.0.113.9"));
        let some = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(some.client(ip("203.0.113.9"), &["198.51.100.1"]), ip("203.0.113.9"), "an untrusted peer");
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        // The client made up the first entry; the proxies appended the rest.
        let header = ["1.1.1.1, 198.51.100.7", "10.0.0.2"];
        assert_eq!(proxies.client(ip("10.0.0.1"), &header), ip("198.51.100.7"));
        assert_eq!(proxies.client(ip("10.0.0.1"), &["198.51.100.7:4711"]), ip("198.51.100.7"));
        assert_eq!(proxies.client(ip("10.0.0.1"), &["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(proxies.client(ip("10.0.0.1"), &["garbage, 10.0.0.3"]), ip("10.0.0.3"));
        assert_eq!(proxies.client(ip("10.0.0.1"), &[]), ip("10.0.0.1"), "no header: the proxy itself");
        assert_eq!(proxies.client(ip("::ffff:10.0.0.1"), &["198.51.100.7"]), ip("198.51.100.7"), "mapped v4");
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64_bit_network() {
        assert_eq!(client_key(Some(ip("2001:db8:1:2:aaaa::1"))), client_key(Some(ip("2001:db8:1:2:bbbb::9"))));
        assert_ne!(client_key(Some(ip("2001:db8:1:2::1"))), client_key(Some(ip("2001:db8:1:3::1"))));
        assert_eq!(client_key(Some(ip("192.0.2.1"))), "client:192.0.2.1");
    }
}
