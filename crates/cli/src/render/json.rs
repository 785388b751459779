//! `--format json`: one stable, versioned document (`"version": 1`): the
//! deployment's nodes, every diagnostic with its range, related locations, fix
//! and fingerprint, and a summary.

use std::io::{self, Write};

use apimlint_core::FileId;
use serde_json::{Value, json};

use super::Report;

fn range(r: &Report<'_>, node: FileId, range: &std::ops::Range<usize>) -> Value {
    let s = r.pos(node, range.start);
    let e = r.pos(node, range.end);
    json!({"start": {"line": s.line, "column": s.column}, "end": {"line": e.line, "column": e.column}})
}

/// The JSON document as a value (also used by tests).
pub fn to_value(r: &Report<'_>) -> Value {
    let nodes: Vec<Value> = r
        .dep
        .nodes()
        .iter()
        .map(|n| {
            let mut v = json!({
                "id": n.id,
                "file": r.file(n.file),
                "region": n.region,
                "role": n.role.name(),
                "hostname": n.facts.hostname.as_ref().map(|h| h.value.clone()),
            });
            // a node read from a manifest: which object and key holds it
            if let (Some(o), Some(m)) = (&n.origin, v.as_object_mut()) {
                m.insert(
                    "source".into(),
                    json!({"kind": o.kind, "name": o.name, "namespace": o.namespace, "key": o.key,
                           "workload": o.workload.as_ref().map(|w| json!({"kind": w.kind, "name": w.name, "replicas": w.replicas}))}),
                );
            }
            v
        })
        .collect();
    let diagnostics: Vec<Value> = r
        .diags
        .iter()
        .map(|d| {
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|x| json!({"file": r.file(x.file), "range": range(r, x.file, &x.range), "message": x.message}))
                .collect();
            let fix = d.fix.as_ref().map(|f| {
                let edits: Vec<Value> = r
                    .fix_edits(f)
                    .iter()
                    .map(|e| {
                        let (s, t) = (e.lines.line_col(e.text, e.range.start), e.lines.line_col(e.text, e.range.end));
                        json!({"file": e.file, "range": {"start": {"line": s.line, "column": s.column}, "end": {"line": t.line, "column": t.column}}, "new_text": e.new_text})
                    })
                    .collect();
                json!({
                    "title": f.title,
                    "applicability": f.applicability,
                    "edits": edits,
                })
            });
            json!({
                "rule": d.rule,
                "severity": d.severity,
                "message": d.message,
                "node": r.dep.id_of(d.file),
                "file": r.file(d.file),
                "range": range(r, d.file, &d.range),
                "related": related,
                "help": d.help,
                "fix": fix,
                "fingerprint": apimlint_core::fingerprint(r.dep, d),
            })
        })
        .collect();
    json!({
        "version": 1,
        "root": apimlint_core::vfs::relative(r.dep.root(), r.cwd),
        "nodes": nodes,
        "diagnostics": diagnostics,
        "summary": {
            "files": r.dep.nodes().len(),
            "nodes": r.dep.nodes().len(),
            "errors": r.count(apimlint_core::Severity::Error),
            "warnings": r.count(apimlint_core::Severity::Warning),
            "infos": r.count(apimlint_core::Severity::Info),
        },
    })
}

/// Several deployments: one document listing each deployment's document
/// (as [`to_value`] gives it), and the sum of their summaries (with the
/// number of deployments). One deployment keeps the document of
/// [`to_value`] itself.
pub fn write_several(docs: Vec<Value>, out: &mut dyn Write) -> io::Result<()> {
    let mut summary = serde_json::Map::new();
    summary.insert("deployments".into(), json!(docs.len()));
    for key in ["files", "nodes", "errors", "warnings", "infos"] {
        let n: u64 = docs
            .iter()
            .filter_map(|d| d.get("summary")?.get(key)?.as_u64())
            .sum();
        summary.insert(key.into(), json!(n));
    }
    let doc = json!({"version": 1, "deployments": docs, "summary": summary});
    let text = serde_json::to_string_pretty(&doc).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

pub fn render(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&to_value(r)).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}
