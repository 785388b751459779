//! `encryption-key-mismatch`: from API-M 4.7.0 internal data is encrypted
//! with the symmetric `[encryption] key`; every node sharing the databases
//! needs the same one. The key is a secret: never quoted.

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::catalog::versions::ApimVersion;
use crate::graph::{Deployment, NodeIdx};
use crate::model::Role;
use crate::rules::DeploymentRule;

declare_rule! {
    id: "encryption-key-mismatch",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(EncryptionKeyMismatch),
}

/// The first version whose internal encryption is symmetric.
const SYMMETRIC_FROM: &str = "4.7.0";

pub(crate) struct EncryptionKeyMismatch;

/// How a node's key is written, comparable without showing it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// A literal (compared, never shown).
    Literal(String),
    /// `$secret{alias}`.
    Secret(String),
    /// No `[encryption]` table at all: WSO2's built-in key.
    Default,
}

impl Key {
    fn shown(&self) -> String {
        match self {
            Key::Literal(_) => "a literal key".to_owned(),
            Key::Secret(a) => format!("`$secret{{{a}}}`"),
            Key::Default => "no `[encryption] key` (WSO2's built-in key)".to_owned(),
        }
    }
}

pub(crate) struct State {
    i: NodeIdx,
    key: Key,
    reference: Key,
    ref_node: NodeIdx,
    agree: Vec<NodeIdx>,
}

fn key_of(dep: &Deployment, i: NodeIdx) -> Option<Key> {
    let n = dep.node(i)?;
    // not written: the key comes from the secure vault alias
    // `[encryption] alias` (`symmetric.key.value`), which cannot be compared
    match &n.facts.encryption_key {
        // no `[encryption]` table at all, on a node that reads the shared
        // databases: the distribution's own key
        None if n.role != Role::TrafficManager && !n.facts.encryption_table => Some(Key::Default),
        None => None,
        Some(k) => {
            let v = k.value.trim();
            if let Some(alias) = v.strip_prefix("$secret{").and_then(|r| r.strip_suffix('}')) {
                Some(Key::Secret(alias.to_owned()))
            } else if v.contains("${")
                || v.contains("$env{")
                || v.contains("$sys{")
                || v.contains("$ref{")
            {
                // resolved at start-up: cannot be compared
                None
            } else {
                Some(Key::Literal(v.to_owned()))
            }
        }
    }
}

impl DeploymentRule for EncryptionKeyMismatch {
    type State<'d> = State;

    fn run(dep: &Deployment) -> Vec<State> {
        let symmetric = ApimVersion::parse(SYMMETRIC_FROM);
        if dep
            .config()
            .apim_version()
            .is_none_or(|v| Some(v) < symmetric)
        {
            return Vec::new();
        }
        let mut keys: Vec<(NodeIdx, Key)> = dep
            .nodes()
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_analysable() && n.role != Role::IsKeyManager)
            .filter_map(|(i, _)| key_of(dep, i).map(|k| (i, k)))
            .collect();
        // the reference is the key most nodes write; a node without any
        // `[encryption]` is judged against it only where the nodes that
        // write one are the most (never the other way round)
        let written = keys.iter().filter(|(_, k)| *k != Key::Default).count();
        if written * 2 <= keys.len() {
            keys.retain(|(_, k)| *k != Key::Default);
        }
        let Some((reference, ref_node, ())) = crate::rules::majority(
            keys.iter()
                .filter(|(_, k)| *k != Key::Default)
                .map(|(i, k)| (*i, k.clone(), ())),
        ) else {
            return Vec::new();
        };
        let agree: Vec<NodeIdx> = keys
            .iter()
            .filter(|(_, k)| *k == reference)
            .map(|(i, _)| *i)
            .collect();
        keys.into_iter()
            .filter(|(_, k)| *k != reference)
            .map(|(i, key)| State {
                i,
                key,
                reference: reference.clone(),
                ref_node,
                agree: agree.clone(),
            })
            .collect()
    }

    fn diagnostic(dep: &Deployment, s: &State) -> Diagnostic {
        let Some(node) = dep.node(s.i) else {
            return Diagnostic::new(&RULE, dep.file(s.i), 0..0, String::new());
        };
        let range = node
            .facts
            .encryption_key
            .as_ref()
            .map_or_else(|| node.anchor(), |k| k.span.clone());
        let agree: Vec<&str> = s.agree.iter().map(|a| dep.id(*a)).collect();
        let version = dep.config().apim_version().map_or("", ApimVersion::name);
        let message = format!(
            "this node has {}, but {} {} {}: API-M {version} encrypts shared data with the symmetric `[encryption] key`, so data one node writes the other cannot read",
            s.key.shown(),
            code_list_first3(&agree),
            if agree.len() == 1 { "has" } else { "have" },
            s.reference.shown(),
        );
        let mut d = Diagnostic::new(&RULE, dep.file(s.i), range, message)
            .help("give every node the same `[encryption] key` (the same `$secret{}` alias, with the same secret)")
            .key("encryption.key", None);
        if let Some(r) = dep.node(s.ref_node) {
            let at = r
                .facts
                .encryption_key
                .as_ref()
                .map_or_else(|| r.anchor(), |k| k.span.clone());
            d = d.related(
                dep.file(s.ref_node),
                at,
                format!("{}'s key", dep.id(s.ref_node)),
            );
        }
        d
    }
}
