//! `certificate-expired`: a certificate a node presents (the key entry each of
//! its keystores uses) has expired. "Now" is the run's date (`--now`).

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx};
use crate::keystore::{Certificate, date};
use crate::model::Material;
use crate::rules::{DeploymentRule, Rule};

declare_rule! {
    id: "certificate-expired",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(CertificateExpired),
}

/// A key entry's certificate past (or near) its `notAfter`.
pub(crate) struct Expiry<'d> {
    node: NodeIdx,
    range: Range<usize>,
    m: &'d Material,
    cert: &'d Certificate,
    /// Whole days from now to `notAfter` (negative: expired).
    days: i64,
}

/// The key entries' certificates of every node whose `notAfter` falls
/// before `now + horizon_days` (`0`: the expired ones).
pub(crate) fn expiring(dep: &Deployment, horizon_days: u32) -> Vec<Expiry<'_>> {
    let now = dep.config().now_seconds();
    let horizon = now.saturating_add(i64::from(horizon_days) * 86_400);
    let mut out = Vec::new();
    for (i, n, km) in super::with_keys(dep) {
        for m in super::distinct(km, |m| m.used.store.has_key()) {
            let Some(cert) = m.key_certificate() else {
                continue;
            };
            if cert.not_after >= horizon {
                continue;
            }
            out.push(Expiry {
                node: i,
                range: super::at(n, m.used.file_site.as_ref()),
                m,
                cert,
                days: (cert.not_after - now).div_euclid(86_400),
            });
        }
    }
    out
}

impl Expiry<'_> {
    pub(crate) fn is_expired(&self, now: i64) -> bool {
        self.cert.not_after < now
    }

    pub(crate) fn diagnostic(&self, rule: &'static Rule, dep: &Deployment) -> Diagnostic {
        let entry = super::entry_name(self.m);
        let subject = &self.cert.subject;
        let until = date(self.cert.not_after);
        let shipped = super::shipped_note(self.cert);
        let message = if self.is_expired(dep.config().now_seconds()) {
            format!(
                "the certificate of {entry} ({subject}) expired on {until} (notAfter){shipped}: clients refuse the TLS connection and tokens it signs fail validation"
            )
        } else {
            let days = self.days;
            format!(
                "the certificate of {entry} ({subject}) expires on {until} (notAfter), in {days} day{}{shipped}",
                if days == 1 { "" } else { "s" }
            )
        };
        Diagnostic::new(rule, dep.file(self.node), self.range.clone(), message)
            .help("renew the key pair (or import a renewed certificate) in every node's keystore at once: the primary key must stay the same everywhere")
            .key(
                format!("{}.file_name", self.m.used.store.table()),
                Some(&self.cert.fingerprint_prefix(16)),
            )
    }
}

pub(crate) struct CertificateExpired;

impl DeploymentRule for CertificateExpired {
    type State<'d> = Expiry<'d>;

    fn run(dep: &Deployment) -> Vec<Expiry<'_>> {
        let now = dep.config().now_seconds();
        let mut v = expiring(dep, 0);
        v.retain(|e| e.is_expired(now));
        v
    }

    fn diagnostic(dep: &Deployment, s: &Expiry<'_>) -> Diagnostic {
        s.diagnostic(&RULE, dep)
    }
}
