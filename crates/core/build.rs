//! Compiles `rules/key-catalog.json` (the keys WSO2 API-M reads) into static
//! sorted tables, so that the binary never parses JSON at start-up and
//! `unknown-key` looks keys up by binary search.

#![allow(clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

#[derive(Default)]
struct Entry {
    key: bool,
    table: bool,
    open: bool,
    aot: bool,
    ty: &'static str,
    values: Vec<String>,
    closed: bool,
    default: Option<String>,
    unit: Option<String>,
    heuristic: bool,
}

fn split(path: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                cur.push(c);
            }
            '.' if !quoted => segs.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    segs.push(cur);
    segs
}

fn ty(v: Option<&Value>) -> &'static str {
    match v.and_then(Value::as_str) {
        Some("string") => "Ty::String",
        Some("boolean") => "Ty::Boolean",
        Some("integer") => "Ty::Integer",
        Some("number") => "Ty::Number",
        Some("array") => "Ty::Array",
        _ => "Ty::Any",
    }
}

fn default_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let src = manifest.join("../../rules/key-catalog.json");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(&src)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()));
    let json: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("key-catalog.json: {e}"));
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let empty = serde_json::Map::new();
    let section = |name: &str| json.get(name).and_then(Value::as_object).unwrap_or(&empty);
    for (path, info) in section("tables") {
        let e = entries.entry(path.clone()).or_default();
        e.table = true;
        e.open = info.get("open").and_then(Value::as_bool).unwrap_or(false);
        e.aot = info.get("kind").and_then(Value::as_str) == Some("array_of_tables");
    }
    for name in ["keys", "patterns"] {
        for (path, info) in section(name) {
            let e = entries.entry(path.clone()).or_default();
            e.key = true;
            e.ty = ty(info.get("type"));
            e.heuristic = info.get("type_basis").and_then(Value::as_str) == Some("name-heuristic");
            e.values = info
                .get("values")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            e.closed = info
                .get("values_closed")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            e.default = info.get("default").and_then(default_text);
            e.unit = info
                .get("unit")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    // a key WSO2 maps onto another (`key-mappings.json`) is
                    // read as that key: it takes its unit (`apim.cache.
                    // gateway_token.expiry_time = "15m"`, as WSO2's charts write)
                    info.get("maps_to")?
                        .as_array()?
                        .iter()
                        .filter_map(Value::as_str)
                        .find_map(|t| {
                            section("keys")
                                .get(t)?
                                .get("unit")?
                                .as_str()
                                .map(str::to_owned)
                        })
                });
            if path.ends_with(".*") {
                // `x.*` makes `x` an open map
                let parent = path.trim_end_matches(".*").to_owned();
                let p = entries.entry(parent).or_default();
                p.table = true;
                p.open = true;
            }
        }
    }
    let versions = read_versions(&manifest, &mut entries);
    // every proper prefix of a key or table is a table
    let paths: Vec<String> = entries.keys().cloned().collect();
    let mut children: BTreeSet<(String, String)> = BTreeSet::new();
    for path in &paths {
        let segs = split(path);
        for n in 1..segs.len() {
            let prefix = segs[..n].join(".");
            // `a[]` is the member of the array of tables `a`
            let table = prefix.strip_suffix("[]").unwrap_or(&prefix).to_owned();
            let e = entries.entry(table).or_default();
            e.table = true;
            if prefix.ends_with("[]") {
                e.aot = true;
            }
            children.insert((prefix, segs[n].clone()));
        }
        if segs.len() == 1 {
            children.insert((String::new(), segs[0].clone()));
        }
    }
    for (parent, child) in children.clone() {
        if let Some(bare) = child.strip_suffix("[]") {
            children.insert((parent, bare.to_owned()));
        }
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by build.rs from rules/key-catalog.json. Do not edit."
    );
    let mut concrete = String::new();
    let mut wild: Vec<(String, String, String)> = Vec::new();
    for (path, e) in &entries {
        let values: Vec<String> = e.values.iter().map(|v| format!("{v:?}")).collect();
        let line = format!(
            "    Entry {{ path: {path:?}, key: {}, table: {}, open: {}, aot: {}, ty: {}, values: &[{}], closed: {}, default: {}, unit: {}, heuristic: {} }},\n",
            e.key,
            e.table,
            e.open,
            e.aot,
            if e.ty.is_empty() { "Ty::Any" } else { e.ty },
            values.join(", "),
            e.closed,
            e.default
                .as_ref()
                .map_or("None".to_owned(), |d| format!("Some({d:?})")),
            e.unit
                .as_ref()
                .map_or("None".to_owned(), |d| format!("Some({d:?})")),
            e.heuristic,
        );
        let segs = split(path);
        if segs.iter().any(|s| s.starts_with('*')) {
            wild.push((segs[0].clone(), path.clone(), line));
        } else {
            concrete.push_str(&line);
        }
    }
    let _ = writeln!(
        out,
        "pub(super) static ENTRIES: &[Entry] = &[\n{concrete}];"
    );
    // sorted by first segment, so that a binary search finds one segment's wildcards
    wild.sort();
    let wild: String = wild.into_iter().map(|(_, _, l)| l).collect();
    let _ = writeln!(out, "pub(super) static WILDCARDS: &[Entry] = &[\n{wild}];");
    let mut pairs = String::new();
    let mut wild_pairs = String::new();
    for (parent, child) in &children {
        if split(parent).iter().any(|s| s.starts_with('*')) {
            let _ = writeln!(wild_pairs, "    ({parent:?}, {child:?}),");
        } else {
            let _ = writeln!(pairs, "    ({parent:?}, {child:?}),");
        }
    }
    let _ = writeln!(
        out,
        "pub(super) static CHILDREN: &[(&str, &str)] = &[\n{pairs}];"
    );
    let _ = writeln!(
        out,
        "pub(super) static WILD_CHILDREN: &[(&str, &str)] = &[\n{wild_pairs}];"
    );
    let mut notes = String::new();
    let sorted: BTreeMap<&String, &Value> = section("corpus_keys_not_found").iter().collect();
    for (path, info) in sorted {
        let note = info.get("note").and_then(Value::as_str).unwrap_or("");
        let _ = writeln!(notes, "    ({path:?}, {note:?}),");
    }
    let _ = writeln!(
        out,
        "pub(super) static NOTES: &[(&str, &str)] = &[\n{notes}];"
    );
    out.push_str(&versions);
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("catalog.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// `rules/key-versions.json` (`scripts/gen-key-versions.py`): the keys it
/// adds to the union, and the per-version tables as Rust source.
fn read_versions(manifest: &std::path::Path, entries: &mut BTreeMap<String, Entry>) -> String {
    let src = manifest.join("../../rules/key-versions.json");
    println!("cargo:rerun-if-changed={}", src.display());
    let text = std::fs::read_to_string(&src)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()));
    let json: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("key-versions.json: {e}"));
    let names: Vec<&str> = json["versions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let idx = |v: &str| {
        names
            .iter()
            .position(|n| *n == v)
            .unwrap_or_else(|| panic!("key-versions.json: unknown version {v}"))
    };
    let span = |s: &str| {
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        (idx(a), idx(b))
    };
    let last = names.len() - 1;
    let empty = serde_json::Map::new();
    let section = |name: &str| json.get(name).and_then(Value::as_object).unwrap_or(&empty);
    let mut out = String::new();
    let mut spans = String::new();
    for (path, s) in section("keys") {
        // a key some version reads is known to the union
        let e = entries.entry(path.clone()).or_default();
        e.key = e.key || !e.table;
        if path.ends_with(".*") {
            let p = entries
                .entry(path.trim_end_matches(".*").to_owned())
                .or_default();
            p.table = true;
            p.open = true;
        }
        let (a, b) = span(s.as_str().unwrap_or(""));
        if (a, b) != (0, last) {
            let _ = writeln!(spans, "    ({path:?}, {a}, {b}),");
        }
    }
    let _ = writeln!(
        out,
        "pub(super) static SPANS: &[(&str, u8, u8)] = &[\n{spans}];"
    );
    let mut shipped = String::new();
    for (path, s) in section("shipped") {
        let (a, b) = span(s.as_str().unwrap_or(""));
        let _ = writeln!(shipped, "    ({path:?}, {a}, {b}),");
    }
    let _ = writeln!(
        out,
        "pub(super) static SHIPPED: &[(&str, u8, u8)] = &[\n{shipped}];"
    );
    let mut renames: Vec<String> = Vec::new();
    for r in json["renames"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let (from, to, v) = (r["from"].as_str(), r["to"].as_str(), r["in"].as_str());
        if let (Some(f), Some(t), Some(v)) = (from, to, v) {
            renames.push(format!("    ({f:?}, {t:?}, {}),\n", idx(v)));
        }
    }
    renames.sort();
    let _ = writeln!(
        out,
        "pub(super) static RENAMES: &[(&str, &str, u8)] = &[\n{}];",
        renames.concat()
    );
    let mut roles = String::new();
    for (v, dists) in section("roles") {
        for (d, list) in dists.as_object().unwrap_or(&empty) {
            let l: Vec<String> = list
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .filter_map(Value::as_str)
                .map(|r| format!("{r:?}"))
                .collect();
            let _ = writeln!(roles, "    ({}, {d:?}, &[{}]),", idx(v), l.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "pub(super) static ROLES: &[(u8, &str, &[&str])] = &[\n{roles}];"
    );
    let mut defaults = String::new();
    for (path, changes) in section("defaults") {
        for (v, d) in changes.as_object().unwrap_or(&empty) {
            let d = default_text(d).unwrap_or_default();
            let _ = writeln!(defaults, "    ({path:?}, {}, {d:?}),", idx(v));
        }
    }
    let _ = writeln!(
        out,
        "pub(super) static DEFAULTS: &[(&str, u8, &str)] = &[\n{defaults}];"
    );
    let mut behaviour = String::new();
    for b in json["behaviour_defaults"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let f = |k: &str| b[k].as_str().unwrap_or("").to_owned();
        let _ = writeln!(
            behaviour,
            "    ({:?}, {}, {:?}, {:?}),",
            f("key"),
            idx(&f("from")),
            f("before"),
            f("after")
        );
    }
    let _ = writeln!(
        out,
        "pub(super) static BEHAVIOUR: &[(&str, u8, &str, &str)] = &[\n{behaviour}];"
    );
    let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let _ = writeln!(
        out,
        "pub(super) static VERSIONS: &[&str] = &[{}];",
        list.join(", ")
    );
    out
}
