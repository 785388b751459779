//! `keystore-unreadable`: a keystore the node's file names is present but
//! cannot be read, or fails its integrity check with the literal password
//! (WSO2 stops at startup: "Keystore was tampered with, or password was
//! incorrect"). A PKCS#12 whose password the file does not give is "not
//! inspected": one info, never a guess.

use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, NodeIdx};
use crate::keystore::{Integrity, Read};
use crate::model::{Material, Outcome, Password};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "keystore-unreadable",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(KeystoreUnreadable),
}

pub(crate) enum Why {
    /// Not JKS/JCEKS/PKCS#12, truncated, malformed (the reader's words).
    Unreadable(String),
    /// The literal password does not open it.
    Integrity,
    /// A PKCS#12 with encrypted certificates and no password to hand.
    NotInspected,
}

pub(crate) struct State<'d> {
    node: NodeIdx,
    range: Range<usize>,
    m: &'d Material,
    why: Why,
}

pub(crate) struct KeystoreUnreadable;

impl DeploymentRule for KeystoreUnreadable {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        for (i, n, km) in super::with_keys(dep) {
            for m in super::distinct(km, |_| true) {
                let why = match &m.outcome {
                    Outcome::Absent | Outcome::NotInTree => continue,
                    Outcome::Unreadable(e) => Why::Unreadable(e.to_string()),
                    Outcome::Read(Read::NotInspected { .. }) => Why::NotInspected,
                    Outcome::Read(Read::Inspected(k)) => {
                        if k.integrity == Integrity::Failed
                            && matches!(m.used.password, Password::Literal(_))
                        {
                            Why::Integrity
                        } else {
                            continue;
                        }
                    }
                };
                // one finding per file
                if out
                    .iter()
                    .any(|s: &State<'_>| s.node == i && s.m.used.file_name == m.used.file_name)
                {
                    continue;
                }
                out.push(State {
                    node: i,
                    range: super::at(n, m.used.file_site.as_ref()),
                    m,
                    why,
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let file = &s.m.used.file_name;
        let table = super::table(s.m);
        let (message, help, severity) = match &s.why {
            Why::Unreadable(e) => (
                format!("`{file}` ({table}) cannot be read as a keystore: {e}"),
                "WSO2 cannot start with it: replace the file with the keystore itself (JKS or PKCS#12), not a PEM file or a truncated copy",
                Severity::Error,
            ),
            Why::Integrity => (
                format!(
                    "`{file}` ({table}) does not open with the password the file gives: WSO2 stops at startup with \"Keystore was tampered with, or password was incorrect\""
                ),
                "set the store's `password` to the one the keystore was made with, or replace the file",
                Severity::Error,
            ),
            Why::NotInspected => (
                format!(
                    "`{file}` ({table}) is a PKCS#12 whose certificates are encrypted, and its password is not written in the file: its key material is not inspected"
                ),
                "apimlint reads a PKCS#12 with a literal password, or one an `$env{}` names in the pod's environment; nothing is guessed",
                Severity::Info,
            ),
        };
        Diagnostic::new(&RULE, dep.file(s.node), s.range.clone(), message)
            .severity(severity)
            .help(help)
            .key(format!("{}.file_name", s.m.used.store.table()), Some(file))
    }
}
