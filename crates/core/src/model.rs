//! The typed model the rules need: roles, and for each node the facts its
//! file states (with spans), WSO2's defaults applied where WSO2 applies one.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use foldhash::{HashMap, HashSet};
use toml_edit::{Item, Table, Value};

/// A value with the byte range of its literal in the node's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// What a node does in the deployment, as [`infer_role`] decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    GatewayWorker,
    ControlPlane,
    TrafficManager,
    KeyManager,
    IsKeyManager,
    AllInOne,
    Unknown,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::GatewayWorker,
        Role::ControlPlane,
        Role::TrafficManager,
        Role::KeyManager,
        Role::IsKeyManager,
        Role::AllInOne,
        Role::Unknown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::GatewayWorker => "gateway-worker",
            Role::ControlPlane => "control-plane",
            Role::TrafficManager => "traffic-manager",
            Role::KeyManager => "key-manager",
            Role::IsKeyManager => "is-key-manager",
            Role::AllInOne => "all-in-one",
            Role::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }

    /// A node of this role can stand where `expected` is wanted: an
    /// all-in-one does everything, an unknown node is given the benefit of the doubt.
    pub fn serves(self, expected: Role) -> bool {
        self == expected || matches!(self, Role::AllInOne | Role::Unknown)
    }

    /// Serves as a gateway (reads `gateway_labels`).
    pub fn is_gateway(self) -> bool {
        matches!(self, Role::GatewayWorker | Role::AllInOne)
    }

    /// Defines gateway environments.
    pub fn defines_environments(self) -> bool {
        matches!(self, Role::ControlPlane | Role::AllInOne)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a node's role came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleSource {
    Config,
    ServerRole,
    Content,
    None,
}

/// `server_role` values WSO2's infer.json knows.
pub const SERVER_ROLES: [&str; 5] = [
    "default",
    "control-plane",
    "gateway-worker",
    "traffic-manager",
    "api-key-manager-deprecated",
];
/// The deprecated 4.0 roles: accepted with an info.
pub const DEPRECATED_SERVER_ROLES: [&str; 2] =
    ["api-publisher-deprecated", "api-devportal-deprecated"];

/// One `[[apim.gateway.environment]]` entry.
#[derive(Debug, Clone)]
pub struct Environment {
    pub header: Range<usize>,
    pub name: Sp<String>,
    pub gateway_type: Option<Sp<String>>,
    /// `(key, url)` for service_url, http(s)_endpoint, ws(s)_endpoint, also of virtual hosts.
    pub endpoints: Vec<(String, Sp<String>)>,
    /// `type` (`hybrid`, `production`, `sandbox`) as written.
    pub kind: Option<Sp<String>>,
}

impl Environment {
    /// Federated gateways (`gateway_type` other than `Regular`) are served by no node.
    pub fn is_regular(&self) -> bool {
        self.gateway_type
            .as_ref()
            .is_none_or(|t| t.value.eq_ignore_ascii_case("regular"))
    }
}

/// One `[[…url_group]]` entry.
#[derive(Debug, Clone, Default)]
pub struct UrlGroup {
    pub header: Range<usize>,
    pub urls: Vec<Sp<String>>,
    pub auth_urls: Vec<Sp<String>>,
    pub kind: Option<Sp<String>>,
    /// The whole value of the URL key (`urls`, `traffic_manager_urls`), any type.
    pub urls_span: Option<Range<usize>>,
    /// The whole value of the auth URL key when the key is there, any type
    /// (`auth_urls = []` is there, with no URL).
    pub auth_urls_span: Option<Range<usize>>,
}

impl UrlGroup {
    /// `type = "loadbalance"` spreads events over the URLs; anything else fails over.
    pub fn is_loadbalance(&self) -> bool {
        self.kind
            .as_ref()
            .is_some_and(|k| k.value.eq_ignore_ascii_case("loadbalance"))
    }
}

/// A list-valued key: the whole value's span and each string in it.
#[derive(Debug, Clone, Default)]
pub struct UrlList {
    pub span: Range<usize>,
    pub items: Vec<Sp<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct EventHub {
    pub header: Option<Range<usize>>,
    pub service_url: Option<Sp<String>>,
    pub listening: Option<UrlList>,
    pub duplicate: Option<UrlList>,
    pub publish: Vec<UrlGroup>,
}

#[derive(Debug, Clone, Default)]
pub struct Throttling {
    pub header: Option<Range<usize>>,
    pub service_url: Option<Sp<String>>,
    pub decision: Option<UrlList>,
    pub url_groups: Vec<UrlGroup>,
    pub duplicate: Option<UrlList>,
    pub distributed: bool,
}

/// `[keystore.primary]`-style table as written.
#[derive(Debug, Clone)]
pub struct Keystore {
    pub header: Range<usize>,
    pub file_name: Option<Sp<String>>,
    pub kind: Option<Sp<String>>,
    pub alias: Option<Sp<String>>,
}

/// What one node's file says, typed, with spans.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub server_header: Option<Range<usize>>,
    pub server_role: Option<Sp<String>>,
    pub hostname: Option<Sp<String>>,
    pub node_ip: Option<Sp<String>>,
    pub offset: Option<Sp<i64>>,
    /// Explicit port keys, by the WSO2 default port they move.
    pub ports: BTreeMap<u16, Sp<i64>>,
    /// `[apim.sync_runtime_artifacts.gateway]` header, when present.
    pub gateway_sync: Option<Range<usize>>,
    /// `gateway_labels` as written; `None` means WSO2's default `["Default"]`.
    pub gateway_labels: Option<UrlList>,
    pub environments: Vec<Environment>,
    pub event_hub: EventHub,
    pub throttling: Throttling,
    pub key_manager_url: Option<Sp<String>>,
    pub notification_endpoint: Option<Sp<String>>,
    pub primary_keystore: Option<Keystore>,
    pub internal_keystore: Option<Keystore>,
    pub has_apim_db: bool,
    pub has_identity_db: bool,
    pub has_event_listener: bool,
    pub has_access_control: bool,
    /// Every key and table as written, in catalog form.
    pub keys: Option<Vec<KeyFact>>,
    /// `[database.apim_db]` as written.
    pub apim_db: Option<Database>,
    /// `[database.shared_db]` as written.
    pub shared_db: Option<Database>,
    /// `[super_admin]` as written.
    pub super_admin: Option<SuperAdmin>,
    /// `[user_store]` header and `type`.
    pub user_store: Option<UserStore>,
    /// `[apim.cache_invalidation]` as written.
    pub cache_invalidation: Option<CacheInvalidation>,
}

/// The keys that move a WSO2 default port. WSO2 adds the node's offset to
/// the port either way (`docs/wso2-facts.md`, *Ports and offset*).
pub const PORT_KEYS: [(u16, &[&str]); 9] = [
    (9443, &["transport", "https", "properties", "port"]),
    (9763, &["transport", "http", "properties", "port"]),
    (8280, &["transport", "http", "listener", "port"]),
    (8243, &["transport", "http", "listener", "secured_port"]),
    (
        5672,
        &["broker", "transport", "amqp", "default_connection", "port"],
    ),
    (9611, &["transport", "receiver", "tcp_port"]),
    (9711, &["transport", "receiver", "ssl_port"]),
    (9099, &["apim", "ws", "port"]),
    (8099, &["apim", "wss", "port"]),
];

/// Descend `path` through tables, dotted keys and inline tables.
pub fn get<'a>(root: &'a Item, path: &[&str]) -> Option<&'a Item> {
    path.iter().try_fold(root, |item, key| item.get(*key))
}

/// A string value with its span.
pub fn string(item: Option<&Item>) -> Option<Sp<String>> {
    let item = item?;
    Some(Sp {
        value: item.as_str()?.to_owned(),
        span: item.span()?,
    })
}

fn string_v(v: &Value) -> Option<Sp<String>> {
    Some(Sp {
        value: v.as_str()?.to_owned(),
        span: v.span()?,
    })
}

fn integer(item: Option<&Item>) -> Option<Sp<i64>> {
    let item = item?;
    let value = item
        .as_integer()
        .or_else(|| item.as_str().and_then(|s| s.trim().parse().ok()))?;
    Some(Sp {
        value,
        span: item.span()?,
    })
}

/// A list of strings (an array, an inline table's values, or a single string).
pub fn list(item: Option<&Item>) -> Option<UrlList> {
    let item = item?;
    let span = item.span()?;
    let items = match item {
        Item::Value(Value::Array(a)) => a.iter().filter_map(string_v).collect(),
        Item::Value(Value::InlineTable(t)) => t.iter().filter_map(|(_, v)| string_v(v)).collect(),
        Item::Value(v @ Value::String(_)) => string_v(v).into_iter().collect(),
        _ => Vec::new(),
    };
    Some(UrlList { span, items })
}

fn header(item: Option<&Item>) -> Option<Range<usize>> {
    item?.as_table()?.span()
}

fn aot<'a>(root: &'a Item, path: &[&str]) -> Vec<&'a Table> {
    get(root, path)
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn url_group(t: &Table, urls: &str, auth: &str) -> UrlGroup {
    UrlGroup {
        header: t.span().unwrap_or(0..0),
        urls: list(t.get(urls)).map(|l| l.items).unwrap_or_default(),
        auth_urls: list(t.get(auth)).map(|l| l.items).unwrap_or_default(),
        kind: string(t.get("type")),
        urls_span: t.get(urls).and_then(Item::span),
        auth_urls_span: t.get(auth).and_then(Item::span),
    }
}

fn keystore(root: &Item, name: &str) -> Option<Keystore> {
    let t = get(root, &["keystore", name])?;
    Some(Keystore {
        header: t
            .as_table()
            .and_then(Table::span)
            .or_else(|| t.span())
            .unwrap_or(0..0),
        file_name: string(t.get("file_name")),
        kind: string(t.get("type")),
        alias: string(t.get("alias")),
    })
}

const ENV_ENDPOINTS: [&str; 5] = [
    "service_url",
    "http_endpoint",
    "https_endpoint",
    "ws_endpoint",
    "wss_endpoint",
];

impl Facts {
    /// Extract the facts from a parsed document.
    pub fn extract(doc: &toml_edit::Document<String>) -> Facts {
        let root = doc.as_item();
        let mut f = Facts {
            server_header: header(get(root, &["server"])),
            server_role: string(get(root, &["server", "server_role"])),
            hostname: string(get(root, &["server", "hostname"])),
            node_ip: string(get(root, &["server", "node_ip"])),
            offset: integer(get(root, &["server", "offset"])),
            gateway_sync: get(root, &["apim", "sync_runtime_artifacts", "gateway"])
                .map(|i| header(Some(i)).or_else(|| i.span()).unwrap_or(0..0)),
            gateway_labels: list(get(
                root,
                &[
                    "apim",
                    "sync_runtime_artifacts",
                    "gateway",
                    "gateway_labels",
                ],
            )),
            key_manager_url: string(get(root, &["apim", "key_manager", "service_url"])),
            notification_endpoint: notification_endpoint(root),
            primary_keystore: keystore(root, "primary"),
            internal_keystore: keystore(root, "internal"),
            has_apim_db: get(root, &["database", "apim_db"]).is_some(),
            has_identity_db: get(root, &["database", "identity_db"]).is_some(),
            has_event_listener: get(root, &["event_listener"]).is_some(),
            has_access_control: get(root, &["resource", "access_control"]).is_some(),
            keys: Some(key_facts(doc)),
            apim_db: database(root, "apim_db"),
            shared_db: database(root, "shared_db"),
            super_admin: get(root, &["super_admin"]).map(|t| SuperAdmin {
                header: table_span(t),
                username: string(t.get("username")),
            }),
            user_store: get(root, &["user_store"]).map(|t| UserStore {
                header: table_span(t),
                kind: string(t.get("type")),
            }),
            cache_invalidation: get(root, &["apim", "cache_invalidation"]).map(|t| {
                CacheInvalidation {
                    header: table_span(t),
                    enabled: t.get("enabled").and_then(|e| {
                        Some(Sp {
                            value: e
                                .as_bool()
                                .or_else(|| e.as_str().map(|s| s.eq_ignore_ascii_case("true")))?,
                            span: e.span()?,
                        })
                    }),
                    domain: string(t.get("domain")),
                }
            }),
            ..Facts::default()
        };
        for (port, path) in PORT_KEYS {
            if let Some(v) = integer(get(root, path)) {
                f.ports.insert(port, v);
            }
        }
        for t in aot(root, &["apim", "gateway", "environment"]) {
            let Some(name) = string(t.get("name")) else {
                continue;
            };
            let mut endpoints = Vec::new();
            for key in ENV_ENDPOINTS {
                if let Some(u) = string(t.get(key)) {
                    endpoints.push((key.to_owned(), u));
                }
            }
            for vh in t
                .get("virtual_host")
                .and_then(Item::as_array_of_tables)
                .into_iter()
                .flat_map(|a| a.iter())
            {
                for key in ENV_ENDPOINTS {
                    if let Some(u) = string(vh.get(key)) {
                        endpoints.push((format!("virtual_host.{key}"), u));
                    }
                }
            }
            f.environments.push(Environment {
                header: t.span().unwrap_or(name.span.clone()),
                gateway_type: string(t.get("gateway_type")),
                name,
                endpoints,
                kind: string(t.get("type")),
            });
        }
        let eh = get(root, &["apim", "event_hub"]);
        f.event_hub = EventHub {
            header: eh.and_then(|i| header(Some(i))),
            service_url: string(get(root, &["apim", "event_hub", "service_url"])),
            listening: list(get(
                root,
                &["apim", "event_hub", "event_listening_endpoints"],
            )),
            duplicate: list(get(root, &["apim", "event_hub", "event_duplicate_url"])),
            publish: aot(root, &["apim", "event_hub", "publish", "url_group"])
                .into_iter()
                .map(|t| url_group(t, "urls", "auth_urls"))
                .collect(),
        };
        let th = get(root, &["apim", "throttling"]);
        f.throttling = Throttling {
            header: th.and_then(|i| header(Some(i))),
            service_url: string(get(root, &["apim", "throttling", "service_url"])),
            decision: list(get(
                root,
                &["apim", "throttling", "throttle_decision_endpoints"],
            )),
            url_groups: aot(root, &["apim", "throttling", "url_group"])
                .into_iter()
                .map(|t| url_group(t, "traffic_manager_urls", "traffic_manager_auth_urls"))
                .collect(),
            duplicate: list(get(root, &["apim", "throttling", "event_duplicate_url"])),
            distributed: get(root, &["apim", "distributed_throttling"]).is_some_and(|d| {
                d.get("enable")
                    .and_then(Item::as_bool)
                    .unwrap_or(d.is_table_like())
            }),
        };
        f
    }

    /// The role the content suggests, for nodes whose `server_role` is
    /// `default`, absent or invalid: from 4.5 every WSO2 distribution says
    /// `default`, so only the sections tell (`docs/wso2-facts.md`, *Roles*).
    pub fn content_role(&self) -> Option<Role> {
        if self.has_identity_db || self.has_access_control {
            return Some(Role::IsKeyManager);
        }
        let cp = !self.environments.is_empty()
            || !self.event_hub.publish.is_empty()
            || self.event_hub.duplicate.is_some();
        let decision_remote = self.throttling.decision.as_ref().is_some_and(|d| {
            d.items
                .iter()
                .any(|u| !crate::endpoint::is_loopback_url(&u.value))
        });
        let gw = self.gateway_sync.is_some()
            || !self.throttling.url_groups.is_empty() && !cp
            || decision_remote && !cp;
        let tm = self.throttling.duplicate.is_some()
            || self.throttling.decision.as_ref().is_some_and(|d| {
                !d.items.is_empty()
                    && d.items
                        .iter()
                        .all(|u| crate::endpoint::is_loopback_url(&u.value))
            });
        match (cp, gw) {
            (true, true) => Some(Role::AllInOne),
            (true, false) => Some(Role::ControlPlane),
            (false, true) => Some(Role::GatewayWorker),
            (false, false) if tm => Some(Role::TrafficManager),
            (false, false)
                if self.has_event_listener
                    && (self.has_apim_db || self.event_hub.header.is_some()) =>
            {
                Some(Role::KeyManager)
            }
            _ => None,
        }
    }

    /// Whether the content says "separate key manager" although `server_role`
    /// says control-plane (the 4.3 template and Helm do this).
    pub fn looks_like_key_manager(&self) -> bool {
        self.environments.is_empty()
            && self.event_hub.publish.is_empty()
            && self.event_hub.duplicate.is_none()
            && self.gateway_sync.is_none()
            && self.has_event_listener
            && (!self.throttling.url_groups.is_empty() || self.event_hub.listening.is_some())
    }
}

/// The role of a node, first that applies: `apimlint.toml [nodes."id"] role`;
/// an explicit `server_role` other than `default` (a `control-plane` whose
/// content looks like a separate key manager is a key manager); the content
/// ([`Facts::content_role`]); else `Unknown`.
pub fn infer_role(configured: Option<Role>, facts: &Facts) -> (Role, RoleSource) {
    if let Some(r) = configured {
        return (r, RoleSource::Config);
    }
    let explicit = facts
        .server_role
        .as_ref()
        .and_then(|s| match s.value.as_str() {
            "control-plane" if facts.looks_like_key_manager() => Some(Role::KeyManager),
            "control-plane" | "api-publisher-deprecated" | "api-devportal-deprecated" => {
                Some(Role::ControlPlane)
            }
            "gateway-worker" => Some(Role::GatewayWorker),
            "traffic-manager" => Some(Role::TrafficManager),
            "api-key-manager-deprecated" => Some(Role::KeyManager),
            _ => None,
        });
    if let Some(r) = explicit {
        return (r, RoleSource::ServerRole);
    }
    match facts.content_role() {
        Some(r) => (r, RoleSource::Content),
        None => (Role::Unknown, RoleSource::None),
    }
}

/// A value as written, for the rules that check values.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    Datetime(String),
    Array(Vec<Sp<Scalar>>),
    /// An inline table (its keys are facts of their own).
    Table,
}

impl Scalar {
    /// The TOML type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Bool(_) => "a boolean",
            Scalar::Int(_) => "an integer",
            Scalar::Float(_) => "a float",
            Scalar::Datetime(_) => "a date-time",
            Scalar::Array(_) => "an array",
            Scalar::Table => "a table",
        }
    }

    /// Every string in the value (itself, or the strings of an array), with spans.
    pub fn strings<'a>(this: &'a Sp<Scalar>, out: &mut Vec<(&'a str, Range<usize>)>) {
        match &this.value {
            Scalar::Str(s) => out.push((s.as_str(), this.span.clone())),
            Scalar::Array(items) => items.iter().for_each(|i| Scalar::strings(i, out)),
            _ => {}
        }
    }
}

/// What kind of thing a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Table,
    /// One `[[…]]` entry; its last segment ends in `[]`.
    ArrayOfTables,
    Value,
}

/// One key or table of the file, in catalog form (`event_listener[].properties`),
/// with where it is written.
#[derive(Debug, Clone)]
pub struct KeyFact {
    /// Segments: array-of-tables members end in `[]`, segments with dots are single-quoted.
    pub segs: Vec<Seg>,
    /// The key as the user wrote it (unquoted).
    pub name: Seg,
    /// The last segment's key where it is written (in the header for a table).
    pub key_span: Range<usize>,
    pub kind: KeyKind,
    /// `[table]` or `[[table]]` header, for tables that have one.
    pub header: Option<Range<usize>>,
    /// A table that only exists through a deeper header or a dotted key.
    pub implicit: bool,
    /// A table written inline (`x = { … }`).
    pub inline: bool,
    pub value: Option<Sp<Scalar>>,
    /// Inside an array-of-tables entry (where WSO2 does not resolve `$ref{}`).
    pub in_aot: bool,
    /// `catalog::find(&segs)`, looked up once when the facts are extracted
    /// (several rules ask for every key of every node).
    pub catalog_entry: Option<&'static crate::catalog::Entry>,
    /// `catalog::join(&segs)`, joined once when the facts are extracted.
    pub joined: Box<str>,
}

/// The file's top-level values by dotted path: what `$ref{…}` can name.
pub fn top_level_values(keys: &[KeyFact]) -> HashMap<&str, &KeyFact> {
    keys.iter()
        .filter(|k| k.is_top_level_value())
        .map(|k| (k.path_str(), k))
        .collect()
}

impl KeyFact {
    /// The catalog entry of this key (concrete or wildcard), if WSO2 reads it.
    pub fn entry(&self) -> Option<&'static crate::catalog::Entry> {
        self.catalog_entry
    }

    /// The dotted catalog path.
    pub fn path(&self) -> String {
        self.joined.to_string()
    }

    /// The dotted catalog path, borrowed.
    pub fn path_str(&self) -> &str {
        &self.joined
    }

    /// The path as `$ref{}` names it (no array members).
    pub fn is_top_level_value(&self) -> bool {
        self.kind == KeyKind::Value && !self.in_aot
    }

    /// The string value, if it is one.
    pub fn str_value(&self) -> Option<&str> {
        match &self.value.as_ref()?.value {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value's span.
    pub fn value_span(&self) -> Option<Range<usize>> {
        self.value.as_ref().map(|v| v.span.clone())
    }

    /// The placeholders of `kind` written in this key's string values (every
    /// string of an array too), in file order; `file_text` is the node's text.
    pub fn placeholders(&self, file_text: &str, kind: PlaceholderKind) -> Vec<Placeholder> {
        fn walk(v: &Sp<Scalar>, text: &str, kind: PlaceholderKind, out: &mut Vec<Placeholder>) {
            match &v.value {
                // most values hold no `$`: no scan, no allocation
                Scalar::Str(_) if text.get(v.span.clone()).is_some_and(|t| t.contains('$')) => out
                    .extend(
                        placeholders(text, &v.span)
                            .into_iter()
                            .filter(|p| p.kind == kind),
                    ),
                Scalar::Array(items) => items.iter().for_each(|i| walk(i, text, kind, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Some(v) = &self.value {
            walk(v, file_text, kind, &mut out);
        }
        out
    }
}

fn scalar(v: &Value) -> Option<Sp<Scalar>> {
    let span = v.span()?;
    let value = match v {
        Value::String(s) => Scalar::Str(s.value().clone()),
        Value::Integer(i) => Scalar::Int(*i.value()),
        Value::Float(f) => Scalar::Float(*f.value()),
        Value::Boolean(b) => Scalar::Bool(*b.value()),
        Value::Datetime(d) => Scalar::Datetime(d.value().to_string()),
        Value::Array(a) => Scalar::Array(a.iter().filter_map(scalar).collect()),
        Value::InlineTable(_) => Scalar::Table,
    };
    Some(Sp { value, span })
}

/// Every key and table of a document, in document order of traversal.
pub fn key_facts(doc: &toml_edit::Document<String>) -> Vec<KeyFact> {
    let mut out = Vec::new();
    if let Some(t) = doc.as_item().as_table() {
        let mut w = Walk {
            raw: doc.raw(),
            interned: HashSet::default(),
            out: Vec::new(),
        };
        w.table(t, &mut Vec::new(), false);
        out = w.out;
    }
    for kf in &mut out {
        kf.joined = joined(&kf.segs);
        kf.catalog_entry = crate::catalog::find_joined(&kf.joined, &kf.segs);
    }
    out.shrink_to_fit();
    out
}

/// `catalog::join(segs)`, allocated at its exact size.
fn joined(segs: &[Seg]) -> Box<str> {
    let len = segs
        .iter()
        .map(|s| s.len() + 1)
        .sum::<usize>()
        .saturating_sub(1);
    let mut out = String::with_capacity(len);
    for (i, s) in segs.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(s);
    }
    out.into_boxed_str()
}

/// One segment or key name of a [`KeyFact`]: shared (interned per file), so
/// that the thousands of facts of a deployment do not each own copies of their
/// whole path.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seg(Arc<str>);

impl Seg {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Seg {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Seg {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Seg {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Seg {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Seg {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Seg {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Seg(Arc::from(s))
    }
}

/// The key-fact walk of one file: its text, its interned segments, its facts.
struct Walk<'a> {
    raw: &'a str,
    interned: HashSet<Seg>,
    out: Vec<KeyFact>,
}

impl Walk<'_> {
    fn intern(&mut self, s: &str) -> Seg {
        if let Some(seg) = self.interned.get(s) {
            return seg.clone();
        }
        let seg = Seg::from(s);
        self.interned.insert(seg.clone());
        seg
    }

    fn table(&mut self, t: &Table, segs: &mut Vec<Seg>, in_aot: bool) {
        for (k, item) in t.iter() {
            let key_span = t.key(k).and_then(toml_edit::Key::span);
            self.item(k, key_span, item, segs, in_aot);
        }
    }

    fn item(
        &mut self,
        k: &str,
        key_span: Option<Range<usize>>,
        item: &Item,
        segs: &mut Vec<Seg>,
        in_aot: bool,
    ) {
        let raw = self.raw;
        let seg = crate::catalog::segment(k);
        let name = self.intern(k);
        match item {
            Item::Table(sub) => {
                segs.push(self.intern(&seg));
                let header = if sub.is_implicit() || sub.is_dotted() {
                    None
                } else {
                    sub.span()
                };
                self.out.push(KeyFact {
                    segs: segs.clone(),
                    name: name.clone(),
                    key_span: key_span.or_else(|| header.clone()).unwrap_or(0..0),
                    kind: KeyKind::Table,
                    header,
                    implicit: sub.is_implicit(),
                    inline: false,
                    value: None,
                    in_aot,
                    catalog_entry: None,
                    joined: Box::default(),
                });
                self.table(sub, segs, in_aot);
                segs.pop();
            }
            Item::ArrayOfTables(a) => {
                segs.push(self.intern(&format!("{seg}[]")));
                for entry in a.iter() {
                    let header = entry.span();
                    self.out.push(KeyFact {
                        segs: segs.clone(),
                        name: name.clone(),
                        key_span: header
                            .clone()
                            .map(|h| aot_key_span(raw, h))
                            .or_else(|| key_span.clone())
                            .unwrap_or(0..0),
                        kind: KeyKind::ArrayOfTables,
                        header,
                        implicit: false,
                        inline: false,
                        value: None,
                        in_aot,
                        catalog_entry: None,
                        joined: Box::default(),
                    });
                    self.table(entry, segs, true);
                }
                segs.pop();
            }
            Item::Value(Value::InlineTable(it)) => {
                segs.push(self.intern(&seg));
                self.out.push(KeyFact {
                    segs: segs.clone(),
                    name: name.clone(),
                    key_span: key_span.or_else(|| it.span()).unwrap_or(0..0),
                    kind: KeyKind::Table,
                    header: None,
                    implicit: false,
                    inline: true,
                    value: scalar(&Value::InlineTable(it.clone())),
                    in_aot,
                    catalog_entry: None,
                    joined: Box::default(),
                });
                for (ik, iv) in it.iter() {
                    let ks = it.key(ik).and_then(toml_edit::Key::span);
                    self.item(ik, ks, &Item::Value(iv.clone()), segs, in_aot);
                }
                segs.pop();
            }
            Item::Value(v) => {
                segs.push(self.intern(&seg));
                self.out.push(KeyFact {
                    segs: segs.clone(),
                    name: name.clone(),
                    key_span: key_span.or_else(|| v.span()).unwrap_or(0..0),
                    kind: KeyKind::Value,
                    header: None,
                    implicit: false,
                    inline: false,
                    value: scalar(v),
                    in_aot,
                    catalog_entry: None,
                    joined: Box::default(),
                });
                segs.pop();
            }
            Item::None => {}
        }
    }
}

/// The last key of a `[[a.b]]` header in `raw`: the whole header when it cannot be told.
fn aot_key_span(raw: &str, header: Range<usize>) -> Range<usize> {
    let Some(h) = raw.get(header.clone()) else {
        return header;
    };
    let inner_end = h.rfind("]]").unwrap_or(h.len());
    let body = h.get(..inner_end).unwrap_or("");
    let mut quoted: Option<char> = None;
    let mut last_dot = None;
    for (i, c) in body.char_indices() {
        match (quoted, c) {
            (None, '"' | '\'') => quoted = Some(c),
            (Some(q), c) if c == q => quoted = None,
            (None, '.') => last_dot = Some(i),
            _ => {}
        }
    }
    let start = last_dot.map_or_else(|| h.find("[[").map_or(0, |i| i + 2), |d| d + 1);
    let seg = body.get(start..).unwrap_or("");
    let lead = seg.len() - seg.trim_start().len();
    let s = header.start + start + lead;
    let e = s + seg.trim().len();
    if e > s { s..e } else { header }
}

#[cfg(test)]
mod key_fact_tests {
    use super::*;

    #[test]
    fn keys_carry_catalog_paths_and_spans() {
        let text = "[server]\nhostname = \"a\"\n\n[[event_listener]]\nid = \"x\"\n\n[event_listener.propertie]\nusername = \"u\"\n\n[database.apim_db]\npool_options = { maxActive = 1 }\n[system.parameter]\n\"a.b\" = 1\n[[apim.throttling.url_group]]\ntype = \"x\"\n";
        let doc = toml_edit::Document::parse(text.to_owned()).ok();
        let keys = doc.as_ref().map(key_facts).unwrap_or_default();
        let at = |p: &str| keys.iter().find(|k| k.path() == p);
        let prop = at("event_listener[].propertie");
        assert_eq!(
            prop.and_then(|k| text.get(k.key_span.clone())),
            Some("propertie")
        );
        assert!(prop.is_some_and(|k| k.in_aot));
        let user = at("event_listener[].propertie.username");
        assert!(user.is_some_and(|k| k.in_aot && k.str_value() == Some("u")));
        let ma = at("database.apim_db.pool_options.maxActive");
        assert_eq!(
            ma.and_then(|k| text.get(k.key_span.clone())),
            Some("maxActive")
        );
        assert!(at("system.parameter.'a.b'").is_some());
        let ug = at("apim.throttling.url_group[]");
        assert_eq!(
            ug.and_then(|k| text.get(k.key_span.clone())),
            Some("url_group")
        );
        let db = at("database");
        assert_eq!(
            db.and_then(|k| text.get(k.key_span.clone())),
            Some("database")
        );
        assert!(db.is_some_and(|k| k.implicit));
    }
}

/// The placeholder syntaxes WSO2 resolves: `$ref{}`, `$secret{}`, `$env{}`
/// and `$sys{}` while it reads the file at startup (a missing target aborts
/// the start), `${…}` at runtime (`docs/wso2-facts.md`, *Placeholders*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceholderKind {
    /// `$ref{a.b}`: another key of the file or of WSO2's defaults.
    Ref,
    /// `$secret{alias}`: an alias of `[secrets]`.
    Secret,
    /// `$env{NAME}`.
    Env,
    /// `$sys{name}`.
    Sys,
    /// `${carbon.placeholder}`: resolved by Carbon at runtime.
    Carbon,
}

/// One placeholder inside a string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub kind: PlaceholderKind,
    pub name: String,
    /// The whole `$ref{…}` in the file.
    pub range: Range<usize>,
    /// The name inside the braces, in the file.
    pub name_range: Range<usize>,
}

/// The placeholders written inside the literal at `literal` of `file_text`
/// (scanned on the raw text, so every range is exact).
pub fn placeholders(file_text: &str, literal: &Range<usize>) -> Vec<Placeholder> {
    let mut out = Vec::new();
    let Some(raw) = file_text.get(literal.clone()) else {
        return out;
    };
    const OPENERS: [(&str, PlaceholderKind); 5] = [
        ("$ref{", PlaceholderKind::Ref),
        ("$secret{", PlaceholderKind::Secret),
        ("$env{", PlaceholderKind::Env),
        ("$sys{", PlaceholderKind::Sys),
        ("${", PlaceholderKind::Carbon),
    ];
    let mut i = 0;
    while let Some(rel) = raw.get(i..).and_then(|r| r.find('$')) {
        let at = i + rel;
        let rest = raw.get(at..).unwrap_or("");
        let found = OPENERS.iter().find(|(o, _)| rest.starts_with(o));
        let Some((opener, kind)) = found else {
            i = at + 1;
            continue;
        };
        let name_start = at + opener.len();
        let Some(close) = raw.get(name_start..).and_then(|r| r.find('}')) else {
            break;
        };
        let name_end = name_start + close;
        out.push(Placeholder {
            kind: *kind,
            name: raw
                .get(name_start..name_end)
                .unwrap_or("")
                .trim()
                .to_owned(),
            range: literal.start + at..literal.start + name_end + 1,
            name_range: literal.start + name_start..literal.start + name_end,
        });
        i = name_end + 1;
    }
    out
}

/// Whether a value is, or holds, a placeholder that WSO2 or Carbon resolves:
/// such values cannot be checked as written.
pub fn holds_placeholder(value: &str) -> bool {
    ["$ref{", "$secret{", "$env{", "$sys{", "${"]
        .iter()
        .any(|p| value.contains(p))
}

/// A catalog path shown to users: array members without `[]`.
pub fn display_path<S: AsRef<str>>(segs: &[S]) -> String {
    let plain: Vec<&str> = segs
        .iter()
        .map(|s| s.as_ref().trim_end_matches("[]"))
        .collect();
    crate::catalog::join(&plain)
}
/// The span of a table (its header), or of the item when it is inline/dotted.
fn table_span(item: &Item) -> Range<usize> {
    item.as_table()
        .and_then(Table::span)
        .or_else(|| item.span())
        .unwrap_or(0..0)
}

/// `[database.<name>]` as written: a `type` with a `url`, or with `hostname`,
/// `port` and `name` (`sid` for Oracle) from which WSO2 builds the URL.
#[derive(Debug, Clone)]
pub struct Database {
    pub header: Range<usize>,
    pub kind: Option<Sp<String>>,
    pub url: Option<Sp<String>>,
    pub hostname: Option<Sp<String>>,
    pub port: Option<Sp<String>>,
    pub name: Option<Sp<String>>,
}

/// Where a database lives: type, lower-cased host, port, database name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DbIdentity {
    pub kind: String,
    pub host: String,
    pub port: String,
    pub name: String,
}

impl std::fmt::Display for DbIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}:{}/{}",
            self.kind, self.host, self.port, self.name
        )
    }
}

/// The default port of a database type.
pub fn db_default_port(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "mysql" | "mariadb" => "3306",
        "postgre" => "5432",
        "mssql" => "1433",
        "oracle" => "1521",
        "db2" => "50000",
        _ => return None,
    })
}

/// The WSO2 database type a JDBC URL names (`jdbc:postgresql:` → `postgre`).
pub fn db_type_of_url(url: &str) -> Option<&'static str> {
    let rest = url.trim().strip_prefix("jdbc:")?;
    let sub = rest.split(':').next()?.to_ascii_lowercase();
    Some(match sub.as_str() {
        "mysql" => "mysql",
        "mariadb" => "mariadb",
        "postgresql" => "postgre",
        "sqlserver" => "mssql",
        "oracle" => "oracle",
        "db2" => "db2",
        "h2" => "h2",
        _ => return None,
    })
}

fn has_placeholder(s: &str) -> bool {
    s.contains("${")
        || s.contains("$env{")
        || s.contains("$sys{")
        || s.contains("$ref{")
        || s.contains("$secret{")
        || s.contains("{{")
}

fn decode_entities(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
}

impl Database {
    /// The database type: `type` lower-cased, else the URL's.
    pub fn db_type(&self) -> Option<String> {
        self.kind
            .as_ref()
            .map(|k| k.value.trim().to_ascii_lowercase())
            .filter(|k| !k.is_empty())
            .or_else(|| {
                self.url
                    .as_ref()
                    .and_then(|u| db_type_of_url(&u.value))
                    .map(str::to_owned)
            })
    }

    /// An embedded H2 database (a file per node).
    pub fn is_h2(&self) -> bool {
        self.db_type().as_deref() == Some("h2")
    }

    /// The span that best shows the database type.
    pub fn type_span(&self) -> Range<usize> {
        self.kind
            .as_ref()
            .or(self.url.as_ref())
            .map_or_else(|| self.header.clone(), |s| s.span.clone())
    }

    /// The span that best shows where the database lives.
    pub fn location_span(&self) -> Range<usize> {
        self.url
            .as_ref()
            .or(self.hostname.as_ref())
            .or(self.name.as_ref())
            .map_or_else(|| self.header.clone(), |s| s.span.clone())
    }

    /// Type, host, port and name, from the `url` or from `hostname`/`port`/`name`;
    /// `None` for H2, placeholders and URLs apimlint cannot read.
    pub fn identity(&self) -> Option<DbIdentity> {
        let kind = self.db_type()?;
        if kind == "h2" {
            return None;
        }
        if let Some(url) = &self.url {
            if has_placeholder(&url.value) {
                return None;
            }
            return parse_jdbc(&kind, &decode_entities(&url.value));
        }
        let host = self.hostname.as_ref()?.value.trim().to_lowercase();
        let name = self.name.as_ref()?.value.trim().to_owned();
        let port = self
            .port
            .as_ref()
            .map(|p| p.value.trim().to_owned())
            .or_else(|| db_default_port(&kind).map(str::to_owned))?;
        if [&host, &name, &port].iter().any(|s| has_placeholder(s)) {
            return None;
        }
        Some(DbIdentity {
            kind,
            host,
            port,
            name,
        })
    }
}

/// Host, port and database of a JDBC URL; query parameters ignored.
fn parse_jdbc(kind: &str, url: &str) -> Option<DbIdentity> {
    let lower = url.to_ascii_lowercase();
    let (host_port, name) = if kind == "oracle" {
        // jdbc:oracle:thin:@host:port:SID or @//host:port/service
        let at = url.find('@')?;
        let rest = url.get(at + 1..)?.trim_start_matches('/');
        if rest.starts_with('(') {
            return None;
        }
        match rest.split_once('/') {
            Some((hp, svc)) => (hp.to_owned(), svc.to_owned()),
            None => {
                let mut parts = rest.rsplitn(2, ':');
                let sid = parts.next()?.to_owned();
                let hp = parts.next()?.to_owned();
                (hp, sid)
            }
        }
    } else {
        let start = lower.find("://")? + 3;
        let rest = url.get(start..)?;
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        if kind == "mssql" {
            let mut parts = rest.split(';');
            let hp = parts.next()?.to_owned();
            let name = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| {
                    k.trim().eq_ignore_ascii_case("databaseName")
                        || k.trim().eq_ignore_ascii_case("database")
                })
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default();
            (hp, name)
        } else {
            let end = rest.find(['?', ';']).unwrap_or(rest.len());
            let rest = rest.get(..end)?;
            match rest.split_once('/') {
                Some((hp, name)) => (hp.to_owned(), name.to_owned()),
                None => (rest.to_owned(), String::new()),
            }
        }
    };
    let hp = host_port.trim();
    let (host, port) = match hp.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h.to_owned(), p.to_owned()),
        _ => (
            hp.to_owned(),
            db_default_port(kind).unwrap_or("").to_owned(),
        ),
    };
    Some(DbIdentity {
        kind: kind.to_owned(),
        host: host.to_lowercase(),
        port: if port.is_empty() {
            db_default_port(kind).unwrap_or("").to_owned()
        } else {
            port
        },
        name: name.trim_end_matches('/').to_owned(),
    })
}

fn database(root: &Item, name: &str) -> Option<Database> {
    let t = get(root, &["database", name])?;
    let port = t.get("port").and_then(|p| {
        let span = p.span()?;
        let value = p
            .as_integer()
            .map(|i| i.to_string())
            .or_else(|| p.as_str().map(str::to_owned))?;
        Some(Sp { value, span })
    });
    Some(Database {
        header: table_span(t),
        kind: string(t.get("type")),
        url: string(t.get("url")),
        hostname: string(t.get("hostname")),
        port,
        name: string(t.get("name")).or_else(|| string(t.get("sid"))),
    })
}

/// `[super_admin]` as written.
#[derive(Debug, Clone)]
pub struct SuperAdmin {
    pub header: Range<usize>,
    pub username: Option<Sp<String>>,
}

/// `[user_store]` as written.
#[derive(Debug, Clone)]
pub struct UserStore {
    pub header: Range<usize>,
    pub kind: Option<Sp<String>>,
}

/// `[apim.cache_invalidation]` as written.
#[derive(Debug, Clone)]
pub struct CacheInvalidation {
    pub header: Range<usize>,
    pub enabled: Option<Sp<bool>>,
    pub domain: Option<Sp<String>>,
}

/// WSO2's default super admin user name and user store type (kernel default.json).
pub const DEFAULT_ADMIN: &str = "admin";
pub const DEFAULT_USER_STORE: &str = "database_unique_id";

/// `[event_listener.properties] notification_endpoint`: after
/// `[[event_listener]]` the properties table belongs to an array entry.
fn notification_endpoint(root: &Item) -> Option<Sp<String>> {
    string(get(
        root,
        &["event_listener", "properties", "notification_endpoint"],
    ))
    .or_else(|| {
        aot(root, &["event_listener"]).into_iter().find_map(|t| {
            string(
                t.get("properties")
                    .and_then(|p| p.get("notification_endpoint")),
            )
        })
    })
}

#[cfg(test)]
mod db_tests {
    use super::*;

    fn db(kind: Option<&str>, url: &str) -> Database {
        let sp = |v: &str| Sp {
            value: v.to_owned(),
            span: 0..0,
        };
        Database {
            header: 0..0,
            kind: kind.map(sp),
            url: Some(sp(url)),
            hostname: None,
            port: None,
            name: None,
        }
    }

    #[test]
    fn jdbc_identities() {
        let id = |k, u| db(k, u).identity().map(|i| i.to_string());
        assert_eq!(
            id(
                Some("mysql"),
                "jdbc:mysql://DB.example.com/apim_db?useSSL=false&amp;x=1"
            )
            .as_deref(),
            Some("mysql://db.example.com:3306/apim_db")
        );
        assert_eq!(
            id(
                None,
                "jdbc:sqlserver://db:1433;databaseName=WSO2AM_DB;encrypt=true"
            )
            .as_deref(),
            Some("mssql://db:1433/WSO2AM_DB")
        );
        assert_eq!(
            id(Some("postgre"), "jdbc:postgresql://pg:5433/am").as_deref(),
            Some("postgre://pg:5433/am")
        );
        assert_eq!(
            id(Some("oracle"), "jdbc:oracle:thin:@ora:1521:ORCL").as_deref(),
            Some("oracle://ora:1521/ORCL")
        );
        assert_eq!(
            id(Some("oracle"), "jdbc:oracle:thin:@//ora:1522/svc").as_deref(),
            Some("oracle://ora:1522/svc")
        );
        assert_eq!(id(Some("mysql"), "jdbc:mysql://$env{DB}:3306/a"), None);
        assert!(db(None, "jdbc:h2:./repository/database/WSO2AM_DB").is_h2());
    }
}
