//! `unresolved-reference`: every `$ref{a.b}` names a key of the file or of
//! WSO2's defaults, and no references form a cycle.

use foldhash::HashMap;

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::files::FileId;
use crate::base::text::code_list;
use crate::base::text::did_you_mean;
use crate::catalog;
use crate::config::Config;
use crate::graph::Node;
use crate::model::{KeyFact, KeyKind, PlaceholderKind, Scalar};

declare_rule! {
    id: "unresolved-reference",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Node(check),
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
struct Context<'a> {
    values: HashMap<&'a str, &'a KeyFact>,
}

impl Context<'_> {
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

fn check(_config: &Config, i: FileId, node: &Node, acc: &mut Vec<Diagnostic>) {
    let Some(keys) = node.facts.keys.as_deref() else {
        return;
    };
    inferred_database_url(i, keys, acc);
    let refs: Vec<(&KeyFact, crate::model::Placeholder)> = keys
        .iter()
        .filter(|k| k.is_top_level_value())
        .flat_map(|k| {
            k.placeholders(&node.text, PlaceholderKind::Ref)
                .into_iter()
                .map(move |p| (k, p))
        })
        .collect();
    if refs.is_empty() {
        return;
    }
    let ctx = Context {
        values: crate::model::top_level_values(keys),
    };
    let tables: Vec<&str> = keys
        .iter()
        .filter(|k| k.kind == KeyKind::Table && !k.in_aot)
        .map(KeyFact::path_str)
        .collect();
    for (kf, p) in refs {
        if let Some(d) = check_ref(i, kf, &p, &ctx, &tables) {
            acc.push(d);
        }
    }
}

fn check_ref(
    file: FileId,
    kf: &KeyFact,
    p: &crate::model::Placeholder,
    ctx: &Context<'_>,
    tables: &[&str],
) -> Option<Diagnostic> {
    let target = p.name.as_str();
    let key = kf.path();
    if ctx.values.contains_key(target) || catalog::default_of(target).is_some() {
        if target == key {
            return Some(
                Diagnostic::new(&RULE, file, p.range.clone(), format!("`$ref{{{target}}}` refers to itself"))
                    .help("WSO2 stops with \"References can't be resolved\"; write the value itself or refer to another key")
                    .key(key.clone(), Some(target)),
            );
        }
        let chain = ctx.cycle(target)?;
        if !chain.contains(&key) {
            return None;
        }
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                p.range.clone(),
                format!("`$ref{{{target}}}` is part of a reference cycle: {}", chain.join(" → ")),
            )
            .help("WSO2 stops with \"References can't be resolved\"; break the cycle by writing one of the values")
            .key(key, Some(target)),
        );
    }
    let segs = catalog::split(target);
    if catalog::find(&segs).is_some_and(|e| e.key) {
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                p.range.clone(),
                format!("`$ref{{{target}}}` names a key this file does not set and that has no WSO2 default apimlint knows"),
            )
            .severity(Severity::Warning)
            .help(format!("set `{target}` in this file; apimlint cannot be sure WSO2 infers it for this node's role"))
            .key(key, Some(target)),
        );
    }
    if tables.contains(&target) {
        return Some(
            Diagnostic::new(
                &RULE,
                file,
                p.range.clone(),
                format!("`$ref{{{target}}}` names a table, not a value"),
            )
            .help("WSO2 stops with \"Configuration with key … doesn't exist\"; refer to a key inside the table")
            .key(key, Some(target)),
        );
    }
    let suggestion = did_you_mean(target, ctx.values.keys().copied(), 3);
    let mut d = Diagnostic::new(
        &RULE,
        file,
        p.name_range.clone(),
        format!("`$ref{{{target}}}` names no key of this file or of WSO2's defaults"),
    )
    .key(key, Some(target));
    d = match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`? WSO2 stops with \"Configuration with key {target} doesn't exist\"")),
        None => d.help(format!("WSO2 stops with \"Configuration with key {target} doesn't exist\"; set the key or fix the name")),
    };
    Some(d)
}

/// `[database.<name>]` with a `type` and no `url`: WSO2's infer.json writes
/// `url = "jdbc:<type>://$ref{database.<name>.hostname}:$ref{….port}/$ref{….name}"`
/// (`sid` for Oracle), so those keys must be set.
fn inferred_database_url(file: FileId, keys: &[KeyFact], acc: &mut Vec<Diagnostic>) {
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
        let list = code_list(&missing);
        // a missing hostname certainly fails; a missing port may have a default we do not know
        let sure = missing.contains(&"hostname");
        let mut d = Diagnostic::new(
            &RULE,
            file,
            span,
            format!(
                "`[database.{name}]` sets `type` but no `url` and no {list}: the URL WSO2 infers refers to {}",
                if missing.len() == 1 { "it" } else { "them" }
            ),
        )
        .help(format!("set `url = \"jdbc:…\"`, or {list}; WSO2 stops with \"Configuration with key database.{name}.{} doesn't exist\"", missing.first().unwrap_or(&"hostname")))
        .key(ty.path(), Some(kind));
        if !sure {
            d = d.severity(Severity::Warning);
            d.message
                .push_str(" (unless WSO2 has a default for it that apimlint does not know)");
        }
        acc.push(d);
    }
}
