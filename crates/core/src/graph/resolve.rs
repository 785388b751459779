//! Resolution: the URL sites of each node, the host index, and what each
//! URL reaches (`docs/url-resolution.md`).

use std::ops::Range;

use foldhash::HashMap;
use petgraph::graph::{DiGraph, NodeIndex};
use rayon::prelude::*;

use super::node::Node;
use super::{Deployment, Edge, Link, NoEndpoint, NodeIdx, Resolution, Vertex};
use crate::base::text::edit_distance;
use crate::endpoint::{self, Endpoint, HostKind, Port};
use crate::manifest::{ComposeNet, Manifest, SvcPort, Target};
pub(super) use crate::model::EdgeKind;
use crate::model::{Role, Sp, UrlGroup, UrlList};
use std::sync::Arc;

impl Deployment {
    pub(super) fn resolve_edges(&mut self) {
        let mut sites: Vec<Site> = self
            .nodes
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, n)| url_sites(i, n))
            .collect();
        let n = self.nodes.len();
        let mut graph = DiGraph::with_capacity(n + sites.len(), sites.len() * 2);
        for i in 0..n {
            graph.add_node(Vertex::Node(i));
        }
        let mut urls = vec![0..0; n];
        // resolved in parallel a chunk at a time, each chunk moved into the
        // graph before the next: the edges are never held twice
        sites.reverse();
        while !sites.is_empty() {
            let mut chunk = sites.split_off(sites.len().saturating_sub(4096));
            chunk.reverse();
            let edges: Vec<Box<Edge>> = chunk
                .into_par_iter()
                .map(|s| Box::new(self.hosts.resolve(self, s)))
                .collect();
            for e in edges {
                let from = e.from;
                let targets = e.resolution.targets();
                let v = graph.add_node(Vertex::Url(e));
                // a node's URLs come one after the other
                if let Some(r) = urls.get_mut(from) {
                    if r.start == r.end {
                        *r = v.index()..v.index();
                    }
                    r.end = v.index() + 1;
                }
                graph.add_edge(NodeIndex::new(from), v, Link::Writes);
                for t in targets {
                    graph.add_edge(v, NodeIndex::new(t), Link::Reaches);
                }
            }
        }
        self.graph = graph;
        self.urls = urls;
    }
}

/// A URL found in a node's file, before resolution (the URL is the
/// node's own, not a copy).
struct Site<'n> {
    from: NodeIdx,
    kind: EdgeKind,
    key: String,
    url: &'n Sp<String>,
}

fn group_name(urls: &[Sp<String>]) -> String {
    urls.first()
        .and_then(|u| endpoint::parse(&u.value).ok())
        .map_or_else(|| "?".to_owned(), |e| e.host)
}

/// The string literals of the URLs a node uses to reach others (its edges'
/// spans), known from the node alone.
pub(crate) fn url_spans(n: &Node) -> Vec<Range<usize>> {
    sites(0, n, false)
        .into_iter()
        // a Developer Portal URL that does not parse stays `invalid-url`'s
        .filter(|s| s.kind != EdgeKind::Devportal)
        .map(|s| s.url.span.clone())
        .collect()
}

fn url_sites(from: NodeIdx, n: &Node) -> Vec<Site<'_>> {
    sites(from, n, true)
}

/// The URL sites of a node; `keys`: with the key each is written at (else
/// the keys are left empty: only the URLs are wanted).
fn sites(from: NodeIdx, n: &Node, keys: bool) -> Vec<Site<'_>> {
    use EdgeKind::*;
    let f = &n.facts;
    let mut s = Sites {
        from,
        keys,
        out: Vec::new(),
    };
    s.groups(&f.throttling.url_groups, ThrottleEvents, ThrottleAuth);
    s.list(ThrottleDecision, f.throttling.decision.as_ref());
    s.list(ThrottleDuplicate, f.throttling.duplicate.as_ref());
    s.list(EventListening, f.event_hub.listening.as_ref());
    s.one(EventHubService, f.event_hub.service_url.as_ref());
    s.list(EventDuplicate, f.event_hub.duplicate.as_ref());
    s.groups(&f.event_hub.publish, EventPublish, EventPublishAuth);
    s.one(KeyManager, f.key_manager_url.as_ref());
    s.one(Notification, f.notification_endpoint.as_ref());
    s.one(Devportal, f.devportal_url.as_ref());
    for env in &f.environments {
        for (key, u) in &env.endpoints {
            if let Some(kind) = EdgeKind::of_environment_key(key) {
                s.push(kind, Some(&env.name.value), key, u);
            }
        }
    }
    s.out
}

/// The URL sites of one node, collected in the order the node writes them.
struct Sites<'n> {
    from: NodeIdx,
    /// Whether each site's key is wanted (it is made for each).
    keys: bool,
    out: Vec<Site<'n>>,
}

impl<'n> Sites<'n> {
    fn push(&mut self, kind: EdgeKind, entry: Option<&str>, key: &str, url: &'n Sp<String>) {
        self.out.push(Site {
            from: self.from,
            kind,
            key: if self.keys {
                kind.key().display(entry, key)
            } else {
                String::new()
            },
            url,
        });
    }

    fn one(&mut self, kind: EdgeKind, url: Option<&'n Sp<String>>) {
        if let Some(u) = url {
            self.push(kind, None, kind.key().key, u);
        }
    }

    fn list(&mut self, kind: EdgeKind, list: Option<&'n UrlList>) {
        for u in list.iter().flat_map(|l| &l.items) {
            self.push(kind, None, kind.key().key, u);
        }
    }

    fn groups(&mut self, groups: &'n [UrlGroup], urls: EdgeKind, auth: EdgeKind) {
        for g in groups {
            let name = if self.keys {
                group_name(&g.urls)
            } else {
                String::new()
            };
            for u in &g.urls {
                self.push(urls, Some(&name), urls.key().key, u);
            }
            for u in &g.auth_urls {
                self.push(auth, Some(&name), auth.key().key, u);
            }
        }
    }
}

/// Host name → nodes, built once per deployment.
#[derive(Debug, Default)]
pub(super) struct HostIndex {
    alias: HashMap<String, (Vec<NodeIdx>, bool)>,
    hostname: HashMap<String, Vec<NodeIdx>>,
    node_ip: HashMap<String, Vec<NodeIdx>>,
    last: HashMap<String, Vec<NodeIdx>>,
    machine: HashMap<String, Vec<NodeIdx>>,
    has_tm: HashMap<String, bool>,
    /// Kubernetes names (Services in every DNS form, StatefulSet pods,
    /// Ingress / route hosts), per region.
    k8s: HashMap<String, Vec<K8sHost>>,
    /// The Services of the manifests: (region, name, namespace, nodes selected).
    pub(super) services: Services,
    /// The Compose services' published ports, per region, in node order.
    published: HashMap<String, Vec<Published>>,
}

/// A port a Compose service publishes on its Docker host.
#[derive(Debug, Clone, Copy)]
struct Published {
    /// The port on the Docker host.
    host: i64,
    node: NodeIdx,
    /// The container port it forwards to.
    container: i64,
}

/// The name a container reaches its Docker host by (Docker Desktop, and
/// `extra_hosts: host.docker.internal:host-gateway` on Linux).
const DOCKER_HOST: &str = "host.docker.internal";

/// The Compose services' published ports, per region (the region of the node
/// each service mounts).
fn published_ports(dep: &Deployment) -> HashMap<String, Vec<Published>> {
    let mut out: HashMap<String, Vec<Published>> = HashMap::default();
    for (i, n) in dep.nodes.iter().enumerate() {
        let Some(w) = n.origin.as_ref().and_then(|o| o.workload.as_ref()) else {
            continue;
        };
        for (host, container) in &w.published {
            out.entry(n.region.clone()).or_default().push(Published {
                host: *host,
                node: i,
                container: *container,
            });
        }
    }
    out
}

/// One URL being resolved: who writes it, what it must reach.
struct Query<'a> {
    dep: &'a Deployment,
    from: NodeIdx,
    writer: &'a Node,
    kind: EdgeKind,
    expected: &'static [Role],
    ep: &'a Endpoint,
}

/// What a Kubernetes name reaches in one region.
#[derive(Debug, Clone, Default)]
struct K8sHost {
    region: String,
    nodes: Vec<NodeIdx>,
    /// A Service's ports (`None`: a pod, or a load balancer when `lb`).
    ports: Option<Vec<SvcPort>>,
    lb: bool,
    /// A name without namespace (`tm-1`, `cp-1-0.cp-hl`): Kubernetes'
    /// search path resolves it only from pods of this namespace.
    only_from: Option<String>,
    /// The Service this name is (not a pod, not a route).
    service: Option<String>,
    /// Why the Service has no endpoint at all (its selector matches no pod).
    no_pods: Option<NoEndpoint>,
    /// A StatefulSet pod named under a Service that does not govern the
    /// set: no such record exists; the name meant.
    meant: Option<String>,
}

/// A host name as the index keys it: lower case, and an absolute DNS name
/// (`gw.example.com.`) without its final dot — the same name.
fn dns_key(host: &str) -> String {
    let h = host.trim();
    match h.strip_suffix('.') {
        Some(r) if !r.is_empty() && !r.ends_with('.') => r.to_lowercase(),
        _ => h.to_lowercase(),
    }
}

/// The DNS forms of `name` in `namespace`.
fn dns_forms(name: &str, namespace: &str) -> [String; 4] {
    [
        name.to_owned(),
        format!("{name}.{namespace}"),
        format!("{name}.{namespace}.svc"),
        format!("{name}.{namespace}.svc.cluster.local"),
    ]
}

/// The Services of the manifests: (region, name, namespace, nodes selected).
type Services = Vec<(String, String, String, Vec<NodeIdx>)>;

/// The nodes of `region` whose pod template labels match every key of
/// `selector`, with their namespace (any namespace when `ns` is `None`).
fn selected<'a>(
    dep: &'a Deployment,
    region: &str,
    ns: Option<&str>,
    selector: &[(String, String)],
) -> Vec<(NodeIdx, &'a str)> {
    if selector.is_empty() {
        return Vec::new();
    }
    dep.nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.region == region)
        .filter_map(|(i, n)| {
            let o = n.origin.as_ref()?;
            if ns.is_some_and(|ns| !o.namespace.eq_ignore_ascii_case(ns)) {
                return None;
            }
            let w = o.workload.as_ref()?;
            selector
                .iter()
                .all(|(k, v)| w.labels.iter().any(|(lk, lv)| lk == k && lv == v))
                .then_some((i, o.namespace.as_str()))
        })
        .collect()
}

/// Every Kubernetes name of the deployment's manifests, and its Services.
fn k8s_hosts(dep: &Deployment) -> (HashMap<String, Vec<K8sHost>>, Services) {
    let mut out: HashMap<String, Vec<K8sHost>> = HashMap::default();
    let mut services = Vec::new();
    let mut manifests: Vec<(&str, &Arc<Manifest>)> = Vec::new();
    for (i, n) in dep.nodes.iter().enumerate() {
        let Some(o) = &n.origin else { continue };
        // a Compose service's names reach its node directly
        for h in &o.names {
            out.entry(h.clone()).or_default().push(K8sHost {
                region: n.region.clone(),
                nodes: vec![i],
                ..K8sHost::default()
            });
        }
        if !manifests.iter().any(|(_, m)| Arc::ptr_eq(m, &o.manifest)) {
            manifests.push((n.region.as_str(), &o.manifest));
        }
    }
    // every Service of a region: (region, namespace, name, headless)
    let all: Vec<(&str, &str, &str, bool)> = manifests
        .iter()
        .flat_map(|(r, m)| {
            m.services
                .iter()
                .map(|s| (*r, s.namespace.as_str(), s.name.as_str(), s.headless))
        })
        .collect();
    for (region, m) in &manifests {
        let region = *region;
        let mut add = |host: &str, h: K8sHost| {
            out.entry(dns_key(host)).or_default().push(h);
        };
        let mut svc_nodes: HashMap<&str, Vec<NodeIdx>> = HashMap::default();
        for s in &m.services {
            let nodes: Vec<NodeIdx> = selected(dep, region, Some(&s.namespace), &s.selector)
                .into_iter()
                .map(|(i, _)| i)
                .collect();
            let no_pods = nodes.is_empty().then(|| {
                let mut elsewhere: Vec<String> = selected(dep, region, None, &s.selector)
                    .into_iter()
                    .map(|(_, ns)| ns.to_owned())
                    .collect();
                elsewhere.sort();
                elsewhere.dedup();
                NoEndpoint::NoPods {
                    namespace: s.namespace.clone(),
                    elsewhere,
                }
            });
            svc_nodes.insert(s.name.as_str(), nodes.clone());
            services.push((
                region.to_owned(),
                s.name.clone(),
                s.namespace.clone(),
                nodes.clone(),
            ));
            for (k, h) in dns_forms(&s.name, &s.namespace).iter().enumerate() {
                add(
                    h,
                    K8sHost {
                        region: region.to_owned(),
                        nodes: nodes.clone(),
                        ports: (!s.headless || !s.ports.is_empty()).then(|| s.ports.clone()),
                        only_from: (k == 0).then(|| s.namespace.clone()),
                        service: Some(s.name.clone()),
                        no_pods: no_pods.clone(),
                        ..K8sHost::default()
                    },
                );
            }
        }
        pod_hosts(dep, region, m, &all, &mut add);
        for r in &m.routes {
            let nodes: Vec<NodeIdx> = r
                .services
                .iter()
                .filter_map(|s| svc_nodes.get(s.to_lowercase().as_str()))
                .flatten()
                .copied()
                .collect();
            add(
                &r.host,
                K8sHost {
                    region: region.to_owned(),
                    nodes,
                    lb: true,
                    ..K8sHost::default()
                },
            );
        }
    }
    (out, services)
}

/// The DNS names of a manifest's StatefulSet pods,
/// `<set>-<i>.<service>[.<namespace>[.svc[.cluster.local]]]`: they exist
/// only under the set's governing Service (`serviceName`) where it is
/// headless (or not in the manifests). Under another Service of the
/// namespace the name is a near miss of the governing one.
fn pod_hosts(
    dep: &Deployment,
    region: &str,
    m: &Manifest,
    all: &[(&str, &str, &str, bool)],
    add: &mut impl FnMut(&str, K8sHost),
) {
    for (set, ns, svc, replicas) in &m.sets {
        let in_ns = |name: &str| {
            all.iter().find(|(r, n, s, _)| {
                *r == region && n.eq_ignore_ascii_case(ns) && s.eq_ignore_ascii_case(name)
            })
        };
        if in_ns(svc).is_some_and(|(.., headless)| !*headless) {
            continue;
        }
        let nodes: Vec<NodeIdx> = dep
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.region == region)
            .filter(|(_, n)| {
                n.origin.as_ref().is_some_and(|o| {
                    o.namespace.eq_ignore_ascii_case(ns)
                        && o.workload
                            .as_ref()
                            .is_some_and(|w| w.kind == "StatefulSet" && w.name == *set)
                })
            })
            .map(|(i, _)| i)
            .collect();
        let others: Vec<&str> = all
            .iter()
            .filter(|(r, n, s, _)| {
                *r == region && n.eq_ignore_ascii_case(ns) && !s.eq_ignore_ascii_case(svc)
            })
            .map(|(.., s, _)| *s)
            .collect();
        for k in 0..*replicas {
            let pod = format!("{set}-{k}");
            let right = dns_forms(&format!("{pod}.{svc}"), ns);
            for (j, h) in right.iter().enumerate() {
                let only_from = (j == 0).then(|| ns.clone());
                add(
                    h,
                    K8sHost {
                        region: region.to_owned(),
                        nodes: nodes.clone(),
                        only_from: only_from.clone(),
                        ..K8sHost::default()
                    },
                );
                for o in &others {
                    if let Some(wrong) = dns_forms(&format!("{pod}.{o}"), ns).get(j) {
                        add(
                            wrong,
                            K8sHost {
                                region: region.to_owned(),
                                only_from: only_from.clone(),
                                meant: Some(h.clone()),
                                ..K8sHost::default()
                            },
                        );
                    }
                }
            }
        }
    }
}

/// The namespace a node read from a Kubernetes manifest runs in (its
/// ConfigMap's or Secret's); `None` for plain files and Compose services.
fn writer_namespace(n: &Node) -> Option<&str> {
    n.origin
        .as_ref()
        .filter(|o| o.inline)
        .map(|o| o.namespace.as_str())
}

impl HostIndex {
    pub(super) fn new(dep: &Deployment) -> Self {
        let by_id: HashMap<&str, NodeIdx> = dep
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let mut ix = HostIndex {
            alias: HashMap::default(),
            hostname: HashMap::default(),
            node_ip: HashMap::default(),
            last: HashMap::default(),
            machine: HashMap::default(),
            has_tm: HashMap::default(),
            k8s: HashMap::default(),
            services: Vec::new(),
            published: HashMap::default(),
        };
        if dep.nodes.iter().any(|n| n.origin.is_some()) {
            (ix.k8s, ix.services) = k8s_hosts(dep);
            ix.published = published_ports(dep);
        }
        for (host, a) in &dep.config.hosts {
            let nodes: Vec<NodeIdx> = a
                .nodes
                .iter()
                .filter_map(|id| by_id.get(id.trim_end_matches('/')).copied())
                .collect();
            ix.alias.insert(dns_key(host), (nodes, a.remaps_ports));
        }
        for (i, n) in dep.nodes.iter().enumerate() {
            if let Some(h) = &n.facts.hostname {
                ix.hostname.entry(dns_key(&h.value)).or_default().push(i);
            }
            if let Some(ip) = &n.facts.node_ip
                && !endpoint::is_loopback_host(&ip.value)
            {
                ix.node_ip
                    .entry(ip.value.to_lowercase())
                    .or_default()
                    .push(i);
            }
            if let Some(last) = n.id.rsplit('/').next() {
                ix.last.entry(last.to_lowercase()).or_default().push(i);
            }
            if let Some(m) = &n.machine {
                ix.machine.entry(m.clone()).or_default().push(i);
            }
            if n.role == Role::TrafficManager {
                ix.has_tm.insert(n.region.clone(), true);
            }
        }
        ix
    }

    /// The nodes of the first source that names any, in this order: `[hosts]`,
    /// `[server] hostname`, `[server] node_ip`, the id's last component; with
    /// the alias's `remaps_ports`.
    pub(super) fn lookup(&self, host: &str) -> Option<(Vec<NodeIdx>, bool)> {
        if let Some((nodes, remaps)) = self.alias.get(host)
            && !nodes.is_empty()
        {
            return Some((nodes.clone(), *remaps));
        }
        [&self.hostname, &self.node_ip, &self.last]
            .into_iter()
            .find_map(|m| m.get(host).map(|v| (v.clone(), false)))
    }

    /// A Kubernetes name as the writer's pod resolves it: among the entries
    /// its namespace can reach (a name without namespace only from its own
    /// namespace), the writer's region's first, real names before near
    /// misses. `Err`: the name exists only in other namespaces of the
    /// writer's region — the names with namespace that reach them.
    fn k8s_in(&self, host: &str, writer: &Node) -> Option<Result<&K8sHost, Vec<String>>> {
        let all = self.k8s.get(host)?;
        let ns = writer_namespace(writer);
        let usable = |k: &&K8sHost| match (&k.only_from, ns) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        if let Some(k) = all
            .iter()
            .filter(usable)
            .min_by_key(|k| (k.region != writer.region, k.meant.is_some()))
        {
            return Some(Ok(k));
        }
        let mut names: Vec<String> = all
            .iter()
            .filter(|k| k.region == writer.region && k.meant.is_none())
            .filter_map(|k| k.only_from.as_ref().map(|ns| format!("{host}.{ns}")))
            .collect();
        names.sort();
        names.dedup();
        (!names.is_empty()).then_some(Err(names))
    }

    /// Whether a resolved URL reaches one of several nodes per connection:
    /// a Kubernetes Service (kube-proxy picks one endpoint per TCP
    /// connection; a headless Service's name resolves to every pod and the
    /// client connects to one) for a JMS or binary (`tcp://`, `ssl://`)
    /// key, whose publishers and subscribers keep their connections.
    fn balanced(&self, writer: &Node, kind: EdgeKind, ep: &Endpoint, r: &Resolution) -> bool {
        let stream = kind.schemes().iter().all(|s| matches!(*s, "tcp" | "ssl"));
        if !stream || ep.host_kind != HostKind::Name || self.alias.contains_key(&ep.host) {
            return false;
        }
        let service =
            matches!(self.k8s_in(&ep.host, writer), Some(Ok(k)) if k.service.is_some() && !k.lb);
        service && r.targets().len() > 1
    }

    /// A URL to a Kubernetes name (`docs/url-resolution.md`, step 2), or `None`
    /// when the manifests do not know the host (or `[hosts]` names it).
    fn via_k8s(&self, q: &Query<'_>, cross_region: &mut bool) -> Option<Resolution> {
        if q.ep.host_kind != HostKind::Name || self.alias.contains_key(&q.ep.host) {
            return None;
        }
        let k = match self.k8s_in(&q.ep.host, q.writer)? {
            Ok(k) => k,
            Err(suggestions) => return Some(Resolution::NearMiss { suggestions }),
        };
        if let Some(m) = &k.meant {
            return Some(Resolution::NearMiss {
                suggestions: vec![m.clone()],
            });
        }
        let in_region = k.region == q.writer.region;
        if let (Some(service), Some(why), true) = (&k.service, &k.no_pods, in_region) {
            return Some(Resolution::NoEndpoint {
                service: service.clone(),
                why: why.clone(),
            });
        }
        if let (Some(service), false, true) = (&k.service, k.lb, in_region) {
            let serves = |i: &NodeIdx| {
                q.dep
                    .nodes
                    .get(*i)
                    .is_some_and(|n| q.expected.iter().any(|r| n.role.serves(*r)))
            };
            let (ok, other): (Vec<NodeIdx>, Vec<NodeIdx>) = k.nodes.iter().partition(|i| serves(i));
            if !ok.is_empty() && !other.is_empty() {
                return Some(Resolution::MixedRoles {
                    service: service.clone(),
                    ok,
                    other,
                });
            }
        }
        let r = reach(q, k.nodes.clone(), k.lb, k.ports.as_deref(), cross_region);
        Some(match (r, &k.service) {
            (Resolution::NoEndpoint { why, .. }, Some(service)) => Resolution::NoEndpoint {
                service: service.clone(),
                why,
            },
            (r, _) => r,
        })
    }

    /// Names that resolve to a node of `region`, for did-you-mean.
    fn region_names<'a>(
        &'a self,
        dep: &'a Deployment,
        region: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let in_region = move |v: &Vec<NodeIdx>| {
            v.iter()
                .any(|i| dep.nodes.get(*i).is_some_and(|n| n.region == region))
        };
        self.alias
            .iter()
            .filter(move |(_, (v, _))| in_region(v))
            .map(|(h, _)| h.as_str())
            .chain(
                self.k8s
                    .iter()
                    .filter(move |(_, v)| v.iter().any(|k| k.region == region))
                    .map(|(h, _)| h.as_str()),
            )
            .chain(
                [&self.hostname, &self.node_ip, &self.last]
                    .into_iter()
                    .flat_map(move |m| {
                        m.iter()
                            .filter(move |(_, v)| in_region(v))
                            .map(|(h, _)| h.as_str())
                    }),
            )
    }

    /// A host that names no node (`docs/url-resolution.md`, step 6): a
    /// near miss when names of the writer's region lie within edit distance
    /// 2 — the closest ones, of the expected role where some are, every one
    /// of them —, else an unknown host. A numbered sibling (`tm-3` beside
    /// `tm-1`) is taken for a node the tree leaves out only where the region
    /// does not hold the role's full HA set already — and never beside a
    /// Kubernetes Service the manifests declare (an undeclared Service has
    /// no DNS record).
    fn near_miss(
        &self,
        dep: &Deployment,
        writer: &Node,
        expected: &'static [Role],
        host: &str,
    ) -> Resolution {
        let lower = host.to_lowercase();
        let serves = |i: &NodeIdx| {
            dep.nodes.get(*i).is_some_and(|n| {
                n.region == writer.region && expected.iter().any(|r| n.role.serves(*r))
            })
        };
        let mut found: Vec<(usize, bool, &str)> = Vec::new();
        for name in self.region_names(dep, &writer.region) {
            let other = name.to_lowercase();
            if other == lower {
                continue;
            }
            let Some(d) = edit_distance(&lower, &other, 2) else {
                continue;
            };
            if label_replaced(&lower, &other) {
                continue;
            }
            let of_role = self
                .lookup(name)
                .is_some_and(|(nodes, _)| nodes.iter().any(serves))
                || self
                    .k8s
                    .get(name)
                    .is_some_and(|v| v.iter().any(|k| k.nodes.iter().any(serves)));
            found.push((d, of_role, name));
        }
        let Some(suggestions) = closest(found) else {
            return Resolution::UnknownHost;
        };
        let siblings = suggestions.iter().all(|s| differs_only_in_numbers(host, s));
        // a Kubernetes Service the manifests do not declare has no DNS
        // record: beside a declared sibling it is a near miss, not a node
        // the tree leaves out
        let services = suggestions.iter().all(|s| {
            self.k8s.get(s).is_some_and(|v| {
                v.iter()
                    .any(|k| k.region == writer.region && k.service.is_some())
            })
        });
        if siblings && !services && !full_set(dep, writer, expected) {
            return Resolution::UnknownHost;
        }
        Resolution::NearMiss { suggestions }
    }

    fn resolve(&self, dep: &Deployment, site: Site<'_>) -> Edge {
        let Site {
            from,
            kind,
            key,
            url,
        } = site;
        let writer = dep.nodes.get(from);
        let region = writer.map_or("", |w| w.region.as_str());
        let expected = kind.roles(self.has_tm.get(region).copied().unwrap_or(false));
        let text = writer.map_or("", |w| &w.text);
        let base = endpoint::content_start(text, &url.span, &url.value);
        let mut edge = Edge {
            from,
            kind,
            key,
            url: url.value.clone(),
            span: url.span.clone(),
            host_span: url.span.clone(),
            port_span: None,
            endpoint: None,
            scheme_ok: true,
            expected,
            cross_region: false,
            one_of: false,
            resolution: Resolution::UnknownHost,
        };
        // `$env{NAME}` from the container's environment (a literal value)
        let env = writer
            .and_then(|w| w.origin.as_ref())
            .and_then(|o| o.workload.as_ref())
            .map_or(&[][..], |w| w.env.as_slice());
        let substituted = substitute_env(&url.value, env);
        let base = if substituted.is_some() { None } else { base };
        let ep = match endpoint::parse(substituted.as_deref().unwrap_or(&url.value)) {
            Ok(ep) => ep,
            Err(e) => {
                edge.resolution = Resolution::Invalid(e);
                return edge;
            }
        };
        if let Some(b) = base {
            edge.host_span = b + ep.host_range.start..b + ep.host_range.end;
            edge.port_span = ep.port_range.as_ref().map(|r| b + r.start..b + r.end);
        }
        edge.scheme_ok = kind.schemes().contains(&ep.scheme.as_str());
        edge.resolution =
            self.resolve_endpoint(dep, from, kind, expected, &ep, &mut edge.cross_region);
        edge.one_of = match writer {
            Some(w) => self.balanced(w, kind, &ep, &edge.resolution),
            None => false,
        };
        edge.endpoint = Some(ep);
        edge
    }

    fn resolve_endpoint(
        &self,
        dep: &Deployment,
        from: NodeIdx,
        kind: EdgeKind,
        expected: &'static [Role],
        ep: &Endpoint,
        cross_region: &mut bool,
    ) -> Resolution {
        let Some(writer) = dep.nodes.get(from) else {
            return Resolution::Unresolvable;
        };
        let q = Query {
            dep,
            from,
            writer,
            kind,
            expected,
            ep,
        };
        if let Some(r) = self.via_docker_host(&q, cross_region) {
            return r;
        }
        // Compose names first: the service-name index holds them beside
        // Kubernetes Services, and a Compose writer sees only its networks
        if let Some(r) = self.via_compose_network(&q, cross_region) {
            return r;
        }
        if let Some(r) = self.via_k8s(&q, cross_region) {
            return r;
        }
        let (candidates, remaps) = match ep.host_kind {
            HostKind::Placeholder => return Resolution::Unresolvable,
            HostKind::Loopback => (self.loopback(&q), false),
            HostKind::Name => match self.lookup(&ep.host) {
                Some(found) => found,
                None => return self.near_miss(dep, writer, expected, &ep.host),
            },
        };
        reach(&q, candidates, remaps, None, cross_region)
    }

    /// What `localhost` names: the writer itself, and the nodes of its
    /// `machine`.
    fn loopback(&self, q: &Query<'_>) -> Vec<NodeIdx> {
        let mut c = vec![q.from];
        if let Some(m) = &q.writer.machine {
            c.extend(
                self.machine
                    .get(m)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|i| *i != q.from),
            );
        }
        c
    }

    /// A URL on the Docker host — `localhost`, `127.x.x.x`, `::1`, `0.0.0.0`
    /// or `host.docker.internal` — with a port number, in a region whose
    /// Compose services publish ports; `None` elsewhere (plain trees,
    /// Kubernetes, placeholders), where resolution is as before.
    ///
    /// A published port is a load-balancer entry: host port → container
    /// port, compared with the node's port as a Service's `port` →
    /// `targetPort` is. For a loopback host the writer comes first: inside a
    /// container `localhost` is the container itself, so a URL the writer
    /// (or a node of its `machine`) serves on that port keeps reaching it;
    /// only when it does not (another port, or a role the writer does not
    /// serve) and a service publishes the port does the URL reach that
    /// service — the Docker host as users (and `network_mode: host`
    /// containers) see it. Otherwise the loopback answer stands.
    /// `host.docker.internal` is the Docker host alone (unless `[hosts]`
    /// names it): a port no service publishes is a wrong port naming the
    /// ports that reach the nodes of the expected role, else the name is
    /// looked up as any other.
    fn via_docker_host(&self, q: &Query<'_>, cross_region: &mut bool) -> Option<Resolution> {
        let published = self.published.get(&q.writer.region)?;
        let Some(Port::Number(port)) = q.ep.port else {
            return None;
        };
        let port = i64::from(port);
        match q.ep.host_kind {
            // `${carbon.host}` and `${carbon.local.ip}` are the writer's own
            // inside a container `localhost` is the container itself: a
            // published port is on the Docker host, not reached from a
            // container on its own network (https://docs.docker.com/engine/network/#published-ports);
            // only a `network_mode: host` container shares the host's loopback
            HostKind::Loopback if compose_net(q.writer).is_some_and(|n| !n.host_network) => None,
            HostKind::Loopback if !q.ep.host.starts_with('$') => {
                let own = reach(q, self.loopback(q), false, None, cross_region);
                if matches!(own, Resolution::Ok { .. }) {
                    return Some(own);
                }
                Some(through_published(q, published, port, cross_region).unwrap_or(own))
            }
            HostKind::Name if q.ep.host == DOCKER_HOST && !self.alias.contains_key(DOCKER_HOST) => {
                through_published(q, published, port, cross_region)
                    .or_else(|| unpublished(q, published, port))
            }
            _ => None,
        }
    }
}

/// The Compose services of the writer's region that publish `port`, reached
/// like a Service whose `port` maps to the container port. Docker binds a
/// host port once: where several services of a region publish it (Compose
/// files of several hosts), the first one's mapping is taken, with the
/// services that publish it the same way.
fn through_published(
    q: &Query<'_>,
    published: &[Published],
    port: i64,
    cross_region: &mut bool,
) -> Option<Resolution> {
    let first = published.iter().find(|p| p.host == port)?;
    let mut nodes: Vec<NodeIdx> = published
        .iter()
        .filter(|p| p.host == port && p.container == first.container)
        .map(|p| p.node)
        .collect();
    nodes.dedup();
    let entry = [SvcPort {
        port,
        target: Some(Target::Number(first.container)),
    }];
    Some(reach(q, nodes, false, Some(&entry), cross_region))
}

/// `host.docker.internal` on a port no service of the region publishes: a
/// wrong port, naming for each node of the expected role the published port
/// that reaches its listening port; `None` when no such node is published.
fn unpublished(q: &Query<'_>, published: &[Published], port: i64) -> Option<Resolution> {
    let mut expected: Vec<(NodeIdx, i64)> = Vec::new();
    for p in published {
        let Some(n) = q.dep.nodes.get(p.node) else {
            continue;
        };
        let serves = q.expected.iter().any(|r| n.role.serves(*r));
        if serves
            && p.container == n.port(q.kind.port())
            && !expected.iter().any(|(i, _)| *i == p.node)
        {
            expected.push((p.node, p.host));
        }
    }
    if expected.is_empty() {
        // nothing of the expected role is published: name what is
        let mut list: Vec<String> = Vec::new();
        for p in published {
            let svc = q.dep.nodes.get(p.node).and_then(|n| n.origin.as_ref());
            let item = format!("{} (`{}`)", p.host, svc.map_or("?", |o| o.name.as_str()));
            if !list.contains(&item) {
                list.push(item);
            }
        }
        let more = list.len().saturating_sub(6);
        list.truncate(6);
        if more > 0 {
            list.push(format!("{more} more"));
        }
        return Some(Resolution::Docker {
            found: Vec::new(),
            why: format!(
                "no Compose service publishes port {port} on the Docker host (published: {})",
                list.join(", ")
            ),
        });
    }
    Some(Resolution::WrongPort {
        port,
        expected,
        placeholder: None,
        mapped_from: None,
    })
}

/// The Compose service a node is mounted by, with its networks.
fn compose_net(n: &Node) -> Option<&ComposeNet> {
    n.origin.as_ref()?.workload.as_ref()?.compose.as_ref()
}

/// A node's Compose service name.
fn service_name(dep: &Deployment, i: NodeIdx) -> &str {
    dep.nodes
        .get(i)
        .and_then(|n| n.origin.as_ref())
        .map_or("?", |o| o.name.as_str())
}

impl HostIndex {
    /// A name of the writer's Compose project (service name,
    /// `container_name`, `hostname`, network alias) as Docker's DNS answers
    /// it inside the writer's container: only names on a network the two
    /// services share, an alias only on the network it is declared on,
    /// nothing for or from a `network_mode: host` container
    /// (https://docs.docker.com/compose/how-tos/networking/,
    /// https://docs.docker.com/reference/compose-file/services/#aliases).
    /// A name given to containers of several roles is reported, not
    /// narrowed to the expected role: Docker answers with any of them.
    /// `None` when the writer is not a Compose service, the name belongs to
    /// no node of its project, or `[hosts]` names it.
    fn via_compose_network(&self, q: &Query<'_>, cross_region: &mut bool) -> Option<Resolution> {
        let wn = compose_net(q.writer)?;
        let host = q.ep.host.to_lowercase();
        if q.ep.host_kind != HostKind::Name || self.alias.contains_key(&host) {
            return None;
        }
        let named: Vec<NodeIdx> = q
            .dep
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let net = compose_net(n)?;
                let names = &n.origin.as_ref()?.names;
                (net.project == wn.project && names.contains(&host)).then_some(i)
            })
            .collect();
        if named.is_empty() {
            return None;
        }
        let me = service_name(q.dep, q.from);
        if wn.host_network {
            return Some(Resolution::Docker {
                found: named,
                why: format!(
                    "`{me}` runs with `network_mode: host`, where Compose names do not resolve; use a port published on `localhost`"
                ),
            });
        }
        let mine = wn.networks.as_ref()?;
        let visible: Vec<NodeIdx> = named
            .iter()
            .copied()
            .filter(|i| {
                let Some(net) = q.dep.nodes.get(*i).and_then(compose_net) else {
                    return false;
                };
                let Some(theirs) = &net.networks else {
                    return true;
                };
                !net.host_network
                    && theirs.iter().any(|(x, aliases)| {
                        mine.iter().any(|(m, _)| m == x)
                            && (net.own.contains(&host) || aliases.contains(&host))
                    })
            })
            .collect();
        let list = |v: &[NodeIdx]| {
            v.iter()
                .map(|i| format!("`{}`", service_name(q.dep, *i)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if visible.is_empty() {
            let nets: Vec<&str> = mine.iter().map(|(m, _)| m.as_str()).collect();
            let why = if named.iter().all(|i| {
                q.dep
                    .nodes
                    .get(*i)
                    .and_then(compose_net)
                    .is_some_and(|n| n.host_network)
            }) {
                format!(
                    "{} runs with `network_mode: host`: it is on no Compose network, so `{host}` resolves for no container",
                    list(&named)
                )
            } else {
                format!(
                    "`{host}` ({}) is not on a network `{me}` joins ({})",
                    list(&named),
                    nets.join(", ")
                )
            };
            return Some(Resolution::Docker { found: named, why });
        }
        let role = |i: &NodeIdx| q.dep.nodes.get(*i).map_or(Role::Unknown, |n| n.role);
        let known: Vec<NodeIdx> = visible
            .iter()
            .copied()
            .filter(|i| role(i) != Role::Unknown)
            .collect();
        let serves = |i: &NodeIdx| q.expected.iter().any(|r| role(i).serves(*r));
        if known.iter().any(serves) && !known.iter().all(serves) {
            let roles: Vec<String> = known
                .iter()
                .map(|i| format!("`{}` ({})", service_name(q.dep, *i), role(i).name()))
                .collect();
            return Some(Resolution::Docker {
                found: visible,
                why: format!(
                    "`{host}` names containers of several roles ({}): Docker's DNS answers with any of them",
                    roles.join(", ")
                ),
            });
        }
        Some(reach(q, visible, false, None, cross_region))
    }
}

/// Steps 3 to 5 of `docs/url-resolution.md` on the nodes a host names:
/// region, role, then port — through `svc` (a Service's ports, a published
/// port) where given.
fn reach(
    q: &Query<'_>,
    candidates: Vec<NodeIdx>,
    remaps: bool,
    svc: Option<&[SvcPort]>,
    cross_region: &mut bool,
) -> Resolution {
    let Query {
        dep,
        writer,
        expected,
        ep,
        ..
    } = *q;
    let candidates = in_region_first(dep, writer, candidates, cross_region);
    let role_ok = serving(dep, expected, &candidates);
    if role_ok.is_empty() {
        return Resolution::WrongRole { found: candidates };
    }
    if remaps || ep.via_load_balancer() {
        return Resolution::Ok {
            targets: role_ok,
            via_lb: true,
        };
    }
    let Some((port, placeholder)) = url_port(writer, ep) else {
        return Resolution::Ok {
            targets: role_ok,
            via_lb: true,
        };
    };
    // through a Service: the URL's port must be one it exposes, and
    // maps to that entry's target port — a named one per pod (each pod's
    // container port of that name)
    let entry = match svc {
        None => None,
        Some(ports) => match ports.iter().find(|p| p.port == port) {
            None => return service_miss(q, role_ok, port, ports, placeholder),
            Some(p) => Some(p),
        },
    };
    by_port(q, role_ok, port, placeholder, entry)
}

/// Step 3: the candidates in the writer's region, else all of them (then
/// `cross_region` is set).
fn in_region_first(
    dep: &Deployment,
    writer: &Node,
    candidates: Vec<NodeIdx>,
    cross_region: &mut bool,
) -> Vec<NodeIdx> {
    let in_region: Vec<NodeIdx> = candidates
        .iter()
        .copied()
        .filter(|i| dep.nodes.get(*i).is_some_and(|n| n.region == writer.region))
        .collect();
    if in_region.is_empty() {
        *cross_region = true;
        candidates
    } else {
        in_region
    }
}

/// Step 4: the candidates of a role that serves one of `expected`.
fn serving(dep: &Deployment, expected: &[Role], candidates: &[NodeIdx]) -> Vec<NodeIdx> {
    candidates
        .iter()
        .copied()
        .filter(|i| {
            dep.nodes
                .get(*i)
                .is_some_and(|n| expected.iter().any(|r| n.role.serves(*r)))
        })
        .collect()
}

/// The port a URL names (a placeholder's default, with the writer's offset)
/// and the placeholder's name; `None` when it names none apimlint can
/// check (no port, a placeholder without default).
fn url_port(writer: &Node, ep: &Endpoint) -> Option<(i64, Option<String>)> {
    match &ep.port {
        Some(Port::Number(p)) => Some((i64::from(*p), None)),
        Some(Port::Placeholder(name)) => {
            let default = endpoint::placeholder_port(name)?;
            Some((writer.port(default), Some(name.clone())))
        }
        None => None,
    }
}

/// The port node `i` listens on for the edge's kind.
fn listening_port(q: &Query<'_>, i: NodeIdx) -> i64 {
    q.dep.nodes.get(i).map_or(0, |n| n.port(q.kind.port()))
}

/// A URL port the Service (`ports`) does not expose: the Service lacks the
/// port when none of its ports reaches a node's listening port either, else
/// the port is wrong.
fn service_miss(
    q: &Query<'_>,
    role_ok: Vec<NodeIdx>,
    port: i64,
    ports: &[SvcPort],
    placeholder: Option<String>,
) -> Resolution {
    let dep = q.dep;
    // no port of the Service reaches any of its nodes' listening
    // port either: the Service is what lacks the port
    if role_ok
        .iter()
        .all(|i| exposing(ports, dep, *i, listening_port(q, *i)).is_none())
    {
        return Resolution::NoEndpoint {
            service: String::new(),
            why: NoEndpoint::NotExposed {
                port,
                exposed: ports.iter().map(|p| p.port).collect(),
            },
        };
    }
    Resolution::WrongPort {
        port,
        expected: role_ok
            .iter()
            .map(|i| (*i, exposed(ports, dep, *i, listening_port(q, *i))))
            .collect(),
        placeholder,
        mapped_from: None,
    }
}

/// The port node `i` is reached on through the Service port `entry` (none:
/// `port` itself); `None`: its pod declares no container port of the named
/// `targetPort`.
fn reached_on(dep: &Deployment, entry: Option<&SvcPort>, port: i64, i: NodeIdx) -> Option<i64> {
    match entry.map(|p| (p.port, &p.target)) {
        None => Some(port),
        Some((p, None)) => Some(p),
        Some((_, Some(Target::Number(t)))) => Some(*t),
        Some((_, Some(Target::Named(name)))) => named_port(dep, i, name),
    }
}

/// Step 5: the nodes of the right role that listen on the port the URL
/// reaches them on (through the Service port `entry`, if any).
fn by_port(
    q: &Query<'_>,
    role_ok: Vec<NodeIdx>,
    port: i64,
    placeholder: Option<String>,
    entry: Option<&SvcPort>,
) -> Resolution {
    let dep = q.dep;
    // the URL's own port, when a Service maps it
    let mapped_from = entry.map(|_| port);
    let via = |i: NodeIdx| reached_on(dep, entry, port, i);
    if let Some(SvcPort {
        target: Some(Target::Named(name)),
        ..
    }) = entry
        && role_ok.iter().all(|i| via(*i).is_none())
    {
        return Resolution::NoEndpoint {
            service: String::new(),
            why: NoEndpoint::NoNamedPort {
                port,
                name: name.clone(),
            },
        };
    }
    let port = role_ok.iter().find_map(|i| via(*i)).unwrap_or(port);
    let (ok, wrong): (Vec<NodeIdx>, Vec<NodeIdx>) = role_ok
        .iter()
        .partition(|i| via(**i) == Some(listening_port(q, **i)));
    let wrong: Vec<(NodeIdx, i64)> = wrong
        .into_iter()
        .map(|i| (i, listening_port(q, i)))
        .collect();
    // `localhost` names every node of the writer's machine: the port
    // picks the one meant, the others are not missed
    if q.ep.host_kind == HostKind::Loopback && !ok.is_empty() {
        return Resolution::Ok {
            targets: ok,
            via_lb: false,
        };
    }
    if ok.is_empty() {
        Resolution::WrongPort {
            port,
            expected: wrong,
            placeholder,
            mapped_from,
        }
    } else if wrong.is_empty() {
        Resolution::Ok {
            targets: ok,
            via_lb: false,
        }
    } else {
        Resolution::PartialPort { ok, wrong, port }
    }
}

/// Whether the writer's region holds the expected role's full set: two or
/// more nodes of an HA-paired role (control planes, traffic managers, key
/// managers; gateways are scaled per region and have no full set).
fn full_set(dep: &Deployment, writer: &Node, expected: &'static [Role]) -> bool {
    if expected.contains(&Role::GatewayWorker) {
        return false;
    }
    dep.nodes
        .iter()
        .filter(|n| {
            n.region == writer.region
                && n.is_analysable()
                && expected.iter().any(|r| n.role.serves(*r))
        })
        .count()
        >= 2
}

/// `value` with each `$env{NAME}` the environment gives a literal value
/// replaced, or `None` when there is none to replace.
fn substitute_env(value: &str, env: &[(String, String)]) -> Option<String> {
    if env.is_empty() || !value.contains("$env{") {
        return None;
    }
    let mut out = value.to_owned();
    let mut changed = false;
    for (name, v) in env {
        let p = format!("$env{{{name}}}");
        if out.contains(&p) {
            out = out.replace(&p, v);
            changed = true;
        }
    }
    changed.then_some(out)
}

/// A named container port of a node's workload.
fn named_port(dep: &Deployment, i: NodeIdx, name: &str) -> Option<i64> {
    let w = dep.nodes.get(i)?.origin.as_ref()?.workload.as_ref()?;
    w.ports
        .iter()
        .find(|(n, _)| n.as_deref() == Some(name))
        .map(|(_, p)| *p)
}

/// The Service port that reaches node `i` on `listens`, else `listens`.
fn exposed(ports: &[SvcPort], dep: &Deployment, i: NodeIdx, listens: i64) -> i64 {
    exposing(ports, dep, i, listens).unwrap_or(listens)
}

/// The Service port that reaches node `i` on `listens`, if any.
fn exposing(ports: &[SvcPort], dep: &Deployment, i: NodeIdx, listens: i64) -> Option<i64> {
    ports
        .iter()
        .find(|p| {
            let t = match &p.target {
                None => Some(p.port),
                Some(Target::Number(t)) => Some(*t),
                Some(Target::Named(n)) => named_port(dep, i, n),
            };
            t == Some(listens)
        })
        .map(|p| p.port)
}

/// `tm-3` and `tm-1` differ only in their numbers: another numbered node,
/// maybe one the tree does not hold (see `near_miss`).
fn differs_only_in_numbers(a: &str, b: &str) -> bool {
    let shape = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    a != b && shape(a) == shape(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_hosts_are_not_typos() {
        assert!(differs_only_in_numbers("cp-dc3", "cp-dc1"));
        assert!(!differs_only_in_numbers(
            "tm-1.r1.exmple.com",
            "tm-1.r1.example.com"
        ));
    }
}

/// Where a bridge's broker (`tcp://host:port` of a JNDI file's broker list)
/// leads: resolved across every region (`spec/node-files.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrokerReach {
    /// Control planes of other regions listening there (or a load balancer
    /// in front of them).
    Ok { targets: Vec<NodeIdx> },
    /// Control planes of the writer's own region: a loop.
    OwnRegion { targets: Vec<NodeIdx> },
    /// Control planes of another region, none listening on the port: each
    /// with the port it listens on (5672 + offset).
    WrongPort {
        port: i64,
        expected: Vec<(NodeIdx, i64)>,
    },
    /// The host names nodes, none a control plane (or all-in-one).
    WrongRole { found: Vec<NodeIdx> },
    /// A Kubernetes (or Compose) name, local to its cluster (or network):
    /// not reachable from another region. `regions`: where it is defined.
    ClusterLocal {
        name: String,
        service: bool,
        regions: Vec<String>,
    },
    /// Close (edit distance ≤ 2) to names of control planes of other
    /// regions (or of any node): every closest one, sorted.
    NearMiss { suggestions: Vec<String> },
    /// A name apimlint does not know.
    UnknownHost,
    /// A placeholder: cannot be checked.
    Unresolvable,
}

/// The closest of the near names `(distance, preferred, name)` — among the
/// preferred ones where any is — sorted, each once; `None` when there is none.
fn closest(mut found: Vec<(usize, bool, &str)>) -> Option<Vec<String>> {
    if found.iter().any(|f| f.1) {
        found.retain(|f| f.1);
    }
    let best = found.iter().map(|f| f.0).min()?;
    let mut out: Vec<String> = found
        .iter()
        .filter(|f| f.0 == best)
        .map(|f| f.2.to_owned())
        .collect();
    out.sort();
    out.dedup();
    Some(out)
}

/// Two names whose only difference is one whole DNS label (`ws.example.com`
/// and `gw.example.com`): another name, not a typo of it.
fn label_replaced(a: &str, b: &str) -> bool {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    if la.len() != lb.len() {
        return false;
    }
    let differ: Vec<(&str, &str)> = la.into_iter().zip(lb).filter(|(x, y)| x != y).collect();
    matches!(differ.as_slice(), [(x, y)] if edit_distance(x, y, 2)
        .is_none_or(|d| d >= x.chars().count().min(y.chars().count())))
}

/// A name of the organisation's DNS (`cp-1.r2.example.com`, a Compose
/// `hostname:` on a routed network), not one only a cluster or a Compose
/// network resolves (`cp-1`, `cp.ns`, `cp.ns.svc`, `*.cluster.local`).
fn dns_name(key: &str) -> bool {
    key.matches('.').count() >= 2
        && ![".svc", ".local", ".internal", ".localdomain"]
            .iter()
            .any(|s| key.ends_with(s))
        && !key.contains(".svc.")
}

impl HostIndex {
    /// Where broker `host:port`, written by node `from`, leads.
    pub(super) fn broker(
        &self,
        dep: &Deployment,
        from: NodeIdx,
        host: &str,
        port: i64,
    ) -> BrokerReach {
        let Some(writer) = dep.nodes.get(from) else {
            return BrokerReach::Unresolvable;
        };
        let key = dns_key(host.trim_start_matches('[').trim_end_matches(']'));
        if key.contains('$') || key.contains('{') {
            return BrokerReach::Unresolvable;
        }
        let (candidates, lb) = if endpoint::is_loopback_host(&key) {
            (vec![from], false)
        } else if let Some((nodes, remaps)) = self.alias.get(&key).filter(|(v, _)| !v.is_empty()) {
            (nodes.clone(), *remaps)
        } else if let Some(all) = self.k8s.get(&key) {
            if let Some(k) = all.iter().find(|k| !k.lb).filter(|_| !dns_name(&key)) {
                let mut regions: Vec<String> = all.iter().map(|k| k.region.clone()).collect();
                regions.sort();
                regions.dedup();
                return BrokerReach::ClusterLocal {
                    name: key,
                    service: k.service.is_some(),
                    regions,
                };
            }
            (
                all.iter().flat_map(|k| k.nodes.iter().copied()).collect(),
                true,
            )
        } else {
            match self.lookup(&key) {
                Some((nodes, remaps)) => (nodes, remaps),
                None => return self.broker_near_miss(dep, writer, &key),
            }
        };
        broker_reach(dep, writer, candidates, lb, port)
    }

    /// A broker host that names nothing: the closest names (≤ 2 edits) of
    /// control planes of other regions, else of any node.
    fn broker_near_miss(&self, dep: &Deployment, writer: &Node, host: &str) -> BrokerReach {
        let cp_elsewhere = |v: &[NodeIdx]| {
            v.iter().any(|i| {
                dep.nodes
                    .get(*i)
                    .is_some_and(|n| n.region != writer.region && n.role.serves(Role::ControlPlane))
            })
        };
        let names = self
            .alias
            .iter()
            .map(|(h, (v, _))| (h.as_str(), v.as_slice()))
            .chain(
                [&self.hostname, &self.node_ip, &self.last]
                    .into_iter()
                    .flat_map(|m| m.iter().map(|(h, v)| (h.as_str(), v.as_slice()))),
            );
        let found: Vec<(usize, bool, &str)> = names
            .filter(|(h, _)| *h != host)
            .filter(|(h, _)| !label_replaced(host, h))
            .filter_map(|(h, v)| Some((edit_distance(host, h, 2)?, cp_elsewhere(v), h)))
            .collect();
        match closest(found) {
            Some(suggestions) => BrokerReach::NearMiss { suggestions },
            None => BrokerReach::UnknownHost,
        }
    }
}

/// Region, role, then port of the nodes a broker host names.
fn broker_reach(
    dep: &Deployment,
    writer: &Node,
    candidates: Vec<NodeIdx>,
    lb: bool,
    port: i64,
) -> BrokerReach {
    let cps: Vec<NodeIdx> = candidates
        .iter()
        .copied()
        .filter(|i| {
            dep.nodes
                .get(*i)
                .is_some_and(|n| n.role.serves(Role::ControlPlane))
        })
        .collect();
    if cps.is_empty() {
        return BrokerReach::WrongRole { found: candidates };
    }
    let (own, other): (Vec<NodeIdx>, Vec<NodeIdx>) = cps.iter().partition(|i| {
        dep.nodes
            .get(**i)
            .is_some_and(|n| n.region == writer.region)
    });
    if other.is_empty() {
        return BrokerReach::OwnRegion { targets: own };
    }
    if lb {
        return BrokerReach::Ok { targets: other };
    }
    let listens = |i: NodeIdx| dep.nodes.get(i).map_or(0, |n| n.port(5672));
    let ok: Vec<NodeIdx> = other
        .iter()
        .copied()
        .filter(|i| listens(*i) == port)
        .collect();
    if ok.is_empty() {
        BrokerReach::WrongPort {
            port,
            expected: other.iter().map(|i| (*i, listens(*i))).collect(),
        }
    } else {
        BrokerReach::Ok { targets: ok }
    }
}
