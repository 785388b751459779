//! The core has one direction: a module imports only modules of a lower
//! layer (as rust-analyzer's tidy tests do, by scanning `crate::` paths).
//! A new module must be given a layer here; moving a module down is free,
//! moving an import up fails this test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

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

/// Inside `base`: `text`, `keypath`, `memo` and `files` import nothing, `edit` only `files`,
/// `diagnostic` only `edit` and `files`.
const BASE: &[(&str, &[&str])] = &[
    ("text", &[]),
    ("keypath", &[]),
    ("memo", &[]),
    ("files", &[]),
    ("edit", &["files"]),
    ("diagnostic", &["edit", "files"]),
    (
        "mod",
        &["diagnostic", "edit", "files", "keypath", "memo", "text"],
    ),
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

// ---------------------------------------------------------------------------
// No import circle between files, in any crate of the workspace.
//
// Each file's `crate::…`, `super::…` and `self::…` paths (brace groups
// expanded) are resolved to the deepest module file they name; an edge from a
// module's face (`mod.rs`, `lib.rs`, `x.rs` of `x/`) to its own children is a
// declaration, not an import, and is not drawn. A path through a re-export
// resolves to the face, so a circle hidden behind `pub use` is missed, never
// invented.

use std::collections::{BTreeMap, BTreeSet};

/// The module path of a source file relative to `src`: `a/b.rs` and
/// `a/b/mod.rs` are `["a", "b"]`; `lib.rs`/`main.rs` are the root.
fn module_of(rel: &str) -> Vec<String> {
    let rel = rel.trim_end_matches(".rs");
    let mut parts: Vec<String> = rel.split('/').map(str::to_owned).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every path that starts with `crate`, `super` or `self`, brace groups
/// expanded (`super::{a, b::c}` gives `super::a` and `super::b::c`).
fn paths(code: &str) -> Vec<Vec<String>> {
    fn expand(prefix: &[String], rest: &str, out: &mut Vec<Vec<String>>) {
        // rest starts right after `prefix::`
        let rest = rest.trim_start();
        if let Some(inner) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = 0usize;
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        expand_item(prefix, &inner[start..i], out);
                        return;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand_item(prefix, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return;
        }
        expand_item(prefix, rest, out);
    }
    fn expand_item(prefix: &[String], item: &str, out: &mut Vec<Vec<String>>) {
        let mut path = prefix.to_vec();
        let mut rest = item.trim_start();
        loop {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            path.push(rest[..end].to_owned());
            rest = &rest[end..];
            match rest.strip_prefix("::") {
                Some(r) if r.trim_start().starts_with('{') => {
                    expand(&path, r, out);
                    return;
                }
                Some(r) => rest = r,
                None => break,
            }
        }
        out.push(path);
    }
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start).map(|i| i + from) {
            from = i + start.len();
            let boundary = i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'_'
                    || bytes[i - 1] == b':');
            if boundary {
                let head = start.trim_end_matches("::").to_owned();
                expand(&[head], &code[from..], &mut out);
            }
        }
    }
    out
}

/// Resolve `path` (as written in the file of module `me`) to the deepest
/// module among `modules`.
fn resolve(me: &[String], path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => rest = &rest[1..],
        Some("self") => {
            base = me.to_vec();
            rest = &rest[1..];
        }
        Some("super") => {
            // `super` of a face (`mod.rs`) is the parent of its module; of a
            // leaf file `a/b.rs` it is `a`
            base = me.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut best = base.clone();
    let mut cur = base;
    for seg in rest {
        cur.push(seg.clone());
        if modules.contains(&cur) {
            best = cur.clone();
        } else {
            break;
        }
    }
    Some(best)
}

/// The import circles among the `.rs` files under `src` (each circle as its
/// files, sorted), by Tarjan's strongly connected components.
fn circles(src: &Path) -> Vec<Vec<String>> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut by_module: BTreeMap<Vec<String>, String> = BTreeMap::new();
    let mut texts = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        by_module.insert(module_of(&rel), rel.clone());
        texts.push((rel, code(&text)));
    }
    let modules: BTreeSet<Vec<String>> = by_module.keys().cloned().collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (rel, code) in &texts {
        let me = module_of(rel);
        let face = rel.ends_with("mod.rs") || rel.ends_with("lib.rs") || rel.ends_with("main.rs");
        for p in paths(code) {
            let Some(target) = resolve(&me, &p, &modules) else {
                continue;
            };
            // a face naming its own descendants declares them
            if target.len() > me.len() && target.starts_with(&me) && (face || me.is_empty()) {
                continue;
            }
            if target.len() > me.len() && target.starts_with(&me) {
                // `x.rs` with children under `x/`: the same face
                continue;
            }
            let Some(to) = by_module.get(&target) else {
                continue;
            };
            if to != rel {
                edges.entry(rel.clone()).or_default().insert(to.clone());
            }
        }
    }
    scc(&edges)
}

fn scc(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let i = t.index.len();
        t.index.insert(v, i);
        t.low.insert(v, i);
        t.stack.push(v);
        t.on.insert(v);
        if let Some(ws) = t.edges.get(v) {
            for w in ws {
                if !t.index.contains_key(w.as_str()) {
                    visit(t, w);
                    let lw = t.low[w.as_str()];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(lw));
                } else if t.on.contains(w.as_str()) {
                    let iw = t.index[w.as_str()];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(iw));
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_import_circle_between_files() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut found = Vec::new();
    for e in std::fs::read_dir(crates).unwrap().flatten() {
        let src = e.path().join("src");
        if src.is_dir() {
            for c in circles(&src) {
                found.push(format!(
                    "{}: {}",
                    e.file_name().to_string_lossy(),
                    c.join(" <-> ")
                ));
            }
        }
    }
    found.sort();
    assert!(
        found.is_empty(),
        "import circles between files:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let dir = std::env::temp_dir().join(format!("apimlint-layering-{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("m")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod m;\nmod n;\npub use m::*;\n").unwrap();
    std::fs::write(src.join("m/mod.rs"), "mod a;\nmod b;\npub use a::*;\n").unwrap();
    std::fs::write(src.join("m/a.rs"), "use super::b::B;\npub struct A;\n").unwrap();
    std::fs::write(
        src.join("m/b.rs"),
        "use super::{a::A, Other};\npub struct B;\n",
    )
    .unwrap();
    std::fs::write(src.join("n.rs"), "use crate::m::a::A;\n").unwrap();
    let found = circles(&src);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, vec![vec!["m/a.rs".to_owned(), "m/b.rs".to_owned()]]);
}
