//! `shared-db-mismatch`: the nodes of a region use the same databases.

use crate::base::diagnostic::Diagnostic;
use crate::base::text::code_list_first3;
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Database, DbIdentity, Facts, Role};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "shared-db-mismatch",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(SharedDbMismatch),
}

type Getter = fn(&Facts) -> Option<&Database>;

/// Whether a node of this role uses the database: a gateway uses `shared_db`
/// only (WSO2 does not use `apim_db` there); API-M control planes, traffic
/// managers, key managers and all-in-ones use both; Identity Server and
/// unknown nodes are left out.
fn uses(role: Role, db: &str) -> bool {
    match role {
        Role::GatewayWorker => db == "shared_db",
        Role::ControlPlane | Role::TrafficManager | Role::KeyManager | Role::AllInOne => true,
        Role::IsKeyManager | Role::Unknown => false,
    }
}

pub(crate) struct SharedDbMismatch;

/// A node of `region` whose `db` (`id`, `database`) is not the region's
/// reference: the most common one, first used by `ref_node` and by every
/// node of `agree`.
pub(crate) struct State<'d> {
    region: &'d str,
    db: &'static str,
    node: NodeIdx,
    id: DbIdentity,
    database: &'d Database,
    reference: DbIdentity,
    ref_node: NodeIdx,
    ref_db: &'d Database,
    agree: Vec<NodeIdx>,
}

impl DeploymentRule for SharedDbMismatch {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let dbs: [(&str, Getter); 2] = [
            ("apim_db", |f| f.apim_db.as_ref()),
            ("shared_db", |f| f.shared_db.as_ref()),
        ];
        let mut out = Vec::new();
        for (region, members) in dep.regions() {
            for (db, get) in dbs {
                let written: Vec<(NodeIdx, DbIdentity, &Database)> = members
                    .iter()
                    .filter_map(|&i| {
                        let n = dep.node(i)?;
                        if !n.is_analysable() || !uses(n.role, db) {
                            return None;
                        }
                        let d = get(&n.facts)?;
                        Some((i, d.identity()?, d))
                    })
                    .collect();
                let Some((reference, ref_node, ref_db)) =
                    crate::rules::majority(written.iter().map(|(i, id, d)| (*i, id.clone(), *d)))
                else {
                    continue;
                };
                for (i, id, d) in &written {
                    if *id == reference {
                        continue;
                    }
                    let agree: Vec<NodeIdx> = written
                        .iter()
                        .filter(|w| w.1 == reference)
                        .map(|w| w.0)
                        .collect();
                    out.push(State {
                        region,
                        db,
                        node: *i,
                        id: id.clone(),
                        database: d,
                        reference: reference.clone(),
                        ref_node,
                        ref_db,
                        agree,
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (db, region, id, reference) = (s.db, s.region, &s.id, &s.reference);
        let count = s.agree.len();
        let what = if id.kind != reference.kind {
            format!("type `{}`, not `{}`", id.kind, reference.kind)
        } else if id.host != reference.host || id.port != reference.port {
            format!(
                "server `{}:{}`, not `{}:{}`",
                id.host, id.port, reference.host, reference.port
            )
        } else {
            format!("database `{}`, not `{}`", id.name, reference.name)
        };
        Diagnostic::new(
            &RULE,
            dep.file(s.node),
            s.database.location_span(),
            format!(
                "`[database.{db}]` here is `{id}`, but {count} other node{} of {region} use `{reference}` ({}): {what}",
                if count == 1 { "" } else { "s" },
                code_list_first3(s.agree.iter().map(|a| dep.id(*a))),
            ),
        )
        .help(format!(
            "every node of a region must use one `{db}`: point this node at `{reference}`, or the others at this one"
        ))
        .key(format!("database.{db}.url"), Some(&id.to_string()))
        .related(
            dep.file(s.ref_node),
            s.ref_db.location_span(),
            format!("`{}` uses `{reference}`", dep.id(s.ref_node)),
        )
    }
}
