//! `keystore-alias-missing`: the `alias` of `[keystore.primary|internal|tls]`
//! (default `wso2carbon`) names a private-key entry of that keystore; a
//! trusted-certificate entry of that name is not enough.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, NodeIdx};
use crate::keystore::EntryKind;
use crate::model::Material;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "keystore-alias-missing",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(KeystoreAliasMissing),
}

pub(crate) struct State<'d> {
    node: NodeIdx,
    range: Range<usize>,
    m: &'d Material,
    alias: &'d str,
    /// The kind of the entry of that alias, when there is one.
    found: Option<EntryKind>,
    /// The aliases of the store's private-key entries.
    keys: Vec<&'d str>,
}

pub(crate) struct KeystoreAliasMissing;

impl DeploymentRule for KeystoreAliasMissing {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (i, n, km) in super::with_keys(dep) {
            for m in super::distinct(km, |m| m.used.store.has_key()) {
                let (Some(k), Some(alias)) = (m.keystore(), m.used.alias.as_deref()) else {
                    continue;
                };
                let found = k.entry(alias).map(|e| e.kind);
                if found == Some(EntryKind::PrivateKey) {
                    continue;
                }
                out.push(State {
                    node: i,
                    range: super::at(n, m.alias_site().as_ref()),
                    m,
                    alias,
                    found,
                    keys: k
                        .entries
                        .iter()
                        .filter(|e| e.kind == EntryKind::PrivateKey)
                        .map(|e| e.alias.as_str())
                        .collect(),
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let file = &s.m.used.file_name;
        let table = super::table(s.m);
        let default = if s.m.used.alias_site.is_none() {
            " (WSO2's default)"
        } else {
            ""
        };
        let alias = s.alias;
        let what = match s.found {
            Some(EntryKind::TrustedCertificate) => {
                "holds it as a trusted certificate, not a private key entry".to_owned()
            }
            Some(_) => "holds it as a secret key, not a private key entry".to_owned(),
            None => "has no entry of that name".to_owned(),
        };
        let keys = if s.keys.is_empty() {
            "it holds no private key at all".to_owned()
        } else {
            format!(
                "its private keys: {}",
                code_list_first3(s.keys.iter().copied())
            )
        };
        Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.range.clone(),
            format!("`{table} alias` is `{alias}`{default}, but `{file}` {what} ({keys})"),
        )
        .help("WSO2 signs and decrypts with the private key of this alias and fails at startup without it: name the key entry's alias, or import the key pair under it")
        .key(format!("{}.alias", s.m.used.store.table()), Some(alias))
    }
}
