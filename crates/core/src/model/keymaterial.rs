//! The key material a node uses (issue #27): the keystores and the truststore
//! its file names (or WSO2's defaults where it names none), their passwords as
//! far as the file tells, and what reading each file gave. Bytes in, values
//! out: the caller hands over the node's files (`repository/resources/security/`)
//! and the literal environment of its pod; nothing here does I/O.
//!
//! A password is used only when the file writes it literally (or WSO2's
//! default applies), or it is `$env{NAME}` and the pod gives `NAME` a literal
//! value. Anything else (`$secret{}`, `$sys{}`) is unknown: a JKS is still read
//! (its certificates need no password), a PKCS#12 with encrypted certificates
//! is not inspected, never guessed at.

use std::ops::Range;

use super::facts::{Facts, Keystore as Table};
use super::placeholders::holds_placeholder;
use crate::keystore::{self, EntryKind, Read};

/// Which of WSO2's stores a table configures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Store {
    Primary,
    Internal,
    Tls,
    Trust,
}

impl Store {
    pub(crate) const ALL: [Store; 4] = [Store::Primary, Store::Internal, Store::Tls, Store::Trust];

    /// The table's path: `keystore.primary`, …, `truststore`.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Store::Primary => "keystore.primary",
            Store::Internal => "keystore.internal",
            Store::Tls => "keystore.tls",
            Store::Trust => "truststore",
        }
    }

    fn facts(self, f: &Facts) -> Option<&Table> {
        match self {
            Store::Primary => f.primary_keystore.as_ref(),
            Store::Internal => f.internal_keystore.as_ref(),
            Store::Tls => f.tls_keystore.as_ref(),
            Store::Trust => f.truststore.as_ref(),
        }
    }

    /// A keystore with a key entry (the truststore has none).
    pub(crate) fn has_key(self) -> bool {
        self != Store::Trust
    }
}

/// The file names WSO2 ships in `repository/resources/security/` (JKS up to
/// 4.6, PKCS#12 names from 4.7): what a node reads where its file names none.
pub(crate) const SHIPPED_KEYSTORES: [&str; 2] = ["wso2carbon.jks", "wso2carbon.p12"];
pub(crate) const SHIPPED_TRUSTSTORES: [&str; 2] =
    ["client-truststore.jks", "client-truststore.p12"];

/// WSO2's shipped default certificate of each release (alias `wso2carbon` of
/// its `wso2carbon.jks`; `shared/corpus/wso2__default-keystores`): SHA-256.
pub(crate) const WSO2_DEFAULT_CERTIFICATES: [(&str, &str); 8] = [
    (
        "4.0.0",
        "3612ad8f01b4ecf4714f0bc8e071b6403dd34c4dde62d81dd4b91d1aa356dee6",
    ),
    (
        "4.1.0",
        "02e6217a58fe8ef0d191e30f6acf44cf08f47b4c18c6c64abdf2d487b48c0a00",
    ),
    (
        "4.2.0",
        "1b2429b16ef58301b74ff16253655ae85537e3a5bfd159085a5a8e23e5a3b22a",
    ),
    (
        "4.3.0",
        "80f154f2c82d4f5e8fb96a6374cc2310eb141bdcb168787cad9efa5b4407f385",
    ),
    (
        "4.4.0",
        "5d094d2099ac6e670e537d50853b60fbee3dd08858e50db06e22ffe3ad92646d",
    ),
    (
        "4.5.0",
        "1e1bcdeb0a46472150c55542a9cc02f39481e5dd1e6ea493c82b023cbe03b44c",
    ),
    (
        "4.6.0",
        "30311c84503c955d084d9093c171b82dede7c6cb98ddd3da2b0201c2e0bc67f7",
    ),
    (
        "4.7.0",
        "ca5c9b54f9b6d39f396a1aaa7a780481393c1dfbb567cfacfb962e6a88ad6588",
    ),
];

/// The release whose shipped default certificate this is.
pub(crate) fn wso2_default(cert: &keystore::Certificate) -> Option<&'static str> {
    let hex = cert.fingerprint_prefix(64);
    WSO2_DEFAULT_CERTIFICATES
        .iter()
        .find(|(_, f)| *f == hex)
        .map(|(v, _)| *v)
}

/// A store password as far as the node's file tells. Never shown: `Debug`
/// says only which kind it is.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Password {
    Literal(String),
    /// `$secret{}`, `$sys{}`, an `$env{}` the pod does not give literally.
    Unknown,
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Password::Literal(_) => "Literal(…)",
            Password::Unknown => "Unknown",
        })
    }
}

impl Password {
    pub(crate) fn as_deref(&self) -> Option<&str> {
        match self {
            Password::Literal(p) => Some(p),
            Password::Unknown => None,
        }
    }
}

/// One field as WSO2 reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Field {
    /// A literal (after `$ref{}`/`$env{}`), with the span of the key that
    /// names it in this node's file (the referring key for a `$ref{}`).
    Literal(String, Option<Range<usize>>),
    /// Not written: WSO2's default applies.
    Default,
    /// A placeholder apimlint cannot see through.
    Unknown,
}

/// The environment of a node's pod: a variable's literal value.
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

fn field_of<'t>(t: &'t Table, name: &str) -> Option<&'t super::Sp<String>> {
    match name {
        "file_name" => t.file_name.as_ref(),
        "alias" => t.alias.as_ref(),
        "password" => t.password.as_ref(),
        _ => t.kind.as_ref(),
    }
}

/// `store`'s `name` field, `$ref{}` followed within the file (WSO2's own
/// defaults of `internal` and `tls` refer to `primary`), `$env{}` through the
/// pod's literal environment.
fn field(f: &Facts, store: Store, name: &str, env: Env<'_>, depth: u8) -> Field {
    let inherit = |depth: u8| match store {
        Store::Internal | Store::Tls if depth > 0 => field(f, Store::Primary, name, env, depth - 1),
        _ => Field::Default,
    };
    let Some(sp) = store.facts(f).and_then(|t| field_of(t, name)) else {
        return inherit(depth);
    };
    let v = sp.value.trim();
    if !holds_placeholder(v) {
        return Field::Literal(v.to_owned(), Some(sp.span.clone()));
    }
    if let Some(var) = v.strip_prefix("$env{").and_then(|r| r.strip_suffix('}')) {
        return match env(var.trim()) {
            Some(value) if !holds_placeholder(&value) => {
                Field::Literal(value, Some(sp.span.clone()))
            }
            _ => Field::Unknown,
        };
    }
    let target = v.strip_prefix("$ref{").and_then(|r| r.strip_suffix('}'));
    let Some(target) = target.map(str::trim) else {
        return Field::Unknown;
    };
    let other = match target.rsplit_once('.') {
        Some(("keystore.primary", n)) if n == name => Store::Primary,
        Some(("keystore.internal", n)) if n == name => Store::Internal,
        Some(("keystore.tls", n)) if n == name => Store::Tls,
        Some(("truststore", n)) if n == name => Store::Trust,
        _ => return Field::Unknown,
    };
    if depth == 0 || other == store {
        return Field::Unknown;
    }
    match field(f, other, name, env, depth - 1) {
        Field::Literal(v, _) => Field::Literal(v, Some(sp.span.clone())),
        other => other,
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// One store a node uses, as its file configures it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Use {
    pub(crate) store: Store,
    /// The file's name in `repository/resources/security/`; where the node
    /// names none, WSO2's default (the first of the shipped names present).
    pub(crate) file_name: String,
    /// Whether the node's file writes `file_name` (else WSO2's default).
    pub(crate) file_written: bool,
    /// Where a finding about the file goes: its `file_name` value, else the
    /// table's header; `None`: the file writes neither (the node's anchor).
    pub(crate) file_site: Option<Range<usize>>,
    /// The key entry's alias (`None` for the truststore, or unknown).
    pub(crate) alias: Option<String>,
    /// Where the alias is written (its value), if it is.
    pub(crate) alias_site: Option<Range<usize>>,
    pub(crate) password: Password,
}

/// What reading a store's file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The node's files hold no such file.
    Absent,
    /// A container mounts it (a Compose bind mount), but its bytes are not
    /// in the tree: there, not inspected.
    NotInTree,
    /// It is there but is no keystore this reader can read.
    Unreadable(keystore::Error),
    Read(Read),
}

/// A store a node uses and what its file gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Material {
    pub(crate) used: Use,
    pub(crate) outcome: Outcome,
}

impl Material {
    /// The keystore, when it was read (whatever its integrity verdict).
    pub(crate) fn keystore(&self) -> Option<&keystore::Keystore> {
        match &self.outcome {
            Outcome::Read(Read::Inspected(k)) => Some(k),
            _ => None,
        }
    }

    /// The store's key entry (its alias names a private key) and its
    /// certificate, when the file was read and holds one.
    pub(crate) fn key_certificate(&self) -> Option<&keystore::Certificate> {
        let e = self.keystore()?.entry(self.used.alias.as_deref()?)?;
        (e.kind == EntryKind::PrivateKey)
            .then(|| e.certificate())
            .flatten()
    }

    /// Where a finding about the key entry goes: the alias, else the file.
    pub(crate) fn alias_site(&self) -> Option<Range<usize>> {
        self.used
            .alias_site
            .clone()
            .or_else(|| self.used.file_site.clone())
    }
}

/// How the node gets its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mounts {
    /// A plain tree: the node's home directory.
    Home,
    /// A container: what its workload mounts into
    /// `repository/resources/security/`. `whole_directory`: a volume is
    /// mounted as the directory itself, hiding the image's own files.
    Container { whole_directory: bool },
}

/// The key material of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyMaterial {
    /// Every store, in [`Store::ALL`] order.
    pub(crate) stores: Vec<Material>,
    pub(crate) mounts: Mounts,
}

impl KeyMaterial {
    /// Read the stores `facts` configures. `files` gives the bytes of a file
    /// of `repository/resources/security/` by its name; `mounted` tells a
    /// file a container mounts whose bytes are not in the tree; `env` the
    /// literal environment of the node's pod.
    pub(crate) fn read(
        facts: &Facts,
        files: &dyn Fn(&str) -> Option<Vec<u8>>,
        mounted: &dyn Fn(&str) -> bool,
        env: Env<'_>,
        mounts: Mounts,
    ) -> KeyMaterial {
        let stores = Store::ALL
            .iter()
            .map(|&s| {
                let used = configured(facts, s, files, env);
                let outcome = match files(&used.file_name) {
                    None if mounted(&used.file_name) => Outcome::NotInTree,
                    None => Outcome::Absent,
                    Some(bytes) => match keystore::read(&bytes, used.password.as_deref()) {
                        Ok(r) => Outcome::Read(r),
                        Err(e) => Outcome::Unreadable(e),
                    },
                };
                Material { used, outcome }
            })
            .collect();
        KeyMaterial { stores, mounts }
    }

    pub(crate) fn store(&self, s: Store) -> Option<&Material> {
        self.stores.iter().find(|m| m.used.store == s)
    }

    /// Whether any store's file is present.
    pub(crate) fn any_present(&self) -> bool {
        self.stores
            .iter()
            .any(|m| !matches!(m.outcome, Outcome::Absent))
    }
}

/// How `store` is configured in `facts`.
fn configured(
    facts: &Facts,
    store: Store,
    files: &dyn Fn(&str) -> Option<Vec<u8>>,
    env: Env<'_>,
) -> Use {
    let table = store.facts(facts);
    let header = table.map(|t| t.header.clone()).filter(|h| !h.is_empty());
    let shipped: &[&str] = if store == Store::Trust {
        &SHIPPED_TRUSTSTORES
    } else {
        &SHIPPED_KEYSTORES
    };
    let (file_name, file_written, file_span) = match field(facts, store, "file_name", env, 4) {
        Field::Literal(v, span) => (base_name(&v).to_owned(), true, span),
        Field::Default | Field::Unknown => {
            let present = shipped.iter().find(|n| files(n).is_some());
            let first = shipped.first().copied().unwrap_or_default();
            (present.copied().unwrap_or(first).to_string(), false, None)
        }
    };
    let (alias, alias_site) = if store.has_key() {
        match field(facts, store, "alias", env, 4) {
            Field::Literal(v, span) => (Some(v), span),
            Field::Default => (Some("wso2carbon".to_owned()), None),
            Field::Unknown => (None, None),
        }
    } else {
        (None, None)
    };
    let password = match field(facts, store, "password", env, 4) {
        Field::Literal(v, _) => Password::Literal(v),
        Field::Default => Password::Literal("wso2carbon".to_owned()),
        Field::Unknown => Password::Unknown,
    };
    Use {
        store,
        file_name,
        file_written,
        file_site: file_span.or(header),
        alias,
        alias_site,
        password,
    }
}
