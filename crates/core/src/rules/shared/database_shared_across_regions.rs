//! `database-shared-across-regions`: each region of a multi-DC deployment
//! uses its own database server (its replica).

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Node, NodeIdx};
use crate::model::{Database, DbIdentity, Facts, Role};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "database-shared-across-regions",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(DatabaseSharedAcrossRegions),
}

pub(crate) struct DatabaseSharedAcrossRegions;

/// A database server: type, host, port, and the scope its host name is
/// resolved in (see [`name_scope`]).
type Server = (String, String, String, String);

/// How a database's table is read from the facts.
type Table = fn(&Facts) -> Option<&Database>;

/// The databases compared: the ones Pattern 1 replicates.
const DATABASES: [(&str, Table); 2] = [
    ("apim_db", |f| f.apim_db.as_ref()),
    ("shared_db", |f| f.shared_db.as_ref()),
];

/// The first node of a region that uses the server an earlier region's node
/// uses for the same database.
pub(crate) struct State<'d> {
    db: &'static str,
    node: NodeIdx,
    database: &'d Database,
    server: String,
    other: NodeIdx,
    other_database: &'d Database,
}

impl DeploymentRule for DatabaseSharedAcrossRegions {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let mut out = Vec::new();
        if dep.regions().len() < 2 {
            return out;
        }
        for (db, get) in DATABASES {
            // server (type, host, port) → the first region and node using it
            let mut first: foldhash::HashMap<Server, (&str, NodeIdx, &Database)> =
                Default::default();
            for (region, members) in dep.regions() {
                let mut reported: Vec<Server> = Vec::new();
                for &i in members {
                    let Some(n) = dep.node(i).filter(|n| RULE.covers(n)) else {
                        continue;
                    };
                    // a gateway does not use `apim_db` even when its file has one
                    if db == "apim_db" && n.role == Role::GatewayWorker {
                        continue;
                    }
                    let Some(d) = get(&n.facts) else { continue };
                    let Some(DbIdentity {
                        kind, host, port, ..
                    }) = d.identity()
                    else {
                        continue;
                    };
                    if host.is_empty() || is_local(&host) {
                        continue;
                    }
                    let scope = name_scope(n, &host);
                    let server = (kind, host, port, scope);
                    match first.get(&server) {
                        Some((r, other, other_database)) if *r != region.as_str() => {
                            if !reported.contains(&server) {
                                reported.push(server.clone());
                                out.push(State {
                                    db,
                                    node: i,
                                    database: d,
                                    server: format!("{}:{}", server.1, server.2),
                                    other: *other,
                                    other_database,
                                });
                            }
                        }
                        Some(_) => {}
                        None => {
                            first.insert(server, (region.as_str(), i, d));
                        }
                    }
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (region, other_region) = (
            dep.node(s.node).map_or("", |n| n.region.as_str()),
            dep.node(s.other).map_or("", |n| n.region.as_str()),
        );
        Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.database.location_span(),
            format!(
                "`[database.{}]` of {region} is on `{}`, the server {other_region} uses: the regions share one database server instead of each using its own replica",
                s.db, s.server
            ),
        )
        .related(
            dep.file(s.other),
            s.other_database.location_span(),
            format!("`{}` of {other_region} uses the same server", dep.id(s.other)),
        )
        .help(format!(
            "point the nodes of {region} at the replica in their own data centre; the databases replicate between the regions (the multi-DC guide's step 1)"
        ))
        .key(format!("database.{}.url", s.db), None)
    }
}

/// A host on the node's own machine: every region has its own.
fn is_local(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]")
}

/// Where a database host name is resolved: a Compose service name (or a
/// single-label name) inside a Compose container is resolved by the
/// project's own DNS (https://docs.docker.com/compose/how-tos/networking/:
/// "reachable by other containers on that network, and discoverable by the
/// service's name"), so `mssql` of two projects is two servers; a bare
/// Kubernetes Service name is scoped to the pod's namespace (and cluster:
/// Kubernetes' "DNS for Services and Pods", on kubernetes.io).
/// Anything else (an FQDN, an IP) is global: `""`.
fn name_scope(n: &Node, host: &str) -> String {
    let Some(o) = n.origin.as_ref() else {
        return String::new();
    };
    let host = host.to_lowercase();
    if let Some(net) = o.workload.as_ref().and_then(|w| w.compose.as_ref()) {
        if !net.host_network && (!host.contains('.') || net.project_names.contains(&host)) {
            return format!("compose:{}", net.project.display());
        }
        return String::new();
    }
    if !o.inline || host.parse::<std::net::IpAddr>().is_ok() {
        return String::new();
    }
    // only a bare Service name: whether two regions are two clusters or
    // namespaces of one is not known, so `svc.ns…` forms stay global
    if host.contains('.') {
        return String::new();
    }
    format!("k8s:{}/{}", n.region, o.namespace)
}
