//! `embedded-db-in-cluster`: no H2 `apim_db`/`shared_db` in a deployment of
//! several nodes.

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;
use crate::model::{Database, Facts};

declare_rule! {
    id: "embedded-db-in-cluster",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: legacy Deployment(check),
}

type Getter = fn(&Facts) -> Option<&Database>;

fn check(dep: &Deployment, acc: &mut Vec<Diagnostic>) {
    let count = dep.nodes.iter().filter(|n| n.is_analysable()).count();
    if count < 2 {
        return;
    }
    let dbs: [(&str, &str, Getter); 2] = [
        ("apim_db", "APIs, applications, subscriptions", |f| {
            f.apim_db.as_ref()
        }),
        ("shared_db", "the registry and the users", |f| {
            f.shared_db.as_ref()
        }),
    ];
    for (i, node) in dep.nodes.iter().enumerate() {
        for (db, holds, get) in dbs {
            let Some(d) = get(&node.facts).filter(|d| d.is_h2()) else {
                continue;
            };
            let mut diag = Diagnostic::new(
                &RULE,
                dep.file(i),
                d.type_span(),
                format!(
                    "`[database.{db}]` is an embedded H2 database in a deployment of {count} nodes: it is a file on this node, so {holds} are not shared with the others"
                ),
            )
            .help(format!(
                "point `[database.{db}]` at the deployment's external database (MySQL, MSSQL, Oracle, PostgreSQL…), as every other node must"
            ))
            .key(format!("database.{db}.type"), Some("h2"));
            let external = dep.nodes.iter().enumerate().find_map(|(j, n)| {
                let other = get(&n.facts)?;
                let id = other.identity()?;
                Some((j, other.location_span(), id))
            });
            if let Some((j, span, id)) = external {
                diag = diag.related(dep.file(j), span, format!("`{}` uses `{id}`", dep.id(j)));
            }
            acc.push(diag);
        }
    }
}
