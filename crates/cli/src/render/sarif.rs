//! `--format sarif`: SARIF 2.1.0 for code-scanning tools.
//!
//! Columns are UTF-16 code units (`columnKind: utf16CodeUnits`, the SARIF
//! default, stated explicitly), 1-based; `endColumn` is exclusive. Paths are
//! relative to the current directory, under the `%SRCROOT%` base id. Snippets
//! come from the redacted text only.

use std::io::{self, Write};
use std::ops::Range;

use apimlint_core::{FileId, Severity, rules};
use serde_json::{Map, Value, json};

use super::Report;
use super::escape::sarif_text;

/// The SARIF 2.1.0 schema (OASIS, final).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The `partialFingerprints` key that holds [`apimlint_core::fingerprint`],
/// the fingerprint `--format json` and baselines use.
pub const FINGERPRINT_KEY: &str = "apimlint/v1";
const REPOSITORY: &str = "https://github.com/apimlint/apimlint";

/// A rule's documentation page.
pub fn help_uri(id: &str) -> String {
    rules::page_url(id)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `gateway-label-unmatched` → `GatewayLabelUnmatched`.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase().chain(c).collect::<String>()
            })
        })
        .collect()
}

/// Percent-encode a path for a URI reference: everything but unreserved
/// characters and `/`.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 1-based line and UTF-16 column of an offset.
fn pos16(r: &Report<'_>, node: FileId, offset: usize) -> (u64, u64) {
    r.dep.shown(node).map_or((1, 1), |s| {
        let (l, c) = s.lines.line_col_utf16(s.text, s.offset(offset));
        (u64::from(l) + 1, u64::from(c) + 1)
    })
}

fn region(r: &Report<'_>, node: FileId, range: &Range<usize>, snippet: bool) -> Value {
    let (sl, sc) = pos16(r, node, range.start);
    let (el, ec) = pos16(r, node, range.end.max(range.start));
    let mut v = Map::new();
    v.insert("startLine".into(), json!(sl));
    v.insert("startColumn".into(), json!(sc));
    v.insert("endLine".into(), json!(el));
    v.insert("endColumn".into(), json!(ec));
    let text = r.dep.shown(node).filter(|_| snippet).and_then(|s| {
        let c = apimlint_core::text::clamp_range(s.text, s.range(range));
        s.text.get(c).map(str::to_owned)
    });
    if let Some(text) = text {
        v.insert("snippet".into(), json!({ "text": sarif_text(&text) }));
    }
    Value::Object(v)
}

/// The whole lines around a range, with their (redacted) text.
fn context_region(r: &Report<'_>, node: FileId, range: &Range<usize>) -> Option<Value> {
    let s = r.dep.shown(node)?;
    let range = s.range(range);
    let first = s.lines.line_of(range.start);
    let last = s.lines.line_of(range.end.max(range.start));
    let start = s.lines.line_start(first);
    let end = s.lines.line_start(last + 1).min(s.text.len()).max(start);
    let text = s.text.get(start..end)?;
    if text.is_empty() {
        return None;
    }
    Some(json!({
        "startLine": first + 1,
        "endLine": last + 1,
        "snippet": {"text": sarif_text(text)},
    }))
}

fn artifact(r: &Report<'_>, node: FileId) -> Value {
    json!({"uri": uri_path(&r.file(node)), "uriBaseId": "%SRCROOT%"})
}

fn rules_json() -> Vec<Value> {
    rules::all()
        .map(|rule| {
            json!({
                "id": rule.id,
                "name": pascal(rule.id),
                "shortDescription": {"text": rule.summary()},
                "fullDescription": {"text": rule.summary()},
                "help": {"text": rule.docs, "markdown": rule.docs},
                "helpUri": help_uri(rule.id),
                "defaultConfiguration": {"level": level(rule.severity)},
                "properties": {"group": rule.group().name()},
            })
        })
        .collect()
}

fn result(r: &Report<'_>, d: &apimlint_core::Diagnostic, index: Option<usize>) -> Value {
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), artifact(r, d.file));
    physical.insert("region".into(), region(r, d.file, &d.range, true));
    if let Some(ctx) = context_region(r, d.file, &d.range) {
        physical.insert("contextRegion".into(), ctx);
    }
    let location = json!({
        "physicalLocation": physical,
        "logicalLocations": [{"name": r.dep.id_of(d.file), "kind": "module"}],
    });
    let related: Vec<Value> = d
        .related
        .iter()
        .enumerate()
        .map(|(i, x)| {
            json!({
                "id": i + 1,
                "physicalLocation": {
                    "artifactLocation": artifact(r, x.file),
                    "region": region(r, x.file, &x.range, true),
                },
                "message": {"text": sarif_text(&x.message)},
            })
        })
        .collect();
    let text = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    let mut v = Map::new();
    v.insert("ruleId".into(), json!(d.rule));
    if let Some(i) = index {
        v.insert("ruleIndex".into(), json!(i));
    }
    v.insert("level".into(), json!(level(d.severity)));
    v.insert("message".into(), json!({ "text": sarif_text(&text) }));
    v.insert("locations".into(), json!([location]));
    if !related.is_empty() {
        v.insert("relatedLocations".into(), json!(related));
    }
    v.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: apimlint_core::fingerprint(r.dep, d) }),
    );
    if let Some(f) = &d.fix {
        let changes: Vec<Value> = r
            .fix_edits(f)
            .iter()
            .map(|e| {
                let at = |o: usize| {
                    let (l, c) = e.lines.line_col_utf16(e.text, o);
                    (u64::from(l) + 1, u64::from(c) + 1)
                };
                let ((sl, sc), (el, ec)) = (at(e.range.start), at(e.range.end.max(e.range.start)));
                json!({
                    "artifactLocation": {"uri": uri_path(&e.file), "uriBaseId": "%SRCROOT%"},
                    "replacements": [{
                        "deletedRegion": {"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec},
                        "insertedContent": {"text": e.new_text},
                    }],
                })
            })
            .collect();
        if !changes.is_empty() {
            v.insert(
                "fixes".into(),
                json!([{"description": {"text": sarif_text(&f.title)}, "artifactChanges": changes}]),
            );
        }
    }
    v.insert(
        "properties".into(),
        json!({"node": r.dep.id_of(d.file), "severity": d.severity}),
    );
    Value::Object(v)
}

/// The SARIF log as a value (also used by tests).
pub fn to_value(r: &Report<'_>) -> Value {
    let ids = rules::ids();
    let results: Vec<Value> = r
        .diags
        .iter()
        .map(|d| result(r, d, ids.iter().position(|id| *id == d.rule)))
        .collect();
    let mut root = apimlint_core::vfs::relative(r.cwd, std::path::Path::new("/"));
    if !root.is_empty() && !root.ends_with('/') {
        root.push('/');
    }
    let version = env!("CARGO_PKG_VERSION");
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apimlint",
                "version": version,
                "semanticVersion": version,
                "informationUri": REPOSITORY,
                "rules": rules_json(),
            }},
            "invocations": [{"executionSuccessful": true}],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": format!("file:///{}", uri_path(&root))}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    })
}

pub fn render(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&to_value(r)).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

/// A SARIF log of several runs (one per deployment).
pub fn write_runs(runs: Vec<Value>, out: &mut dyn Write) -> io::Result<()> {
    let log = json!({"$schema": SCHEMA, "version": "2.1.0", "runs": runs});
    let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}
