//! `unresolved-reference`: every `$ref{a.b}` names a key of the file or of
//! WSO2's defaults, and no references form a cycle.

use std::ops::Range;

use foldhash::HashMap;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::catalog;
use crate::model::{KeyFact, KeyKind, Placeholder, PlaceholderKind, Scalar, Seg};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "unresolved-reference",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Node(UnresolvedReference),
}

/// The `$ref{…}` names inside a value text.
fn refs_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("$ref{") {
        let after = rest.get(i + 5..).unwrap_or("");
        let Some(close) = after.find('}') else { break };
        out.push(after.get(..close).unwrap_or("").trim().to_owned());
        rest = after.get(close + 1..).unwrap_or("");
    }
    out
}

/// What a reference can see: the file's top-level values.
struct Context<'a, 'm> {
    values: &'m HashMap<&'a str, &'a KeyFact>,
}

impl Context<'_, '_> {
    /// The text a key resolves from (its strings in the file, else WSO2's default).
    fn text_of(&self, path: &str) -> Option<String> {
        if let Some(kf) = self.values.get(path) {
            let mut strings = Vec::new();
            if let Some(v) = &kf.value {
                Scalar::strings(v, &mut strings);
            }
            return Some(
                strings
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        catalog::default_of(path).map(str::to_owned)
    }

    /// The reference chain from `start` back to itself, if there is one.
    fn cycle(&self, start: &str) -> Option<Vec<String>> {
        let mut stack = vec![start.to_owned()];
        self.walk(start, &mut stack)
    }

    fn walk(&self, at: &str, stack: &mut Vec<String>) -> Option<Vec<String>> {
        if stack.len() > 32 {
            return None;
        }
        for next in refs_in(&self.text_of(at)?) {
            if stack.first().is_some_and(|s| *s == next) {
                let mut chain = stack.clone();
                chain.push(next);
                return Some(chain);
            }
            if stack.contains(&next) {
                continue;
            }
            stack.push(next.clone());
            if let Some(c) = self.walk(&next, stack) {
                return Some(c);
            }
            stack.pop();
        }
        None
    }
}

pub(crate) struct UnresolvedReference;

/// A database whose URL WSO2 infers from keys the file does not set, or a
/// reference that does not resolve.
pub(crate) enum State<'a> {
    /// `[database.<name>]` sets `type` (`kind`, at `span`) but no `url`, and
    /// not the keys the inferred URL refers to.
    InferredUrl {
        ty: &'a KeyFact,
        kind: &'a str,
        name: &'a Seg,
        missing: Vec<&'static str>,
        span: Range<usize>,
    },
    /// `kf`'s reference `p`.
    Ref {
        kf: &'a KeyFact,
        p: Placeholder,
        problem: Problem<'a>,
    },
}

/// Why a reference does not resolve.
pub(crate) enum Problem<'a> {
    /// It names its own key.
    ItSelf,
    /// It is part of a cycle: the chain from its target back.
    Cycle(Vec<String>),
    /// It names a key WSO2 knows, that the file does not set and that has no
    /// default apimlint knows.
    NoDefault,
    /// It names a table.
    Table,
    /// It names nothing; the key of the file it was perhaps meant to name.
    Unknown(Option<&'a str>),
}

impl NodeRule for UnresolvedReference {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
        };
        let mut out = inferred_database_url(keys);
        let refs: Vec<(&KeyFact, &Placeholder)> = cx
            .placeholders(PlaceholderKind::Ref)
            .filter(|(k, _)| k.is_top_level_value())
            .collect();
        if refs.is_empty() {
            return out;
        }
        let ctx = Context {
            values: cx.top_level_values(),
        };
        let tables: Vec<&str> = keys
            .iter()
            .filter(|k| k.kind == KeyKind::Table && !k.in_aot)
            .map(KeyFact::path_str)
            .collect();
        out.extend(refs.into_iter().filter_map(|(kf, p)| {
            let problem = problem(kf, p, &ctx, &tables)?;
            Some(State::Ref {
                kf,
                p: p.clone(),
                problem,
            })
        }));
        out
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let file = cx.file;
        let (kf, p, problem) = match s {
            State::InferredUrl {
                ty,
                kind,
                name,
                missing,
                span,
            } => {
                let list = code_list(missing);
                // a missing hostname certainly fails; a missing port may have a default we do not know
                let sure = missing.contains(&"hostname");
                let mut d = Diagnostic::new(
                    &RULE,
                    file,
                    span.clone(),
                    format!(
                        "`[database.{name}]` sets `type` but no `url` and no {list}: the URL WSO2 infers refers to {}",
                        if missing.len() == 1 { "it" } else { "them" }
                    ),
                )
                .help(format!("set `url = \"jdbc:…\"`, or {list}; WSO2 stops with \"Configuration with key database.{name}.{} doesn't exist\"", missing.first().unwrap_or(&"hostname")))
                .key(ty.path(), Some(kind));
                if !sure {
                    d = d.severity(Severity::Warning);
                    d.message.push_str(
                        " (unless WSO2 has a default for it that apimlint does not know)",
                    );
                }
                return d;
            }
            State::Ref { kf, p, problem } => (kf, p, problem),
        };
        let target = p.name.as_str();
        let key = kf.path();
        match problem {
            Problem::ItSelf => {
                Diagnostic::new(&RULE, file, p.range.clone(), format!("`$ref{{{target}}}` refers to itself"))
                    .help("WSO2 stops with \"References can't be resolved\"; write the value itself or refer to another key")
                    .key(key, Some(target))
            }
            Problem::Cycle(chain) => Diagnostic::new(
                &RULE,
                file,
                p.range.clone(),
                format!("`$ref{{{target}}}` is part of a reference cycle: {}", chain.join(" → ")),
            )
            .help("WSO2 stops with \"References can't be resolved\"; break the cycle by writing one of the values")
            .key(key, Some(target)),
            Problem::NoDefault => Diagnostic::new(
                &RULE,
                file,
                p.range.clone(),
                format!("`$ref{{{target}}}` names a key this file does not set and that has no WSO2 default apimlint knows"),
            )
            .severity(Severity::Warning)
            .help(format!("set `{target}` in this file; apimlint cannot be sure WSO2 infers it for this node's role"))
            .key(key, Some(target)),
            Problem::Table => Diagnostic::new(
                &RULE,
                file,
                p.range.clone(),
                format!("`$ref{{{target}}}` names a table, not a value"),
            )
            .help("WSO2 stops with \"Configuration with key … doesn't exist\"; refer to a key inside the table")
            .key(key, Some(target)),
            Problem::Unknown(suggestion) => {
                let d = Diagnostic::new(
                    &RULE,
                    file,
                    p.name_range.clone(),
                    format!("`$ref{{{target}}}` names no key of this file or of WSO2's defaults"),
                )
                .key(key, Some(target));
                match suggestion {
                    Some(s) => d.help(format!("did you mean `{s}`? WSO2 stops with \"Configuration with key {target} doesn't exist\"")),
                    None => d.help(format!("WSO2 stops with \"Configuration with key {target} doesn't exist\"; set the key or fix the name")),
                }
            }
        }
    }
}

/// What is wrong with `kf`'s reference `p`, if anything.
fn problem<'a>(
    kf: &KeyFact,
    p: &Placeholder,
    ctx: &Context<'a, '_>,
    tables: &[&str],
) -> Option<Problem<'a>> {
    let target = p.name.as_str();
    let key = kf.path();
    if ctx.values.contains_key(target) || catalog::default_of(target).is_some() {
        if target == key {
            return Some(Problem::ItSelf);
        }
        let chain = ctx.cycle(target)?;
        if !chain.contains(&key) {
            return None;
        }
        return Some(Problem::Cycle(chain));
    }
    let segs = catalog::split(target);
    if catalog::find(&segs).is_some_and(|e| e.key) {
        return Some(Problem::NoDefault);
    }
    if tables.contains(&target) {
        return Some(Problem::Table);
    }
    Some(Problem::Unknown(did_you_mean(
        target,
        ctx.values.keys().copied(),
        3,
    )))
}

/// `[database.<name>]` with a `type` and no `url`: WSO2's infer.json writes
/// `url = "jdbc:<type>://$ref{database.<name>.hostname}:$ref{….port}/$ref{….name}"`
/// (`sid` for Oracle), so those keys must be set.
fn inferred_database_url(keys: &[KeyFact]) -> Vec<State<'_>> {
    let mut out = Vec::new();
    for ty in keys.iter().filter(|k| {
        k.is_top_level_value()
            && k.segs.len() == 3
            && k.segs.first().is_some_and(|s| s == "database")
            && k.name == "type"
    }) {
        let Some(kind) = ty.str_value() else { continue };
        let kind = kind.trim();
        if !["mysql", "mariadb", "oracle", "mssql", "db2", "postgre"].contains(&kind) {
            continue; // h2 and unknown types: invalid-value's business, or nothing inferred
        }
        let Some(name) = ty.segs.get(1) else { continue };
        let has = |key: &str| {
            keys.iter().any(|k| {
                k.segs.len() == 3
                    && k.segs.first().is_some_and(|s| s == "database")
                    && k.segs.get(1) == Some(name)
                    && k.name == key
            })
        };
        if has("url") {
            continue;
        }
        let db_name = if kind == "oracle" { "sid" } else { "name" };
        let missing: Vec<&str> = ["hostname", "port", db_name]
            .into_iter()
            .filter(|k| !has(k))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let Some(span) = ty.value_span() else {
            continue;
        };
        out.push(State::InferredUrl {
            ty,
            kind,
            name,
            missing,
            span,
        });
    }
    out
}
