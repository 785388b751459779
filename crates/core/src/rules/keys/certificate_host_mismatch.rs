//! `certificate-host-mismatch`: for every URL one node uses to reach another
//! directly over TLS (`https`, `ssl`; not through a load balancer, a `[hosts]`
//! entry or an Ingress, whose front terminates TLS), the target's TLS
//! certificate covers the host the caller uses (SAN, else CN; a wildcard
//! covers one label), and the caller's truststore holds that certificate or
//! its issuer. Reported on the target, at its keystore's `file_name`, the
//! callers as related locations.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::endpoint::HostKind;
use crate::graph::{Deployment, Edge, NodeIdx, Resolution};
use crate::keystore::Certificate;
use crate::model::{Material, Store};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "certificate-host-mismatch",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(CertificateHostMismatch),
}

/// Whether `cert` covers `host`: its SAN DNS names (or IP addresses), else
/// its CN; `*.example.com` covers exactly one label.
pub(crate) fn covers(cert: &Certificate, host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        return cert.ip_addresses.contains(&ip);
    }
    let matches = |pattern: &str| {
        let p = pattern.trim_end_matches('.').to_ascii_lowercase();
        match p.strip_prefix("*.") {
            Some(rest) => host
                .split_once('.')
                .is_some_and(|(first, tail)| !first.is_empty() && tail == rest),
            None => p == host,
        }
    };
    if cert.dns_names.is_empty() && cert.ip_addresses.is_empty() {
        cert.common_name.as_deref().is_some_and(matches)
    } else {
        cert.dns_names.iter().any(|d| matches(d))
    }
}

/// Whether a truststore holds `cert`, or a certificate of its issuer.
fn trusts(trust: &crate::keystore::Keystore, cert: &Certificate) -> bool {
    trust
        .entries
        .iter()
        .flat_map(|e| e.chain.iter())
        .any(|c| c.sha256 == cert.sha256 || (!cert.is_self_issued() && c.subject == cert.issuer))
}

pub(crate) enum Kind {
    /// The hosts the callers use that the certificate does not cover.
    Host(Vec<String>),
    /// The callers whose truststores lack the certificate and its issuer.
    Trust,
}

pub(crate) struct State<'d> {
    node: NodeIdx,
    range: Range<usize>,
    tls: &'d Material,
    cert: &'d Certificate,
    kind: Kind,
    callers: Vec<&'d Edge>,
}

/// A URL that reaches nodes directly over TLS: its host and targets.
fn direct_tls(dep: &Deployment, e: &Edge) -> Option<(String, Vec<NodeIdx>)> {
    let ep = e.endpoint.as_ref()?;
    if !["https", "ssl"].contains(&ep.scheme.to_ascii_lowercase().as_str())
        || ep.host_kind != HostKind::Name
        || dep.config().hosts.contains_key(&ep.host)
    {
        return None;
    }
    match &e.resolution {
        Resolution::Ok {
            targets,
            via_lb: false,
        } => Some((ep.host.clone(), targets.clone())),
        _ => None,
    }
}

pub(crate) struct CertificateHostMismatch;

impl DeploymentRule for CertificateHostMismatch {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out: Vec<State<'_>> = Vec::new();
        for e in dep.edges() {
            let Some((host, targets)) = direct_tls(dep, e) else {
                continue;
            };
            let caller_trust = dep
                .node(e.from)
                .and_then(|n| n.keys.as_deref())
                .and_then(|k| k.store(Store::Trust))
                .and_then(Material::keystore);
            for b in targets.into_iter().filter(|b| *b != e.from) {
                let Some(n) = dep.node(b) else { continue };
                let Some(tls) = n.keys.as_deref().and_then(|k| k.store(Store::Tls)) else {
                    continue;
                };
                let Some(cert) = tls.key_certificate() else {
                    continue;
                };
                let range = super::at(n, tls.used.file_site.as_ref());
                let mut push = |kind: Kind| {
                    let same = out.iter_mut().find(|s| {
                        s.node == b
                            && matches!(
                                (&s.kind, &kind),
                                (Kind::Host(_), Kind::Host(_)) | (Kind::Trust, Kind::Trust)
                            )
                    });
                    match same {
                        Some(s) => {
                            if let (Kind::Host(hs), Kind::Host(h)) = (&mut s.kind, kind) {
                                for h in h {
                                    if !hs.contains(&h) {
                                        hs.push(h);
                                    }
                                }
                            }
                            s.callers.push(e);
                        }
                        None => out.push(State {
                            node: b,
                            range: range.clone(),
                            tls,
                            cert,
                            kind,
                            callers: vec![e],
                        }),
                    }
                };
                if !covers(cert, &host) {
                    push(Kind::Host(vec![host.clone()]));
                }
                if caller_trust.is_some_and(|t| !trusts(t, cert)) {
                    push(Kind::Trust);
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let entry = super::entry_name(s.tls);
        let subject = &s.cert.subject;
        let names: Vec<&str> = if s.cert.dns_names.is_empty() {
            s.cert.common_name.iter().map(String::as_str).collect()
        } else {
            s.cert.dns_names.iter().map(String::as_str).collect()
        };
        let mut callers: Vec<&str> = s.callers.iter().map(|e| dep.id(e.from)).collect();
        callers.dedup();
        let message = match &s.kind {
            Kind::Host(hosts) => format!(
                "the TLS certificate of {entry} ({subject}) does not cover {}, which {} use{} to reach this node (it covers {}): hostname verification fails",
                code_list_first3(hosts.iter()),
                code_list_first3(callers.iter()),
                if callers.len() == 1 { "s" } else { "" },
                if names.is_empty() {
                    "no name".to_owned()
                } else {
                    code_list_first3(names.iter())
                },
            ),
            Kind::Trust => format!(
                "the TLS certificate of {entry} ({subject}, SHA-256 {}…) is not trusted by {}: their truststores hold neither it nor its issuer",
                s.cert.fingerprint_prefix(8),
                code_list_first3(callers.iter()),
            ),
        };
        let mut d = Diagnostic::new(&RULE, dep.file(s.node), s.range.clone(), message)
            .help(match s.kind {
                Kind::Host(_) => "issue the node's TLS certificate with every name its callers use in its subjectAltName (or have them use a name it covers)",
                Kind::Trust => "import the node's certificate (or its CA) into the callers' truststores",
            })
            .key("keystore.tls.file_name", Some(&s.cert.fingerprint_prefix(16)));
        for e in &s.callers {
            d = d.related(
                dep.file(e.from),
                e.host_span.clone(),
                format!("`{}` reaches it here", dep.id(e.from)),
            );
        }
        d
    }
}
