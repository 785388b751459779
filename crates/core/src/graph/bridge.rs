//! The cross-region bridge of a deployment (seed Step 3): every control
//! plane's bridge publishers ([`crate::model::bridge`]) with their brokers
//! resolved across regions ([`BrokerReach`]), and per stream the directed
//! graph of regions they form (petgraph), which the bridge rules query and
//! `apimlint graph` draws.

use std::collections::BTreeSet;

use petgraph::graph::{DiGraph, NodeIndex};

use super::{BrokerReach, Deployment, NodeIdx};
use crate::base::files::FileId;
use crate::model::Role;
use crate::model::bridge::{self, Chain, JndiFile, PublisherFile, STREAMS, Stream};
use crate::xml::wso2::UserStore;

/// What a node holds besides its `deployment.toml`, as the bridge reads it.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeFiles<'a> {
    pub(crate) node: NodeIdx,
    /// In path order.
    pub(crate) publishers: Vec<PublisherFile<'a>>,
    pub(crate) jndi: Vec<JndiFile<'a>>,
    pub(crate) userstores: Vec<(FileId, &'a UserStore)>,
}

/// One bridge publisher of a node, its brokers resolved.
#[derive(Debug, Clone)]
pub(crate) struct Publication<'a> {
    pub(crate) node: NodeIdx,
    pub(crate) chain: Chain<'a>,
    /// One per broker of the chain, in order.
    pub(crate) reach: Vec<BrokerReach>,
}

/// Whether a publication delivers, and where it aims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Aim {
    /// Every link holds: it delivers to these regions.
    Delivers(BTreeSet<String>),
    /// It is broken, but plainly meant for these regions (a wrong port, a
    /// near-miss host, a broken topic line).
    Meant(BTreeSet<String>),
    /// It reaches a control plane of its own region.
    Loop,
    /// Where it goes cannot be told.
    Unknown,
}

impl Publication<'_> {
    /// The regions of the nodes `r` reaches or plainly means.
    fn regions(dep: &Deployment, r: &BrokerReach) -> Option<BTreeSet<String>> {
        let of = |v: &mut dyn Iterator<Item = NodeIdx>| -> BTreeSet<String> {
            v.filter_map(|i| dep.node(i).map(|n| n.region.clone()))
                .collect()
        };
        match r {
            BrokerReach::Ok { targets } => Some(of(&mut targets.iter().copied())),
            BrokerReach::WrongPort { expected, .. } => Some(of(&mut expected.iter().map(|e| e.0))),
            BrokerReach::NearMiss { suggestions } => {
                let set = of(&mut suggestions.iter().flat_map(|s| dep.lookup_host(s)));
                (!set.is_empty()).then_some(set)
            }
            BrokerReach::ClusterLocal { regions, .. } => Some(regions.iter().cloned().collect()),
            _ => None,
        }
    }

    pub(crate) fn aim(&self, dep: &Deployment) -> Aim {
        if self.reach.is_empty() {
            return Aim::Unknown;
        }
        if self
            .reach
            .iter()
            .any(|r| matches!(r, BrokerReach::OwnRegion { .. }))
        {
            return Aim::Loop;
        }
        let mut regions = BTreeSet::new();
        for r in &self.reach {
            match Self::regions(dep, r) {
                Some(s) => regions.extend(s),
                None => return Aim::Unknown,
            }
        }
        let own = dep.node(self.node).map(|n| n.region.as_str());
        regions.retain(|r| Some(r.as_str()) != own);
        if regions.is_empty() {
            return Aim::Unknown;
        }
        let ok = self.chain.breaks.is_empty()
            && self
                .reach
                .iter()
                .all(|r| matches!(r, BrokerReach::Ok { .. }));
        if ok {
            Aim::Delivers(regions)
        } else {
            Aim::Meant(regions)
        }
    }
}

/// The nodes that must bridge a region: its control planes, else its
/// all-in-ones (acting as control planes).
pub(crate) fn bridging_nodes(dep: &Deployment, region: &str) -> Vec<NodeIdx> {
    let analysable = |i: &NodeIdx| dep.node(*i).is_some_and(|n| n.is_analysable());
    let cps: Vec<NodeIdx> = dep
        .region_role(region, Role::ControlPlane)
        .into_iter()
        .filter(analysable)
        .collect();
    if !cps.is_empty() {
        return cps;
    }
    dep.region_role(region, Role::AllInOne)
        .into_iter()
        .filter(analysable)
        .collect()
}

/// A link of the bridge graph: stream `stream` from one region to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeLink {
    /// The stream's label (`notification`).
    pub stream: &'static str,
    pub from: String,
    pub to: String,
    /// The bridging nodes of `from` whose publisher delivers.
    pub delivering: Vec<NodeIdx>,
    /// What is wrong, one phrase each ("`region-1/cp-2` publishes nothing"),
    /// empty when the link holds.
    pub problems: Vec<String>,
}

/// The deployment's bridge: every publication and, per stream, its graph.
#[derive(Debug)]
pub(crate) struct Bridge<'a> {
    /// Whether any node holds an event publisher file (parsed or not).
    pub(crate) any_publisher_file: bool,
    pub(crate) files: Vec<NodeFiles<'a>>,
    pub(crate) publications: Vec<Publication<'a>>,
    /// Per stream of [`STREAMS`] (same order): regions as vertices, a
    /// [`BridgeLink`] per region pair.
    pub(crate) graphs: Vec<DiGraph<String, BridgeLink>>,
}

/// Resolve every bridge publisher of `files` and build the graphs (none
/// when no node holds any event publisher file: the bridge is not in the
/// tree, and a graph of every region pair would cost R² links for nothing).
pub(crate) fn analyse<'a>(
    dep: &Deployment,
    files: Vec<NodeFiles<'a>>,
    any_publisher_file: bool,
) -> Bridge<'a> {
    let mut publications = Vec::new();
    for f in &files {
        for chain in bridge::chains(&f.publishers, &f.jndi) {
            let reach = chain
                .brokers()
                .iter()
                .map(|b| dep.reach_broker(f.node, &b.host, i64::from(b.port)))
                .collect();
            publications.push(Publication {
                node: f.node,
                chain,
                reach,
            });
        }
    }
    let any_publisher_file = any_publisher_file || files.iter().any(|f| !f.publishers.is_empty());
    let graphs = if any_publisher_file {
        STREAMS
            .iter()
            .map(|s| stream_graph(dep, s, &publications))
            .collect()
    } else {
        Vec::new()
    };
    Bridge {
        any_publisher_file,
        files,
        publications,
        graphs,
    }
}

impl Deployment {
    /// The files of each node that the bridge reads.
    pub(crate) fn node_files(&self) -> Vec<NodeFiles<'_>> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_analysable())
            .map(|(i, n)| {
                let h = n.home();
                NodeFiles {
                    node: i,
                    publishers: h
                        .event_publishers()
                        .map(|(f, p)| PublisherFile {
                            file: f.file,
                            publisher: p,
                        })
                        .collect(),
                    jndi: h
                        .jndi_files()
                        .map(|(f, j)| JndiFile {
                            file: f.file,
                            path: &f.rel,
                            text: &f.text,
                            props: &j.properties,
                        })
                        .collect(),
                    userstores: h.user_stores().map(|(f, u)| (f.file, u)).collect(),
                }
            })
            .collect()
    }

    /// The deployment's cross-region bridge.
    pub(crate) fn bridge(&self) -> Bridge<'_> {
        let any_file = self.nodes.iter().any(|n| {
            n.home()
                .files
                .iter()
                .any(|f| f.kind == super::FileKind::EventPublisherXml)
        });
        analyse(self, self.node_files(), any_file)
    }

    /// Every link of the bridge graph (one per stream and region pair;
    /// a loop when a region publishes into itself).
    pub fn bridge_links(&self) -> Vec<BridgeLink> {
        self.bridge().links().cloned().collect()
    }
}

/// What one bridging node does for `stream` towards region `to`.
enum Does {
    Delivers,
    Broken,
    Nothing,
}

fn does(dep: &Deployment, s: &Stream, pubs: &[&Publication<'_>], node: NodeIdx, to: &str) -> Does {
    let mut broken = false;
    for p in pubs.iter().filter(|p| p.node == node) {
        if p.chain.stream.map(|x| x.name) != Some(s.name) {
            continue;
        }
        match p.aim(dep) {
            Aim::Delivers(r) if r.contains(to) => return Does::Delivers,
            Aim::Meant(r) if r.contains(to) => broken = true,
            Aim::Unknown => broken = true,
            _ => {}
        }
    }
    if broken { Does::Broken } else { Does::Nothing }
}

fn stream_graph(
    dep: &Deployment,
    s: &Stream,
    publications: &[Publication<'_>],
) -> DiGraph<String, BridgeLink> {
    let mut g: DiGraph<String, BridgeLink> = DiGraph::new();
    let regions: Vec<&String> = dep.regions.keys().collect();
    let vertex: Vec<NodeIndex> = regions.iter().map(|r| g.add_node((*r).clone())).collect();
    let pubs: Vec<&Publication<'_>> = publications
        .iter()
        .filter(|p| p.chain.stream.map(|x| x.name) == Some(s.name))
        .collect();
    for (a, from) in regions.iter().enumerate() {
        let bridging = bridging_nodes(dep, from);
        for (b, to) in regions.iter().enumerate() {
            let (Some(va), Some(vb)) = (vertex.get(a), vertex.get(b)) else {
                continue;
            };
            let mut link = BridgeLink {
                stream: s.label,
                from: (*from).clone(),
                to: (*to).clone(),
                delivering: Vec::new(),
                problems: Vec::new(),
            };
            if a == b {
                for p in pubs
                    .iter()
                    .filter(|p| dep.node(p.node).is_some_and(|n| &n.region == *from))
                {
                    if p.aim(dep) == Aim::Loop {
                        link.problems
                            .push(format!("`{}` publishes to its own region", dep.id(p.node)));
                    }
                }
                if !link.problems.is_empty() {
                    g.add_edge(*va, *vb, link);
                }
                continue;
            }
            let mut any = false;
            for n in &bridging {
                match does(dep, s, &pubs, *n, to) {
                    Does::Delivers => {
                        any = true;
                        link.delivering.push(*n);
                    }
                    Does::Broken => {
                        any = true;
                        link.problems
                            .push(format!("`{}`'s publisher is broken", dep.id(*n)));
                    }
                    Does::Nothing => link
                        .problems
                        .push(format!("`{}` publishes nothing", dep.id(*n))),
                }
            }
            if any || s.required {
                g.add_edge(*va, *vb, link);
            }
        }
    }
    g
}

impl Bridge<'_> {
    /// Every link of every stream's graph, streams in table order.
    pub(crate) fn links(&self) -> impl Iterator<Item = &BridgeLink> {
        self.graphs.iter().flat_map(|g| g.edge_weights())
    }
}
