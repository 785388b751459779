//! `embedded-db-in-cluster`: no H2 `apim_db`/`shared_db` in a deployment of
//! several nodes.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Database, Facts};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "embedded-db-in-cluster",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(EmbeddedDbInCluster),
}

type Getter = fn(&Facts) -> Option<&Database>;

pub(crate) struct EmbeddedDbInCluster;

/// An H2 database of a node, in a deployment of `count` nodes.
pub(crate) struct State<'d> {
    node: NodeIdx,
    /// The database's name, what it holds, and how to read it from a node.
    db: &'static str,
    holds: &'static str,
    get: Getter,
    database: &'d Database,
    count: usize,
}

impl DeploymentRule for EmbeddedDbInCluster {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let count = dep.nodes().iter().filter(|n| n.is_analysable()).count();
        if count < 2 {
            return Vec::new();
        }
        let dbs: [(&str, &str, Getter); 2] = [
            ("apim_db", "APIs, applications, subscriptions", |f| {
                f.apim_db.as_ref()
            }),
            ("shared_db", "the registry and the users", |f| {
                f.shared_db.as_ref()
            }),
        ];
        let mut out = Vec::new();
        for (i, node) in dep.nodes().iter().enumerate() {
            for (db, holds, get) in dbs {
                let Some(d) = get(&node.facts).filter(|d| d.is_h2()) else {
                    continue;
                };
                out.push(State {
                    node: i,
                    db,
                    holds,
                    get,
                    database: d,
                    count,
                });
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (db, holds, count) = (s.db, s.holds, s.count);
        let diag = Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.database.type_span(),
            format!(
                "`[database.{db}]` is an embedded H2 database in a deployment of {count} nodes: it is a file on this node, so {holds} are not shared with the others"
            ),
        )
        .help(format!(
            "point `[database.{db}]` at the deployment's external database (MySQL, MSSQL, Oracle, PostgreSQL…), as every other node must"
        ))
        .key(format!("database.{db}.type"), Some("h2"));
        let external = dep.nodes().iter().enumerate().find_map(|(j, n)| {
            let other = (s.get)(&n.facts)?;
            let id = other.identity()?;
            Some((j, other.location_span(), id))
        });
        match external {
            Some((j, span, id)) => {
                diag.related(dep.file(j), span, format!("`{}` uses `{id}`", dep.id(j)))
            }
            None => diag,
        }
    }
}
