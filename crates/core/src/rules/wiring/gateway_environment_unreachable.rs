//! `gateway-environment-unreachable`: gateway environment endpoints, virtual hosts included, reach gateways.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::endpoint::HostKind;
use crate::graph::{Deployment, Edge, EdgeKind, Resolution};
use crate::rules::DeploymentRule;

use super::Unreachable;

declare_rule! {
    id: "gateway-environment-unreachable",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Deployment(GatewayEnvironmentUnreachable),
}

pub(crate) struct GatewayEnvironmentUnreachable;

impl DeploymentRule for GatewayEnvironmentUnreachable {
    type State<'d> = Unreachable<'d>;

    fn run(dep: &Deployment) -> Vec<Unreachable<'_>> {
        super::problems(dep, owns)
    }

    fn diagnostic(dep: &Deployment, u: &Unreachable<'_>) -> Diagnostic {
        super::describe(&RULE, dep, u)
    }

    fn action(dep: &Deployment, u: &Unreachable<'_>) -> Option<Fix> {
        super::repair(dep, u)
    }
}

/// Whether the rule judges the edge: a gateway environment endpoint, unless
/// it cannot be verified.
fn owns(e: &Edge) -> bool {
    let consumer_facing = match e.kind {
        EdgeKind::GatewayService => false,
        EdgeKind::GatewayHttp
        | EdgeKind::GatewayHttps
        | EdgeKind::GatewayWs
        | EdgeKind::GatewayWss
        | EdgeKind::GatewayWebSubHttp
        | EdgeKind::GatewayWebSubHttps => true,
        _ => return false,
    };
    // `localhost` in a URL shown to API consumers is their own machine
    // (a published container port), not the control plane: unverifiable.
    let loopback = e
        .endpoint
        .as_ref()
        .is_some_and(|ep| ep.host_kind == HostKind::Loopback);
    !(consumer_facing && loopback && matches!(e.resolution, Resolution::WrongRole { .. }))
}
