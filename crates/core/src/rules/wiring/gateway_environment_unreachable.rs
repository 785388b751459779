//! `gateway-environment-unreachable`: gateway environment endpoints, virtual hosts included, reach gateways.

use crate::base::diagnostic::Diagnostic;
use crate::endpoint::HostKind;
use crate::graph::{Deployment, EdgeKind, Resolution};

declare_rule! {
    id: "gateway-environment-unreachable",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: legacy Deployment(check),
}

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    for e in dep.edges() {
        let consumer_facing = match e.kind {
            EdgeKind::GatewayService => false,
            EdgeKind::GatewayHttp
            | EdgeKind::GatewayHttps
            | EdgeKind::GatewayWs
            | EdgeKind::GatewayWss
            | EdgeKind::GatewayWebSubHttp
            | EdgeKind::GatewayWebSubHttps => true,
            _ => continue,
        };
        // `localhost` in a URL shown to API consumers is their own machine
        // (a published container port), not the control plane: unverifiable.
        let loopback = e
            .endpoint
            .as_ref()
            .is_some_and(|ep| ep.host_kind == HostKind::Loopback);
        if consumer_facing && loopback && matches!(e.resolution, Resolution::WrongRole { .. }) {
            continue;
        }
        acc.extend(super::unreachable(&RULE, dep, e));
    }
}
