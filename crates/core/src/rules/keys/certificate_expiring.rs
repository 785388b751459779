//! `certificate-expiring`: a certificate a node presents expires within
//! `[certificates] expiry_warning_days` (30 by default) of the run's date.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;
use crate::rules::DeploymentRule;

use super::certificate_expired::{Expiry, expiring};

declare_rule! {
    id: "certificate-expiring",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(CertificateExpiring),
}

pub(crate) struct CertificateExpiring;

impl DeploymentRule for CertificateExpiring {
    type State<'d> = Expiry<'d>;

    fn run(dep: &Deployment) -> Vec<Expiry<'_>> {
        let now = dep.config().now_seconds();
        let mut v = expiring(dep, dep.config().expiry_warning_days());
        v.retain(|e| !e.is_expired(now));
        v
    }

    fn diagnostic(dep: &Deployment, s: &Expiry<'_>) -> Diagnostic {
        s.diagnostic(&RULE, dep)
    }
}
