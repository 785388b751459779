//! A parser for the endpoints WSO2 nodes reach each other through:
//! `tcp://host:port`, `ssl://…`, `https://host[:port]/path`, with IPv6
//! literals and `${…}`/`$env{…}` placeholders. Keeps the byte ranges of host
//! and port inside the string. (Not the `url` crate: it treats `tcp://` hosts
//! as opaque, neither lower-cased nor read as IP addresses, and rejects
//! placeholder ports.)

use std::ops::Range;

/// A parsed endpoint. Ranges are byte offsets into the parsed string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: String,
    /// Lower-cased; IPv6 without brackets.
    pub host: String,
    pub host_range: Range<usize>,
    pub host_kind: HostKind,
    pub port: Option<Port>,
    pub port_range: Option<Range<usize>>,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    Name,
    /// `localhost`, `127.0.0.1`, `::1`, or `${carbon.host}`/`${carbon.local.ip}`:
    /// the writer itself.
    Loopback,
    /// `$env{…}`, `$sys{…}`, `$ref{…}` or an unknown `${…}`: cannot be resolved statically.
    Placeholder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Port {
    Number(u16),
    /// `${mgt.transport.https.port}` and friends: the writer's own port.
    Placeholder(String),
}

/// Carbon placeholders for ports, with the WSO2 default port they stand for
/// (resolved with the writer's own offset).
pub(crate) const PORT_PLACEHOLDERS: [(&str, u16); 8] = [
    ("mgt.transport.https.port", 9443),
    ("carbon.management.port", 9443),
    ("mgt.transport.http.port", 9763),
    ("http.nio.port", 8280),
    ("https.nio.port", 8243),
    ("receiver.url.port", 9611),
    ("auth.url.port", 9711),
    ("jms.port", 5672),
];

/// The WSO2 default port a port placeholder stands for.
pub(crate) fn placeholder_port(name: &str) -> Option<u16> {
    PORT_PLACEHOLDERS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
}

/// Parse an endpoint URL.
pub(crate) fn parse(s: &str) -> Result<Endpoint, String> {
    use crate::base::memo::{Memo, memoized};
    // a deployment writes the same few URLs on many nodes (a region's
    // gateways name the same control plane), and each is parsed for the
    // node's facts and again for its edge: parsed once per string and thread
    thread_local! {
        static SEEN: Memo<Result<Endpoint, String>> = std::cell::RefCell::default();
    }
    memoized(&SEEN, s, parse_text)
}

/// [`parse`] without the memo.
fn parse_text(s: &str) -> Result<Endpoint, String> {
    if s.trim().is_empty() {
        return Err("the URL is empty".into());
    }
    let Some(sep) = s.find("://") else {
        return Err(format!(
            "`{s}` has no scheme (expected e.g. `tcp://host:port`)"
        ));
    };
    let scheme = s.get(..sep).unwrap_or("").to_ascii_lowercase();
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return Err(format!("`{s}` has no valid scheme"));
    }
    let auth_start = sep + 3;
    let rest = s.get(auth_start..).unwrap_or("");
    let auth_len = authority_len(rest);
    let authority = rest.get(..auth_len).unwrap_or("");
    let path = rest.get(auth_len..).unwrap_or("").to_owned();
    let (host_off, hostport) = match authority.rfind('@') {
        Some(at) if !authority.get(..at).unwrap_or("").contains('{') => {
            (at + 1, authority.get(at + 1..).unwrap_or(""))
        }
        _ => (0, authority),
    };
    let base = auth_start + host_off;
    let (host_raw, host_range, after) = split_host(s, hostport, base)?;
    if host_raw.is_empty() {
        return Err(format!("`{s}` has no host"));
    }
    // an absolute DNS name (`tm-1.apim.svc.cluster.local.`) is the same name
    let host = match host_raw.strip_suffix('.') {
        Some(h) if !h.is_empty() && !h.ends_with('.') && !hostport.starts_with(['[', '$']) => {
            h.to_lowercase()
        }
        _ => host_raw.to_lowercase(),
    };
    let host_kind = host_kind(&host);
    let port_base = host_range.end + usize::from(hostport.starts_with('['));
    let mut path = path;
    let (port, port_range) = split_port(s, after, port_base, &mut path)?;
    Ok(Endpoint {
        scheme,
        host,
        host_range,
        host_kind,
        port,
        port_range,
        path,
    })
}

/// The host of `hostport` (an IPv6 literal in brackets, a `${…}`
/// placeholder, or a name up to `:`), its range in the URL (`base` is where
/// `hostport` starts) and what follows it.
fn split_host<'a>(
    s: &str,
    hostport: &'a str,
    base: usize,
) -> Result<(&'a str, std::ops::Range<usize>, &'a str), String> {
    Ok(if hostport.starts_with('[') {
        let close = hostport
            .find(']')
            .ok_or_else(|| format!("`{s}`: unclosed `[` in an IPv6 host"))?;
        let inner = hostport.get(1..close).unwrap_or("");
        (
            inner,
            base + 1..base + close,
            hostport.get(close + 1..).unwrap_or(""),
        )
    } else if hostport.starts_with('$') {
        let close = hostport.find('}').map_or(hostport.len(), |c| c + 1);
        (
            hostport.get(..close).unwrap_or(""),
            base..base + close,
            hostport.get(close..).unwrap_or(""),
        )
    } else {
        let end = hostport.find(':').unwrap_or(hostport.len());
        (
            hostport.get(..end).unwrap_or(""),
            base..base + end,
            hostport.get(end..).unwrap_or(""),
        )
    })
}

/// The port after the host (`after` starts at its `:`, if any), with its
/// range; a port placeholder followed by more text hands that text to `path`.
fn split_port(
    s: &str,
    after: &str,
    port_base: usize,
    path: &mut String,
) -> Result<(Option<Port>, Option<std::ops::Range<usize>>), String> {
    Ok(match after.strip_prefix(':') {
        None if after.is_empty() => (None, None),
        None => return Err(format!("`{s}`: unexpected `{after}` after the host")),
        Some("") => return Err(format!("`{s}` has an empty port")),
        Some(p) => {
            // `${mgt.transport.https.port}${carbon.context}services/`: the
            // port placeholder ends at its `}`, the rest belongs to the path
            let p = match (p.starts_with('$'), p.find('}')) {
                (true, Some(close)) if close + 1 < p.len() => {
                    *path = format!("{}{path}", p.get(close + 1..).unwrap_or(""));
                    p.get(..=close).unwrap_or(p)
                }
                _ => p,
            };
            let range = port_base + 1..port_base + 1 + p.len();
            if let Some(name) = p.strip_prefix("${").and_then(|x| x.strip_suffix('}')) {
                (Some(Port::Placeholder(name.to_owned())), Some(range))
            } else if p.starts_with('$') {
                (Some(Port::Placeholder(p.to_owned())), Some(range))
            } else {
                let n: u32 = p
                    .parse()
                    .map_err(|_| format!("`{s}`: port `{p}` is not a number"))?;
                let n = u16::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("`{s}`: port {p} is out of range"))?;
                (Some(Port::Number(n)), Some(range))
            }
        }
    })
}

/// Length of the authority: up to the first `/`, `?` or `#` outside `{…}`.
fn authority_len(rest: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '/' | '?' | '#' if depth == 0 => return i,
            _ => {}
        }
    }
    rest.len()
}

fn host_kind(host: &str) -> HostKind {
    match host {
        "localhost" | "127.0.0.1" | "::1" | "0.0.0.0" | "${carbon.host}" | "${carbon.local.ip}" => {
            HostKind::Loopback
        }
        h if h.starts_with('$') => HostKind::Placeholder,
        h if h.starts_with("127.") && h.parse::<std::net::Ipv4Addr>().is_ok() => HostKind::Loopback,
        _ => HostKind::Name,
    }
}

/// Whether a host string is a loopback address (for `node_ip`).
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host_kind(&host.to_lowercase()) == HostKind::Loopback
}

/// Whether a URL points at its writer (`tcp://localhost:5672`).
pub(crate) fn is_loopback_url(url: &str) -> bool {
    parse(url).is_ok_and(|e| e.host_kind == HostKind::Loopback)
}

impl Endpoint {
    /// A URL that goes through a load balancer: no port, or 80/443.
    pub(crate) fn via_load_balancer(&self) -> bool {
        matches!(self.port, None | Some(Port::Number(80 | 443)))
    }
}

/// Where the content of a TOML string literal starts in the file, when the
/// literal has no escapes (so string offsets map 1:1 onto file offsets).
pub(crate) fn content_start(file_text: &str, literal: &Range<usize>, value: &str) -> Option<usize> {
    let raw = file_text.get(literal.clone())?;
    for q in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = raw.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return (inner == value).then_some(literal.start + q.len());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Endpoint {
        parse(s).unwrap_or_else(|e| Endpoint {
            scheme: e,
            host: String::new(),
            host_range: 0..0,
            host_kind: HostKind::Name,
            port: None,
            port_range: None,
            path: String::new(),
        })
    }

    #[test]
    fn an_absolute_dns_name_is_the_same_name() {
        let e = ok("tcp://TM-1.apim.svc.cluster.local.:5672");
        assert_eq!(e.host, "tm-1.apim.svc.cluster.local");
        assert_eq!(e.port, Some(Port::Number(5672)));
        assert_eq!(ok("https://gw.example.com./x").host, "gw.example.com");
        // a dot alone, or two, are no absolute name
        assert_eq!(ok("tcp://tm..:5672").host, "tm..");
    }

    #[test]
    fn parses_wso2_endpoints() {
        let e = ok("tcp://TM1.eu:9611");
        assert_eq!(
            (e.scheme.as_str(), e.host.as_str(), e.port.clone()),
            ("tcp", "tm1.eu", Some(Port::Number(9611)))
        );
        assert_eq!(e.host_range, 6..12);
        assert_eq!(e.port_range, Some(13..17));
        let e = ok("https://km.eu/services/");
        assert_eq!((e.port.clone(), e.path.as_str()), (None, "/services/"));
        assert!(e.via_load_balancer());
        let e = ok("tcp://[::1]:5672");
        assert_eq!(
            (e.host.as_str(), e.host_kind.clone(), e.port_range.clone()),
            ("::1", HostKind::Loopback, Some(12..16))
        );
        let e = ok("https://localhost:${mgt.transport.https.port}${carbon.context}services/");
        assert_eq!(
            e.port,
            Some(Port::Placeholder("mgt.transport.https.port".into()))
        );
        let e = ok("tcp://$env{TM_HOST}:9611");
        assert_eq!(e.host_kind, HostKind::Placeholder);
        let e = ok("amqp://admin:admin@cp:5672");
        assert_eq!(e.host, "cp");
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(parse("").is_err());
        assert!(parse("tm1.eu:9611").is_err());
        assert!(parse("tcp://tm:99999").is_err());
        assert!(parse("tcp://tm:").is_err());
        assert!(parse("tcp://:5672").is_err());
        assert!(parse("tcp://[::1").is_err());
        assert!(parse("tcp://tm:56x2").is_err());
    }
}
