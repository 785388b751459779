//! `key-not-in-version`: a key another API-M version reads, but not the one
//! the deployment runs (`rules/key-versions.json`).

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::catalog::versions::{self, ApimVersion};
use crate::model::{KeyFact, KeyKind};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "key-not-in-version",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.2.0",
    check: Node(KeyNotInVersion),
}

pub(crate) struct KeyNotInVersion;

/// Why the version does not read the key.
pub(crate) enum Why {
    /// Read from this version on.
    Added(ApimVersion),
    /// Last read by the version before this one.
    Removed(ApimVersion),
    /// WSO2 renamed it in this version: (old prefix, new prefix).
    Renamed(&'static str, &'static str, ApimVersion),
}

pub(crate) struct State<'a> {
    kf: &'a KeyFact,
    version: ApimVersion,
    why: Why,
    /// The file has no key at the new name yet (a rename would not clash).
    free: bool,
}

impl NodeRule for KeyNotInVersion {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(version) = cx.config.apim_version() else {
            return Vec::new();
        };
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
        };
        let mut out: Vec<State<'a>> = Vec::new();
        let mut reported: Vec<&str> = Vec::new();
        for kf in keys {
            if kf.implicit {
                continue;
            }
            let path = kf.path_str();
            let below = |p: &&str| {
                path.strip_prefix(*p)
                    .is_some_and(|r| r.starts_with('.') || r.starts_with("[]"))
            };
            if reported.iter().any(below) {
                continue;
            }
            let Some(why) = why(kf, version) else {
                continue;
            };
            let free = match why {
                Why::Renamed(from, to, _) => {
                    let target = format!("{to}{}", path.get(from.len()..).unwrap_or(""));
                    !keys.iter().any(|k| k.path_str() == target)
                }
                _ => false,
            };
            reported.push(path);
            out.push(State {
                kf,
                version,
                why,
                free,
            });
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let shown = s.kf.path();
        let v = s.version;
        let (message, help) = match s.why {
            Why::Renamed(from, to, at) => (
                format!(
                    "`{shown}` was renamed to `{}` in {at}: API-M {v} ignores it",
                    renamed(&shown, from, to)
                ),
                format!("WSO2 renamed `{from}` to `{to}`: write the new name"),
            ),
            Why::Added(at) => (
                format!("`{shown}` was added in {at}: API-M {v} does not read it"),
                older_name(&shown).map_or_else(
                    || {
                        format!(
                            "remove it, or check `[deployment] version` (the deployment runs {v})"
                        )
                    },
                    |old| format!("API-M {v} reads `{old}`"),
                ),
            ),
            Why::Removed(at) => (
                format!("`{shown}` was removed in {at}: API-M {v} ignores it"),
                "remove it: it has no effect in this version".to_owned(),
            ),
        };
        Diagnostic::new(&RULE, cx.file, s.kf.key_span.clone(), message)
            .help(help)
            .key(shown, None)
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        let Why::Renamed(from, to, _) = s.why else {
            return None;
        };
        if !s.free {
            return None;
        }
        let path = s.kf.path();
        let new_path = renamed(&path, from, to);
        let edit = match (s.kf.kind, &s.kf.header) {
            // `[integration.transaction_counter]` → `[apim.transaction_counter]`
            (KeyKind::Table, Some(h)) if path == from => Edit {
                file: cx.file,
                range: h.clone(),
                new_text: format!("[{new_path}]"),
            },
            // a key of the same table renamed: its last segment
            _ if parent(from) == parent(to) && path == from => Edit {
                file: cx.file,
                range: s.kf.key_span.clone(),
                new_text: last(to).to_owned(),
            },
            _ => return None,
        };
        Some(Fix {
            title: format!("Rename to `{new_path}`"),
            applicability: Applicability::Safe,
            edits: vec![edit],
        })
    }
}

/// Why `version` does not read this key, if it does not.
fn why(kf: &KeyFact, version: ApimVersion) -> Option<Why> {
    let path = kf.path_str();
    if let Some((from, to, at)) = versions::rename_of(path)
        && version >= at
    {
        return Some(Why::Renamed(from, to, at));
    }
    let entry = kf.entry()?;
    // most keys are read by every version: the span answers first, and
    // WSO2's shipped files are asked only of a key outside its span
    let (first, last) = versions::span(entry.path)?;
    if (first..=last).contains(&version) || versions::shipped(entry.path, version) {
        return None;
    }
    if version < first {
        Some(Why::Added(first))
    } else {
        ApimVersion::all().find(|v| *v > last).map(Why::Removed)
    }
}

/// `path` with its prefix `from` replaced by `to`.
fn renamed(path: &str, from: &str, to: &str) -> String {
    path.strip_prefix(from)
        .map_or_else(|| to.to_owned(), |rest| format!("{to}{rest}"))
}

/// The name an older version reads for a key WSO2 renamed.
fn older_name(path: &str) -> Option<String> {
    versions::renames().find_map(|(from, to, _)| {
        (path == to || path.strip_prefix(to).is_some_and(|r| r.starts_with('.')))
            .then(|| renamed(path, to, from))
    })
}

fn parent(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

fn last(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(_, l)| l)
}
