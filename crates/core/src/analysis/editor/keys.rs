//! The key catalog as hover and completion show it. Defaults of
//! secret-bearing keys are never shown.

use crate::catalog::{self, Entry, Ty};
use crate::redact::is_secret_key;

fn ty(t: Ty) -> &'static str {
    match t {
        Ty::Any => "any value",
        Ty::String => "string",
        Ty::Boolean => "boolean",
        Ty::Integer => "integer",
        Ty::Number => "number",
        Ty::Array => "array",
    }
}

fn summary(path: &str, e: &Entry) -> String {
    let leaf = catalog::split(path).last().copied().unwrap_or("");
    let mut parts: Vec<String> = Vec::new();
    if e.key {
        parts.push(ty(e.ty).to_owned());
    } else if e.aot {
        parts.push("array of tables".to_owned());
    } else if e.table {
        parts.push("table".to_owned());
    }
    if let Some(d) = e.default.filter(|_| !is_secret_key(leaf)) {
        parts.push(format!("default `{d}`"));
    }
    if let Some(u) = e.unit {
        parts.push(format!("unit `{u}`"));
    }
    if !e.values.is_empty() {
        let vals = e
            .values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(format!(
            "{}: {vals}",
            if e.closed { "one of" } else { "for example" }
        ));
    }
    parts.join("; ")
}

/// Markdown describing a key (`apim.gateway.environment[].name`).
pub(crate) fn describe(path: &str) -> Option<String> {
    let segs = catalog::split(path);
    match catalog::find(&segs) {
        Some(e) => Some(format!(
            "`{path}`: read by WSO2 API-M — {}",
            summary(path, e)
        )),
        None if catalog::is_known(&segs) => Some(format!(
            "`{path}`: inside a table WSO2 API-M reads as a free-form map"
        )),
        None => {
            let mut s = format!("`{path}`: not a key WSO2 API-M reads (key catalog)");
            if let Some(n) = catalog::note(path) {
                s.push_str(&format!("\n\n{n}"));
            }
            Some(s)
        }
    }
}

/// The keys a table (`server`, `apim.gateway.environment[]`, `""` for the
/// root) may hold: `(key, short description)`.
pub(crate) fn keys_of(table: &str) -> Vec<(String, Option<String>)> {
    let parent: Vec<&str> = if table.is_empty() {
        Vec::new()
    } else {
        catalog::split(table)
    };
    catalog::children(&parent)
        .into_iter()
        .filter(|c| *c != "*" && *c != "*[]")
        .map(|c| {
            let mut p = parent.clone();
            p.push(c);
            let detail = catalog::find(&p).map(|e| summary(&catalog::join(&p), e));
            (c.trim_end_matches("[]").to_owned(), detail)
        })
        .collect()
}
