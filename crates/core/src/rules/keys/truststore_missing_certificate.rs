//! `truststore-missing-certificate`: the truststore of every gateway holds
//! the primary key's certificate under the alias the gateway verifies tokens
//! with (`gateway_certificate_alias`, or `[apim.devportal] api_key_alias` /
//! `[apim.publisher] key_alias` where written); a different certificate under
//! that alias is the same finding.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx};
use crate::keystore::Certificate;
use crate::model::{Material, Role, Store};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "truststore-missing-certificate",
    severity: Error,
    roles: [GatewayWorker],
    fix: Never,
    since: "0.2.0",
    check: Deployment(TruststoreMissingCertificate),
}

/// WSO2's default alias of the signing certificate in a gateway's truststore.
const DEFAULT_ALIAS: &str = "gateway_certificate_alias";

pub(crate) struct State<'d> {
    node: NodeIdx,
    range: Range<usize>,
    trust: &'d Material,
    alias: String,
    /// The certificate the truststore holds under the alias, if any.
    found: Option<&'d Certificate>,
    /// The primary key's certificate, and the node it is read from.
    expected: &'d Certificate,
    from: NodeIdx,
}

/// The primary key's certificate that signs tokens: the most common one of
/// the control planes, all-in-ones and key managers.
fn signer(dep: &Deployment) -> Option<(&Certificate, NodeIdx)> {
    let signers = super::apim_with_keys(dep)
        .filter(|(_, n, _)| {
            matches!(
                n.role,
                Role::ControlPlane | Role::AllInOne | Role::KeyManager
            )
        })
        .filter_map(|(i, _, km)| {
            let c = km.store(Store::Primary)?.key_certificate()?;
            Some((i, c.sha256, c))
        });
    let (_, i, c) = crate::rules::majority(signers)?;
    Some((c, i))
}

pub(crate) struct TruststoreMissingCertificate;

impl DeploymentRule for TruststoreMissingCertificate {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let signer = signer(dep);
        let mut out = Vec::new();
        for (i, n, km) in super::apim_with_keys(dep) {
            if n.role != Role::GatewayWorker {
                continue;
            }
            let (expected, from) = match signer {
                Some(s) => s,
                None => match km.store(Store::Primary).and_then(Material::key_certificate) {
                    Some(c) => (c, i),
                    None => continue,
                },
            };
            let Some(trust) = km.store(Store::Trust) else {
                continue;
            };
            let Some(k) = trust.keystore() else { continue };
            let mut aliases: Vec<String> = Vec::new();
            for a in [&n.facts.api_key_alias, &n.facts.publisher_key_alias] {
                let a = a.as_ref().map_or(DEFAULT_ALIAS, |a| a.value.trim());
                if crate::model::holds_placeholder(a) {
                    continue;
                }
                if !aliases.iter().any(|x| x.eq_ignore_ascii_case(a)) {
                    aliases.push(a.to_owned());
                }
            }
            for alias in aliases {
                let found = k.entry(&alias).and_then(|e| e.certificate());
                if found.is_some_and(|c| c.sha256 == expected.sha256) {
                    continue;
                }
                out.push(State {
                    node: i,
                    range: super::at(n, trust.used.file_site.as_ref()),
                    trust,
                    alias,
                    found,
                    expected,
                    from,
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let file = &s.trust.used.file_name;
        let alias = &s.alias;
        let want = s.expected.fingerprint_prefix(8);
        let whose = if s.from == s.node {
            "this node's".to_owned()
        } else {
            format!("`{}`'s", dep.id(s.from))
        };
        let message = match s.found {
            None => format!(
                "the truststore `{file}` has no certificate under the alias `{alias}`: the gateway cannot verify tokens signed with the primary key ({whose} certificate, SHA-256 {want}…)"
            ),
            Some(c) => format!(
                "the truststore `{file}` holds another certificate under the alias `{alias}` (SHA-256 {}…, {}) than the primary key's ({whose}, SHA-256 {want}…): tokens signed with the primary key fail validation",
                c.fingerprint_prefix(8),
                c.subject
            ),
        };
        let mut d = Diagnostic::new(&RULE, dep.file(s.node), s.range.clone(), message)
            .help(format!("import the primary key's certificate into the gateway's truststore under `{alias}` (keytool -exportcert from the primary keystore, then -importcert -alias {alias})"))
            .key("truststore.file_name", Some(alias));
        if s.from != s.node
            && let Some(n) = dep.node(s.from)
        {
            let site = n
                .keys
                .as_deref()
                .and_then(|k| k.store(Store::Primary))
                .and_then(|m| m.used.file_site.clone());
            d = d.related(
                dep.file(s.from),
                super::at(n, site.as_ref()),
                format!("`{}` signs with this key (SHA-256 {want}…)", dep.id(s.from)),
            );
        }
        d
    }
}
