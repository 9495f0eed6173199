//! Which client is asking: the one place that works out the address every rate limit
//! and the [`Viewer`](super::auth::Viewer) use. Behind a trusted reverse proxy it is the
//! right-most `X-Forwarded-For` address that is not a trusted proxy; from anyone else
//! the header is ignored and the TCP peer is the client. Imports only `std`, `axum`'s
//! header types and `serde`.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use axum::http::HeaderMap;
use serde::{Serialize, Serializer};

/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare address is a block
/// of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` is in the block (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                mask_v4(ip, self.prefix) == mask_v4(net, self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                mask_v6(ip, self.prefix) == mask_v6(net, self.prefix)
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("{text:?} is not an address or block such as 10.0.0.0/8"))?;
        let network = network.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length is not 0 to {max}"))?,
        };
        Ok(Cidr { network, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn mask_v4(ip: Ipv4Addr, prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::from(ip) & (u32::MAX << (32 - u32::from(prefix)))
    }
}

fn mask_v6(ip: Ipv6Addr, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::from(ip) & (u128::MAX << (128 - u32::from(prefix)))
    }
}

/// The proxies whose `X-Forwarded-For` is believed (`[server] trusted_proxies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TrustedProxies(pub Vec<Cidr>);

impl Default for TrustedProxies {
    /// Loopback only (`127.0.0.0/8`, `::1`): a proxy on the same machine, as in
    /// docs/deploy.md. A proxy elsewhere must be listed.
    fn default() -> Self {
        TrustedProxies(vec![
            Cidr {
                network: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)),
                prefix: 8,
            },
            Cidr {
                network: IpAddr::V6(Ipv6Addr::LOCALHOST),
                prefix: 128,
            },
        ])
    }
}

impl TrustedProxies {
    /// Trusts no one: the peer is always the client.
    pub fn none() -> TrustedProxies {
        TrustedProxies(Vec::new())
    }

    /// Parses a comma-separated list (the environment's form); empty trusts no one.
    pub fn parse_list(text: &str) -> Result<TrustedProxies, String> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(Cidr::from_str)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|cidr| cidr.contains(ip))
    }

    /// The client's address. From a trusted peer: walk `X-Forwarded-For` from the right
    /// (each proxy appends the address it saw) past trusted proxies; the first address
    /// that is not one is the client. When every hop is trusted, the left-most is the
    /// client. A malformed entry stops the walk: what lies left of it cannot be
    /// believed, so the nearest trusted hop is taken as the client.
    pub fn client_addr(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        // Several header lines are one list, in order (RFC 9110, 5.3).
        let lines: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|value| value.to_str().unwrap_or("\u{0}"))
            .collect();
        for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
            let Some(hop) = parse_hop(entry) else {
                break;
            };
            client = hop;
            if !self.trusts(hop) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry: an address, IPv6 possibly in brackets.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let bare = entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .unwrap_or(entry);
    bare.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// The address rate limits count under: IPv4 as is, IPv6 by its /64 (one host, or one
/// household, owns a whole /64 and could otherwise take a fresh address per request).
pub fn limit_addr(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(mask_v6(v6, 64))),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_parse_and_contain() {
        let block: Cidr = "10.1.0.0/16".parse().unwrap();
        assert!(block.contains(ip("10.1.200.3")));
        assert!(!block.contains(ip("10.2.0.1")));
        assert!(block.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped");
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.7/32");
        assert!(one.contains(ip("192.0.2.7")) && !one.contains(ip("192.0.2.8")));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(ip("203.0.113.1")) && !all.contains(ip("::1")));
        let v6: Cidr = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")) && !v6.contains(ip("2001:db9::1")));
        for bad in ["10.0.0.0/33", "::/129", "nope", "10.0.0.0/x", ""] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_default_trusts_loopback_only() {
        let trusted = TrustedProxies::default();
        assert!(trusted.trusts(ip("127.0.0.1")) && trusted.trusts(ip("127.9.9.9")));
        assert!(trusted.trusts(ip("::1")) && trusted.trusts(ip("::ffff:127.0.0.1")));
        assert!(!trusted.trusts(ip("10.0.0.1")) && !trusted.trusts(ip("::2")));
        assert_eq!(
            TrustedProxies::parse_list(" 10.0.0.0/8, ::1 ,").unwrap(),
            TrustedProxies(vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()])
        );
        assert_eq!(
            TrustedProxies::parse_list("").unwrap(),
            TrustedProxies::none()
        );
        assert!(TrustedProxies::parse_list("10.0.0.0/8, bad").is_err());
    }

    #[test]
    fn the_client_behind_trusted_proxies() {
        let trusted = TrustedProxies::parse_list("127.0.0.0/8, 10.0.0.0/8").unwrap();
        let proxy = ip("127.0.0.1");
        let cases: &[(&[&str], &str, &str)] = &[
            (&[], "127.0.0.1", "no header: the peer"),
            (&["203.0.113.5"], "203.0.113.5", "one hop"),
            (
                &["198.51.100.1, 203.0.113.5, 10.0.0.2"],
                "203.0.113.5",
                "several hops: past the trusted ones, not the left-most (spoofable)",
            ),
            (
                &["198.51.100.1", "203.0.113.5, 10.0.0.2"],
                "203.0.113.5",
                "several header lines are one list",
            ),
            (
                &["10.0.0.3, 10.0.0.2"],
                "10.0.0.3",
                "every hop trusted: the left-most",
            ),
            (
                &["garbage, 203.0.113.5"],
                "203.0.113.5",
                "garbage left of the client does not matter",
            ),
            (
                &["203.0.113.5, garbage"],
                "127.0.0.1",
                "garbage from the proxy: nothing left of it is believed",
            ),
            (
                &["203.0.113.5:4711"],
                "127.0.0.1",
                "ports are not addresses",
            ),
            (&[""], "127.0.0.1", "an empty header"),
            (
                &["2001:db8::1, [2001:db8::2]"],
                "2001:db8::2",
                "IPv6, bracketed too",
            ),
            (&["::ffff:203.0.113.9"], "203.0.113.9", "IPv4-mapped"),
        ];
        for (values, expected, why) in cases {
            assert_eq!(
                trusted.client_addr(proxy, &headers(values)),
                ip(expected),
                "{why}"
            );
        }
    }

    #[test]
    fn an_untrusted_peer_cannot_spoof_its_address() {
        let trusted = TrustedProxies::default();
        let peer = ip("198.51.100.20");
        assert_eq!(
            trusted.client_addr(peer, &headers(&["203.0.113.5"])),
            peer,
            "the header of an untrusted peer is ignored"
        );
        assert_eq!(
            trusted.client_addr(peer, &headers(&["127.0.0.1"])),
            peer,
            "claiming to be a proxy does not help"
        );
        assert_eq!(
            TrustedProxies::none().client_addr(ip("127.0.0.1"), &headers(&["203.0.113.5"])),
            ip("127.0.0.1"),
            "an empty list trusts even loopback not"
        );
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        assert_eq!(
            limit_addr(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            limit_addr(ip("2001:db8:1:2::1")),
            limit_addr(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            limit_addr(ip("2001:db8:1:2::1")),
            limit_addr(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_addr(ip("192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(limit_addr(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }
}
