//! What a node does: its role, from `apimlint.toml`, `server_role` or the
//! sections its file has.

use super::facts::Facts;

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
    pub(crate) const ALL: [Role; 7] = [
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
    pub(crate) fn is_gateway(self) -> bool {
        matches!(self, Role::GatewayWorker | Role::AllInOne)
    }

    /// Defines gateway environments.
    pub(crate) fn defines_environments(self) -> bool {
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
/// The role of a node, first that applies: `apimlint.toml [nodes."id"] role`;
/// an explicit `server_role` other than `default` (a `control-plane` whose
/// content looks like a separate key manager is a key manager); the content
/// ([`Facts::content_role`]); else `Unknown`.
pub(crate) fn infer_role(configured: Option<Role>, facts: &Facts) -> (Role, RoleSource) {
    if let Some(r) = configured {
        return (r, RoleSource::Config);
    }
    let explicit = facts
        .server_role
        .as_ref()
        .and_then(|s| match s.value.as_str() {
            "control-plane" if facts.looks_like_key_manager() => Some(Role::KeyManager),
            "control-plane" => Some(Role::ControlPlane),
            // a 4.0/4.1 portal profile (publisher or developer portal on a
            // node of its own): part of the control plane, but whether it
            // runs the event hub or key manager depends on the setup; no
            // role's expectations are asked of it, and it stands where a
            // control plane is named (the benefit of the doubt)
            "api-publisher-deprecated" | "api-devportal-deprecated" => Some(Role::Unknown),
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

impl Facts {
    /// The role the content suggests, for nodes whose `server_role` is
    /// `default`, absent or invalid: from 4.5 every WSO2 distribution says
    /// `default`, so only the sections tell (`docs/wso2-facts.md`, *Roles*).
    pub(crate) fn content_role(&self) -> Option<Role> {
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
            // gateway sections next to a traffic manager's own HA settings: the
            // stronger reading wins (`role-section-mismatch` reports the sections)
            (false, true) if self.traffic_manager_signals() => Some(Role::TrafficManager),
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
    pub(crate) fn looks_like_key_manager(&self) -> bool {
        self.environments.is_empty()
            && self.event_hub.publish.is_empty()
            && self.event_hub.duplicate.is_none()
            && self.gateway_sync.is_none()
            && self.has_event_listener
            && (!self.throttling.url_groups.is_empty() || self.event_hub.listening.is_some())
    }
}
