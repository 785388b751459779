//! What stands in front of a manifest's Services, as users meet it: the
//! host names an Ingress, an OpenShift Route or a Gateway API route serves,
//! and the port users reach (443 or 80 for an Ingress or a Route, the
//! listener's port for a Gateway API route, `port` of a LoadBalancer
//! Service, `nodePort` of a NodePort Service), with the pods and container
//! port each path ends at. The front-door rules compare
//! these with `[server] hostname` and `proxyPort`.

use super::{Object, Target};
use crate::yaml::Value;

/// An object in front of Services: its hosts and the paths to pods.
#[derive(Debug, Clone)]
pub(crate) struct FrontDoor {
    /// What users meet, for messages: "the Ingress `apim`".
    pub(crate) what: String,
    pub(crate) namespace: String,
    /// The host names it serves (lower case; none for a LoadBalancer
    /// without an external-dns name, or a NodePort Service).
    pub(crate) hosts: Vec<String>,
    pub(crate) paths: Vec<FrontPath>,
}

/// One way through a front door to the pods of a Service.
#[derive(Debug, Clone)]
pub(crate) struct FrontPath {
    /// The Service's selector: the pods it ends at.
    pub(crate) selector: Vec<(String, String)>,
    /// The container port (a number or a named port); `None` when the
    /// Service does not say (a backend naming no port of it).
    pub(crate) target: Option<Target>,
    /// The port users reach: `None` when it depends on the scheme (an
    /// Ingress or an OpenShift Route: [`FrontPath::tls`]) or is not known
    /// (a Gateway API route whose Gateway is not in the manifests).
    pub(crate) port: Option<i64>,
    /// An HTTP proxy (Ingress, OpenShift Route): whether it terminates TLS
    /// for its hosts (users reach 443), else 80.
    pub(crate) tls: Option<bool>,
    /// The one host of the door this path serves (an Ingress rule's
    /// `host`); `None`: every host of the door.
    pub(crate) host: Option<String>,
}

impl FrontPath {
    /// The port users reach through this path to a connector of `scheme`
    /// (`https` or `http`), where known.
    pub(crate) fn user_port(&self, https: bool) -> Option<i64> {
        match (self.port, self.tls) {
            (Some(p), _) => Some(p),
            // an HTTPS upstream is served on 443 whether or not the
            // Ingress names a certificate (the controller's default one)
            (None, Some(tls)) => Some(if https || tls { 443 } else { 80 }),
            (None, None) => None,
        }
    }
}

/// A Service's port entry as a front door reads it.
struct SvcEntry<'a> {
    name: Option<&'a str>,
    port: Option<i64>,
    target: Option<Target>,
    node_port: Option<i64>,
}

fn svc_entries(svc: &Value) -> Vec<SvcEntry<'_>> {
    svc.at(&["spec", "ports"])
        .map(Value::seq)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let port = p.get("port").and_then(Value::int);
            let target = p
                .get("targetPort")
                .and_then(|t| match t.int() {
                    Some(n) => Some(Target::Number(n)),
                    None => t.str().map(|s| Target::Named(s.to_owned())),
                })
                .or_else(|| port.map(Target::Number));
            SvcEntry {
                name: p.get("name").and_then(Value::str),
                port,
                target,
                node_port: p.get("nodePort").and_then(Value::int),
            }
        })
        .collect()
}

fn selector(svc: &Value) -> Vec<(String, String)> {
    svc.at(&["spec", "selector"])
        .map(Value::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.str()?.to_owned(), v.str()?.to_owned())))
        .collect()
}

/// How a backend names the Service's port.
enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
    /// OpenShift's `targetPort`: a Service port's name, or a container port.
    Target(&'a Value),
    None,
}

/// The paths through `service` (of `namespace`) on `port`.
fn backend(
    objects: &[Object<'_>],
    namespace: &str,
    service: &str,
    port: &PortRef<'_>,
    user_port: Option<i64>,
    tls: Option<bool>,
) -> Vec<FrontPath> {
    let Some(svc) = objects.iter().find(|o| {
        o.kind == "Service"
            && o.name.eq_ignore_ascii_case(service)
            && o.namespace.eq_ignore_ascii_case(namespace)
    }) else {
        return Vec::new();
    };
    let entries = svc_entries(svc.doc);
    let selector = selector(svc.doc);
    let path = |target: Option<Target>| FrontPath {
        selector: selector.clone(),
        target,
        port: user_port,
        tls,
        host: None,
    };
    let target = match port {
        PortRef::Number(n) => entries
            .iter()
            .find(|e| e.port == Some(*n))
            .and_then(|e| e.target.clone()),
        PortRef::Name(name) => entries
            .iter()
            .find(|e| e.name == Some(*name))
            .and_then(|e| e.target.clone()),
        PortRef::Target(v) => match v.int() {
            Some(n) => Some(Target::Number(n)),
            None => v.str().and_then(|name| {
                entries
                    .iter()
                    .find(|e| e.name == Some(name))
                    .and_then(|e| e.target.clone())
            }),
        },
        // no port named: every port of the Service (a Route without
        // `port`, a single-port Service)
        PortRef::None => {
            return entries.into_iter().map(|e| path(e.target)).collect();
        }
    };
    vec![path(target)]
}

fn lower_strs(v: Option<&Value>) -> Vec<String> {
    v.map(Value::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::str)
        .map(str::to_lowercase)
        .collect()
}

/// How an Ingress backend names its Service's port.
fn port_ref(b: &Value) -> PortRef<'_> {
    let p = b.at(&["service", "port"]);
    match (
        p.and_then(|p| p.get("number")).and_then(Value::int),
        p.and_then(|p| p.get("name")).and_then(Value::str),
    ) {
        (Some(n), _) => PortRef::Number(n),
        (None, Some(name)) => PortRef::Name(name),
        (None, None) => PortRef::None,
    }
}

fn ingress(objects: &[Object<'_>], o: &Object<'_>) -> FrontDoor {
    let spec = o.doc.get("spec");
    let any_tls = spec.and_then(|s| s.get("tls")).is_some();
    let mut door = FrontDoor {
        what: format!("the Ingress `{}`", o.name),
        namespace: o.namespace.clone(),
        hosts: Vec::new(),
        paths: Vec::new(),
    };
    for r in spec
        .and_then(|s| s.get("rules"))
        .map(Value::seq)
        .unwrap_or_default()
    {
        let host = r.get("host").and_then(Value::str).map(str::to_lowercase);
        // a host the `tls` section leaves out is still served on 443, with
        // the controller's default certificate
        let tls = any_tls;
        door.hosts.extend(host.clone());
        for p in r.at(&["http", "paths"]).map(Value::seq).unwrap_or_default() {
            let Some(b) = p.get("backend") else { continue };
            let Some(name) = b.at(&["service", "name"]).and_then(Value::str) else {
                continue;
            };
            let mut paths = backend(objects, &o.namespace, name, &port_ref(b), None, Some(tls));
            for p in &mut paths {
                p.host.clone_from(&host);
            }
            door.paths.extend(paths);
        }
    }
    if let Some(b) = spec.and_then(|s| s.get("defaultBackend"))
        && let Some(name) = b.at(&["service", "name"]).and_then(Value::str)
    {
        door.paths.extend(backend(
            objects,
            &o.namespace,
            name,
            &port_ref(b),
            None,
            Some(any_tls),
        ));
    }
    door
}

fn openshift_route(objects: &[Object<'_>], o: &Object<'_>) -> FrontDoor {
    let spec = o.doc.get("spec");
    let tls = spec.and_then(|s| s.get("tls")).is_some();
    let port = match spec.and_then(|s| s.at(&["port", "targetPort"])) {
        Some(v) => PortRef::Target(v),
        None => PortRef::None,
    };
    let mut names: Vec<&str> = spec
        .and_then(|s| s.at(&["to", "name"]))
        .and_then(Value::str)
        .into_iter()
        .collect();
    names.extend(
        spec.and_then(|s| s.get("alternateBackends"))
            .map(Value::seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|b| b.get("name").and_then(Value::str)),
    );
    FrontDoor {
        what: format!("the OpenShift Route `{}`", o.name),
        namespace: o.namespace.clone(),
        hosts: spec
            .and_then(|s| s.get("host"))
            .and_then(Value::str)
            .map(str::to_lowercase)
            .into_iter()
            .collect(),
        paths: names
            .iter()
            .flat_map(|n| backend(objects, &o.namespace, n, &port, None, Some(tls)))
            .collect(),
    }
}

/// The port of the listener a Gateway API route attaches to, where the
/// manifests say it: the parent reference's `port`, else the Gateway's
/// listener named by `sectionName` (or its only port).
fn listener_port(objects: &[Object<'_>], o: &Object<'_>) -> Option<i64> {
    let mut ports = Vec::new();
    for p in o
        .doc
        .at(&["spec", "parentRefs"])
        .map(Value::seq)
        .unwrap_or_default()
    {
        if let Some(n) = p.get("port").and_then(Value::int) {
            ports.push(n);
            continue;
        }
        let name = p.get("name").and_then(Value::str)?;
        let ns = p
            .get("namespace")
            .and_then(Value::str)
            .unwrap_or(&o.namespace);
        let gw = objects.iter().find(|g| {
            g.kind == "Gateway" && g.name == name && g.namespace.eq_ignore_ascii_case(ns)
        })?;
        let listeners = gw.doc.at(&["spec", "listeners"]).map(Value::seq)?;
        let section = p.get("sectionName").and_then(Value::str);
        let mut of: Vec<i64> = listeners
            .iter()
            .filter(|l| section.is_none_or(|s| l.get("name").and_then(Value::str) == Some(s)))
            .filter_map(|l| l.get("port").and_then(Value::int))
            .collect();
        of.sort_unstable();
        of.dedup();
        ports.extend(of);
    }
    ports.sort_unstable();
    ports.dedup();
    match ports.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

fn gateway_route(objects: &[Object<'_>], o: &Object<'_>) -> FrontDoor {
    let port = listener_port(objects, o);
    let paths = o
        .doc
        .at(&["spec", "rules"])
        .map(Value::seq)
        .unwrap_or_default()
        .iter()
        .flat_map(|r| r.get("backendRefs").map(Value::seq).unwrap_or_default())
        .flat_map(|b| {
            let Some(name) = b.get("name").and_then(Value::str) else {
                return Vec::new();
            };
            let ns = b
                .get("namespace")
                .and_then(Value::str)
                .unwrap_or(&o.namespace);
            let p = match b.get("port").and_then(Value::int) {
                Some(n) => PortRef::Number(n),
                None => PortRef::None,
            };
            backend(objects, ns, name, &p, port, None)
        })
        .collect();
    FrontDoor {
        what: format!("the {} `{}`", o.kind, o.name),
        namespace: o.namespace.clone(),
        hosts: lower_strs(o.doc.at(&["spec", "hostnames"])),
        paths,
    }
}

/// A LoadBalancer or NodePort Service: users reach its `port` (on the load
/// balancer) or its `nodePort` (on every node of the cluster).
fn exposed_service(o: &Object<'_>) -> Option<FrontDoor> {
    let kind = o.doc.at(&["spec", "type"]).and_then(Value::str)?;
    let lb = match kind {
        "LoadBalancer" => true,
        "NodePort" => false,
        _ => return None,
    };
    let selector = selector(o.doc);
    let paths = svc_entries(o.doc)
        .into_iter()
        .filter_map(|e| {
            let port = if lb { e.port } else { e.node_port };
            Some(FrontPath {
                selector: selector.clone(),
                target: e.target,
                port: Some(port?),
                tls: None,
                host: None,
            })
        })
        .collect();
    // the name external-dns publishes for a load balancer
    let hosts = o
        .doc
        .at(&[
            "metadata",
            "annotations",
            "external-dns.alpha.kubernetes.io/hostname",
        ])
        .and_then(Value::str)
        .filter(|_| lb)
        .map(|h| {
            h.split(',')
                .map(|s| s.trim().trim_end_matches('.').to_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some(FrontDoor {
        what: format!(
            "the {} Service `{}`",
            if lb { "LoadBalancer" } else { "NodePort" },
            o.name
        ),
        namespace: o.namespace.clone(),
        hosts,
        paths,
    })
}

/// Every front door of a manifest's objects.
pub(super) fn fronts(objects: &[Object<'_>]) -> Vec<FrontDoor> {
    objects
        .iter()
        .filter_map(|o| match o.kind {
            "Ingress" => Some(ingress(objects, o)),
            "Route" => Some(openshift_route(objects, o)),
            "HTTPRoute" | "TLSRoute" | "GRPCRoute" => Some(gateway_route(objects, o)),
            "Service" => exposed_service(o),
            _ => None,
        })
        .collect()
}
