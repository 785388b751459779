//! `unknown-key`: every key and table is one WSO2 API-M reads
//! (`rules/key-catalog.json`, compiled into the binary).

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::text::edit_distance;
use crate::catalog;
use crate::model::{KeyFact, KeyKind, Role, Seg, display_path};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "unknown-key",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(UnknownKey),
}

/// Keys WSO2's own shipped files carry although no template reads them:
/// never reported, as the rule accepts what WSO2's own files use
/// (`rules/unknown-key.md`).
const SHIPPED: [&str; 1] = ["apim.oauth_config.remove_outbound_auth_header"];

/// Known renames: a segment users write for one WSO2 reads.
const RENAMES: [(&str, &str); 8] = [
    ("propertie", "properties"),
    ("property", "properties"),
    ("server_url", "service_url"),
    ("serviceUrl", "service_url"),
    ("username", "wf_engine_user"),
    ("password", "wf_engine_pass"),
    ("event_listner", "event_listener"),
    ("keystores", "keystore"),
];

/// A suggestion and how sure it is.
pub(crate) struct Suggestion {
    segment: String,
    /// A case fix, a snake_case fix or a known rename: the edit is unambiguous.
    sure: bool,
}

fn bare(seg: &str) -> &str {
    seg.trim_end_matches("[]")
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn suggest(parent: &[crate::model::Seg], last: &str) -> Option<Suggestion> {
    let kids = catalog::children(parent);
    let names: Vec<&str> = kids.iter().map(|k| bare(k)).collect();
    let word = bare(last);
    let has = |n: &str| names.contains(&n);
    // known renames, only where the target is read here
    // (`username` → `wf_engine_user` only below `[apim.workflow]`)
    for (from, to) in RENAMES {
        if word == from && has(to) {
            let generic = !matches!(from, "username" | "password");
            let workflow = parent.last().is_some_and(|p| p == "workflow");
            if generic || workflow {
                return Some(Suggestion {
                    segment: to.to_owned(),
                    sure: true,
                });
            }
        }
    }
    if let Some(n) = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(word) || **n == snake(word))
    {
        return Some(Suggestion {
            segment: (*n).to_owned(),
            sure: true,
        });
    }
    let mut best: Vec<(usize, &str)> = names
        .iter()
        // two edits turn most short names into another one: one edit for them
        .filter_map(|n| {
            edit_distance(word, n, if word.len() <= 4 { 1 } else { 2 }).map(|d| (d, *n))
        })
        .collect();
    best.sort_unstable();
    // a guess by edit distance: offered, never applied without asking
    let (_, n) = *best.first()?;
    Some(Suggestion {
        segment: n.to_owned(),
        sure: false,
    })
}

/// Quote a segment for writing it back as a TOML key.
fn toml_key(seg: &str) -> String {
    let b = bare(seg);
    if b.starts_with('\'') {
        return b.to_owned();
    }
    if b.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        b.to_owned()
    } else {
        crate::base::edit::toml_string(b)
    }
}

/// What renaming a key must not collide with, for every key of a file:
/// built once per run, so that judging every unknown key is linear in the
/// file (a scan of the keys for each was quadratic: 50,000 misnamed keys
/// took seconds), and a budget of re-parses.
pub(crate) struct Siblings<'a> {
    keys: &'a [KeyFact],
    text: &'a str,
    /// (parent path, bare last segment) → the keys so named, in order.
    by_name: std::cell::OnceCell<ByName<'a>>,
    /// Renamed files parsed so far (see [`Siblings::clashes`]).
    parses: std::cell::Cell<usize>,
}

type ByName<'a> = (
    std::collections::HashMap<(&'a [Seg], &'a str), Vec<usize>>,
    Vec<Option<usize>>,
);

/// At most this many renamed files are parsed per file; past it a rename
/// onto a name that is taken counts as a clash (no fix is offered, the help
/// says to merge).
const MAX_PARSES: usize = 32;

impl<'a> Siblings<'a> {
    pub(crate) fn new(keys: &'a [KeyFact], text: &'a str) -> Self {
        Siblings {
            keys,
            text,
            by_name: std::cell::OnceCell::new(),
            parses: std::cell::Cell::new(0),
        }
    }

    /// The index, and for each key the array-of-tables header starting the
    /// innermost entry that holds it (the walk lists an entry's keys right
    /// after the entry).
    fn index(&self) -> &ByName<'a> {
        self.by_name.get_or_init(|| {
            let mut by_name: std::collections::HashMap<(&[Seg], &str), Vec<usize>> =
                std::collections::HashMap::new();
            let mut entry_of = Vec::with_capacity(self.keys.len());
            let mut last_header: std::collections::HashMap<&[Seg], usize> =
                std::collections::HashMap::new();
            for (i, k) in self.keys.iter().enumerate() {
                let start = k.segs.split_last().and_then(|(last, parent)| {
                    by_name.entry((parent, bare(last))).or_default().push(i);
                    let entry = parent
                        .iter()
                        .rposition(|s| s.ends_with("[]"))
                        .and_then(|p| parent.get(..=p))?;
                    last_header.get(entry).copied()
                });
                entry_of.push(start);
                if k.kind == KeyKind::ArrayOfTables {
                    last_header.insert(&k.segs, i);
                }
            }
            (by_name, entry_of)
        })
    }

    /// Whether renaming the last segment of `keys[at]` to `seg` would name a
    /// key its table already has (the rename would not parse). Inside an
    /// array of tables only the keys of the same entry count. An
    /// array-of-tables header may join an array of that name; any other kind
    /// there is a clash. Unsure means taken.
    fn taken(&self, at: usize, seg: &str) -> bool {
        let Some(kf) = self.keys.get(at) else {
            return true;
        };
        let Some((_, parent)) = kf.segs.split_last() else {
            return true;
        };
        let (by_name, entry_of) = self.index();
        let in_aot = parent.iter().any(|s| s.ends_with("[]"));
        let entry = entry_of.get(at).copied().flatten();
        if in_aot && entry.is_none() {
            return true;
        }
        by_name
            .get(&(parent, seg))
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|k| !in_aot || entry_of.get(**k).copied().flatten() == entry)
            .filter_map(|k| self.keys.get(*k))
            .any(|k| !(kf.kind == KeyKind::ArrayOfTables && k.kind == KeyKind::ArrayOfTables))
    }

    /// Whether the rename of `keys[at]` to `seg` would clash with what the
    /// table already has: the name is [`Siblings::taken`] and the renamed
    /// file no longer parses. Only a table with a header can merge with one
    /// that exists only through deeper headers (or an array of tables join
    /// its array), so only such a rename is parsed, at most [`MAX_PARSES`]
    /// times per file; a key renamed onto a key there always clashes.
    fn clashes(&self, at: usize, seg: &str, rename: &Edit) -> bool {
        if !self.taken(at, seg) {
            return false;
        }
        let mergeable = self
            .keys
            .get(at)
            .is_some_and(|k| k.kind != KeyKind::Value && !k.inline);
        if !mergeable || self.parses.get() >= MAX_PARSES {
            return true;
        }
        self.parses.set(self.parses.get() + 1);
        crate::base::edit::apply(self.text, std::slice::from_ref(rename))
            .is_none_or(|(t, _)| crate::syntax::parse(&t).doc.is_none())
    }
}

/// The help of a rename that would clash with a key already there.
fn clash_help(target: &str) -> String {
    format!("did you mean `{target}`? it already exists here: merge the two or remove this one")
}

pub(crate) struct UnknownKey;

/// What is wrong with a key.
pub(crate) enum State<'a> {
    /// `[database.<name>]` a near miss of a database WSO2 uses.
    DatabaseName {
        kf: &'a KeyFact,
        /// The name as written, and the one WSO2 uses it is near.
        written: &'a str,
        name: &'static str,
        /// Renaming would clash with a database already there.
        clash: bool,
    },
    /// `[x]` where WSO2 reads only an array of tables `[[x]]`.
    PlainForArray { kf: &'a KeyFact },
    /// `[[x]]` where WSO2 reads a plain table `[x]`.
    ArrayForPlain { kf: &'a KeyFact },
    /// A key nothing reads, with no likely name: a note at most.
    Unknown { kf: &'a KeyFact },
    /// A key nothing reads, and the name it was probably meant to have.
    Misnamed {
        kf: &'a KeyFact,
        suggestion: Suggestion,
        /// Renaming would clash with a key already there.
        clash: bool,
    },
}

impl NodeRule for UnknownKey {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let node = cx.node;
        let is_node = node.role == Role::IsKeyManager;
        let mut out = Vec::new();
        let Some(keys) = node.facts.keys.as_deref() else {
            return out;
        };
        let siblings = Siblings::new(keys, &node.text);
        // the keys reported: nothing under one is reported again (a set of
        // their paths, each key's prefixes looked up: linear in the keys)
        let mut reported = Reported::default();
        for (at, kf) in keys.iter().enumerate() {
            if reported.covers(&kf.segs) {
                continue;
            }
            if let Some(s) = database_name(cx, &siblings, at) {
                out.push(s);
                reported.add(&kf.segs);
                continue;
            }
            if plain_table_for_array(kf) {
                out.push(State::PlainForArray { kf });
                reported.add(&kf.segs);
                continue;
            }
            // `entry()` is `catalog::find`, looked up once: most keys stop here
            if kf.entry().is_some()
                || catalog::is_known(&kf.segs)
                || SHIPPED.contains(&kf.path_str())
                || cx
                    .config
                    .apim_version()
                    .is_some_and(|v| catalog::versions::shipped(kf.path_str(), v))
            {
                continue;
            }
            if let Some(s) = unknown(cx, &siblings, at, is_node) {
                out.push(s);
            }
            reported.add(&kf.segs);
        }
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let new = |kf: &KeyFact, msg: String| {
            Diagnostic::new(&RULE, cx.file, kf.key_span.clone(), msg).key(kf.path(), None)
        };
        match s {
            State::DatabaseName {
                kf,
                written,
                name,
                clash,
            } => {
                let d = new(
                    kf,
                    format!("`[database.{written}]` is not a database WSO2 uses: nothing reads it"),
                );
                if *clash {
                    d.help(clash_help(&format!("[database.{name}]")))
                } else {
                    d.help(format!("did you mean `[database.{name}]`?"))
                }
            }
            State::PlainForArray { kf } => {
                let shown = display_path(&kf.segs);
                new(
                    kf,
                    format!("`[{shown}]` is an array of tables in WSO2: no key of a plain `[{shown}]` table is read"),
                )
                .help(format!("write the header as `[[{shown}]]`"))
            }
            State::ArrayForPlain { kf } => {
                let shown = display_path(&kf.segs);
                new(
                    kf,
                    format!("`[[{shown}]]` is a plain table in WSO2, not an array of tables"),
                )
                .help(format!("write the header as `[{shown}]`"))
            }
            State::Unknown { kf } => {
                let help = catalog::note(&kf.path()).map_or_else(
                    || "check the key against WSO2's documentation; a key WSO2 does not read is silently ignored".to_owned(),
                    |n| n.to_owned(),
                );
                new(
                    kf,
                    format!("unknown {}: WSO2 API-M does not read it", what(kf)),
                )
                .severity(Severity::Info)
                .help(help)
            }
            State::Misnamed {
                kf,
                suggestion,
                clash,
            } => {
                let consequence = match kf.kind {
                    KeyKind::Table | KeyKind::ArrayOfTables => {
                        "WSO2 silently ignores it and every key in it"
                    }
                    KeyKind::Value => "WSO2 silently ignores it",
                };
                let d = new(kf, format!("unknown {}: {consequence}", what(kf)));
                let new_shown = renamed(kf, suggestion);
                if *clash {
                    // the rename would write a second key of that name: the user merges
                    return d.help(clash_help(&new_shown));
                }
                match catalog::note(&kf.path()).filter(|_| !suggestion.sure) {
                    Some(n) => d.help(format!("did you mean `{new_shown}`? ({n})")),
                    None => d.help(format!("did you mean `{new_shown}`?")),
                }
            }
        }
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        let (kf, segment, applicability) = match s {
            State::DatabaseName {
                kf,
                name,
                clash: false,
                ..
            } => (kf, *name, Applicability::Unsafe),
            State::Misnamed {
                kf,
                suggestion,
                clash: false,
            } => (
                kf,
                suggestion.segment.as_str(),
                if suggestion.sure {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                },
            ),
            _ => return None,
        };
        Some(Fix {
            title: format!("Rename to `{}`", bare(segment)),
            applicability,
            edits: vec![rename(cx, kf, segment)],
        })
    }
}

/// The paths of the keys reported, as the hashes of every path: a key is
/// covered when one of its prefixes was reported (each prefix's hash is
/// built on the one before, so a key costs its length).
#[derive(Default)]
struct Reported {
    hashes: std::collections::HashSet<u64>,
    state: std::collections::hash_map::RandomState,
}

impl Reported {
    fn prefixes<'s>(&'s self, segs: &'s [Seg]) -> impl Iterator<Item = u64> + 's {
        use std::hash::{BuildHasher, Hash, Hasher};
        segs.iter().scan(0u64, move |h, s| {
            let mut hasher = self.state.build_hasher();
            h.hash(&mut hasher);
            s.as_str().hash(&mut hasher);
            *h = hasher.finish();
            Some(*h)
        })
    }

    fn covers(&self, segs: &[Seg]) -> bool {
        !self.hashes.is_empty() && self.prefixes(segs).any(|h| self.hashes.contains(&h))
    }

    fn add(&mut self, segs: &[Seg]) {
        if let Some(h) = self.prefixes(segs).last() {
            self.hashes.insert(h);
        }
    }
}

/// "key `a.b`", "table `[a.b]`", "table `[[a.b]]`".
fn what(kf: &KeyFact) -> String {
    let shown = display_path(&kf.segs);
    match kf.kind {
        KeyKind::Table if !kf.inline => format!("table `[{shown}]`"),
        KeyKind::ArrayOfTables => format!("table `[[{shown}]]`"),
        _ => format!("key `{shown}`"),
    }
}

/// The key's path with its last segment renamed to the suggestion.
fn renamed(kf: &KeyFact, s: &Suggestion) -> String {
    let mut fixed = kf.segs.clone();
    fixed.pop();
    fixed.push(crate::model::Seg::from(s.segment.as_str()));
    display_path(&fixed)
}

/// The edit that renames the key's last segment to `segment`.
fn rename(cx: &NodeCx<'_>, kf: &KeyFact, segment: &str) -> Edit {
    Edit {
        file: cx.file,
        range: kf.key_span.clone(),
        new_text: toml_key(segment),
    }
}

/// `[x]` where WSO2 reads only an array of tables `[[x]]`: none of its keys is read.
fn plain_table_for_array(kf: &KeyFact) -> bool {
    if kf.kind != KeyKind::Table || kf.inline {
        return false;
    }
    kf.entry()
        .is_some_and(|entry| entry.aot && catalog::children(&kf.segs).is_empty())
}

/// `[database.<name>]`: any name is accepted (infer.json applies to all), but
/// only the names WSO2 renders into a datasource are used; a near miss of one
/// of them is a typo.
fn database_name<'a>(cx: &NodeCx<'a>, siblings: &Siblings<'a>, at: usize) -> Option<State<'a>> {
    let kf = siblings.keys.get(at)?;
    let [db, name] = kf.segs.as_slice() else {
        return None;
    };
    if db != "database" || kf.kind != KeyKind::Table {
        return None;
    }
    let names: Vec<&'static str> = catalog::children(&["database"])
        .into_iter()
        .filter(|n| !n.starts_with('*'))
        .collect();
    if names.contains(&name.as_str()) {
        return None;
    }
    let mut best: Vec<(usize, &'static str)> = names
        .iter()
        .filter_map(|n| {
            let d = if n.eq_ignore_ascii_case(name) {
                Some(0)
            } else {
                edit_distance(name, n, 2)
            };
            d.map(|d| (d, *n))
        })
        .collect();
    best.sort_unstable();
    let (_, n) = *best.first()?;
    Some(State::DatabaseName {
        kf,
        written: name,
        name: n,
        clash: siblings.clashes(at, n, &rename(cx, kf, n)),
    })
}

/// A key no catalog entry names: `[[x]]` for a plain `[x]`, a likely
/// misspelling, or just unknown (`None` where an Identity Server node may
/// read it).
fn unknown<'a>(
    cx: &NodeCx<'a>,
    siblings: &Siblings<'a>,
    at: usize,
    is_node: bool,
) -> Option<State<'a>> {
    let kf = siblings.keys.get(at)?;
    let (last, parent) = kf.segs.split_last()?;
    if kf.kind == KeyKind::ArrayOfTables {
        let mut plain = parent.to_vec();
        plain.push(crate::model::Seg::from(bare(last)));
        if catalog::is_known(&plain) {
            return Some(State::ArrayForPlain { kf });
        }
    }
    let Some(suggestion) = suggest(parent, last) else {
        // Identity Server keys are not in the catalog: report only what is known
        return (!is_node).then_some(State::Unknown { kf });
    };
    if is_node && !suggestion.sure {
        return None;
    }
    let clash = siblings.clashes(
        at,
        &suggestion.segment,
        &rename(cx, kf, &suggestion.segment),
    );
    Some(State::Misnamed {
        kf,
        suggestion,
        clash,
    })
}
