//! `event-listening-incomplete`: a node's `event_listening_endpoints`
//! subscribe to every control plane of its region.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Edge, EdgeKind, NodeIdx, Resolution};
use crate::model::{Role, UrlList};
use crate::rules::{DeploymentRule, node_list, related_node};

declare_rule! {
    id: "event-listening-incomplete",
    severity: Warning,
    roles: [GatewayWorker, TrafficManager, KeyManager],
    fix: Never,
    since: "0.1.0",
    check: Deployment(EventListeningIncomplete),
}

pub(crate) struct EventListeningIncomplete;

/// A node whose subscriptions miss control planes of its region.
pub(crate) struct State<'d> {
    node: NodeIdx,
    list: &'d UrlList,
    missing: Vec<NodeIdx>,
    /// A URL through a Service in front of several control planes.
    balanced: Option<&'d Edge>,
}

impl DeploymentRule for EventListeningIncomplete {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (i, n) in RULE.subjects(dep) {
            let Some(list) = n.facts.event_hub.listening.as_ref() else {
                continue;
            };
            let cps: Vec<NodeIdx> = dep
                .region_nodes(&n.region)
                .iter()
                .copied()
                .filter(|c| dep.node(*c).is_some_and(|m| m.role == Role::ControlPlane))
                .collect();
            if cps.len() < 2 {
                continue;
            }
            let mut reached: Vec<NodeIdx> = Vec::new();
            let mut balanced: Option<&Edge> = None;
            let mut all_resolved = true;
            for e in dep
                .edges_from(i)
                .filter(|e| e.kind == EdgeKind::EventListening)
            {
                match &e.resolution {
                    // a Service (or headless name) in front of several
                    // control planes: the subscription connects to one of
                    // them, which one is not known — it covers none
                    Resolution::Ok { .. } if e.one_of && !e.cross_region => {
                        balanced.get_or_insert(e);
                    }
                    // through a load balancer: the nodes behind it count as reached
                    Resolution::Ok { targets, .. } if !e.cross_region => reached.extend(targets),
                    // a URL another rule reports (wrong port, wrong role,
                    // unknown host, placeholder…) may be the missing one
                    _ => all_resolved = false,
                }
            }
            let missing: Vec<NodeIdx> = cps.into_iter().filter(|c| !reached.contains(c)).collect();
            if all_resolved && !missing.is_empty() {
                out.push(State {
                    node: i,
                    list,
                    missing,
                    balanced,
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let region = dep.node(s.node).map_or("", |n| n.region.as_str());
        let d = Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.list.span.clone(),
            format!(
                "`event_listening_endpoints` subscribes to no event hub of {}: events published there (deployed APIs, revoked tokens, policy changes) never reach this node",
                node_list(dep, s.missing.iter().copied())
            ),
        )
        .help(format!(
            "list every control plane of {region} in `[apim.event_hub] event_listening_endpoints`, each as `tcp://<host>:5672` (+ its offset): an event is published on the control plane that handled the change"
        ))
        .key("apim.event_hub.event_listening_endpoints", None);
        let mut d = match s.balanced {
            Some(e) => d.related(
                dep.file(s.node),
                e.span.clone(),
                format!(
                    "`{}` goes through a Kubernetes Service: the JMS subscription connects to one of {} only, and misses the others' events",
                    e.url,
                    node_list(dep, e.resolution.targets())
                ),
            ),
            None => d,
        };
        for m in s.missing.iter().take(3) {
            d = related_node(d, dep, *m, "control plane");
        }
        d
    }
}
