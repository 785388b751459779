//! The Qpid/Andes connection URL of a JNDI `connectionfactory.*` value, as
//! Qpid's `URLParser` reads it:
//! `amqp://user:password@clientid/virtualhost?option='value'&brokerlist='tcp://h1:5672?retries='5'&connectdelay='50';tcp://h2:5672'`.
//!
//! Qpid parses it as a `java.net.URI`: user info, client id (the URI's host)
//! and virtual host (its path), then the **percent-decoded** query — hence
//! WSO2's `%26` for `&` — split into options by Qpid's quote nesting rule (a
//! `'` followed by `&`, `,`, `;`, `'` or the end closes a value, any other
//! opens one). `brokerlist` holds brokers separated by `;` (empty ones
//! skipped), each a URI `scheme://host:port` (IPv6 in brackets; the port
//! defaults to 5672) with its own `?options`. Every span is a byte range of
//! the value given to `parse`; the user info (`user:password`) is a secret:
//! `userinfo_span` lets a renderer star it.

use std::ops::Range;

/// Qpid's default AMQP port.
pub(crate) const DEFAULT_PORT: u16 = 5672;

/// `name='value'` of the URL or of a broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlOption {
    pub name: String,
    /// Without its quotes, percent-decoded.
    pub value: String,
    pub name_span: Range<usize>,
    /// The value without its quotes.
    pub value_span: Range<usize>,
}

/// One broker of `brokerlist`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broker {
    /// The broker as written (`tcp://h:5672?retries='5'`).
    pub span: Range<usize>,
    pub scheme: String,
    pub host: String,
    /// The host as written (with the brackets of an IPv6 literal).
    pub host_span: Range<usize>,
    /// The port written, else 5672.
    pub port: u16,
    pub port_span: Option<Range<usize>>,
    pub options: Vec<UrlOption>,
}

/// A connection URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionUrl {
    pub user: String,
    /// `user:password` (a secret), without the `@`.
    pub userinfo_span: Range<usize>,
    pub client_id: String,
    pub virtual_host: String,
    pub options: Vec<UrlOption>,
    pub brokers: Vec<Broker>,
}

impl ConnectionUrl {
    /// An option of the URL (not of a broker).
    pub fn option(&self, name: &str) -> Option<&UrlOption> {
        self.options.iter().find(|o| o.name == name)
    }
}

/// A located error in a connection URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError {
    pub span: Range<usize>,
    pub message: String,
}

impl std::fmt::Display for UrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn err<T>(span: Range<usize>, msg: impl Into<String>) -> Result<T, UrlError> {
    Err(UrlError {
        span,
        message: msg.into(),
    })
}

/// A percent-decoded piece of the value and where each of its bytes came from.
struct Decoded {
    text: String,
    /// decoded offsets of the bytes that were `%XX` escapes
    escapes: Vec<usize>,
    base: usize,
}

impl Decoded {
    fn new(raw: &str, base: usize) -> Self {
        let b = raw.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut escapes = Vec::new();
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) if c == b'%' && v.is_ascii() => {
                    escapes.push(out.len());
                    out.push(v);
                    i += 3;
                }
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Self {
            // only ASCII bytes were decoded, so the text stays UTF-8
            text: String::from_utf8_lossy(&out).into_owned(),
            escapes,
            base,
        }
    }

    /// The offset in the original value of decoded offset `i`.
    fn raw(&self, i: usize) -> usize {
        self.base + i + 2 * self.escapes.partition_point(|&e| e < i)
    }

    fn span(&self, r: Range<usize>) -> Range<usize> {
        self.raw(r.start)..self.raw(r.end)
    }
}

/// Parse a connection URL.
pub fn parse(value: &str) -> Result<ConnectionUrl, UrlError> {
    let Some(rest) = value
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("amqp://"))
        .and_then(|_| value.get(7..))
    else {
        let end = value.find("://").map_or(value.len(), |i| i + 3);
        return err(0..end, "a Qpid connection URL starts with `amqp://`");
    };
    let base = 7;
    let query_at = rest.find('?');
    let authority_end = rest.find('/').filter(|&s| query_at.is_none_or(|q| s < q));
    let Some(slash) = authority_end else {
        return err(
            0..value.len(),
            "no virtual host: a Qpid connection URL is `amqp://user:password@clientid/virtualhost?…`",
        );
    };
    let authority = rest.get(..slash).unwrap_or("");
    let Some(at) = authority.rfind('@') else {
        return err(
            base..base + slash,
            "no user information (`user:password@`): Qpid refuses the URL",
        );
    };
    let userinfo = Decoded::new(authority.get(..at).unwrap_or(""), base);
    let user = userinfo.text.split(':').next().unwrap_or("").to_string();
    let client_id = Decoded::new(authority.get(at + 1..).unwrap_or(""), base + at + 1).text;
    let path_end = query_at.unwrap_or(rest.len());
    let virtual_host = Decoded::new(rest.get(slash + 1..path_end).unwrap_or(""), 0).text;
    let mut options = Vec::new();
    if let Some(q) = query_at {
        let query = Decoded::new(rest.get(q + 1..).unwrap_or(""), base + q + 1);
        options = parse_options(&query, 0..query.text.len())?;
    }
    let mut brokers = Vec::new();
    if let Some(list) = options.iter().find(|o| o.name == "brokerlist") {
        brokers = parse_brokers(value, list.value_span.clone())?;
    }
    Ok(ConnectionUrl {
        user,
        userinfo_span: base..base + at,
        client_id,
        virtual_host,
        options,
        brokers,
    })
}

fn is_option_end(b: Option<u8>) -> bool {
    matches!(b, None | Some(b'&' | b',' | b';' | b'\''))
}

/// `URLHelper.parseOptions` over decoded bytes `r` of `d`.
fn parse_options(d: &Decoded, r: Range<usize>) -> Result<Vec<UrlOption>, UrlError> {
    let b = d.text.as_bytes();
    let mut out = Vec::new();
    let mut i = r.start;
    while i < r.end {
        let Some(eq) = b
            .get(i..r.end)
            .and_then(|s| s.iter().position(|&c| c == b'='))
        else {
            return err(d.span(i..r.end), "an option without `=value`");
        };
        let name = i..i + eq;
        let mut j = i + eq + 1;
        let value = if b.get(j) == Some(&b'\'') {
            // Qpid's nesting: a quote before a separator (or the end) closes
            let mut depth = 0usize;
            let start = j;
            loop {
                match b.get(j) {
                    None => {
                        return err(
                            d.span(start..r.end),
                            "unterminated quote in an option value",
                        );
                    }
                    Some(b'\'') if j + 1 < r.end && !is_option_end(b.get(j + 1).copied()) => {
                        depth += 1
                    }
                    Some(b'\'') if j == start => depth += 1,
                    Some(b'\'') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                    Some(_) => {}
                }
                j += 1;
                if j >= r.end {
                    return err(
                        d.span(start..r.end),
                        "unterminated quote in an option value",
                    );
                }
            }
            j += 1;
            start + 1..j - 1
        } else {
            let end = b
                .get(j..r.end)
                .and_then(|s| s.iter().position(|&c| c == b'&' || c == b','))
                .map_or(r.end, |p| j + p);
            let v = j..end;
            j = end;
            v
        };
        out.push(UrlOption {
            name: d.text.get(name.clone()).unwrap_or("").to_string(),
            value: d.text.get(value.clone()).unwrap_or("").to_string(),
            name_span: d.span(name),
            value_span: d.span(value),
        });
        match b.get(j) {
            Some(b'&' | b',') => i = j + 1,
            None => break,
            Some(_) if j >= r.end => break,
            Some(_) => {
                let at = d.raw(j);
                return err(at..at + 1, "expected `&` between options");
            }
        }
    }
    Ok(out)
}

/// The brokers of a `brokerlist` value at `span` of the URL.
fn parse_brokers(value: &str, span: Range<usize>) -> Result<Vec<Broker>, UrlError> {
    // the list is read decoded, like the query it sits in
    let d = Decoded::new(value.get(span.clone()).unwrap_or(""), span.start);
    let mut out = Vec::new();
    let mut start = 0;
    for piece in d.text.split(';') {
        let r = start..start + piece.len();
        start = r.end + 1;
        if piece.trim().is_empty() {
            continue;
        }
        out.push(parse_broker(&d, r)?);
    }
    if out.is_empty() {
        return err(span, "the broker list is empty");
    }
    Ok(out)
}

fn parse_broker(d: &Decoded, r: Range<usize>) -> Result<Broker, UrlError> {
    let text = d.text.get(r.clone()).unwrap_or("");
    let (scheme, after) = match text.find("://") {
        Some(i) => (text.get(..i).unwrap_or(""), r.start + i + 3),
        None => ("tcp", r.start),
    };
    let auth_end = d
        .text
        .get(after..r.end)
        .and_then(|s| s.find(['?', '/']))
        .map_or(r.end, |p| after + p);
    let auth = d.text.get(after..auth_end).unwrap_or("");
    let (host, port) = if auth.starts_with('[') {
        let Some(close) = auth.find(']') else {
            return err(d.span(after..auth_end), "an IPv6 address without its `]`");
        };
        let port = auth.get(close + 1..).and_then(|p| p.strip_prefix(':'));
        (
            after..after + close + 1,
            port.map(|_| after + close + 2..auth_end),
        )
    } else {
        match auth.rfind(':') {
            Some(c) => (after..after + c, Some(after + c + 1..auth_end)),
            None => (after..auth_end, None),
        }
    };
    if host.is_empty() {
        return err(d.span(r.clone()), "a broker without a host");
    }
    let port_value = match &port {
        Some(p) => {
            let digits = d.text.get(p.clone()).unwrap_or("");
            match digits.parse::<u16>() {
                Ok(n) if digits.bytes().all(|c| c.is_ascii_digit()) => n,
                _ => return err(d.span(p.clone()), format!("`{digits}` is not a port")),
            }
        }
        None => DEFAULT_PORT,
    };
    let options = match d.text.get(auth_end..r.end).and_then(|s| s.find('?')) {
        Some(q) => parse_options(d, auth_end + q + 1..r.end)?,
        None => Vec::new(),
    };
    Ok(Broker {
        span: d.span(r),
        scheme: scheme.to_string(),
        host: d.text.get(host.clone()).unwrap_or("").to_string(),
        host_span: d.span(host),
        port: port_value,
        port_span: port.map(|p| d.span(p)),
        options,
    })
}

#[cfg(test)]
mod tests;
