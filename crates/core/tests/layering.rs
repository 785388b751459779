//! The core has one direction: a module imports only modules of a lower
//! layer (as rust-analyzer's tidy tests do, by scanning `crate::` paths).
//! A new module must be given a layer here; moving a module down is free,
//! moving an import up fails this test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

/// Bottom up. A module may import any module of a lower layer.
const LAYERS: &[&[&str]] = &[
    // text positions, file ids, diagnostics, edits: no deployments, no rules
    &["base"],
    // leaves over text: parsing, the catalog, URLs, the disk, suppression comments
    &[
        "syntax",
        "catalog",
        "endpoint",
        "vfs",
        "suppress",
        "yaml",
        // the readers of a node's other files: XML, Java properties, Qpid URLs
        "xml",
        "properties",
        "amqp",
        // key material: keystores and their certificates, bytes in, values out
        "keystore",
    ],
    &["redact"],
    // what one file says
    &["model", "manifest"],
    &["config", "schema"],
    // nodes, edges, resolution
    &["graph"],
    &["query"],
    &["rules"],
    // the one driver
    &["analysis"],
];

/// Inside `base`: `text` and `files` import nothing, `edit` only `files`,
/// `diagnostic` only `edit` and `files`.
const BASE: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("keypath", &[]),
    ("files", &[]),
    ("edit", &["files"]),
    ("diagnostic", &["edit", "files"]),
    ("mod", &["diagnostic", "edit", "files", "keypath", "text"]),
];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` has no layer in tests/layering.rs"))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its `#[cfg(test)]` module (tests may use
/// anything) and without comments.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `crate::<name>` and `super::<name>` the code names.
fn imports<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let after = &rest[i + prefix.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        // `crate::{a, b}` is not used in this crate; a bare `crate::` would be a name
        if end > 0 {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut bad = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" {
            continue;
        }
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs");
        let text = std::fs::read_to_string(&f).unwrap();
        let code = code(&text);
        for used in imports(&code, "crate::") {
            if used == module {
                continue;
            }
            if layer(used) >= layer(module) {
                bad.push(format!(
                    "{rel}: `{module}` (layer {}) imports `crate::{used}` (layer {})",
                    layer(module),
                    layer(used)
                ));
            }
        }
        if let Some(file) = rel.strip_prefix("base/") {
            let me = file.trim_end_matches(".rs");
            let allowed = BASE
                .iter()
                .find(|(m, _)| *m == me)
                .map(|(_, a)| *a)
                .unwrap_or_else(|| panic!("base/{file} has no place in BASE"));
            for used in imports(&code, "crate::base::")
                .into_iter()
                .chain(imports(&code, "super::"))
            {
                if used != me && !allowed.contains(&used) {
                    bad.push(format!("{rel}: base::{me} imports base::{used}"));
                }
            }
        }
    }
    bad
}

#[test]
fn core_modules_import_only_lower_layers() {
    let bad = violations();
    assert!(
        bad.is_empty(),
        "imports against the layering:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_imports() {
    assert_eq!(
        imports(
            "use crate::graph::{Node};\nlet x = crate::rules::all();",
            "crate::"
        ),
        ["graph", "rules"]
    );
    assert_eq!(
        code("use crate::a;\n// crate::b\n#[cfg(test)]\nuse crate::c;"),
        "use crate::a;"
    );
}
