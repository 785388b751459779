//! `keystore-not-mounted` (containers): every keystore and truststore file a
//! node's file uses (or WSO2's default) is in its `repository/resources/security/`:
//! mounted there, or shipped in the image where no volume hides the image's
//! own directory.

use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Material, Mounts, Outcome, SHIPPED_KEYSTORES, SHIPPED_TRUSTSTORES};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "keystore-not-mounted",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(KeystoreNotMounted),
}

pub(crate) struct State<'d> {
    node: NodeIdx,
    range: Range<usize>,
    m: &'d Material,
    /// A volume is mounted as the directory (the image's files are hidden).
    hidden: bool,
}

pub(crate) struct KeystoreNotMounted;

impl DeploymentRule for KeystoreNotMounted {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        // manifests that carry no keystore at all (the Secret is made out of
        // band, as `jksSecretName` lets WSO2's charts do): not inspected
        if !super::with_keys(dep).any(|(_, _, km)| km.any_present()) {
            return out;
        }
        for (i, n, km) in super::with_keys(dep) {
            let Mounts::Container { whole_directory } = km.mounts else {
                continue;
            };
            let mut seen: Vec<&str> = Vec::new();
            for m in &km.stores {
                let name = m.used.file_name.as_str();
                if m.outcome != Outcome::Absent || seen.contains(&name) {
                    continue;
                }
                seen.push(name);
                let shipped =
                    SHIPPED_KEYSTORES.contains(&name) || SHIPPED_TRUSTSTORES.contains(&name);
                if shipped && !whole_directory {
                    continue;
                }
                out.push(State {
                    node: i,
                    range: super::at(n, m.used.file_site.as_ref()),
                    m,
                    hidden: whole_directory,
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let file = &s.m.used.file_name;
        let table = super::table(s.m);
        let why = if s.hidden {
            "a volume is mounted over `repository/resources/security/`, hiding the image's own files, and it does not hold this one"
        } else {
            "no volume of the node's workload brings it, and the image ships no file of that name"
        };
        let named = if s.m.used.file_written {
            format!("`{file}` ({table} `file_name`)")
        } else {
            format!("`{file}` (WSO2's default for {table})")
        };
        Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.range.clone(),
            format!("{named} is not in the container's `repository/resources/security/`: {why}"),
        )
        .help("mount the keystore into `repository/resources/security/` (a Secret key with `subPath`, or the Secret as the directory with every store it needs), as WSO2's charts do with `jksSecretName`")
        .key(format!("{}.file_name", s.m.used.store.table()), Some(file))
    }
}
