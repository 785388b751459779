//! `portal-url-unresolved`: `[apim.devportal] url` reaches a control plane
//! of the writer's region, or its load balancer.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::endpoint::HostKind;
use crate::graph::{Deployment, Edge, EdgeKind, Resolution};
use crate::rules::DeploymentRule;
use crate::rules::wiring::{self, Unreachable};

declare_rule! {
    id: "portal-url-unresolved",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.2.0",
    check: Deployment(PortalUrlUnresolved),
}

pub(crate) struct PortalUrlUnresolved;

impl DeploymentRule for PortalUrlUnresolved {
    type State<'d> = Unreachable<'d>;

    fn run(dep: &Deployment) -> Vec<Unreachable<'_>> {
        wiring::problems(dep, owns)
    }

    fn diagnostic(dep: &Deployment, u: &Unreachable<'_>) -> Diagnostic {
        wiring::describe(&RULE, dep, u)
    }

    fn action(dep: &Deployment, u: &Unreachable<'_>) -> Option<Fix> {
        wiring::repair(dep, u)
    }
}

/// The portal URLs: the Developer Portal's address. A browser opens it:
/// `localhost` there is the user's own machine (a port a container
/// publishes), not the writer, so its port and role are not judged.
fn owns(e: &Edge) -> bool {
    let loopback = e
        .endpoint
        .as_ref()
        .is_some_and(|ep| ep.host_kind == HostKind::Loopback);
    let judged_by_node = matches!(
        e.resolution,
        Resolution::WrongPort { .. }
            | Resolution::PartialPort { .. }
            | Resolution::WrongRole { .. }
    );
    // a value that is no URL at all is `invalid-url`'s (an error)
    let invalid = matches!(e.resolution, Resolution::Invalid(_));
    e.kind == EdgeKind::Devportal && !invalid && !(loopback && judged_by_node)
}
