//! What stands in front of each node, as users meet it: the Ingresses,
//! OpenShift Routes, Gateway API routes, LoadBalancer and NodePort Services
//! of the manifests of its region whose Services select it
//! (`manifest::FrontDoor`), and the ports its Compose service publishes.
//! A plain tree's `apimlint.toml [hosts]` entries are no front door: they
//! carry no port and do not say which name users type.

use std::sync::Arc;

use super::{Deployment, NodeIdx};
use crate::manifest::{FrontDoor, Manifest, Target, Workload};

/// One thing in front of a node.
#[derive(Debug, Clone)]
pub(crate) struct Front {
    /// "the Ingress `apim`", "the Compose service `cp`".
    pub(crate) what: String,
    /// The host names users type to reach the node through it.
    pub(crate) hosts: Vec<String>,
    /// The ways through it to the node.
    pub(crate) via: Vec<Via>,
}

/// One way through a front to a node's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Via {
    /// The node's (container) port it ends at.
    pub(crate) container: i64,
    /// The port users reach, when the node's connector there speaks HTTPS;
    /// `None` when not known.
    pub(crate) https: Option<i64>,
    /// The same, for a plain HTTP connector.
    pub(crate) http: Option<i64>,
}

/// A container port named or numbered by a Service, as a number.
fn container_port(target: &Target, w: &Workload) -> Option<i64> {
    match target {
        Target::Number(n) => Some(*n),
        Target::Named(name) => w
            .ports
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name.as_str()))
            .map(|(_, p)| *p),
    }
}

impl Deployment {
    /// What stands in front of node `i` (empty for a plain file's node).
    pub(crate) fn fronts(&self, i: NodeIdx) -> Vec<Front> {
        let Some(n) = self.node(i) else {
            return Vec::new();
        };
        let Some(o) = &n.origin else {
            return Vec::new();
        };
        let Some(w) = &o.workload else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if w.compose.is_some() && !w.published.is_empty() {
            out.push(Front {
                what: format!("the Compose service `{}`", w.name),
                hosts: Vec::new(),
                via: w
                    .published
                    .iter()
                    .map(|(host, container)| Via {
                        container: *container,
                        https: Some(*host),
                        http: Some(*host),
                    })
                    .collect(),
            });
        }
        // the manifests of the node's region
        let mut manifests: Vec<&Arc<Manifest>> = Vec::new();
        for m in self
            .region_nodes(&n.region)
            .iter()
            .filter_map(|j| self.node(*j)?.origin.as_ref())
            .map(|o| &o.manifest)
        {
            if !manifests.iter().any(|x| Arc::ptr_eq(x, m)) {
                manifests.push(m);
            }
        }
        for door in manifests.iter().flat_map(|m| &m.fronts) {
            if let Some(f) = front_of(door, &o.namespace, w) {
                out.push(f);
            }
        }
        out
    }
}

/// `door` as a front of the node of workload `w` in `namespace`, if any
/// of its paths ends at it.
fn front_of(door: &FrontDoor, namespace: &str, w: &Workload) -> Option<Front> {
    if !door.namespace.eq_ignore_ascii_case(namespace) {
        return None;
    }
    let mut reaches = false;
    let mut via = Vec::new();
    // the hosts whose paths end at the node (an Ingress rule's host), or
    // every host of the door where a path serves them all
    let mut hosts: Vec<String> = Vec::new();
    for p in &door.paths {
        let selects = !p.selector.is_empty()
            && p.selector
                .iter()
                .all(|(k, v)| w.labels.iter().any(|(lk, lv)| lk == k && lv == v));
        if !selects {
            continue;
        }
        reaches = true;
        let served = p
            .host
            .as_ref()
            .map_or(door.hosts.as_slice(), std::slice::from_ref);
        for h in served {
            if !hosts.contains(h) {
                hosts.push(h.clone());
            }
        }
        if let Some(container) = p.target.as_ref().and_then(|t| container_port(t, w)) {
            let v = Via {
                container,
                https: p.user_port(true),
                http: p.user_port(false),
            };
            if !via.contains(&v) {
                via.push(v);
            }
        }
    }
    reaches.then(|| Front {
        what: door.what.clone(),
        hosts,
        via,
    })
}
