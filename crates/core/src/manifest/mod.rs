//! Kubernetes manifest streams and Compose files as input
//! (`docs`: README "Kubernetes and Compose"): which `deployment.toml` texts
//! they hold, joined with the workloads that mount them; the Services,
//! StatefulSets, Ingresses and routes that give the nodes host names; where
//! each TOML byte sits in the YAML. No I/O: the driver reads the files.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::base::text::LineIndex;
use crate::yaml::{self, OffsetMap, Value};

mod compose;
mod front;
mod home;
mod write;

pub(crate) use compose::{ComposeNet, second_mount};
pub(crate) use front::FrontDoor;
pub use write::ManifestEdit;
pub(crate) use write::apply_manifest;

/// The path standard input's manifest is shown as (in the deployment root).
pub const STDIN_NAME: &str = "<stdin>";

/// The file name a node's configuration has.
const NODE_KEY: &str = "deployment.toml";

/// Whether a path names a Compose file.
pub(crate) fn is_compose(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("compose.yaml" | "compose.yml" | "docker-compose.yaml" | "docker-compose.yml")
    )
}

/// Whether a path names a manifest stream (or a Compose file).
pub(crate) fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// A manifest file (or standard input), shared by the nodes read from it.
#[derive(Debug)]
pub struct Manifest {
    /// The file, or `<root>/-` for standard input.
    pub path: PathBuf,
    /// The region given for standard input (`--region`), else none.
    pub region: Option<String>,
    /// The text with every Secret value starred out (same offsets).
    pub(crate) text: Arc<str>,
    pub(crate) lines: LineIndex,
    pub(crate) services: Vec<Service>,
    pub(crate) routes: Vec<Route>,
    /// StatefulSets: (name, namespace, governing service, replicas).
    pub(crate) sets: Vec<(String, String, String, u32)>,
    /// What stands in front of the Services: Ingresses, routes,
    /// LoadBalancer and NodePort Services (`front.rs`).
    pub(crate) fronts: Vec<FrontDoor>,
}

impl Manifest {
    /// The manifest's text as renderers may show it: Secret values starred.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }
}

/// A Service: its selector and ports.
#[derive(Debug, Clone)]
pub(crate) struct Service {
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) selector: Vec<(String, String)>,
    pub(crate) ports: Vec<SvcPort>,
    pub(crate) headless: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SvcPort {
    pub(crate) port: i64,
    /// A number, a named container port, or `None` (= `port`).
    pub(crate) target: Option<Target>,
}

#[derive(Debug, Clone)]
pub(crate) enum Target {
    Number(i64),
    Named(String),
}

/// A host name that reaches Services like a load balancer (Ingress,
/// Gateway API route, OpenShift Route).
#[derive(Debug, Clone)]
pub(crate) struct Route {
    pub(crate) host: String,
    pub(crate) services: Vec<String>,
}

/// Where a node read from a manifest comes from.
#[derive(Debug)]
pub struct Origin {
    pub manifest: Arc<Manifest>,
    /// `ConfigMap` or `Secret` (or the workload kind when a problem is reported on it).
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub key: String,
    pub workload: Option<Workload>,
    /// TOML byte → manifest byte.
    pub(crate) map: OffsetMap,
    /// The text lives in the manifest (a ConfigMap or Secret), not in a file
    /// of its own (a Compose bind mount).
    pub inline: bool,
    /// Host names the node answers to besides the Services (a Compose
    /// service's name, `hostname`, `container_name`, network aliases).
    pub names: Vec<String>,
    /// The YAML scalar holding the text.
    pub(crate) span: Range<usize>,
}

impl Origin {
    /// A node's byte range as a manifest range.
    pub fn range(&self, r: &Range<usize>) -> Range<usize> {
        self.map.range(r)
    }

    /// Whether an edit of the TOML maps exactly onto the manifest (a literal
    /// block scalar).
    pub(crate) fn verbatim(&self) -> bool {
        self.map.exact && self.map.verbatim
    }

    /// Whether manifest byte `offset` lies in the node's TOML (exactly mapped).
    pub fn holds(&self, offset: usize) -> bool {
        self.map.exact
            && self.map.map(0) <= offset
            && offset <= self.map.offsets.last().map_or(0, |o| *o as usize)
    }

    /// A manifest offset inside the node's TOML as an offset of the TOML.
    pub fn unmap(&self, offset: usize) -> usize {
        self.map.unmap(offset)
    }

    /// The node's name: its workload's, else its ConfigMap's.
    pub(crate) fn node_name(&self) -> &str {
        self.workload.as_ref().map_or(&self.name, |w| &w.name)
    }
}

/// The workload that mounts a node's configuration.
#[derive(Debug, Clone, Default)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub replicas: u32,
    /// Container ports: (name, number).
    pub ports: Vec<(Option<String>, i64)>,
    /// `-DportOffset=N` in the container's args, command or env.
    pub port_offset: Option<i64>,
    /// The containers' environment variables with a literal `value` (a
    /// `valueFrom` is not known).
    pub env: Vec<(String, String)>,
    /// A Compose service's published TCP ports: (port on the Docker host,
    /// container port). URLs on the Docker host reach the node through them
    /// (`graph::resolve`); empty for Kubernetes workloads.
    pub published: Vec<(i64, i64)>,
    /// A Compose service's networks, project and host binds; `None` for
    /// Kubernetes workloads.
    pub compose: Option<ComposeNet>,
}

/// What one manifest yields.
#[derive(Debug)]
pub(crate) struct Extracted {
    /// Nodes: (virtual path, TOML text or the problem, origin).
    pub(crate) nodes: Vec<(PathBuf, Result<String, String>, Origin)>,
    /// The files of each node's home its workload mounts (same order as
    /// `nodes`).
    pub(crate) homes: Vec<Vec<HomeFound>>,
}

/// A file of a node's home held in a ConfigMap or Secret key.
#[derive(Debug)]
pub(crate) struct HomeFound {
    /// Path relative to the home (`repository/conf/jndi.properties`).
    pub(crate) rel: String,
    /// A virtual path beside the node's: `<key>@<rel with | for />`.
    pub(crate) path: PathBuf,
    /// The bytes (base64-decoded for `data`/`binaryData`), or the problem.
    pub(crate) bytes: Result<Vec<u8>, String>,
    pub(crate) origin: Origin,
}

pub(crate) struct Object<'a> {
    kind: &'a str,
    name: &'a str,
    namespace: String,
    doc: &'a Value,
}

/// Read a manifest stream. `region`/`namespace`: what `--region` and
/// `--namespace` give; for standard input (`stdin`) without `--region`, the
/// region is the namespace of its first node.
pub(crate) fn extract(
    path: &Path,
    text: &str,
    region: Option<&str>,
    namespace: Option<&str>,
    stdin: bool,
) -> Extracted {
    let default_ns = namespace.unwrap_or("default");
    let mut problems: Vec<(usize, String)> = Vec::new();
    let (docs, parse_failed) = parse_stream(text, &mut problems);
    let objects = objects_of(&docs, text, default_ns, &mut problems);
    // every Secret's values are starred, those of a Secret defined twice too
    let redactions = secret_values(&objects);
    let objects = last_of_each(objects, text, &mut problems);
    for o in &objects {
        duplicate_keys(o.doc, text, &mut problems);
    }
    let (services, routes, sets) = topology(&objects);
    // the nodes: the workloads' mounts of a `deployment.toml` key, then the
    // ConfigMaps and Secrets no workload mounts
    let (mut found, mounted) = mounted_nodes(&objects, &mut problems);
    found.extend(unmounted_nodes(&objects, &mounted));
    let manifest = Arc::new(Manifest {
        path: path.to_path_buf(),
        region: region.map(str::to_owned).or_else(|| {
            stdin.then(|| {
                found
                    .first()
                    .map_or_else(|| default_ns.to_owned(), |f| f.namespace.clone())
            })
        }),
        text: starred(text, &shown_redactions(text, redactions, parse_failed)).into(),
        lines: LineIndex::new(text),
        fronts: front::fronts(&objects),
        services,
        routes,
        sets,
    });
    let mut out = Extracted {
        nodes: Vec::new(),
        homes: Vec::new(),
    };
    let mut seen: Vec<PathBuf> = Vec::new();
    for f in found {
        let (node, home) = node_of(f, path, text, &manifest, &mut seen);
        out.nodes.push(node);
        out.homes.push(home);
    }
    for (k, (offset, message)) in problems.into_iter().enumerate() {
        out.nodes.push(problem_node(
            path, &manifest, default_ns, k, offset, message,
        ));
        out.homes.push(Vec::new());
    }
    out
}

/// The stream's documents (none for an unrendered chart) and whether it
/// failed to parse: then no Secret value is known and what it shows is
/// starred line by line.
fn parse_stream(text: &str, problems: &mut Vec<(usize, String)>) -> (Vec<Option<Value>>, bool) {
    // an unrendered chart: its `{{ … }}` are not what Kubernetes receives
    let template = crate::base::text::template_action(text);
    let parsed = match template {
        Some(_) => Ok(Vec::new()),
        None => yaml::parse_stream_keeping(text, &relevant),
    };
    if let Some(at) = template {
        problems.push((
            at,
            format!(
                "a Helm template, not a rendered manifest (`{{{{ … }}}}` is unrendered): {}",
                crate::base::text::TEMPLATE_HELP
            ),
        ));
    }
    let parse_failed = parsed.is_err() || template.is_some();
    let docs = match parsed {
        Ok(d) => d,
        Err(e) => {
            problems.push((
                e.offset,
                format!("the manifest is not valid YAML: {}", e.message),
            ));
            Vec::new()
        }
    };
    (docs, parse_failed)
}

/// The stream's objects (`List`s unfolded), in order.
fn objects_of<'a>(
    docs: &'a [Option<Value>],
    text: &str,
    default_ns: &str,
    problems: &mut Vec<(usize, String)>,
) -> Vec<Object<'a>> {
    let mut objects: Vec<Object<'_>> = Vec::new();
    // a YAML file that merely mentions `deployment.toml` (a CI workflow, a
    // values file) is no stream of Kubernetes objects: its documents without
    // `kind` are not findings
    let kubernetes = text.contains("apiVersion:") || text.contains("kind:");
    let mut stack: Vec<&Value> = docs.iter().flatten().collect();
    stack.reverse();
    while let Some(doc) = stack.pop() {
        if !matches!(doc, Value::Map(..)) {
            continue;
        }
        let Some(kind) = doc.get("kind").and_then(Value::str) else {
            if !kubernetes {
                continue;
            }
            problems.push((
                doc.start(),
                "a manifest document without `kind`: apimlint cannot tell what it is".to_owned(),
            ));
            continue;
        };
        if kind == "List" || kind.ends_with("List") {
            let items = doc.get("items").map(Value::seq).unwrap_or_default();
            stack.extend(items.iter().rev());
            continue;
        }
        let name = doc
            .at(&["metadata", "name"])
            .and_then(Value::str)
            .unwrap_or("");
        let namespace = doc
            .at(&["metadata", "namespace"])
            .and_then(Value::str)
            .unwrap_or(default_ns)
            .to_owned();
        objects.push(Object {
            kind,
            name,
            namespace,
            doc,
        });
    }
    objects
}

/// The spans of every Secret's values (every `data`/`stringData` written
/// twice too).
fn secret_values(objects: &[Object<'_>]) -> Vec<Range<usize>> {
    let mut redactions = Vec::new();
    for o in objects.iter().filter(|o| o.kind == "Secret") {
        for (field, values) in o.doc.entries() {
            if !matches!(field.str(), Some("data" | "stringData")) {
                continue;
            }
            for (_, v) in values.entries() {
                if let Some(s) = v.scalar() {
                    redactions.push(s.start..s.end);
                }
            }
        }
    }
    redactions
}

/// A StatefulSet's (name, namespace, governing Service, replicas).
type Set = (String, String, String, u32);

/// The Services, routes (Ingress, Gateway API, OpenShift) and StatefulSets
/// that give the nodes host names.
fn topology(objects: &[Object<'_>]) -> (Vec<Service>, Vec<Route>, Vec<Set>) {
    let mut services = Vec::new();
    let mut routes = Vec::new();
    let mut sets = Vec::new();
    for o in objects {
        match o.kind {
            "Service" => services.push(service(o)),
            "Ingress" => routes.extend(ingress(o)),
            "HTTPRoute" | "TLSRoute" | "GRPCRoute" => routes.extend(gateway_routes(o)),
            "Route" => routes.extend(openshift_route(o)),
            "StatefulSet" => sets.extend(stateful_set(o)),
            _ => {}
        }
    }
    (services, routes, sets)
}

/// A Gateway API route: each of its host names to its backends.
fn gateway_routes(o: &Object<'_>) -> Vec<Route> {
    let backends: Vec<String> = o
        .doc
        .at(&["spec", "rules"])
        .map(Value::seq)
        .unwrap_or_default()
        .iter()
        .flat_map(|r| r.get("backendRefs").map(Value::seq).unwrap_or_default())
        .filter_map(|b| b.get("name").and_then(Value::str).map(str::to_owned))
        .collect();
    o.doc
        .at(&["spec", "hostnames"])
        .map(Value::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::str)
        .map(|h| Route {
            host: h.to_lowercase(),
            services: backends.clone(),
        })
        .collect()
}

/// An OpenShift route: its host to its Service and alternate backends.
fn openshift_route(o: &Object<'_>) -> Option<Route> {
    let h = o.doc.at(&["spec", "host"]).and_then(Value::str)?;
    let mut svcs: Vec<String> = o
        .doc
        .at(&["spec", "to", "name"])
        .and_then(Value::str)
        .map(str::to_owned)
        .into_iter()
        .collect();
    svcs.extend(
        o.doc
            .at(&["spec", "alternateBackends"])
            .map(Value::seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|b| b.get("name").and_then(Value::str).map(str::to_owned)),
    );
    Some(Route {
        host: h.to_lowercase(),
        services: svcs,
    })
}

/// A StatefulSet with a governing Service.
fn stateful_set(o: &Object<'_>) -> Option<Set> {
    let svc = o.doc.at(&["spec", "serviceName"]).and_then(Value::str)?;
    let n = o
        .doc
        .at(&["spec", "replicas"])
        .and_then(Value::int)
        .unwrap_or(1);
    Some((
        o.name.to_owned(),
        o.namespace.clone(),
        svc.to_owned(),
        u32::try_from(n.clamp(0, 1000)).unwrap_or(1),
    ))
}

/// A (kind, name, namespace) of a ConfigMap or Secret a workload mounts.
type Mounted = (String, String, String);

/// The workloads' mounts of a `deployment.toml` key: a node each, with the
/// files of its home the same container mounts.
fn mounted_nodes<'a>(
    objects: &'a [Object<'a>],
    problems: &mut Vec<(usize, String)>,
) -> (Vec<Found<'a>>, Vec<Mounted>) {
    let mut found: Vec<Found<'_>> = Vec::new();
    let mut mounted: Vec<Mounted> = Vec::new();
    for o in objects {
        let Some(tpl) = pod_template(o) else {
            continue;
        };
        let workload = workload(o, tpl);
        let pod = Pod {
            o,
            volumes: tpl
                .at(&["spec", "volumes"])
                .map(Value::seq)
                .unwrap_or_default(),
            objects,
        };
        let containers = tpl
            .at(&["spec", "containers"])
            .map(Value::seq)
            .unwrap_or_default();
        for c in containers {
            let mounts = c.get("volumeMounts").map(Value::seq).unwrap_or_default();
            for m in mounts {
                let Some((home, src, mut f)) = pod.node_mount(m, problems) else {
                    continue;
                };
                mounted.push(src);
                f.workload = Some(workload.clone());
                f.home = home::mounted(&pod, mounts, &home);
                found.push(f);
            }
        }
    }
    (found, mounted)
}

/// A workload's pod template, as its mounts are read.
pub(crate) struct Pod<'a> {
    o: &'a Object<'a>,
    volumes: &'a [Value],
    objects: &'a [Object<'a>],
}

impl<'a> Pod<'a> {
    /// The volume of a mount, and whether it is a ConfigMap or a Secret
    /// (with its source table); a problem when the pod defines no such
    /// volume.
    fn source(
        &self,
        m: &'a Value,
        problems: &mut Vec<(usize, String)>,
    ) -> Option<(&'static str, &'a Value)> {
        let vname = m.get("name").and_then(Value::str)?;
        let Some(vol) = self
            .volumes
            .iter()
            .find(|v| v.get("name").and_then(Value::str) == Some(vname))
        else {
            problems.push((
                m.start(),
                format!(
                    "`{}` mounts the volume `{vname}`, which its pod template does not define",
                    self.o.name
                ),
            ));
            return None;
        };
        if let Some(cm) = vol.get("configMap") {
            Some(("ConfigMap", cm))
        } else {
            vol.get("secret").map(|s| ("Secret", s))
        }
    }

    /// The object (ConfigMap or Secret) of a volume source, in the
    /// workload's namespace.
    fn holder(&self, kind: &str, name: &str) -> Option<&'a Object<'a>> {
        self.objects
            .iter()
            .find(|h| h.kind == kind && h.name == name && h.namespace == self.o.namespace)
    }

    /// A mount of `deployment.toml` (the file, or `repository/conf`): the
    /// node's home in the container, what it mounts, and the node.
    fn node_mount(
        &self,
        m: &'a Value,
        problems: &mut Vec<(usize, String)>,
    ) -> Option<(String, Mounted, Found<'a>)> {
        let mount = m.get("mountPath").and_then(Value::str)?;
        let mount = mount.trim_end_matches('/');
        let sub = m.get("subPath").and_then(Value::str);
        let whole_dir = mount.ends_with("repository/conf");
        let home = mount
            .strip_suffix("repository/conf/deployment.toml")
            .or_else(|| mount.strip_suffix("repository/conf"))?
            .to_owned();
        let (src_kind, src) = self.source(m, problems)?;
        let name_field = if src_kind == "Secret" {
            "secretName"
        } else {
            "name"
        };
        let src_name_v = src.get(name_field)?;
        let src_name = src_name_v.str().unwrap_or("");
        let key = mounted_key(src, whole_dir, sub);
        let o = self.o;
        let Some(holder) = self.holder(src_kind, src_name) else {
            problems.push((
                src_name_v.start(),
                format!(
                    "`{}` mounts the {src_kind} `{src_name}` as its `deployment.toml`, but this manifest holds no {src_kind} of that name in namespace `{}`",
                    o.name, o.namespace
                ),
            ));
            return None;
        };
        let Some(value) = entry(holder, key) else {
            problems.push((
                src_name_v.start(),
                format!(
                    "`{}` mounts the key `{key}` of the {src_kind} `{src_name}`, which it does not hold",
                    o.name
                ),
            ));
            return None;
        };
        let src = (
            src_kind.to_owned(),
            src_name.to_owned(),
            o.namespace.clone(),
        );
        let f = Found {
            holder_kind: src_kind,
            holder: holder.name,
            namespace: o.namespace.clone(),
            key: key.to_owned(),
            value,
            workload: None,
            home: Vec::new(),
        };
        Some((home, src, f))
    }
}

/// Which key of a ConfigMap or Secret lands at `deployment.toml`.
fn mounted_key<'a>(src: &'a Value, whole_dir: bool, sub: Option<&'a str>) -> &'a str {
    let items = src.get("items").map(Value::seq).unwrap_or_default();
    let key_of = |path: &str| {
        items
            .iter()
            .find(|i| i.get("path").and_then(Value::str) == Some(path))
            .and_then(|i| i.get("key").and_then(Value::str))
    };
    match sub {
        None if whole_dir => key_of(NODE_KEY).unwrap_or(NODE_KEY),
        Some(sub) => {
            let sub = if whole_dir {
                // a subPath into the directory
                sub.strip_suffix("/deployment.toml").unwrap_or(sub)
            } else {
                sub
            };
            key_of(sub).unwrap_or(sub)
        }
        None => NODE_KEY,
    }
}

/// A ConfigMap or Secret that no workload mounts, holding a
/// `deployment.toml` key, is a node of its own.
fn unmounted_nodes<'a>(objects: &'a [Object<'a>], mounted: &[Mounted]) -> Vec<Found<'a>> {
    objects
        .iter()
        .filter(|o| o.kind == "ConfigMap" || o.kind == "Secret")
        .filter(|o| {
            !mounted
                .iter()
                .any(|(k, n, ns)| k == o.kind && n == o.name && *ns == o.namespace)
        })
        .filter_map(|o| {
            Some(Found {
                holder_kind: o.kind,
                holder: o.name,
                namespace: o.namespace.clone(),
                key: NODE_KEY.to_owned(),
                value: entry(o, NODE_KEY)?,
                workload: None,
                home: Vec::new(),
            })
        })
        .collect()
}

/// The content of a ConfigMap or Secret value and where its bytes are in
/// the manifest (base64: only the value's start).
fn content_of(
    value: &Entry<'_>,
    text: &str,
    what: impl Fn() -> String,
) -> (Result<Vec<u8>, String>, OffsetMap, Range<usize>) {
    let at = |o: usize| OffsetMap {
        offsets: vec![u32::try_from(o).unwrap_or(0)],
        exact: false,
        verbatim: false,
    };
    match value {
        Entry::Alias(a) => (
            Err(format!(
                "{} as a YAML alias (`*…`): apimlint does not follow aliases; write the text in place",
                what()
            )),
            at(*a),
            *a..*a,
        ),
        Entry::Text(s) => (
            Ok(s.value.clone().into_bytes()),
            yaml::offset_map(text, s),
            s.start..s.end,
        ),
        Entry::Base64(s) => match base64_bytes(&s.value) {
            Some(b) => (Ok(b), at(s.start), s.start..s.end),
            None => (
                Err(format!(
                    "{} in `data`, which is not valid base64 text",
                    what()
                )),
                at(s.start),
                s.start..s.end,
            ),
        },
    }
}

/// A node found in the manifest: its virtual path, its TOML, its origin,
/// and its home's files.
fn node_of(
    f: Found<'_>,
    path: &Path,
    text: &str,
    manifest: &Arc<Manifest>,
    seen: &mut Vec<PathBuf>,
) -> ((PathBuf, Result<String, String>, Origin), Vec<HomeFound>) {
    let who = f.workload.as_ref().map_or(f.holder, |w| w.name.as_str());
    let dir = path.join(f.holder_kind).join(&f.namespace).join(f.holder);
    let mut vpath = dir.join(&f.key);
    if seen.contains(&vpath) {
        vpath = dir.join(format!("{}@{who}", f.key));
    }
    seen.push(vpath.clone());
    let (kind, holder) = (f.holder_kind, f.holder);
    let (content, map, span) = content_of(&f.value, text, || {
        format!("the {kind} `{holder}` holds `{}`", f.key)
    });
    let content = content.and_then(|b| {
        String::from_utf8(b).map_err(|_| {
            format!(
                "the {kind} `{holder}` holds `{}` in `data`, which is not valid base64 text",
                f.key
            )
        })
    });
    let origin = |kind: &str, name: &str, key: String, map: OffsetMap, span: Range<usize>| Origin {
        manifest: manifest.clone(),
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: f.namespace.clone(),
        key,
        workload: f.workload.clone(),
        map,
        span,
        inline: true,
        names: Vec::new(),
    };
    let home = f
        .home
        .iter()
        .map(|h| {
            let (bytes, map, span) = content_of(&h.value, text, || {
                format!("the {} `{}` holds `{}`", h.holder_kind, h.holder, h.key)
            });
            HomeFound {
                rel: h.rel.clone(),
                path: vpath.with_file_name(format!("{}@{}", f.key, h.rel.replace('/', "|"))),
                bytes,
                origin: origin(h.holder_kind, h.holder, h.key.clone(), map, span),
            }
        })
        .collect();
    let node = (
        vpath,
        content,
        origin(kind, holder, f.key.clone(), map, span),
    );
    (node, home)
}

/// A problem of the manifest as a node that cannot be read, located at it.
fn problem_node(
    path: &Path,
    manifest: &Arc<Manifest>,
    default_ns: &str,
    k: usize,
    offset: usize,
    message: String,
) -> (PathBuf, Result<String, String>, Origin) {
    (
        path.join(format!("#problem-{}", k + 1)),
        Err(message),
        Origin {
            manifest: manifest.clone(),
            kind: "manifest".to_owned(),
            name: format!(
                "{}#{}",
                path.file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
                k + 1
            ),
            namespace: default_ns.to_owned(),
            key: String::new(),
            workload: None,
            map: OffsetMap {
                offsets: vec![u32::try_from(offset).unwrap_or(0)],
                exact: false,
                verbatim: false,
            },
            span: offset..offset,
            inline: true,
            names: Vec::new(),
        },
    )
}

/// The objects Kubernetes keeps: of several with one kind, name and
/// namespace, `kubectl apply` of the stream leaves the last. Each later one
/// is a problem located at it, naming the line of the one before.
fn last_of_each<'a>(
    objects: Vec<Object<'a>>,
    text: &str,
    problems: &mut Vec<(usize, String)>,
) -> Vec<Object<'a>> {
    let mut last: std::collections::HashMap<(&str, &str, &str), usize> =
        std::collections::HashMap::new();
    let mut dropped = vec![false; objects.len()];
    let lines = LineIndex::new(text);
    for (i, o) in objects.iter().enumerate() {
        if o.name.is_empty() {
            continue;
        }
        if let Some(before) = last.insert((o.kind, o.name, o.namespace.as_str()), i)
            && let (Some(flag), Some(b)) = (dropped.get_mut(before), objects.get(before))
        {
            *flag = true;
            let line = lines.line_col(text, b.doc.start()).line;
            problems.push((
                o.doc.start(),
                format!(
                    "a second {} `{}` in namespace `{}` (the one before is at line {line}): Kubernetes keeps the last one, which apimlint reads; the one before is never deployed",
                    o.kind, o.name, o.namespace
                ),
            ));
        }
    }
    objects
        .into_iter()
        .zip(dropped)
        .filter_map(|(o, d)| (!d).then_some(o))
        .collect()
}

/// Every mapping key written twice in an object (Kubernetes reads the
/// last): a problem located at the later one. Walked without recursion.
fn duplicate_keys(doc: &Value, text: &str, problems: &mut Vec<(usize, String)>) {
    let mut stack = vec![doc];
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut lines: Option<LineIndex> = None;
    while let Some(v) = stack.pop() {
        match v {
            Value::Map(entries, _) => {
                seen.clear();
                for (k, val) in entries {
                    stack.push(val);
                    let Some(key) = k.str().filter(|k| *k != "<<") else {
                        continue;
                    };
                    if let Some(first) = seen.insert(key, k.start()) {
                        let lines = lines.get_or_insert_with(|| LineIndex::new(text));
                        let line = lines.line_col(text, first).line;
                        problems.push((
                            k.start(),
                            format!(
                                "the key `{key}` is written twice in this mapping (first at line {line}): Kubernetes reads the last one, and so does apimlint"
                            ),
                        ));
                    }
                }
            }
            Value::Seq(items, _) => stack.extend(items),
            Value::Scalar(_) | Value::Alias(_) => {}
        }
    }
}

/// Whether a document can matter: an object that holds or mounts a node's
/// configuration, names nodes, or is not a Kubernetes object at all (a
/// finding when the stream holds Kubernetes objects).
fn relevant(doc: &Value, source: &str) -> bool {
    match doc.get("kind").and_then(Value::str) {
        None => true,
        Some(k) if k.ends_with("List") => true,
        Some(
            "ConfigMap" | "Secret" | "Service" | "Ingress" | "HTTPRoute" | "TLSRoute" | "GRPCRoute"
            | "Route" | "StatefulSet" | "Gateway",
        ) => true,
        Some(
            "Deployment"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "CronJob"
            | "Pod"
            | "ReplicationController",
        ) => source.contains("repository/conf"),
        Some(_) => false,
    }
}

struct Found<'a> {
    holder_kind: &'a str,
    holder: &'a str,
    namespace: String,
    key: String,
    value: Entry<'a>,
    workload: Option<Workload>,
    /// The home files the same container mounts.
    home: Vec<home::Mount<'a>>,
}

pub(crate) enum Entry<'a> {
    Text(&'a yaml::Scalar),
    Base64(&'a yaml::Scalar),
    /// An alias (`*name`) where the text belongs: never followed (an alias
    /// bomb would cost its expansion), so a finding at it.
    Alias(usize),
}

/// A ConfigMap's or Secret's value for `key`.
pub(crate) fn entry<'a>(o: &Object<'a>, key: &str) -> Option<Entry<'a>> {
    let text_fields: &[&str] = if o.kind == "Secret" {
        &["stringData"]
    } else {
        &["data"]
    };
    for f in text_fields {
        match o.doc.get(f).and_then(|d| d.get(key)) {
            Some(Value::Scalar(s)) => return Some(Entry::Text(s)),
            Some(Value::Alias(at)) => return Some(Entry::Alias(*at)),
            _ => {}
        }
    }
    let b64 = if o.kind == "Secret" {
        "data"
    } else {
        "binaryData"
    };
    o.doc
        .get(b64)
        .and_then(|d| d.get(key))
        .and_then(Value::scalar)
        .map(Entry::Base64)
}

fn pod_template<'a>(o: &Object<'a>) -> Option<&'a Value> {
    match o.kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController" => o.doc.at(&["spec", "template"]),
        "CronJob" => o.doc.at(&["spec", "jobTemplate", "spec", "template"]),
        "Pod" => Some(o.doc),
        _ => None,
    }
}

fn workload(o: &Object<'_>, tpl: &Value) -> Workload {
    let labels = tpl
        .at(&["metadata", "labels"])
        .map(Value::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.str()?.to_owned(), v.str()?.to_owned())))
        .collect();
    let replicas = match o.kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => o
            .doc
            .at(&["spec", "replicas"])
            .and_then(Value::int)
            .unwrap_or(1),
        _ => 1,
    };
    let mut ports = Vec::new();
    let mut offset = None;
    let mut env = Vec::new();
    for c in tpl
        .at(&["spec", "containers"])
        .map(Value::seq)
        .unwrap_or_default()
    {
        for e in c.get("env").map(Value::seq).unwrap_or_default() {
            if let (Some(n), Some(v)) = (
                e.get("name").and_then(Value::str),
                e.get("value").and_then(Value::str),
            ) {
                env.push((n.to_owned(), v.to_owned()));
            }
        }
        for p in c.get("ports").map(Value::seq).unwrap_or_default() {
            if let Some(n) = p.get("containerPort").and_then(Value::int) {
                ports.push((p.get("name").and_then(Value::str).map(str::to_owned), n));
            }
        }
        let words = ["args", "command"]
            .iter()
            .flat_map(|f| c.get(f).map(Value::seq).unwrap_or_default())
            .filter_map(Value::str)
            .chain(
                c.get("env")
                    .map(Value::seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|e| e.get("value").and_then(Value::str)),
            );
        for w in words {
            offset = port_offset_arg(w).or(offset);
        }
    }
    Workload {
        kind: o.kind.to_owned(),
        name: o.name.to_owned(),
        labels,
        replicas: u32::try_from(replicas.clamp(0, 10_000)).unwrap_or(1),
        ports,
        port_offset: offset,
        env,
        published: Vec::new(),
        compose: None,
    }
}

fn service(o: &Object<'_>) -> Service {
    let spec = o.doc.get("spec");
    let selector = spec
        .and_then(|s| s.get("selector"))
        .map(Value::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.str()?.to_owned(), v.str()?.to_owned())))
        .collect();
    let ports = spec
        .and_then(|s| s.get("ports"))
        .map(Value::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let port = p.get("port").and_then(Value::int)?;
            let target = p.get("targetPort").and_then(|t| match t.int() {
                Some(n) => Some(Target::Number(n)),
                None => t.str().map(|s| Target::Named(s.to_owned())),
            });
            Some(SvcPort { port, target })
        })
        .collect();
    Service {
        name: o.name.to_lowercase(),
        namespace: o.namespace.to_lowercase(),
        selector,
        ports,
        headless: spec
            .and_then(|s| s.get("clusterIP"))
            .and_then(Value::str)
            .is_some_and(|c| c == "None"),
    }
}

fn ingress(o: &Object<'_>) -> Vec<Route> {
    let spec = o.doc.get("spec");
    let default: Vec<String> = spec
        .and_then(|s| s.at(&["defaultBackend", "service", "name"]))
        .and_then(Value::str)
        .map(str::to_owned)
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for r in spec
        .and_then(|s| s.get("rules"))
        .map(Value::seq)
        .unwrap_or_default()
    {
        let Some(host) = r.get("host").and_then(Value::str) else {
            continue;
        };
        let mut svcs: Vec<String> = r
            .at(&["http", "paths"])
            .map(Value::seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.at(&["backend", "service", "name"]).and_then(Value::str))
            .map(str::to_owned)
            .collect();
        if svcs.is_empty() {
            svcs = default.clone();
        }
        out.push(Route {
            host: host.to_lowercase(),
            services: svcs,
        });
    }
    out
}

/// `text` with the bytes of `ranges` starred (line breaks kept).
/// The ranges a manifest's shown text stars: the Secret values found by
/// parsing, or, when the stream could not be parsed (its excerpt is still
/// shown around the error), every value that may be secret line by line
/// ([`unparsed_secret_ranges`]).
fn shown_redactions(
    text: &str,
    mut found: Vec<Range<usize>>,
    parse_failed: bool,
) -> Vec<Range<usize>> {
    if parse_failed {
        found.extend(unparsed_secret_ranges(text));
    }
    found
}

/// What may be secret in YAML that does not parse, line by line: every
/// value of a document that says `kind: Secret` (its `data` and
/// `stringData`, and whatever else it holds), the value of every
/// secret-named key (`password: …`), and in any line what the TOML
/// fallback and URL credentials find (a `deployment.toml` in a block).
/// Over-starring is the safe side here: the file is shown only around its
/// syntax error.
pub(crate) fn unparsed_secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut acc = crate::redact::secret_ranges(text, None);
    let mut start = 0;
    for doc in text.split_inclusive("\n---").map(|d| {
        let r = start..start + d.len();
        start += d.len();
        r
    }) {
        let body = text.get(doc.clone()).unwrap_or("");
        let secret_doc = body
            .lines()
            .any(|l| l.trim_start().trim_end() == "kind: Secret");
        let mut at = doc.start;
        for line in body.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let lead = content.len() - content.trim_start().len();
            let rest = content.get(lead..).unwrap_or("");
            let rest_start = lead + (rest.len() - rest.trim_start_matches("- ").len());
            let item = content.get(rest_start..).unwrap_or("");
            let value_at = match item
                .find(": ")
                .or_else(|| item.strip_suffix(':').map(str::len))
            {
                Some(colon) => {
                    let key = item.get(..colon).unwrap_or("").trim_matches(['"', '\'']);
                    let plain = !key.contains([' ', '{', '[', '#']);
                    if plain && (secret_doc || crate::redact::is_secret_key(key)) {
                        Some(rest_start + (colon + 1).min(item.len()))
                    } else if plain {
                        None
                    } else if secret_doc {
                        Some(lead)
                    } else {
                        None
                    }
                }
                // a line of a block or a flow value: in a Secret, all of it
                None if secret_doc && !item.is_empty() && item != "---" => Some(lead),
                None => None,
            };
            if let Some(v) = value_at {
                let v_trim = content.get(v..).unwrap_or("");
                let skip = v_trim.len() - v_trim.trim_start().len();
                let s = at + v + skip;
                let e = at + content.len();
                if s < e && !matches!(v_trim.trim(), "|" | ">" | "|-" | ">-" | "|+" | ">+") {
                    acc.push(s..e);
                }
            }
            at += line.len();
        }
    }
    acc
}

pub(crate) fn starred(text: &str, ranges: &[Range<usize>]) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        for b in bytes.iter_mut().take(r.end).skip(r.start) {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    // starring a multi-byte character's bytes leaves valid ASCII; a range
    // cutting one in half cannot: star the rest of it too
    String::from_utf8(bytes).unwrap_or_else(|e| {
        let mut b = e.into_bytes();
        for x in &mut b {
            if *x >= 0x80 {
                *x = b'*';
            }
        }
        String::from_utf8(b).unwrap_or_default()
    })
}

/// Where a node's secrets (`secrets`: ranges of its TOML) lie in its
/// manifest: mapped exactly, or, when the map is not exact, the whole scalar.
pub(crate) fn secret_ranges(o: &Origin, secrets: &[Range<usize>]) -> Vec<Range<usize>> {
    if !o.inline || secrets.is_empty() {
        Vec::new()
    } else if o.map.exact {
        secrets.iter().map(|r| o.range(r)).collect()
    } else {
        vec![o.span.clone()]
    }
}

/// A manifest's text as it may be shown (a `--diff` of a fixed manifest):
/// every Secret value and every secret of the TOML it holds starred out,
/// the same offsets. Reads nothing but `text`.
pub(crate) fn redacted(path: &Path, text: &str) -> String {
    let ex = extract(path, text, None, None, false);
    let Some(manifest) = ex.nodes.first().map(|(_, _, o)| o.manifest.clone()) else {
        // no node to tell where the secrets are: show nothing
        let all = std::iter::once(0..text.len()).collect::<Vec<_>>();
        return starred(text, &all);
    };
    let mut ranges = Vec::new();
    for (_, content, o) in &ex.nodes {
        if let Ok(toml) = content {
            let parsed = crate::syntax::parse(toml);
            let secrets = crate::redact::secret_ranges(toml, parsed.doc.as_ref());
            ranges.extend(secret_ranges(o, &secrets));
        }
    }
    // a file of a node's home held in a ConfigMap: its secrets are known to
    // the graph only; the whole value is starred here
    ranges.extend(ex.homes.iter().flatten().map(|h| h.origin.span.clone()));
    starred(&manifest.text, &ranges)
}

/// Decode standard base64 (whitespace ignored).
fn base64_bytes(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut acc = 0u32;
    let mut bits = 0;
    let mut pad = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                pad += 1;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if pad > 0 {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    Some(out)
}

/// A Compose file's services that bind-mount a node's `deployment.toml`
/// (the file itself, or a host directory holding
/// `repository/conf/deployment.toml`, mounted anywhere — WSO2's own Compose
/// files mount the whole config volume): the host file and its origin
/// (the service's names, `-DportOffset`). `exists` says whether a host path
/// is a file (the driver asks its file system). A file that is not valid
/// YAML is an error saying where (line and column), for an
/// `unreadable-file` finding on it.
pub(crate) fn compose(
    path: &Path,
    text: &str,
    exists: &dyn Fn(&Path) -> bool,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Result<Vec<(PathBuf, Origin)>, String> {
    let docs = yaml::parse_stream_keeping(text, &|_, _| true).map_err(|e| {
        let lc = LineIndex::new(text).line_col(text, e.offset);
        format!(
            "the Compose file is not valid YAML: {} (line {}, column {})",
            e.message, lc.line, lc.column
        )
    })?;
    let Some(Some(doc)) = docs.first() else {
        return Ok(Vec::new());
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let manifest = Arc::new(Manifest {
        path: path.to_path_buf(),
        region: None,
        text: Arc::from(""),
        lines: LineIndex::new(""),
        services: Vec::new(),
        routes: Vec::new(),
        sets: Vec::new(),
        fronts: Vec::new(),
    });
    let project_names = compose::project_names(doc);
    let mut out = Vec::new();
    for (name, _) in doc.get("services").map(Value::entries).unwrap_or_default() {
        let Some(name) = name.str() else { continue };
        // `extends` applied: an inherited bind mount, environment or port counts
        let Some(svc) = compose::resolved_service(doc, name, dir, read) else {
            continue;
        };
        let Some(file) = mounted_node_file(&svc, dir, exists) else {
            continue;
        };
        let mut own = vec![name.to_lowercase()];
        for k in ["hostname", "container_name"] {
            if let Some(h) = svc.get(k).and_then(Value::str) {
                own.push(h.to_lowercase());
            }
        }
        let (networks, host_network) = compose::networks(&svc);
        let mut names = own.clone();
        for (_, aliases) in networks.iter().flatten() {
            names.extend(aliases.iter().cloned());
        }
        // `env_file` first: `environment` overrides it
        let mut vars = compose::env_file_vars(&svc, dir, read);
        for (k, v) in compose::env_vars(svc.get("environment")) {
            vars.retain(|(bk, _)| *bk != k);
            vars.push((k, v));
        }
        let mut offset = None;
        let words: Vec<&str> = ["command", "entrypoint"]
            .iter()
            .filter_map(|k| svc.get(k))
            .flat_map(|v| match v {
                Value::Scalar(s) => vec![s.value.as_str()],
                Value::Seq(items, _) => items.iter().filter_map(Value::str).collect(),
                Value::Map(e, _) => e.iter().filter_map(|(_, v)| v.str()).collect(),
                Value::Alias(_) => Vec::new(),
            })
            .chain(vars.iter().map(|(_, v)| v.as_str()))
            .collect();
        for w in words {
            offset = port_offset_arg(w).or(offset);
        }
        let net = ComposeNet {
            project: path.to_path_buf(),
            own,
            networks,
            host_network,
            binds: compose::binds(svc.get("ports")),
            project_names: project_names.clone(),
            home_binds: home_binds(&svc, dir, &file),
        };
        out.push((
            file,
            Origin {
                manifest: manifest.clone(),
                kind: "Compose service".to_owned(),
                name: name.to_owned(),
                namespace: String::new(),
                key: String::new(),
                workload: Some(Workload {
                    kind: "Compose service".to_owned(),
                    name: name.to_owned(),
                    replicas: 1,
                    port_offset: offset,
                    env: vars,
                    published: compose_ports(svc.get("ports")),
                    compose: Some(net),
                    ..Workload::default()
                }),
                map: OffsetMap::default(),
                span: 0..0,
                inline: false,
                names,
            },
        ));
    }
    Ok(out)
}

/// A Compose service's bind mounts: (host path, container path).
fn bind_mounts(svc: &Value, dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for v in svc.get("volumes").map(Value::seq).unwrap_or_default() {
        let (source, target) = match v {
            Value::Scalar(s) => {
                let mut parts = s.value.split(':');
                (
                    parts.next().map(str::to_owned),
                    parts.next().map(str::to_owned),
                )
            }
            _ => (
                v.get("source").and_then(Value::str).map(str::to_owned),
                v.get("target").and_then(Value::str).map(str::to_owned),
            ),
        };
        let (Some(source), Some(target)) = (source, target) else {
            continue;
        };
        if source.starts_with(['.', '/', '~']) || source.contains('/') {
            let host = crate::base::files::normalize(&dir.join(&source));
            out.push((host, target.trim_end_matches('/').to_owned()));
        }
    }
    out
}

/// The bind mounts of a service that put files into the API-M home of the
/// node file `node` it mounts: (path relative to the home, host path).
fn home_binds(svc: &Value, dir: &Path, node: &Path) -> Vec<(String, PathBuf)> {
    let binds = bind_mounts(svc, dir);
    // the home in the container: where the node file's bind puts it
    let home = binds.iter().find_map(|(host, target)| {
        let below = node.strip_prefix(host).ok()?;
        // a file bound on its own: `join("")` would add a trailing `/`
        let in_container = if below.as_os_str().is_empty() {
            PathBuf::from(target)
        } else {
            Path::new(target).join(below)
        };
        let t = in_container.to_str()?;
        t.strip_suffix("repository/conf/deployment.toml")
            .map(str::to_owned)
    });
    let Some(home) = home else {
        return Vec::new();
    };
    binds
        .into_iter()
        .filter_map(|(host, target)| {
            let rel = target.strip_prefix(&home)?.trim_start_matches('/');
            (rel.starts_with("repository/") && !rel.starts_with("repository/conf/deployment.toml"))
                .then(|| (rel.to_owned(), host))
        })
        .collect()
}

/// The node file a Compose service bind-mounts: the file itself, or a host
/// directory holding `repository/conf/deployment.toml` or `deployment.toml`.
fn mounted_node_file(svc: &Value, dir: &Path, exists: &dyn Fn(&Path) -> bool) -> Option<PathBuf> {
    for v in svc.get("volumes").map(Value::seq).unwrap_or_default() {
        let source = match v {
            Value::Scalar(s) => s.value.split(':').next().map(str::to_owned),
            _ => v.get("source").and_then(Value::str).map(str::to_owned),
        };
        let Some(source) = source.filter(|s| s.starts_with(['.', '/', '~']) || s.contains('/'))
        else {
            continue;
        };
        let host = crate::base::files::normalize(&dir.join(&source));
        let candidates = [
            host.clone(),
            host.join("repository/conf/deployment.toml"),
            host.join("deployment.toml"),
        ];
        if let Some(f) = candidates
            .into_iter()
            .find(|c| c.file_name().is_some_and(|n| n == NODE_KEY) && exists(c))
        {
            return Some(f);
        }
    }
    None
}

/// At most this many published ports per Compose service: a range as wide
/// as `1-65535` is a slip of the pen, not 65,535 load-balancer entries.
const MAX_PUBLISHED: usize = 1000;

/// A Compose service's `ports`: (published host port, container port) for
/// every TCP entry that publishes one, ranges expanded (at most
/// [`MAX_PUBLISHED`]). A bare container port publishes nothing apimlint can
/// name (Docker picks the host port); `udp` entries carry no HTTP or JMS;
/// malformed entries (a `${VAR}`, a port out of range) are skipped. The
/// `host_ip` is not kept: `localhost` and `host.docker.internal` are read as
/// reaching every published port.
fn compose_ports(ports: Option<&Value>) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    for entry in ports.map(Value::seq).unwrap_or_default() {
        let pairs = match entry {
            Value::Map(..) => long_port(entry),
            _ => entry.str().and_then(short_port),
        };
        for pair in pairs.unwrap_or_default() {
            if out.len() >= MAX_PUBLISHED {
                return out;
            }
            out.push(pair);
        }
    }
    out
}

/// A short-syntax `ports` entry, `[HOST_IP:]PUBLISHED:CONTAINER[/PROTOCOL]`
/// (`127.0.0.1:9443:9443`, `[::1]:8243:8243`, `9443-9445:9443-9445/tcp`).
fn short_port(entry: &str) -> Option<Vec<(i64, i64)>> {
    let entry = entry.trim();
    let (spec, protocol) = entry.rsplit_once('/').unwrap_or((entry, "tcp"));
    if !protocol.trim().eq_ignore_ascii_case("tcp") {
        return None;
    }
    // the host IP may be IPv6 (`::1:9443:9443`): the ports are the last two
    let (rest, container) = spec.rsplit_once(':')?;
    let published = rest.rsplit_once(':').map_or(rest, |(_, p)| p);
    port_pairs(published, container)
}

/// A long-syntax `ports` entry: `{target, published, host_ip, protocol}`.
fn long_port(entry: &Value) -> Option<Vec<(i64, i64)>> {
    let protocol = entry.get("protocol").and_then(Value::str).unwrap_or("tcp");
    if !protocol.trim().eq_ignore_ascii_case("tcp") {
        return None;
    }
    let published = entry.get("published").and_then(Value::str)?;
    let target = entry.get("target").and_then(Value::str)?;
    port_pairs(published, target)
}

/// Published and container ports or ranges as pairs: ranges of one length
/// pair up in order; a published range onto one container port pairs each
/// with it (Docker binds one of them); anything else is malformed.
fn port_pairs(published: &str, container: &str) -> Option<Vec<(i64, i64)>> {
    let (p_lo, p_hi) = port_range(published)?;
    let (c_lo, c_hi) = port_range(container)?;
    let pairs: Vec<(i64, i64)> = if p_hi - p_lo == c_hi - c_lo {
        (p_lo..=p_hi).zip(c_lo..=c_hi).take(MAX_PUBLISHED).collect()
    } else if c_lo == c_hi {
        (p_lo..=p_hi)
            .take(MAX_PUBLISHED)
            .map(|p| (p, c_lo))
            .collect()
    } else {
        return None;
    };
    Some(pairs)
}

/// `9443` or `9443-9445`: the first and last port, each in 1..=65535.
fn port_range(s: &str) -> Option<(i64, i64)> {
    let s = s.trim();
    let (lo, hi) = s.split_once('-').unwrap_or((s, s));
    let lo: u16 = lo.trim().parse().ok()?;
    let hi: u16 = hi.trim().parse().ok()?;
    (lo >= 1 && lo <= hi).then_some((i64::from(lo), i64::from(hi)))
}

/// The number of a `-DportOffset=N` in a command word (the last one
/// written wins, as the JVM reads them).
fn port_offset_arg<T: std::str::FromStr>(w: &str) -> Option<T> {
    let p = w.find("-DportOffset=")?;
    let digits: String = w
        .get(p + "-DportOffset=".len()..)
        .unwrap_or("")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes() {
        let base64 = |s: &str| String::from_utf8(base64_bytes(s)?).ok();
        assert_eq!(base64("W3NlcnZlcl0K").as_deref(), Some("[server]\n"));
        assert_eq!(base64("aGk=").as_deref(), Some("hi"));
        assert!(base64("not base64!").is_none());
    }

    #[test]
    fn compose_ports_short_and_ranges() {
        assert_eq!(short_port("9443:9444"), Some(vec![(9443, 9444)]));
        assert_eq!(
            short_port("127.0.0.1:8243:8243/tcp"),
            Some(vec![(8243, 8243)])
        );
        assert_eq!(short_port("[::1]:9611:9611"), Some(vec![(9611, 9611)]));
        assert_eq!(short_port("::1:9711:9711"), Some(vec![(9711, 9711)]));
        assert_eq!(
            short_port("9443-9445:9543-9545"),
            Some(vec![(9443, 9543), (9444, 9544), (9445, 9545)])
        );
        assert_eq!(
            short_port("8080-8081:80"),
            Some(vec![(8080, 80), (8081, 80)])
        );
        // publishes nothing, or not over TCP, or malformed
        for s in [
            "9443",
            "9443:9443/udp",
            "127.0.0.1::9443",
            "${PORT}:9443",
            "9443-9445:9443-9444",
            "70000:9443",
            "9445-9443:9443",
            "0:9443",
            ":",
            "",
        ] {
            assert_eq!(short_port(s), None, "{s}");
        }
        assert_eq!(
            port_pairs("1-65535", "1-65535").map(|v| v.len()),
            Some(MAX_PUBLISHED)
        );
    }

    #[test]
    fn compose_ports_long_syntax_and_caps() {
        let doc = yaml::parse_stream(
            "ports:\n  - target: 9443\n    published: \"8443\"\n    host_ip: 127.0.0.1\n    protocol: tcp\n  - {target: 5672, published: 5672, protocol: udp}\n  - {target: 9611}\n  - 9763\n  - \"1-2000:1-2000\"\n  - \"9099:9099\"\n",
        )
        .ok()
        .and_then(|d| d.into_iter().next().flatten());
        let ports = compose_ports(doc.as_ref().and_then(|d| d.get("ports")));
        assert_eq!(ports.first(), Some(&(8443, 9443)));
        assert_eq!(ports.get(1), Some(&(1, 1)));
        // the range fills the cap: the entry after it is not kept
        assert_eq!(ports.len(), MAX_PUBLISHED);
        assert!(!ports.contains(&(9099, 9099)));
        assert!(compose_ports(None).is_empty());
    }
}
