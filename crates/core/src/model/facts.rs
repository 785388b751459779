//! What one node's file says, typed, with spans.

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{Item, Table, Value};

use super::Sp;
use super::database::{Database, database};
use super::keys::{KeyFact, key_facts};
use super::read::table_span;
pub(crate) use super::read::{get, string};
use super::wso2::{ENVIRONMENT, EdgeKind, PORT_KEYS, environment_keys};

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
    pub(crate) fn is_regular(&self) -> bool {
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
    pub(crate) fn is_loadbalance(&self) -> bool {
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
    /// The store password as written (a secret: never shown).
    pub password: Option<Sp<String>>,
}

/// What one node's file says, typed, with spans.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub server_header: Option<Range<usize>>,
    /// `[encryption] key` as written (a secret: never shown;
    /// `encryption-key-mismatch`).
    pub encryption_key: Option<Sp<String>>,
    /// The file has an `[encryption]` table (a key, or a vault alias).
    pub encryption_table: bool,
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
    /// `[apim.key_manager] type` (WSO2's default `default`: the resident
    /// key manager; `WSO2-IS` and others name a third-party one).
    pub key_manager_type: Option<Sp<String>>,
    /// `[apim.gateway_notification] gateway_id`: how the control plane
    /// tells gateways apart (empty or absent: WSO2 makes one up).
    pub gateway_id: Option<Sp<String>>,
    pub notification_endpoint: Option<Sp<String>>,
    /// `[apim.devportal] url`.
    pub devportal_url: Option<Sp<String>>,
    /// `[transport.https.properties] proxyPort` and `[transport.http.properties]
    /// proxyPort`, by the servlet port they belong to (9443, 9763).
    pub proxy_ports: BTreeMap<u16, Sp<i64>>,
    pub primary_keystore: Option<Keystore>,
    pub internal_keystore: Option<Keystore>,
    /// `[keystore.tls]` as written.
    pub tls_keystore: Option<Keystore>,
    /// `[truststore]` as written (its `alias` is never set).
    pub truststore: Option<Keystore>,
    /// `[apim.devportal] api_key_alias` and `[apim.publisher] key_alias`: the
    /// truststore aliases of the certificate tokens are verified with.
    pub api_key_alias: Option<Sp<String>>,
    pub publisher_key_alias: Option<Sp<String>>,
    pub has_apim_db: bool,
    pub has_identity_db: bool,
    pub has_event_listener: bool,
    /// The `id` of the `[[event_listener]]` entry `id = "token_revocation"`:
    /// how a resident key manager tells the gateways of revoked tokens.
    pub token_revocation: Option<Range<usize>>,
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
pub(super) fn string_v(v: &Value) -> Option<Sp<String>> {
    Some(Sp {
        value: v.as_str()?.to_owned(),
        span: v.span()?,
    })
}

pub(super) fn integer(item: Option<&Item>) -> Option<Sp<i64>> {
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
pub(crate) fn list(item: Option<&Item>) -> Option<UrlList> {
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

pub(super) fn header(item: Option<&Item>) -> Option<Range<usize>> {
    item?.as_table()?.span()
}

pub(super) fn aot<'a>(root: &'a Item, path: &[&str]) -> Vec<&'a Table> {
    get(root, path)
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The key of `kind` in its table (not in arrays of tables).
fn at(root: &Item, kind: EdgeKind) -> Option<&Item> {
    let k = kind.key();
    get(root, k.table)?.get(k.key)
}

/// The url groups of the array of tables holding `urls` and `auth`.
fn url_groups(root: &Item, urls: EdgeKind, auth: EdgeKind) -> Vec<UrlGroup> {
    aot(root, urls.key().table)
        .into_iter()
        .map(|t| url_group(t, urls.key().key, auth.key().key))
        .collect()
}

pub(super) fn url_group(t: &Table, urls: &str, auth: &str) -> UrlGroup {
    UrlGroup {
        header: t.span().unwrap_or(0..0),
        urls: list(t.get(urls)).map(|l| l.items).unwrap_or_default(),
        auth_urls: list(t.get(auth)).map(|l| l.items).unwrap_or_default(),
        kind: string(t.get("type")),
        urls_span: t.get(urls).and_then(Item::span),
        auth_urls_span: t.get(auth).and_then(Item::span),
    }
}

pub(super) fn keystore(root: &Item, name: &str) -> Option<Keystore> {
    let path: &[&str] = if name == "truststore" {
        &["truststore"]
    } else {
        &["keystore", name]
    };
    let t = get(root, path)?;
    Some(Keystore {
        header: t
            .as_table()
            .and_then(Table::span)
            .or_else(|| t.span())
            .unwrap_or(0..0),
        file_name: string(t.get("file_name")),
        kind: string(t.get("type")),
        alias: string(t.get("alias")),
        password: string(t.get("password")),
    })
}

/// `[apim.cache_invalidation]`: its header, `enabled` (a boolean or a
/// string) and `domain`.
fn cache_invalidation(root: &Item) -> Option<CacheInvalidation> {
    get(root, &["apim", "cache_invalidation"]).map(|t| CacheInvalidation {
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
    })
}

/// The ports written explicitly, by their default port ([`PORT_KEYS`]).
fn ports(root: &Item) -> BTreeMap<u16, Sp<i64>> {
    let mut ports = BTreeMap::new();
    for (port, path) in PORT_KEYS {
        if let Some(v) = integer(get(root, path)) {
            ports.insert(port, v);
        }
    }
    ports
}

/// The `proxyPort` of the HTTPS (9443) and HTTP (9763) transports, by
/// default port.
fn proxy_ports(root: &Item) -> BTreeMap<u16, Sp<i64>> {
    let mut proxy_ports = BTreeMap::new();
    for (port, scheme) in [(9443, "https"), (9763, "http")] {
        if let Some(v) = integer(get(root, &["transport", scheme, "properties", "proxyPort"])) {
            proxy_ports.insert(port, v);
        }
    }
    proxy_ports
}

/// The gateway environments (`[[apim.gateway.environment]]`) with a name.
fn environments(root: &Item) -> Vec<Environment> {
    aot(root, ENVIRONMENT)
        .into_iter()
        .filter_map(environment)
        .collect()
}

/// One gateway environment: `None` without a `name`. Its endpoints are its
/// own keys, then its virtual hosts' (`virtual_host.<key>`).
fn environment(t: &Table) -> Option<Environment> {
    let name = string(t.get("name"))?;
    let mut endpoints = Vec::new();
    for key in environment_keys().map(|k| k.key) {
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
        for key in environment_keys().map(|k| k.key) {
            if let Some(u) = string(vh.get(key)) {
                endpoints.push((format!("virtual_host.{key}"), u));
            }
        }
    }
    Some(Environment {
        header: t.span().unwrap_or(name.span.clone()),
        gateway_type: string(t.get("gateway_type")),
        name,
        endpoints,
        kind: string(t.get("type")),
    })
}

/// `[apim.event_hub]` and the event hub's URLs.
fn event_hub(root: &Item) -> EventHub {
    let eh = get(root, &["apim", "event_hub"]);
    EventHub {
        header: eh.and_then(|i| header(Some(i))),
        service_url: string(at(root, EdgeKind::EventHubService)),
        listening: list(at(root, EdgeKind::EventListening)),
        duplicate: list(at(root, EdgeKind::EventDuplicate)),
        publish: url_groups(root, EdgeKind::EventPublish, EdgeKind::EventPublishAuth),
    }
}

/// `[apim.throttling]`, its URLs, and whether throttling is distributed.
fn throttling(root: &Item) -> Throttling {
    let th = get(root, &["apim", "throttling"]);
    Throttling {
        header: th.and_then(|i| header(Some(i))),
        service_url: string(get(root, &["apim", "throttling", "service_url"])),
        decision: list(at(root, EdgeKind::ThrottleDecision)),
        url_groups: url_groups(root, EdgeKind::ThrottleEvents, EdgeKind::ThrottleAuth),
        duplicate: list(at(root, EdgeKind::ThrottleDuplicate)),
        distributed: get(root, &["apim", "distributed_throttling"]).is_some_and(|d| {
            d.get("enable")
                .and_then(Item::as_bool)
                .unwrap_or(d.is_table_like())
        }),
    }
}

impl Facts {
    /// Extract the facts from a parsed document.
    pub(crate) fn extract(doc: &toml_edit::Document<String>) -> Facts {
        let root = doc.as_item();
        let keys = key_facts(doc);
        Facts {
            server_header: header(get(root, &["server"])),
            server_role: string(get(root, &["server", "server_role"])),
            encryption_key: string(get(root, &["encryption", "key"])),
            encryption_table: get(root, &["encryption"]).is_some(),
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
            key_manager_url: string(at(root, EdgeKind::KeyManager)),
            key_manager_type: string(get(root, &["apim", "key_manager", "type"])),
            gateway_id: string(get(root, &["apim", "gateway_notification", "gateway_id"])),
            notification_endpoint: notification_endpoint(root),
            devportal_url: string(at(root, EdgeKind::Devportal)),
            primary_keystore: keystore(root, "primary"),
            internal_keystore: keystore(root, "internal"),
            tls_keystore: keystore(root, "tls"),
            truststore: keystore(root, "truststore"),
            api_key_alias: string(get(root, &["apim", "devportal", "api_key_alias"])),
            publisher_key_alias: string(get(root, &["apim", "publisher", "key_alias"])),
            has_apim_db: get(root, &["database", "apim_db"]).is_some(),
            has_identity_db: get(root, &["database", "identity_db"]).is_some(),
            has_event_listener: get(root, &["event_listener"]).is_some(),
            token_revocation: aot(root, &["event_listener"])
                .into_iter()
                .filter_map(|t| string(t.get("id")))
                .find(|id| id.value == "token_revocation")
                .map(|id| id.span),
            has_access_control: get(root, &["resource", "access_control"]).is_some(),
            keys: Some(keys),
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
            cache_invalidation: cache_invalidation(root),
            ports: ports(root),
            proxy_ports: proxy_ports(root),
            environments: environments(root),
            event_hub: event_hub(root),
            throttling: throttling(root),
        }
    }

    /// A traffic manager's own settings, which no gateway writes: an
    /// `event_duplicate_url` in `[apim.throttling]` (its HA peer) and
    /// `throttle_decision_endpoints` on its own broker only.
    pub(crate) fn traffic_manager_signals(&self) -> bool {
        self.throttling.duplicate.is_some()
            && self.throttling.decision.as_ref().is_some_and(|d| {
                !d.items.is_empty()
                    && d.items
                        .iter()
                        .all(|u| crate::endpoint::is_loopback_url(&u.value))
            })
    }

    /// Whether the content says both "gateway" (its sections) and "traffic
    /// manager" ([`Facts::traffic_manager_signals`]): read as a traffic
    /// manager, reported as ambiguous.
    pub(crate) fn ambiguous_gateway_sections(&self) -> bool {
        let cp = !self.environments.is_empty()
            || !self.event_hub.publish.is_empty()
            || self.event_hub.duplicate.is_some();
        !cp && (self.gateway_sync.is_some() || !self.throttling.url_groups.is_empty())
            && self.traffic_manager_signals()
    }
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

/// `[event_listener.properties] notification_endpoint`: after
/// `[[event_listener]]` the properties table belongs to an array entry.
pub(super) fn notification_endpoint(root: &Item) -> Option<Sp<String>> {
    let k = EdgeKind::Notification.key();
    string(at(root, EdgeKind::Notification)).or_else(|| {
        // `[[event_listener]]`: the array entry holds `properties`
        let (array, rest) = k.table.split_first()?;
        let (first, rest) = rest.split_first()?;
        aot(root, &[array])
            .into_iter()
            .find_map(|t| string(get(t.get(first)?, rest)?.get(k.key)))
    })
}
