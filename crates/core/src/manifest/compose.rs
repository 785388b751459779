//! What a Compose service says beyond its bind mounts: `extends` (same
//! file and `file:`), `env_file`, its networks and `network_mode`, the host
//! IPs its ports are bound on, and every name the project's services answer
//! to. Docker semantics followed (docs.docker.com):
//!
//! * <https://docs.docker.com/compose/how-tos/networking/>: "each container
//!   for a service joins the default network and is both reachable by other
//!   containers on that network, and discoverable by the service's name";
//!   services reach each other only on the networks they share.
//! * <https://docs.docker.com/reference/compose-file/services/#aliases>:
//!   "aliases declared are scoped to the network they are declared on".
//! * <https://docs.docker.com/reference/compose-file/services/#network_mode>:
//!   `host` gives the container the host's network stack (no Compose DNS).
//! * <https://docs.docker.com/reference/compose-file/services/#extends> and
//!   `#env_file` (paths relative to the Compose file).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::yaml::Value;

/// Networks a service joins, each with the aliases declared on it.
pub(crate) type Networks = Vec<(String, Vec<String>)>;

/// A Compose service's place on its Docker host's networks.
#[derive(Debug, Clone, Default)]
pub struct ComposeNet {
    /// The Compose file (the project: service names are scoped to it).
    pub project: PathBuf,
    /// The service's own names, visible on each of its networks: service
    /// name, `container_name`, `hostname`.
    pub own: Vec<String>,
    /// The networks it joins, each with the aliases declared on it; `None`
    /// when `network_mode` shares another container's stack (not modelled).
    pub networks: Option<Networks>,
    /// `network_mode: host`: on the Docker host's own network stack.
    pub host_network: bool,
    /// Published TCP ports with the host IP they are bound on (`""`: all).
    pub binds: Vec<(String, i64)>,
    /// Every name any service of the project answers to (databases too).
    pub project_names: Arc<[String]>,
    /// The bind mounts that put files into the node's API-M home: (path
    /// relative to the home in the container, host path — a file or a
    /// directory).
    pub home_binds: Vec<(String, PathBuf)>,
}

/// At most this many `extends` steps (a cycle is a mistake, not a hang).
const MAX_EXTENDS: usize = 8;

/// Service `name` of `doc` with its `extends` applied: the base service's
/// keys, then the service's own (a key written in both is the service's;
/// `environment` maps are merged). `file:` is read relative to `dir`.
pub(crate) fn resolved_service(
    doc: &Value,
    name: &str,
    dir: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Option<Value> {
    resolve_in(doc, name, dir, read, 0)
}

fn resolve_in(
    doc: &Value,
    name: &str,
    dir: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
    depth: usize,
) -> Option<Value> {
    let svc = doc.get("services")?.get(name)?;
    let Some(ext) = svc.get("extends").filter(|_| depth < MAX_EXTENDS) else {
        return Some(svc.clone());
    };
    let (base_name, file) = match ext {
        Value::Scalar(s) => (s.value.clone(), None),
        _ => (
            ext.get("service")?.str()?.to_owned(),
            ext.get("file").and_then(Value::str).map(str::to_owned),
        ),
    };
    let base = match file {
        None => resolve_in(doc, &base_name, dir, read, depth + 1),
        Some(f) => {
            let path = crate::base::files::normalize(&dir.join(f));
            let text = read(&path)?;
            let docs = crate::yaml::parse_stream_keeping(&text, &|_, _| true).ok()?;
            let other = docs.into_iter().next().flatten()?;
            let other_dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            resolve_in(&other, &base_name, &other_dir, read, depth + 1)
        }
    };
    let Some(Value::Map(mut entries, start)) = base else {
        return Some(svc.clone());
    };
    for (k, v) in svc.entries() {
        let Some(key) = k.str() else { continue };
        if key == "extends" {
            continue;
        }
        match entries.iter_mut().find(|(bk, _)| bk.str() == Some(key)) {
            Some((_, bv)) if key == "environment" => *bv = merge_env(bv, v),
            Some((_, bv)) => *bv = v.clone(),
            None => entries.push((k.clone(), v.clone())),
        }
    }
    entries.retain(|(k, _)| k.str() != Some("extends"));
    Some(Value::Map(entries, start))
}

/// Two `environment` values merged (the second wins), as a map.
fn merge_env(base: &Value, own: &Value) -> Value {
    let mut vars = env_vars(Some(base));
    for (k, v) in env_vars(Some(own)) {
        vars.retain(|(bk, _)| *bk != k);
        vars.push((k, v));
    }
    let scalar = |s: String| {
        Value::Scalar(crate::yaml::Scalar {
            value: s,
            style: crate::yaml::Style::Plain,
            start: own.start(),
            end: own.start(),
        })
    };
    Value::Map(
        vars.into_iter()
            .map(|(k, v)| (scalar(k), scalar(v)))
            .collect(),
        own.start(),
    )
}

/// An `environment` map or list as (name, value) pairs.
pub(crate) fn env_vars(env: Option<&Value>) -> Vec<(String, String)> {
    match env {
        Some(Value::Map(e, _)) => e
            .iter()
            .filter_map(|(k, v)| Some((k.str()?.to_owned(), v.str()?.to_owned())))
            .collect(),
        Some(Value::Seq(items, _)) => items
            .iter()
            .filter_map(Value::str)
            .filter_map(|s| s.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The variables of a service's `env_file`s (a path, a list of paths, or
/// `{path, required}` entries), relative to the Compose file's directory:
/// `NAME=value` lines, `#` comments, `export ` and quotes dropped.
pub(crate) fn env_file_vars(
    svc: &Value,
    dir: &Path,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Vec<(String, String)> {
    let paths: Vec<&str> = match svc.get("env_file") {
        Some(Value::Scalar(s)) => vec![s.value.as_str()],
        Some(Value::Seq(items, _)) => items
            .iter()
            .filter_map(|i| i.str().or_else(|| i.get("path").and_then(Value::str)))
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for p in paths {
        let Some(text) = read(&crate::base::files::normalize(&dir.join(p))) else {
            continue;
        };
        out.extend(dotenv(&text));
    }
    out
}

/// `NAME=value` lines of an env file.
fn dotenv(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            (k.trim().to_owned(), v.to_owned())
        })
        .collect()
}

/// A service's networks (with their aliases) and whether it runs on the
/// host's network. No `networks:` is the project's `default` network.
pub(crate) fn networks(svc: &Value) -> (Option<Networks>, bool) {
    match svc.get("network_mode").and_then(Value::str).map(str::trim) {
        Some("host") => return (Some(Vec::new()), true),
        Some("none") => return (Some(Vec::new()), false),
        Some(m) if m != "bridge" && !m.is_empty() => return (None, false),
        _ => {}
    }
    let lower = |s: &str| s.to_lowercase();
    let nets = match svc.get("networks") {
        None => vec![("default".to_owned(), Vec::new())],
        Some(Value::Seq(items, _)) => items
            .iter()
            .filter_map(Value::str)
            .map(|n| (n.to_owned(), Vec::new()))
            .collect(),
        Some(v) => v
            .entries()
            .iter()
            .filter_map(|(k, n)| {
                let aliases = n
                    .get("aliases")
                    .map(Value::seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Value::str)
                    .map(lower)
                    .collect();
                Some((k.str()?.to_owned(), aliases))
            })
            .collect(),
    };
    (Some(nets), false)
}

/// Every name a project's services answer to: service names,
/// `container_name`, `hostname`, network aliases (lower case).
pub(crate) fn project_names(doc: &Value) -> Arc<[String]> {
    let mut out = Vec::new();
    for (name, svc) in doc.get("services").map(Value::entries).unwrap_or_default() {
        out.extend(name.str().map(str::to_lowercase));
        for k in ["hostname", "container_name"] {
            out.extend(svc.get(k).and_then(Value::str).map(str::to_lowercase));
        }
        for (_, n) in svc.get("networks").map(Value::entries).unwrap_or_default() {
            for a in n.get("aliases").map(Value::seq).unwrap_or_default() {
                out.extend(a.str().map(str::to_lowercase));
            }
        }
    }
    out.sort();
    out.dedup();
    out.into()
}

/// The host IP of each published TCP port (`""`: every address), for
/// port collisions on the Docker host.
pub(crate) fn binds(ports: Option<&Value>) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for entry in ports.map(Value::seq).unwrap_or_default() {
        let (ip, pairs) = match entry {
            Value::Map(..) => (
                entry
                    .get("host_ip")
                    .and_then(Value::str)
                    .unwrap_or("")
                    .to_owned(),
                super::long_port(entry),
            ),
            _ => {
                let Some(s) = entry.str() else { continue };
                (short_ip(s), super::short_port(s))
            }
        };
        let ip = if ip == "0.0.0.0" || ip == "::" || ip == "[::]" {
            String::new()
        } else {
            ip.trim_matches(['[', ']']).to_owned()
        };
        for (host, _) in pairs.unwrap_or_default() {
            if out.len() >= super::MAX_PUBLISHED {
                return out;
            }
            out.push((ip.clone(), host));
        }
    }
    out
}

/// The host IP of a short-syntax entry (`127.0.0.1:80:80`, `[::1]:80:80`).
fn short_ip(entry: &str) -> String {
    let spec = entry.trim().split('/').next().unwrap_or("");
    let mut parts: Vec<&str> = spec.rsplitn(3, ':').collect();
    if parts.len() < 3 {
        return String::new();
    }
    parts.pop().unwrap_or("").to_owned()
}

/// A node file a second Compose service mounts too (`extends` without its
/// own volume, a copied path, another region's file): a node of its own,
/// `<region>/<service>`, read from the same file — each container runs with
/// that configuration (its `gateway_id`, its database). Its text is shown
/// as the file's; fixes are written through the first service's node only.
/// `region`: the region of the Compose file that mounts it.
pub(crate) fn second_mount(
    mut origin: super::Origin,
    file: &Path,
    text: &str,
    region: Option<String>,
) -> (PathBuf, super::Origin) {
    // the manifest's text is what renderers may show: its secrets starred
    let parsed = crate::syntax::parse(text);
    let secrets = crate::redact::secret_ranges(text, parsed.doc.as_ref());
    let manifest = super::Manifest {
        path: file.to_path_buf(),
        region,
        text: Arc::from(super::starred(text, &secrets)),
        lines: crate::base::text::LineIndex::new(text),
        services: Vec::new(),
        routes: Vec::new(),
        sets: Vec::new(),
        fronts: Vec::new(),
    };
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    origin.map = crate::yaml::OffsetMap {
        offsets: (0..=len).collect(),
        exact: true,
        verbatim: false,
    };
    origin.span = 0..text.len();
    origin.inline = true;
    origin.manifest = Arc::new(manifest);
    let vpath = file
        .join("Compose service")
        .join(&origin.name)
        .join(super::NODE_KEY);
    (vpath, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Value {
        crate::yaml::parse_stream_keeping(text, &|_, _| true)
            .ok()
            .and_then(|d| d.into_iter().next().flatten())
            .unwrap_or(Value::Alias(0))
    }

    #[test]
    fn networks_default_host_and_aliases() {
        let d = doc(
            "services:\n  a: {}\n  b:\n    network_mode: host\n  c:\n    networks:\n      x:\n        aliases: [Km.Internal]\n      y: null\n",
        );
        let svc = |n| d.at(&["services", n]).cloned().unwrap_or(Value::Alias(0));
        assert_eq!(
            networks(&svc("a")),
            (Some(vec![("default".to_owned(), vec![])]), false)
        );
        assert_eq!(networks(&svc("b")), (Some(vec![]), true));
        assert_eq!(
            networks(&svc("c")).0,
            Some(vec![
                ("x".to_owned(), vec!["km.internal".to_owned()]),
                ("y".to_owned(), vec![])
            ])
        );
    }

    #[test]
    fn extends_same_file_inherits_and_overrides() {
        let d = doc(
            "services:\n  a:\n    volumes: [./x:/y]\n    environment: {A: '1', B: '2'}\n  b:\n    extends: {service: a}\n    environment: {B: '3'}\n  c:\n    extends: c\n",
        );
        let b = resolved_service(&d, "b", Path::new(""), &|_| None);
        let b = b.as_ref();
        assert_eq!(
            b.and_then(|b| b.get("volumes")).map(|v| v.seq().len()),
            Some(1)
        );
        assert_eq!(
            env_vars(b.and_then(|b| b.get("environment"))),
            vec![("A".into(), "1".into()), ("B".into(), "3".into())]
        );
        // a cycle ends
        assert!(resolved_service(&d, "c", Path::new(""), &|_| None).is_some());
    }

    #[test]
    fn env_file_lines() {
        assert_eq!(
            dotenv("# c\nexport JAVA_OPTS=\"-Xmx1g -DportOffset=2\"\n\nX='y'\n"),
            vec![
                ("JAVA_OPTS".into(), "-Xmx1g -DportOffset=2".into()),
                ("X".into(), "y".into())
            ]
        );
    }

    #[test]
    fn binds_keep_host_ip() {
        let d = doc(
            "ports: ['8280:8280', '127.0.0.1:9443:9443', '[::1]:5672:5672', '0.0.0.0:1:1', {target: 2, published: 3, host_ip: 10.0.0.1}]\n",
        );
        assert_eq!(
            binds(d.get("ports")),
            vec![
                (String::new(), 8280),
                ("127.0.0.1".into(), 9443),
                ("::1".into(), 5672),
                (String::new(), 1),
                ("10.0.0.1".into(), 3)
            ]
        );
    }
}
