//! WSO2's tables: the keys that hold URLs to other nodes (what each one
//! reaches, on which default port, with which scheme) and the keys that move
//! ports. Facts extraction, the graph's URL sites and the rules read these,
//! so a key path is spelled once.

use super::Role;

/// What a URL is used for; decides the role, port and scheme it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    ThrottleEvents,
    ThrottleAuth,
    ThrottleDecision,
    ThrottleDuplicate,
    EventListening,
    EventHubService,
    EventPublish,
    EventPublishAuth,
    EventDuplicate,
    KeyManager,
    Notification,
    GatewayService,
    GatewayHttp,
    GatewayHttps,
    GatewayWs,
    GatewayWss,
    GatewayWebSubHttp,
    GatewayWebSubHttps,
    /// `[apim.devportal] url`: where the portals send users to the
    /// Developer Portal.
    Devportal,
}

/// A key holding URLs that reach another node.
#[derive(Debug)]
pub struct UrlKey {
    pub kind: EdgeKind,
    /// The table that holds the key; for url groups and gateway environments
    /// an array of tables (`[[apim.throttling.url_group]]`).
    pub table: &'static [&'static str],
    pub key: &'static str,
    /// The WSO2 default port of the target.
    pub port: u16,
    /// Schemes the key accepts.
    pub schemes: &'static [&'static str],
    /// Roles that may sit at the other end (besides all-in-one and unknown).
    pub roles: &'static [Role],
    /// The same, when the node's region has no traffic manager (the control
    /// plane then throttles).
    pub roles_without_tm: &'static [Role],
    /// What the edge carries, for pictures of the topology.
    pub label: &'static str,
}

const THROTTLING: &[&str] = &["apim", "throttling"];
const URL_GROUP: &[&str] = &["apim", "throttling", "url_group"];
const EVENT_HUB: &[&str] = &["apim", "event_hub"];
const PUBLISH_GROUP: &[&str] = &["apim", "event_hub", "publish", "url_group"];
/// `[[apim.gateway.environment]]`.
pub(crate) const ENVIRONMENT: &[&str] = &["apim", "gateway", "environment"];

const TM: &[Role] = &[Role::TrafficManager];
const CP: &[Role] = &[Role::ControlPlane];
const GW: &[Role] = &[Role::GatewayWorker];
const KM: &[Role] = &[Role::ControlPlane, Role::KeyManager, Role::IsKeyManager];

#[allow(clippy::too_many_arguments)]
const fn url_key(
    kind: EdgeKind,
    table: &'static [&'static str],
    key: &'static str,
    port: u16,
    schemes: &'static [&'static str],
    roles: &'static [Role],
    roles_without_tm: &'static [Role],
    label: &'static str,
) -> UrlKey {
    UrlKey {
        kind,
        table,
        key,
        port,
        schemes,
        roles,
        roles_without_tm,
        label,
    }
}

/// Every key holding URLs to other nodes, in [`EdgeKind`] order
/// (`docs/wso2-facts.md`, *Ports and offset*, *Event hub*, *Throttling*).
#[rustfmt::skip]
pub(crate) const URL_KEYS: [UrlKey; 19] = {
    use EdgeKind::*;
    [
        url_key(ThrottleEvents, URL_GROUP, "traffic_manager_urls", 9611, &["tcp"], TM, CP, "throttle events"),
        url_key(ThrottleAuth, URL_GROUP, "traffic_manager_auth_urls", 9711, &["ssl"], TM, CP, "throttle events"),
        url_key(ThrottleDecision, THROTTLING, "throttle_decision_endpoints", 5672, &["tcp"], TM, CP, "throttle decisions"),
        url_key(ThrottleDuplicate, THROTTLING, "event_duplicate_url", 5672, &["tcp"], TM, TM, "duplicate"),
        url_key(EventListening, EVENT_HUB, "event_listening_endpoints", 5672, &["tcp"], CP, CP, "event hub"),
        url_key(EventHubService, EVENT_HUB, "service_url", 9443, &["https"], CP, CP, "event hub"),
        url_key(EventPublish, PUBLISH_GROUP, "urls", 9611, &["tcp"], CP, CP, "event publish"),
        url_key(EventPublishAuth, PUBLISH_GROUP, "auth_urls", 9711, &["ssl"], CP, CP, "event publish"),
        url_key(EventDuplicate, EVENT_HUB, "event_duplicate_url", 5672, &["tcp"], CP, CP, "duplicate"),
        url_key(KeyManager, &["apim", "key_manager"], "service_url", 9443, &["https"], KM, KM, "key manager"),
        url_key(Notification, &["event_listener", "properties"], "notification_endpoint", 9443, &["https"], CP, CP, "revocation"),
        url_key(GatewayService, ENVIRONMENT, "service_url", 9443, &["https"], GW, GW, "gateway"),
        url_key(GatewayHttp, ENVIRONMENT, "http_endpoint", 8280, &["http"], GW, GW, "gateway"),
        url_key(GatewayHttps, ENVIRONMENT, "https_endpoint", 8243, &["https"], GW, GW, "gateway"),
        url_key(GatewayWs, ENVIRONMENT, "ws_endpoint", 9099, &["ws"], GW, GW, "gateway"),
        url_key(GatewayWss, ENVIRONMENT, "wss_endpoint", 8099, &["wss"], GW, GW, "gateway"),
        url_key(GatewayWebSubHttp, ENVIRONMENT, "websub_event_receiver_http_endpoint", 9021, &["http"], GW, GW, "gateway"),
        url_key(GatewayWebSubHttps, ENVIRONMENT, "websub_event_receiver_https_endpoint", 8021, &["https"], GW, GW, "gateway"),
        url_key(Devportal, &["apim", "devportal"], "url", 9443, &["https"], CP, CP, "devportal"),
    ]
};

impl EdgeKind {
    /// The key this kind of edge comes from.
    #[allow(clippy::indexing_slicing)] // one entry per variant, in order (tested)
    pub fn key(self) -> &'static UrlKey {
        &URL_KEYS[self as usize]
    }

    /// The WSO2 default port of the target.
    pub fn port(self) -> u16 {
        self.key().port
    }

    /// Schemes the key accepts.
    pub(crate) fn schemes(self) -> &'static [&'static str] {
        self.key().schemes
    }

    /// Roles that may sit at the other end (besides all-in-one and unknown).
    pub fn roles(self, region_has_tm: bool) -> &'static [Role] {
        let k = self.key();
        if region_has_tm {
            k.roles
        } else {
            k.roles_without_tm
        }
    }

    /// What the edge carries, for pictures of the topology.
    pub fn label(self) -> &'static str {
        self.key().label
    }

    /// The kind of a gateway environment's endpoint key (also under
    /// `virtual_host`).
    pub(crate) fn of_environment_key(key: &str) -> Option<EdgeKind> {
        let last = crate::base::keypath::leaf(key);
        environment_keys().find(|k| k.key == last).map(|k| k.kind)
    }
}

impl UrlKey {
    /// The key as shown to users: `apim.event_hub.service_url`, or with the
    /// array entry named, `apim.throttling.url_group[tm-1].traffic_manager_urls`.
    pub fn display(&self, entry: Option<&str>, key: &str) -> String {
        // made for every URL of every node: one allocation, at its size
        let tail = entry.map_or(0, |e| e.len() + 2) + 1 + key.len();
        let mut out = crate::base::keypath::join_reserving(self.table, tail);
        if let Some(e) = entry {
            out.push('[');
            out.push_str(e);
            out.push(']');
        }
        out.push('.');
        out.push_str(key);
        out
    }
}

/// The endpoint keys of a gateway environment (each also under `virtual_host`).
pub(crate) fn environment_keys() -> impl Iterator<Item = &'static UrlKey> {
    URL_KEYS.iter().filter(|k| k.table == ENVIRONMENT)
}

/// The keys that move a WSO2 default port. WSO2 adds the node's offset to
/// the port either way (`docs/wso2-facts.md`, *Ports and offset*).
pub(crate) const PORT_KEYS: [(u16, &[&str]); 11] = [
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
    (9021, &["apim", "webhooks", "http", "port"]),
    (8021, &["apim", "webhooks", "https", "port"]),
];

/// WSO2's default super admin user name and user store type (kernel default.json).
pub(crate) const DEFAULT_ADMIN: &str = "admin";
pub(crate) const DEFAULT_USER_STORE: &str = "database_unique_id";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_edge_kind_order() {
        for (i, k) in URL_KEYS.iter().enumerate() {
            assert_eq!(k.kind as usize, i, "{:?} is out of place", k.kind);
        }
    }

    #[test]
    fn environment_keys_name_their_kind() {
        assert_eq!(
            EdgeKind::of_environment_key("virtual_host.wss_endpoint"),
            Some(EdgeKind::GatewayWss)
        );
        assert_eq!(EdgeKind::of_environment_key("name"), None);
        assert_eq!(
            EdgeKind::of_environment_key("virtual_host.websub_event_receiver_https_endpoint"),
            Some(EdgeKind::GatewayWebSubHttps)
        );
        assert_eq!(environment_keys().count(), 7);
    }
}
