//! A node's home: the files of its WSO2 API-M home besides
//! `deployment.toml` (`spec/node-files.md`) — event publisher XML, JNDI
//! properties, user store XML and keystores — each with its [`FileId`], its
//! [`FileKind`] and its origin, parsed once when the node is built.
//!
//! The driver reads ([`HomeSource`]: bytes, never parsed there); the graph
//! parses ([`Home::parse`]); rules read [`Node::home`](super::Node::home).
//! A rule never asks where a file comes from: [`HomeFile::place`] says
//! where a span of its text is in the real file (the file itself, or the
//! manifest that holds it), [`HomeFile::redacted`] what a report may show,
//! [`HomeFile::writable`] whether a fix may be written back.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::amqp::{self, ConnectionUrl, UrlError};
use crate::base::files::FileId;
use crate::base::text::LineIndex;
use crate::keystore;
use crate::manifest::Origin;
use crate::properties::{self, Properties, PropertiesError};
use crate::vfs::ReadError;
use crate::xml::XmlError;
use crate::xml::wso2::{EventPublisher, UserStore};

/// `repository/conf`, relative to the home: the TOML and the JNDI files.
pub(crate) const CONF_DIR: &str = "repository/conf";
/// The event publishers' directory, relative to the home.
pub(crate) const EVENT_PUBLISHER_DIR: &str = "repository/deployment/server/eventpublishers";
/// The secondary user stores' directory, relative to the home.
pub(crate) const USER_STORE_DIR: &str = "repository/deployment/server/userstores";
/// The keystores' and truststores' directory, relative to the home.
pub(crate) const SECURITY_DIR: &str = "repository/resources/security";
/// WSO2's keystore when `[keystore.*] file_name` is not written.
pub(crate) const DEFAULT_KEYSTORE: &str = "wso2carbon.jks";
/// WSO2's truststore when `[truststore] file_name` is not written.
pub(crate) const DEFAULT_TRUSTSTORE: &str = "client-truststore.jks";

/// What a file of a home is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `repository/conf/deployment.toml` (the node's own file).
    Toml,
    /// `repository/deployment/server/eventpublishers/*.xml`.
    EventPublisherXml,
    /// `repository/conf/jndi*.properties`.
    JndiProperties,
    /// `repository/deployment/server/userstores/*.xml`.
    UserStoreXml,
    /// `repository/resources/security/<file_name>`: bytes, never text.
    Keystore,
}

impl FileKind {
    /// The kind of a text file by its path relative to the home; `None`
    /// for any other file (keystores are named by the TOML, not by path).
    pub fn of(rel: &str) -> Option<FileKind> {
        let (dir, name) = rel.rsplit_once('/')?;
        match dir {
            EVENT_PUBLISHER_DIR if name.ends_with(".xml") => Some(FileKind::EventPublisherXml),
            USER_STORE_DIR if name.ends_with(".xml") => Some(FileKind::UserStoreXml),
            CONF_DIR if name.starts_with("jndi") && name.ends_with(".properties") => {
                Some(FileKind::JndiProperties)
            }
            _ => None,
        }
    }

    /// The kind of a text file by its path (anywhere below a home: the
    /// part from the last `repository/` on), with that home-relative part.
    pub fn of_path(path: &str) -> Option<(FileKind, &str)> {
        let rel = path.get(path.rfind("repository/")?..)?;
        Some((FileKind::of(rel)?, rel))
    }

    /// Whether the file is bytes (a keystore): never shown, never parsed as text.
    pub(crate) fn is_binary(self) -> bool {
        self == FileKind::Keystore
    }

    /// The directory of the home the driver lists for files of this kind.
    pub(crate) const LISTED: [&'static str; 3] = [CONF_DIR, EVENT_PUBLISHER_DIR, USER_STORE_DIR];
}

/// A home file as the driver read it (not parsed yet).
#[derive(Debug, Clone)]
pub struct HomeSource {
    /// Its path relative to the home (`repository/conf/jndi.properties`).
    pub rel: String,
    /// Where it is: a path on disk, or a virtual path in a manifest.
    pub path: PathBuf,
    pub kind: FileKind,
    pub bytes: Result<Vec<u8>, ReadError>,
    /// The manifest (ConfigMap or Secret key) or Compose file it comes
    /// from; `None` for a plain file.
    pub origin: Option<Arc<Origin>>,
}

/// The parsed content of a home file.
#[derive(Debug)]
pub enum Content {
    /// The file could not be read (too large, not UTF-8, a FIFO, outside
    /// the deployment…): an `unreadable-file` finding on it.
    Unreadable(ReadError),
    /// `read_event_publisher`'s result (an error: `xml-syntax`).
    EventPublisher(Result<EventPublisher, XmlError>),
    /// `read_user_store`'s result (an error: `xml-syntax`).
    UserStore(Result<UserStore, XmlError>),
    /// The JNDI file (an error: `properties-syntax`).
    Jndi(Result<Jndi, PropertiesError>),
    /// A keystore or truststore: its bytes are [`HomeFile::bytes`].
    Keystore,
}

/// A JNDI properties file: its entries and every `amqp://` URL in them.
#[derive(Debug)]
pub struct Jndi {
    pub properties: Properties,
    pub urls: Vec<JndiUrl>,
}

/// An `amqp://` connection URL, the value of one entry of a JNDI file.
#[derive(Debug)]
pub struct JndiUrl {
    /// Index of the entry in `properties.entries`.
    pub entry: usize,
    /// The entry's key (`connectionfactory.TopicConnectionFactory`).
    pub key: String,
    /// The value's start in the file when the value is written as it reads
    /// (no escape, no continuation): spans of the URL map exactly.
    exact_at: Option<usize>,
    /// The value's raw span in the file.
    value_span: Range<usize>,
    pub url: Result<ConnectionUrl, UrlError>,
}

impl JndiUrl {
    /// A span of the URL (of `url`'s spans, or of an error's) as a span of
    /// the file: exact when the value is written as it reads, else the
    /// whole value.
    pub fn span(&self, r: &Range<usize>) -> Range<usize> {
        match self.exact_at {
            Some(at) => at + r.start..at + r.end,
            None => self.value_span.clone(),
        }
    }
}

/// One file of a node's home, parsed.
#[derive(Debug)]
pub struct HomeFile {
    /// Stable across rebuilds, like a node's file.
    pub file: FileId,
    /// Path relative to the home.
    pub rel: String,
    /// Where it is (a virtual path for a manifest key).
    pub path: PathBuf,
    pub kind: FileKind,
    /// The text (empty for a keystore or an unreadable file).
    pub text: Arc<str>,
    pub lines: LineIndex,
    /// Byte ranges of secrets in `text` (passwords, `amqp://` user info).
    pub secrets: Vec<Range<usize>>,
    redacted: OnceLock<Arc<str>>,
    /// A keystore's bytes.
    bytes: Option<Arc<[u8]>>,
    pub content: Content,
    origin: Option<Arc<Origin>>,
}

/// Where a span of a home file is, for a report: the file shown (the file
/// itself, or the manifest holding it) and the span in it.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub path: &'a Path,
    pub range: Range<usize>,
}

impl HomeFile {
    /// The same file with another text (a fix's result), parsed again.
    pub(crate) fn with_text(&self, text: &str) -> HomeFile {
        parse_file(
            self.file,
            HomeSource {
                rel: self.rel.clone(),
                path: self.path.clone(),
                kind: self.kind,
                bytes: Ok(text.as_bytes().to_vec()),
                origin: self.origin.clone(),
            },
        )
    }

    /// The text with every secret starred (same length): the only text of
    /// the file a renderer sees. Empty for a keystore (never shown).
    pub fn redacted(&self) -> &str {
        self.redacted
            .get_or_init(|| crate::redact::redact(&self.text, &self.secrets).into())
    }

    /// A keystore's bytes (`None` for text files and unreadable files).
    pub fn bytes(&self) -> Option<&[u8]> {
        self.bytes.as_deref()
    }

    /// A keystore read with `password` (`None` when it is not known):
    /// `None` for a file that is no keystore or could not be read.
    pub fn keystore(
        &self,
        password: Option<&str>,
    ) -> Option<Result<keystore::Read, keystore::Error>> {
        Some(keystore::read(self.bytes()?, password))
    }

    /// The manifest or Compose file the file comes from, if any.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_deref()
    }

    /// Where a span of the file's text is in the file a user edits: the
    /// file itself (a plain file, a Compose bind mount), or the manifest
    /// holding it (its offsets mapped).
    pub fn place(&self, r: &Range<usize>) -> Place<'_> {
        match self.origin.as_deref().filter(|o| o.inline) {
            Some(o) => Place {
                path: &o.manifest.path,
                range: o.range(r),
            },
            None => Place {
                path: &self.path,
                range: r.clone(),
            },
        }
    }

    /// Whether a fix may be written into the file, or why not.
    pub fn writable(&self) -> Result<(), &'static str> {
        if self.kind.is_binary() {
            return Err("a keystore is never written");
        }
        match self.origin.as_deref() {
            Some(o) if o.inline => {
                Err("the file is held in a manifest: edit the ConfigMap or Secret")
            }
            _ => Ok(()),
        }
    }

    /// The read error of an unreadable file.
    pub(crate) fn read_error(&self) -> Option<&ReadError> {
        match &self.content {
            Content::Unreadable(e) => Some(e),
            _ => None,
        }
    }

    /// The file's syntax error, with its span: an XML or properties file
    /// that does not parse.
    pub(crate) fn syntax_error(&self) -> Option<(Range<usize>, &str)> {
        match &self.content {
            Content::EventPublisher(Err(e)) | Content::UserStore(Err(e)) => {
                Some((e.span.clone(), e.message.as_str()))
            }
            Content::Jndi(Err(e)) => Some((e.span.clone(), e.message.as_str())),
            _ => None,
        }
    }
}

/// The files of a node's home, parsed. Empty for a node with no home (a
/// `deployment.toml` outside `repository/conf`, or a home holding none of
/// these files).
#[derive(Debug, Default)]
pub struct Home {
    /// Every file, in the order of their relative paths.
    pub files: Vec<HomeFile>,
    /// The keystore file names the TOML names (`[keystore.primary|
    /// internal|tls]`, `[truststore]`, WSO2's defaults where not written),
    /// relative to `repository/resources/security`, with the table naming
    /// each: whether the file was found is [`Home::keystore`].
    pub keystore_names: Vec<(&'static str, String)>,
}

impl Home {
    /// Whether the node has no home file at all.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// A file of the home by id.
    pub fn file(&self, id: FileId) -> Option<&HomeFile> {
        self.files.iter().find(|f| f.file == id)
    }

    /// A file by its path relative to the home (`repository/conf/jndi.properties`;
    /// `./` and `..` are resolved).
    pub(crate) fn by_rel(&self, rel: &str) -> Option<&HomeFile> {
        let rel = normalize_rel(rel)?;
        self.files.iter().find(|f| f.rel == rel)
    }

    /// The event publishers that parse, with their files.
    pub fn event_publishers(&self) -> impl Iterator<Item = (&HomeFile, &EventPublisher)> {
        self.files.iter().filter_map(|f| match &f.content {
            Content::EventPublisher(Ok(p)) => Some((f, p)),
            _ => None,
        })
    }

    /// The user stores that parse, with their files.
    pub fn user_stores(&self) -> impl Iterator<Item = (&HomeFile, &UserStore)> {
        self.files.iter().filter_map(|f| match &f.content {
            Content::UserStore(Ok(u)) => Some((f, u)),
            _ => None,
        })
    }

    /// The JNDI files that parse, with their files.
    pub(crate) fn jndi_files(&self) -> impl Iterator<Item = (&HomeFile, &Jndi)> {
        self.files.iter().filter_map(|f| match &f.content {
            Content::Jndi(Ok(j)) => Some((f, j)),
            _ => None,
        })
    }

    /// The JNDI file at a path relative to the home (as a publisher's
    /// `java.naming.provider.url` names it), when it is there and parses.
    pub fn jndi(&self, rel: &str) -> Option<(&HomeFile, &Jndi)> {
        let f = self.by_rel(rel)?;
        match &f.content {
            Content::Jndi(Ok(j)) => Some((f, j)),
            _ => None,
        }
    }

    /// The keystore or truststore of a `file_name` (relative to
    /// `repository/resources/security`), when it was found.
    pub fn keystore(&self, file_name: &str) -> Option<&HomeFile> {
        let rel = normalize_rel(&format!("{SECURITY_DIR}/{file_name}"))?;
        self.files
            .iter()
            .find(|f| f.kind == FileKind::Keystore && f.rel == rel)
    }

    /// Every keystore file found, with its bytes.
    pub fn keystores(&self) -> impl Iterator<Item = &HomeFile> {
        self.files.iter().filter(|f| f.kind == FileKind::Keystore)
    }

    /// Parse the files the driver read. `names`: the keystore file names
    /// the TOML gives (only those keystores are kept).
    pub(crate) fn parse(
        sources: Vec<(FileId, HomeSource)>,
        names: Vec<(&'static str, String)>,
    ) -> Home {
        let wanted: Vec<String> = names
            .iter()
            .filter_map(|(_, n)| normalize_rel(&format!("{SECURITY_DIR}/{n}")))
            .collect();
        let mut files: Vec<HomeFile> = sources
            .into_iter()
            .filter(|(_, s)| s.kind != FileKind::Keystore || wanted.contains(&s.rel))
            .map(|(id, s)| parse_file(id, s))
            .collect();
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Home {
            files,
            keystore_names: names,
        }
    }
}

/// A relative path with `.` and `..` resolved; `None` when it leaves the home.
pub(crate) fn normalize_rel(rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in rel.split(['/', '\\']) {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// The keystore file names a TOML names, WSO2's defaults where not written.
pub(crate) fn keystore_names(
    doc: Option<&toml_edit::Document<String>>,
) -> Vec<(&'static str, String)> {
    let tables: [(&'static str, &[&str], &str); 4] = [
        (
            "keystore.primary",
            &["keystore", "primary"],
            DEFAULT_KEYSTORE,
        ),
        (
            "keystore.internal",
            &["keystore", "internal"],
            DEFAULT_KEYSTORE,
        ),
        ("keystore.tls", &["keystore", "tls"], DEFAULT_KEYSTORE),
        ("truststore", &["truststore"], DEFAULT_TRUSTSTORE),
    ];
    tables
        .iter()
        .map(|(name, path, default)| {
            let written = doc.and_then(|d| {
                let mut item = d.as_item();
                for seg in *path {
                    item = item.get(seg)?;
                }
                item.get("file_name")?.as_str().map(str::to_owned)
            });
            (*name, written.unwrap_or_else(|| (*default).to_owned()))
        })
        .collect()
}

fn parse_file(file: FileId, s: HomeSource) -> HomeFile {
    let mut f = HomeFile {
        file,
        rel: s.rel,
        path: s.path,
        kind: s.kind,
        text: Arc::from(""),
        lines: LineIndex::new(""),
        secrets: Vec::new(),
        redacted: OnceLock::new(),
        bytes: None,
        content: Content::Keystore,
        origin: s.origin,
    };
    let bytes = match s.bytes {
        Ok(b) => b,
        Err(e) => {
            f.content = Content::Unreadable(e);
            return f;
        }
    };
    if f.kind.is_binary() {
        f.bytes = Some(bytes.into());
        return f;
    }
    let text = match crate::vfs::decode(bytes) {
        Ok(t) => t,
        Err(e) => {
            f.content = Content::Unreadable(e);
            return f;
        }
    };
    let (content, secrets) = parse_text(f.kind, &text);
    f.lines = LineIndex::new(&text);
    f.text = text.into();
    f.content = content;
    f.secrets = secrets;
    f
}

/// The content of a text file and its secret ranges.
fn parse_text(kind: FileKind, text: &str) -> (Content, Vec<Range<usize>>) {
    match kind {
        FileKind::EventPublisherXml => {
            let r = crate::xml::wso2::read_event_publisher(text);
            let secrets = match &r {
                Ok(p) => p
                    .properties
                    .iter()
                    .filter(|p| p.encrypted || crate::redact::is_secret_key(&p.name))
                    .map(|p| p.value_span.clone())
                    .chain(url_secrets(text))
                    .collect(),
                Err(_) => xml_fallback_secrets(text),
            };
            (Content::EventPublisher(r), secrets)
        }
        FileKind::UserStoreXml => {
            let r = crate::xml::wso2::read_user_store(text);
            let secrets = match &r {
                Ok(u) => u
                    .secret_spans
                    .iter()
                    .cloned()
                    .chain(url_secrets(text))
                    .collect(),
                Err(_) => xml_fallback_secrets(text),
            };
            (Content::UserStore(r), secrets)
        }
        FileKind::JndiProperties => match properties::read(text) {
            Ok(p) => {
                let (jndi, secrets) = jndi(text, p);
                (Content::Jndi(Ok(jndi)), secrets)
            }
            Err(e) => (Content::Jndi(Err(e)), properties_fallback_secrets(text)),
        },
        FileKind::Toml | FileKind::Keystore => (Content::Keystore, Vec::new()),
    }
}

/// The JNDI file's `amqp://` URLs and secrets: each URL's user info, and
/// the value of every key that names a secret.
fn jndi(text: &str, properties: Properties) -> (Jndi, Vec<Range<usize>>) {
    let mut urls = Vec::new();
    let mut secrets = url_secrets(text);
    for (i, e) in properties.entries.iter().enumerate() {
        if crate::redact::is_secret_key(&e.key) {
            secrets.push(e.value_span.clone());
        }
        let v = e.value.trim_start();
        if !v
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("amqp://"))
        {
            continue;
        }
        let exact_at = (text.get(e.value_span.clone()) == Some(e.value.as_str()))
            .then_some(e.value_span.start);
        let u = JndiUrl {
            entry: i,
            key: e.key.clone(),
            exact_at,
            value_span: e.value_span.clone(),
            url: amqp::parse(&e.value),
        };
        match &u.url {
            Ok(c) if !c.userinfo_span.is_empty() => secrets.push(u.span(&c.userinfo_span)),
            Ok(_) => {}
            // a URL that does not parse: its value may hold credentials
            Err(_) => secrets.push(e.value_span.clone()),
        }
        urls.push(u);
    }
    (Jndi { properties, urls }, secrets)
}

/// `scheme://user:password@` anywhere in a text.
fn url_secrets(text: &str) -> Vec<Range<usize>> {
    crate::redact::secret_ranges_in_urls(text)
}

/// An XML file that does not parse: every line that mentions a password
/// or a secret is starred past its first `>` (or whole).
fn xml_fallback_secrets(text: &str) -> Vec<Range<usize>> {
    let mut out = url_secrets(text);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let lower = line.to_ascii_lowercase();
        if ["password", "secret", "encrypted=\"true\""]
            .iter()
            .any(|w| lower.contains(w))
        {
            let body = line.trim_end();
            let from = line.find('>').map_or(0, |i| i + 1);
            let to = body.rfind('<').filter(|t| *t > from).unwrap_or(body.len());
            out.push(at + from..at + to);
        }
        at += line.len();
    }
    out
}

/// A properties file that does not parse: the value of every line whose
/// key names a secret, and URL credentials.
fn properties_fallback_secrets(text: &str) -> Vec<Range<usize>> {
    let mut out = url_secrets(text);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(sep) = line.find(['=', ':'])
            && crate::redact::is_secret_key(line.get(..sep).unwrap_or("").trim())
        {
            out.push(at + sep + 1..at + line.trim_end().len());
        }
        at += line.len();
    }
    out
}

/// A text file of a home (XML, properties) named `rel`, every secret
/// starred: `None` when `rel` names no such file.
pub(crate) fn redact_text(rel: &str, text: &str) -> Option<String> {
    let kind = FileKind::of(rel).filter(|k| !k.is_binary())?;
    let f = parse_file(
        FileId(0),
        HomeSource {
            rel: rel.to_owned(),
            path: PathBuf::from(rel),
            kind,
            bytes: Ok(text.as_bytes().to_vec()),
            origin: None,
        },
    );
    Some(f.redacted().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_path() {
        assert_eq!(
            FileKind::of("repository/conf/jndi-region2.properties"),
            Some(FileKind::JndiProperties)
        );
        assert_eq!(
            FileKind::of("repository/deployment/server/eventpublishers/a.xml"),
            Some(FileKind::EventPublisherXml)
        );
        assert_eq!(FileKind::of("repository/conf/deployment.toml"), None);
        assert_eq!(FileKind::of("repository/conf/log4j2.properties"), None);
    }

    #[test]
    fn amqp_user_info_is_a_secret() {
        let text = "connectionfactory.TopicConnectionFactory = amqp://admin:s3cretpw@clientid/carbon?brokerlist='tcp://h:5672'\n";
        let (c, secrets) = parse_text(FileKind::JndiProperties, text);
        let red = crate::redact::redact(text, &secrets);
        assert!(!red.contains("s3cretpw"), "{red}");
        let Content::Jndi(Ok(j)) = c else { panic!() };
        let u = j.urls.first().unwrap();
        let b = u.url.as_ref().unwrap().brokers.first().unwrap();
        assert_eq!(text.get(u.span(&b.host_span)), Some("h"));
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            normalize_rel("./repository/conf/../conf/a").as_deref(),
            Some("repository/conf/a")
        );
        assert_eq!(normalize_rel("../x"), None);
    }
}
