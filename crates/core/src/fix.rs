//! Applying fixes (cli.md, *Fixes*): the edits of the findings' fixes are
//! byte-range replacements computed on each file's original text, so
//! comments, formatting and key order survive by construction.
//!
//! `plan` chooses the fixes of one pass: a fix is taken whole (all its edits,
//! in every file it touches) or not at all; one that overlaps a fix already
//! taken is deferred to the next pass; one whose result would not parse or
//! would hold a literal secret is refused. `fix_all` runs passes over an
//! in-memory overlay (fix → re-load → re-check) until nothing changes. Nothing
//! here writes to disk: the caller writes the files it returns.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::graph::{Deployment, Node, NodeIdx};
use crate::suppress;
use crate::vfs::{Discovery, OverlayFs, Vfs};

/// The fixes of one pass and the new text of each file they touch.
#[derive(Debug, Default)]
pub struct Plan {
    /// New text per file (node), in node order.
    pub files: BTreeMap<NodeIdx, String>,
    /// Titles of the fixes taken.
    pub applied: Vec<String>,
    /// Fixes that overlap one taken: left for the next pass.
    pub deferred: usize,
    /// Fixes that cannot be applied, with why.
    pub refused: Vec<Refusal>,
}

/// A fix that was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub file: NodeIdx,
    pub title: String,
    pub reason: String,
}

/// Whether `--fix` (safe only) or `--fix --unsafe-fixes` applies this fix.
pub fn wanted(fix: &Fix, unsafe_fixes: bool) -> bool {
    !fix.edits.is_empty() && (fix.applicability == Applicability::Safe || unsafe_fixes)
}

/// Choose the fixes of one pass over `diags` (sorted, as `check` returns them).
pub fn plan(dep: &Deployment, diags: &[Diagnostic], unsafe_fixes: bool) -> Plan {
    let mut out = Plan::default();
    // the edits taken so far, per file
    let mut taken: HashMap<NodeIdx, Vec<Edit>> = HashMap::new();
    let mut seen: Vec<&Vec<Edit>> = Vec::new();
    for d in diags {
        let Some(fix) = d.fix.as_ref().filter(|f| wanted(f, unsafe_fixes)) else {
            continue;
        };
        if seen.contains(&&fix.edits) {
            continue; // the same fix offered by two findings
        }
        seen.push(&fix.edits);
        let refuse = |reason: String| Refusal {
            rule: d.rule,
            file: d.file,
            title: fix.title.clone(),
            reason,
        };
        // alone, on the original text
        let mut alone: HashMap<NodeIdx, Vec<Edit>> = HashMap::new();
        for e in &fix.edits {
            alone.entry(e.file).or_default().push(e.clone());
        }
        if let Err(reason) = alone
            .iter()
            .try_for_each(|(f, es)| result(dep, *f, es).map(drop))
        {
            out.refused.push(refuse(reason));
            continue;
        }
        // together with what was taken
        if fix.edits.iter().any(|e| {
            taken
                .get(&e.file)
                .is_some_and(|t| t.iter().any(|x| x != e && conflict(x, e)))
        }) {
            out.deferred += 1;
            continue;
        }
        let mut trial: HashMap<NodeIdx, Vec<Edit>> = HashMap::new();
        for f in alone.keys() {
            let mut es = taken.get(f).cloned().unwrap_or_default();
            for e in alone.get(f).into_iter().flatten() {
                if !es.contains(e) {
                    es.push(e.clone());
                }
            }
            trial.insert(*f, es);
        }
        let mut texts = Vec::new();
        let mut ok = true;
        for (f, es) in &trial {
            match result(dep, *f, es) {
                Ok(t) => texts.push((*f, t)),
                Err(_) => ok = false,
            }
        }
        if !ok {
            out.deferred += 1;
            continue;
        }
        for (f, t) in texts {
            out.files.insert(f, t);
        }
        taken.extend(trial);
        out.applied.push(fix.title.clone());
    }
    out
}

/// Two edits of one file that cannot both be applied in a known order.
fn conflict(a: &Edit, b: &Edit) -> bool {
    (a.range.start < b.range.end && b.range.start < a.range.end) || a.range.start == b.range.start
}

/// The text of `file` with `edits` applied, when it parses and holds no
/// secret the edits wrote.
fn result(dep: &Deployment, file: NodeIdx, edits: &[Edit]) -> Result<String, String> {
    let node = dep
        .node(file)
        .ok_or_else(|| "the fix names a file that is not part of the deployment".to_owned())?;
    if node.read_error.is_some() {
        return Err(format!("`{}` cannot be read", node.rel));
    }
    let (text, inserted) = apply(&node.text, edits)
        .ok_or_else(|| format!("the fix does not fit the text of `{}`", node.rel))?;
    let parsed = crate::syntax::parse(&text);
    let Some(doc) = parsed.doc.as_ref() else {
        return Err(format!("`{}` would no longer parse", node.rel));
    };
    let secrets = crate::redact::secret_ranges(&text, Some(doc));
    if secrets
        .iter()
        .any(|s| inserted.iter().any(|i| s.start < i.end && i.start < s.end))
    {
        return Err(format!(
            "the fix would write a literal secret into `{}`; write a reference such as `$secret{{alias}}` instead",
            node.rel
        ));
    }
    Ok(text)
}

/// Whether `fix`, applied alone, leaves every file it touches that parses
/// still parsing. A rule's fix that would not is dropped where findings are
/// made (`rules::finish`), so no front end ever offers it. `node` gives
/// the nodes the fix may touch.
pub(crate) fn keeps_parsing<'a>(node: impl Fn(NodeIdx) -> Option<&'a Node>, fix: &Fix) -> bool {
    let mut files: Vec<NodeIdx> = fix.edits.iter().map(|e| e.file).collect();
    files.sort_unstable();
    files.dedup();
    files.into_iter().all(|file| {
        let Some(node) = node(file) else {
            return false;
        };
        if node.syntax_error.is_some() || node.read_error.is_some() {
            return true;
        }
        let edits: Vec<Edit> = fix
            .edits
            .iter()
            .filter(|e| e.file == file)
            .cloned()
            .collect();
        apply(&node.text, &edits).is_some_and(|(text, _)| crate::syntax::parse(&text).doc.is_some())
    })
}

/// `value` as a TOML 1.0 basic string, quotes included: `\` and `"`
/// escaped, control characters as short escapes or `\uXXXX` (never `\e`,
/// which TOML 1.0 parsers such as WSO2's reject). For every fix that writes
/// a user's value into a string.
pub fn toml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Apply non-conflicting edits to `text`. New text follows the file's line
/// endings (CRLF stays CRLF). Returns the new text and the ranges of the
/// inserted text in it; `None` when an edit does not fit the text.
pub fn apply(text: &str, edits: &[Edit]) -> Option<(String, Vec<Range<usize>>)> {
    let crlf = text
        .find('\n')
        .is_some_and(|i| i > 0 && text.as_bytes().get(i - 1) == Some(&b'\r'));
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut inserted = Vec::new();
    let mut at = 0usize;
    for e in sorted {
        if e.range.start < at || e.range.end < e.range.start {
            return None;
        }
        out.push_str(text.get(at..e.range.start)?);
        text.get(e.range.clone())?;
        let new = if crlf {
            e.new_text.replace("\r\n", "\n").replace('\n', "\r\n")
        } else {
            e.new_text.clone()
        };
        let start = out.len();
        out.push_str(&new);
        inserted.push(start..out.len());
        at = e.range.end;
    }
    out.push_str(text.get(at..)?);
    Some((out, inserted))
}

/// One file `fix_all` changed.
#[derive(Debug, Clone)]
pub struct Changed {
    pub path: PathBuf,
    /// Path relative to the deployment root.
    pub rel: String,
    pub original: Arc<str>,
    pub fixed: String,
}

/// What `fix_all` did, and the deployment and findings after it.
#[derive(Debug)]
pub struct Outcome {
    pub dep: Deployment,
    pub diags: Vec<Diagnostic>,
    pub changed: Vec<Changed>,
    /// Titles of the fixes applied, over all passes.
    pub applied: Vec<String>,
    /// Fixes refused, with why (each once).
    pub refused: Vec<String>,
    pub passes: usize,
}

/// The most passes `fix_all` makes (a fix that conflicted waits one pass).
pub const MAX_PASSES: usize = 8;

/// Fix, re-load, re-check, until no wanted fix is left (at most
/// `MAX_PASSES`). Files are read through `base` overlaid with the fixed texts;
/// nothing is written.
pub fn fix_all(
    base: &dyn Vfs,
    disc: &Discovery,
    config: &Config,
    opts: &suppress::Options,
    unsafe_fixes: bool,
) -> Outcome {
    let mut overlays: HashMap<PathBuf, String> = HashMap::new();
    let mut originals: BTreeMap<PathBuf, (String, Arc<str>)> = BTreeMap::new();
    let mut applied = Vec::new();
    let mut refused = std::collections::BTreeSet::new();
    let mut passes = 0usize;
    loop {
        let dep = crate::load(
            &OverlayFs {
                base,
                overlays: &overlays,
            },
            disc,
            config.clone(),
        );
        let diags = crate::check_with(&dep, opts);
        let plan = if passes < MAX_PASSES {
            plan(&dep, &diags, unsafe_fixes)
        } else {
            Plan::default()
        };
        refused.extend(
            plan.refused
                .iter()
                .map(|r| format!("{}: {} ({}): {}", dep.id(r.file), r.title, r.rule, r.reason)),
        );
        if plan.files.is_empty() {
            let changed = originals
                .into_iter()
                .filter_map(|(path, (rel, original))| {
                    let fixed = overlays.remove(&path)?;
                    (fixed != *original).then_some(Changed {
                        path,
                        rel,
                        original,
                        fixed,
                    })
                })
                .collect();
            return Outcome {
                dep,
                diags,
                changed,
                applied,
                refused: refused.into_iter().collect(),
                passes,
            };
        }
        passes += 1;
        applied.extend(plan.applied);
        for (f, text) in plan.files {
            let Some(n) = dep.node(f) else { continue };
            originals
                .entry(n.path.clone())
                .or_insert_with(|| (n.rel.clone(), n.text.clone()));
            overlays.insert(n.path.clone(), text);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn edit(range: Range<usize>, new_text: &str) -> Edit {
        Edit {
            file: 0,
            range,
            new_text: new_text.into(),
        }
    }

    #[test]
    fn applies_sorted_edits_and_keeps_crlf() {
        let text = "[a]\r\nx = \"1\" # c\r\n";
        let (out, ins) = apply(text, &[edit(12..12, "\ny = 2"), edit(9..12, "\"2\"")]).unwrap();
        assert_eq!(out, "[a]\r\nx = \"2\"\r\ny = 2 # c\r\n");
        assert_eq!(&out[ins[1].clone()], "\r\ny = 2");
    }

    #[test]
    fn toml_strings_are_escaped_for_toml_1_0() {
        let value = "a\"b\\c\nd\re\tf\u{1}\u{1b}\u{7f}\u{85} é 🦀";
        let written = toml_string(value);
        assert_eq!(
            written,
            "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001B\\u007F\\u0085 é 🦀\""
        );
        let doc = crate::syntax::parse(&format!("k = {written}\n"));
        let doc = doc.doc.unwrap();
        assert_eq!(doc["k"].as_str(), Some(value));
    }

    #[test]
    fn overlapping_edits_conflict() {
        assert!(conflict(&edit(1..4, ""), &edit(3..5, "")));
        assert!(conflict(&edit(3..3, "a"), &edit(3..3, "b")));
        assert!(!conflict(&edit(1..3, ""), &edit(3..3, "b")));
        assert!(apply("abcdef", &[edit(1..4, ""), edit(3..5, "")]).is_none());
        assert!(apply("abc", &[edit(2..9, "")]).is_none());
    }
}
