//! The files of a node's home a workload mounts besides its
//! `deployment.toml` (`spec/node-files.md`): ConfigMap `data`/`binaryData`
//! and Secret `data`/`stringData` keys mounted at a home file's path
//! (`subPath`), or as the directory holding it (every key, or `items`).
//! WSO2's charts mount the keystores from one Secret into
//! `repository/resources/security/`.

use super::{Entry, Pod, entry};
use crate::yaml::Value;

/// A home file held in a ConfigMap or Secret key that the node's
/// container mounts.
pub(crate) struct Mount<'a> {
    /// Path relative to the home.
    pub(crate) rel: String,
    pub(crate) holder_kind: &'a str,
    pub(crate) holder: &'a str,
    pub(crate) key: String,
    pub(crate) value: Entry<'a>,
}

/// Whether a path relative to a home names a file apimlint reads (the
/// graph tells which kind; keystores: any file of the security directory,
/// the TOML says which it reads).
fn is_home_file(rel: &str) -> bool {
    let Some((dir, name)) = rel.rsplit_once('/') else {
        return false;
    };
    match dir {
        "repository/deployment/server/eventpublishers"
        | "repository/deployment/server/userstores" => name.ends_with(".xml"),
        "repository/conf" => name.starts_with("jndi") && name.ends_with(".properties"),
        "repository/resources/security" => !name.is_empty(),
        _ => false,
    }
}

/// The home files the mounts of one container (`mounts`) bring into the
/// home `home` (its path in the container, ending in `/`).
pub(crate) fn mounted<'a>(pod: &Pod<'a>, mounts: &'a [Value], home: &str) -> Vec<Mount<'a>> {
    let mut out: Vec<Mount<'a>> = Vec::new();
    // problems of these mounts are not the node's: not reported
    let mut ignored = Vec::new();
    for m in mounts {
        let Some(path) = m.get("mountPath").and_then(Value::str) else {
            continue;
        };
        let Some(rel) = path.trim_end_matches('/').strip_prefix(home) else {
            continue;
        };
        let rel = rel.trim_start_matches('/');
        if !rel.starts_with("repository/") || rel.starts_with("repository/conf/deployment.toml") {
            continue;
        }
        let Some((kind, src)) = pod.source(m, &mut ignored) else {
            continue;
        };
        let field = if kind == "Secret" {
            "secretName"
        } else {
            "name"
        };
        let Some(holder) = src
            .get(field)
            .and_then(Value::str)
            .and_then(|n| pod.holder(kind, n))
        else {
            continue;
        };
        let items = src.get("items").map(Value::seq).unwrap_or_default();
        let key_of = |path: &str| -> String {
            items
                .iter()
                .find(|i| i.get("path").and_then(Value::str) == Some(path))
                .and_then(|i| i.get("key").and_then(Value::str))
                .unwrap_or(path)
                .to_owned()
        };
        // (path relative to the home, key)
        let files: Vec<(String, String)> = match m.get("subPath").and_then(Value::str) {
            Some(sub) => vec![(rel.to_owned(), key_of(sub))],
            None if !items.is_empty() => items
                .iter()
                .filter_map(|i| {
                    let key = i.get("key").and_then(Value::str)?;
                    let p = i.get("path").and_then(Value::str).unwrap_or(key);
                    Some((format!("{rel}/{p}"), key.to_owned()))
                })
                .collect(),
            None => keys(holder.doc)
                .into_iter()
                .map(|k| (format!("{rel}/{k}"), k.to_owned()))
                .collect(),
        };
        for (rel, key) in files {
            if !is_home_file(&rel) || out.iter().any(|f| f.rel == rel) {
                continue;
            }
            if let Some(value) = entry(holder, &key) {
                out.push(Mount {
                    rel,
                    holder_kind: holder.kind,
                    holder: holder.name,
                    key,
                    value,
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// Every key of a ConfigMap's or Secret's values.
fn keys(doc: &Value) -> Vec<&str> {
    ["data", "stringData", "binaryData"]
        .iter()
        .filter_map(|f| doc.get(f))
        .flat_map(Value::entries)
        .filter_map(|(k, _)| k.str())
        .collect()
}
