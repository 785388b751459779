//! `db-replication-unsupported`: the databases of a multi-region deployment
//! are of a type API-M supports for multi-DC replication.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::graph::{Deployment, NodeIdx};
use crate::model::{Database, Facts};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "db-replication-unsupported",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(DbReplicationUnsupported),
}

type Getter = fn(&Facts) -> Option<&Database>;

/// The first API-M version whose multi-DC guide ships PostgreSQL scripts.
const POSTGRES_FROM: (u64, u64) = (4, 5);

/// `Some(true)` when the version supports PostgreSQL replication, `None`
/// when it cannot be read.
fn postgres_supported(version: Option<&str>) -> Option<bool> {
    let mut parts = version?.trim().split(['.', '-']);
    let major: u64 = parts.next()?.parse().ok()?;
    let minor: u64 = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor) >= POSTGRES_FROM)
}

pub(crate) struct DbReplicationUnsupported;

/// A database of a multi-region deployment (`regions` of them) whose type
/// (`kind`) API-M does not replicate across them, or may not.
pub(crate) struct State<'d> {
    node: NodeIdx,
    db: &'static str,
    database: &'d Database,
    kind: String,
    regions: usize,
}

impl DeploymentRule for DbReplicationUnsupported {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        let regions = dep
            .regions()
            .values()
            .filter(|m| {
                m.iter()
                    .any(|i| dep.node(*i).is_some_and(|n| n.is_analysable()))
            })
            .count();
        if regions < 2 {
            return Vec::new();
        }
        let dbs: [(&str, Getter); 2] = [
            ("apim_db", |f| f.apim_db.as_ref()),
            ("shared_db", |f| f.shared_db.as_ref()),
        ];
        let version = dep.config().version.as_deref();
        let mut out = Vec::new();
        for (i, node) in dep.nodes().iter().enumerate() {
            for (db, get) in dbs {
                // a gateway does not use `apim_db` even when its file has one
                if db == "apim_db" && node.role == crate::model::Role::GatewayWorker {
                    continue;
                }
                let Some(d) = get(&node.facts) else { continue };
                let Some(kind) = d.db_type() else { continue };
                let supported = match kind.as_str() {
                    "mssql" | "oracle" | "h2" => true,
                    "postgre" => postgres_supported(version) == Some(true),
                    _ => false,
                };
                if !supported {
                    out.push(State {
                        node: i,
                        db,
                        database: d,
                        kind,
                        regions,
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (db, regions) = (s.db, s.regions);
        let version = dep.config().version.as_deref();
        let supported = postgres_supported(version);
        let (severity, message, help) = match (s.kind.as_str(), supported) {
            ("postgre", None) => (
                Severity::Info,
                format!(
                    "`[database.{db}]` is PostgreSQL in a deployment of {regions} regions: API-M supports its multi-DC replication only from 4.5, and `apimlint.toml` does not say which version runs"
                ),
                "set `[deployment] version` in `apimlint.toml`".to_owned(),
            ),
            // not from this version on (`run` leaves the others out)
            ("postgre", Some(_)) => (
                Severity::Warning,
                format!(
                    "`[database.{db}]` is PostgreSQL, which API-M {} does not support for multi-DC replication (MSSQL and Oracle only; PostgreSQL from 4.5)",
                    version.unwrap_or("?")
                ),
                "use MSSQL or Oracle, or upgrade to an API-M version whose multi-DC guide covers PostgreSQL".to_owned(),
            ),
            (other, _) => (
                Severity::Warning,
                format!(
                    "`[database.{db}]` is `{other}` in a deployment of {regions} regions: API-M supports multi-DC replication of its databases only on {}",
                    match supported {
                        Some(true) => "MSSQL, Oracle and PostgreSQL",
                        Some(false) => "MSSQL and Oracle",
                        None => "MSSQL and Oracle (PostgreSQL from 4.5)",
                    }
                ),
                "replicate `apim_db` and `shared_db` with a database API-M ships multi-DC scripts for (`dbscripts/multi-dc/`)".to_owned(),
            ),
        };
        Diagnostic::new(&RULE, dep.file(s.node), s.database.type_span(), message)
            .severity(severity)
            .help(help)
            .key(format!("database.{db}.type"), Some(&s.kind))
    }
}

#[cfg(test)]
mod tests {
    use super::postgres_supported;

    #[test]
    fn versions() {
        assert_eq!(postgres_supported(Some("4.5.0")), Some(true));
        assert_eq!(postgres_supported(Some("4.10")), Some(true));
        assert_eq!(postgres_supported(Some("4.2.0")), Some(false));
        assert_eq!(postgres_supported(None), None);
    }
}
