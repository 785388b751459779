//! The cross-region bridge of one node (seed Step 3, `spec/node-files.md`):
//! its JMS event publishers, the JNDI files they name and what each chain
//! says — publisher → `java.naming.provider.url` → JNDI file →
//! `connectionfactory.<name>` (a Qpid URL and its brokers) and
//! `topic.<Destination>`. Only what the node's own files say: where the
//! brokers lead is the graph's business (`graph::bridge`).

use std::ops::Range;

use crate::amqp::{self, Broker, ConnectionUrl};
use crate::base::files::FileId;
use crate::base::text::did_you_mean;
use crate::properties::{Entry, Properties};
use crate::xml::wso2::{EventPublisher, Processing, Property};

/// A stream the bridge carries and its physical topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stream {
    pub(crate) name: &'static str,
    pub(crate) topic: &'static str,
    /// Every control plane must publish it to every other region.
    pub(crate) required: bool,
    /// For messages: `notification`, `token revocation`.
    pub(crate) label: &'static str,
}

/// The streams of the seed's Step 3 (`node-files.md`).
pub(crate) const STREAMS: [Stream; 5] = [
    Stream {
        name: "org.wso2.apimgt.notification.stream",
        topic: "notification",
        required: true,
        label: "notification",
    },
    Stream {
        name: "org.wso2.apimgt.token.revocation.stream",
        topic: "tokenRevocation",
        required: true,
        label: "token revocation",
    },
    Stream {
        name: "org.wso2.apimgt.keymgt.stream",
        topic: "keyManager",
        required: true,
        label: "key manager",
    },
    Stream {
        name: "org.wso2.apimgt.webhooks.request.stream",
        topic: "asyncWebhooksData",
        required: false,
        label: "async webhooks",
    },
    Stream {
        name: "org.wso2.blocking.request.stream",
        topic: "throttleData",
        required: false,
        label: "blocking",
    },
];

/// The stream of a `streamName`.
pub(crate) fn stream(name: &str) -> Option<&'static Stream> {
    STREAMS.iter().find(|s| s.name == name)
}

/// WSO2's own JNDI files (the local broker, the HA peer of the region):
/// a publisher naming one of them is no bridge publisher.
pub(crate) const WSO2_JNDI: [&str; 4] = [
    "jndi.properties",
    "jndi2.properties",
    "jndi-cp.properties",
    "jndi2-cp.properties",
];

/// Whether a JNDI path (as a publisher names it, or a file's path in the
/// home) is one of WSO2's own files.
pub(crate) fn is_wso2_jndi(path: &str) -> bool {
    let name = file_name(path);
    WSO2_JNDI.iter().any(|w| name.eq_ignore_ascii_case(w))
}

fn file_name(path: &str) -> &str {
    path.trim().rsplit(['/', '\\']).next().unwrap_or("")
}

/// A lexically normalised path relative to the node's home (`./`, `a/../`,
/// backslashes): how a publisher's `java.naming.provider.url` is compared
/// with the files the node holds (WSO2 opens it relative to the home).
pub(crate) fn home_path(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.trim().split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

/// One event publisher file of a node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublisherFile<'a> {
    pub(crate) file: FileId,
    pub(crate) publisher: &'a EventPublisher,
}

/// One JNDI file of a node: its path relative to the home
/// (`repository/conf/jndi-region2.properties`), text and entries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JndiFile<'a> {
    pub(crate) file: FileId,
    pub(crate) path: &'a str,
    pub(crate) text: &'a str,
    pub(crate) props: &'a Properties,
}

impl JndiFile<'_> {
    /// A range of an entry's decoded value as a range of the file: exact
    /// where the value is written without escapes or continuations, else
    /// the whole value.
    pub(crate) fn value_range(&self, e: &Entry, r: &Range<usize>) -> Range<usize> {
        let raw = self.text.get(e.value_span.clone());
        if raw == Some(e.value.as_str()) && r.end <= e.value.len() {
            e.value_span.start + r.start..e.value_span.start + r.end
        } else {
            e.value_span.clone()
        }
    }
}

/// What a publisher is to the bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not a JMS publisher (`http`, `logger`…).
    NotJms,
    /// `processing="disable"`: WSO2 does not deploy it.
    Disabled,
    /// A JMS publisher to one of WSO2's own JNDI files (the local broker, the
    /// region's HA peer).
    Local,
    /// A JMS publisher to a JNDI file of its own: the bridge.
    Bridge,
}

pub(crate) const PROVIDER_URL: &str = "java.naming.provider.url";
pub(crate) const FACTORY_NAME: &str = "transport.jms.ConnectionFactoryJNDIName";
pub(crate) const DESTINATION: &str = "transport.jms.Destination";
const DESTINATION_TYPE: &str = "transport.jms.DestinationType";

/// What a publisher is to the bridge.
pub(crate) fn kind(p: &EventPublisher) -> Kind {
    if !p.adapter_type.value.trim().eq_ignore_ascii_case("jms") {
        return Kind::NotJms;
    }
    if p.processing == Processing::Disabled {
        return Kind::Disabled;
    }
    match p.property(PROVIDER_URL) {
        Some(u) if is_wso2_jndi(&u.value) => Kind::Local,
        _ => Kind::Bridge,
    }
}

/// Where a bridge publisher's chain breaks (each located in the file to edit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Break {
    /// No `java.naming.provider.url`: the publisher names no JNDI file.
    NoProviderUrl,
    /// The JNDI file named is not in the node; `suggestion`: the one JNDI file
    /// of the node whose path is close (or the only bridge JNDI file).
    NoJndiFile { suggestion: Option<String> },
    /// No `transport.jms.ConnectionFactoryJNDIName` in the publisher.
    NoFactoryName,
    /// The JNDI file has no `connectionfactory.<name>`; `suggestion`: the
    /// factory name it does define (the one close one).
    NoFactory {
        name: String,
        suggestion: Option<String>,
    },
    /// The connection URL does not parse: at `span` of the JNDI file.
    BadUrl { span: Range<usize>, message: String },
    /// No `transport.jms.Destination` in the publisher.
    NoDestination,
    /// The JNDI file has no `topic.<Destination>` entry; `key`: the entry of
    /// the JNDI file whose value is the stream's topic, under another name
    /// (the publisher's Destination is the mistake).
    NoTopic {
        prefix: &'static str,
        dest: String,
        key: Option<String>,
    },
    /// `topic.<Destination>` names another physical topic than the stream's.
    WrongTopic { want: &'static str },
}

/// A bridge publisher's chain, as far as it goes.
#[derive(Debug, Clone)]
pub(crate) struct Chain<'a> {
    pub(crate) publisher: PublisherFile<'a>,
    pub(crate) stream: Option<&'static Stream>,
    pub(crate) url: Option<&'a Property>,
    pub(crate) jndi: Option<JndiFile<'a>>,
    pub(crate) factory_name: Option<&'a Property>,
    /// `connectionfactory.<name>` of the JNDI file.
    pub(crate) factory: Option<&'a Entry>,
    /// The connection URL, its spans as ranges of the JNDI file.
    pub(crate) connection: Option<ConnectionUrl>,
    pub(crate) destination: Option<&'a Property>,
    /// `topic.<Destination>` of the JNDI file.
    pub(crate) topic: Option<&'a Entry>,
    pub(crate) breaks: Vec<Break>,
}

impl Chain<'_> {
    /// The brokers the publisher connects to (none when the chain broke
    /// before them).
    pub(crate) fn brokers(&self) -> &[Broker] {
        self.connection
            .as_ref()
            .map_or(&[], |c| c.brokers.as_slice())
    }
}

/// The bridge publishers of a node (WSO2 deploys one publisher of a name:
/// the first in path order), each with its chain.
pub(crate) fn chains<'a>(
    publishers: &[PublisherFile<'a>],
    jndi: &[JndiFile<'a>],
) -> Vec<Chain<'a>> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for p in publishers {
        let name = p.publisher.name.value.as_str();
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if kind(p.publisher) == Kind::Bridge {
            out.push(chain(*p, jndi));
        }
    }
    out
}

/// The chain of one bridge publisher.
pub(crate) fn chain<'a>(p: PublisherFile<'a>, jndi: &[JndiFile<'a>]) -> Chain<'a> {
    let pb = p.publisher;
    let mut c = Chain {
        publisher: p,
        stream: stream(&pb.stream_name.value),
        url: pb.property(PROVIDER_URL),
        jndi: None,
        factory_name: pb.property(FACTORY_NAME),
        factory: None,
        connection: None,
        destination: pb.property(DESTINATION),
        topic: None,
        breaks: Vec::new(),
    };
    let Some(url) = c.url else {
        c.breaks.push(Break::NoProviderUrl);
        return c;
    };
    let want = home_path(&url.value);
    let Some(j) = jndi.iter().find(|j| home_path(j.path) == want) else {
        c.breaks.push(Break::NoJndiFile {
            suggestion: jndi_suggestion(&want, jndi),
        });
        return c;
    };
    c.jndi = Some(*j);
    factory(&mut c, j);
    topic(&mut c, j);
    c
}

/// The JNDI file a publisher probably meant: the one whose path is close
/// to the name written, else the node's only bridge JNDI file.
fn jndi_suggestion(want: &str, jndi: &[JndiFile<'_>]) -> Option<String> {
    let paths: Vec<String> = jndi.iter().map(|j| home_path(j.path)).collect();
    if let Some(p) = did_you_mean(want, paths.iter().map(String::as_str), 2) {
        return Some(p.to_owned());
    }
    let own: Vec<&String> = paths.iter().filter(|p| !is_wso2_jndi(p)).collect();
    match own.as_slice() {
        [one] if file_name(one) != file_name(want) => Some((*one).clone()),
        _ => None,
    }
}

fn factory<'a>(c: &mut Chain<'a>, j: &JndiFile<'a>) {
    let Some(name) = c.factory_name else {
        c.breaks.push(Break::NoFactoryName);
        return;
    };
    let key = format!("connectionfactory.{}", name.value.trim());
    let Some(e) = j.props.get(&key) else {
        let names: Vec<&str> = j
            .props
            .entries
            .iter()
            .filter_map(|e| e.key.strip_prefix("connectionfactory."))
            .collect();
        let suggestion = did_you_mean(name.value.trim(), names.iter().copied(), 2)
            .or(match names.as_slice() {
                [one] => Some(*one),
                _ => None,
            })
            .map(str::to_owned);
        c.breaks.push(Break::NoFactory {
            name: name.value.trim().to_owned(),
            suggestion,
        });
        return;
    };
    c.factory = Some(e);
    match amqp::parse(e.value.trim_end()) {
        Ok(mut u) => {
            let map = |r: &Range<usize>| j.value_range(e, r);
            u.userinfo_span = map(&u.userinfo_span);
            for b in &mut u.brokers {
                b.span = map(&b.span);
                b.host_span = map(&b.host_span);
                b.port_span = b.port_span.as_ref().map(map);
            }
            c.connection = Some(u);
        }
        Err(err) => c.breaks.push(Break::BadUrl {
            span: j.value_range(e, &err.span),
            message: err.message,
        }),
    }
}

fn topic<'a>(c: &mut Chain<'a>, j: &JndiFile<'a>) {
    let Some(dest) = c.destination else {
        c.breaks.push(Break::NoDestination);
        return;
    };
    let queue = c
        .publisher
        .publisher
        .property(DESTINATION_TYPE)
        .is_some_and(|t| t.value.trim().eq_ignore_ascii_case("queue"));
    let prefix = if queue { "queue." } else { "topic." };
    let d = dest.value.trim();
    match j.props.get(&format!("{prefix}{d}")) {
        Some(e) => {
            c.topic = Some(e);
            if let Some(s) = c.stream
                && e.value.trim() != s.topic
            {
                c.breaks.push(Break::WrongTopic { want: s.topic });
            }
        }
        None => {
            // an entry of the file that maps to the stream's topic under
            // another name: the Destination is what to change
            let key = c.stream.and_then(|s| {
                let keys: Vec<&str> = j
                    .props
                    .entries
                    .iter()
                    .filter(|e| e.value.trim() == s.topic)
                    .filter_map(|e| e.key.strip_prefix(prefix))
                    .collect();
                match keys.as_slice() {
                    [one] => Some((*one).to_owned()),
                    _ => None,
                }
            });
            c.breaks.push(Break::NoTopic {
                prefix,
                dest: d.to_owned(),
                key,
            });
        }
    }
}

/// Publishers of a node that share a name: (the one WSO2 drops, the first).
pub(crate) fn duplicate_names<'p, 'a>(
    publishers: &'p [PublisherFile<'a>],
) -> Vec<(&'p PublisherFile<'a>, &'p PublisherFile<'a>)> {
    let mut out = Vec::new();
    for (k, p) in publishers.iter().enumerate() {
        if let Some(first) = publishers
            .get(..k)
            .unwrap_or_default()
            .iter()
            .find(|q| q.publisher.name.value == p.publisher.name.value)
        {
            out.push((p, first));
        }
    }
    out
}

/// The `user:password` of a bridge's connection URL when it is WSO2's
/// default `admin:admin`: its range in the JNDI file.
pub(crate) fn default_broker_credentials(j: &JndiFile<'_>) -> Vec<Range<usize>> {
    if is_wso2_jndi(j.path) {
        return Vec::new();
    }
    j.props
        .entries
        .iter()
        .filter(|e| e.key.starts_with("connectionfactory."))
        .filter_map(|e| {
            let u = amqp::parse(e.value.trim_end()).ok()?;
            let info = e.value.get(u.userinfo_span.clone())?;
            let decoded = percent_decode(info);
            (decoded == "admin:admin").then(|| j.value_range(e, &u.userinfo_span))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) if c == b'%' => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
pub(crate) mod tests;
