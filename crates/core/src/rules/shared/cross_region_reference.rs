//! `cross-region-reference`: no URL in a `deployment.toml` reaches a node
//! of another region, whatever role writes it.

use crate::base::diagnostic::Diagnostic;
use crate::graph::{Deployment, Edge, Node, NodeIdx, Resolution};
use crate::rules::host_span;
use crate::rules::{DeploymentRule, node_list};

declare_rule! {
    id: "cross-region-reference",
    severity: Warning,
    roles: [],
    fix: Never,
    since: "0.1.0",
    check: Deployment(CrossRegionReference),
}

/// The key as a user finds it in the file: `[apim.key_manager] service_url`,
/// `[[apim.event_hub.publish.url_group]] urls`.
fn table_key(e: &Edge) -> String {
    let k = e.kind.key();
    let table = k.table.join(".");
    let leaf = e.key.rsplit('.').next().unwrap_or(k.key);
    if e.key.contains('[') {
        format!("[[{table}]] {leaf}")
    } else {
        format!("[{table}] {leaf}")
    }
}

pub(crate) struct CrossRegionReference;

/// A URL of `writer` whose host reaches `targets`, of another region.
pub(crate) struct State<'d> {
    edge: &'d Edge,
    writer: &'d Node,
    targets: Vec<NodeIdx>,
    /// The first of `targets`.
    first: &'d Node,
}

impl DeploymentRule for CrossRegionReference {
    type State<'d> = State<'d>;

    fn run(dep: &Deployment) -> Vec<State<'_>> {
        // control planes included: their URLs in deployment.toml stay in
        // their region too; regions talk through the extra JMS event
        // publishers (`jndi-region<N>.properties`), not through these keys
        dep.edges()
            .filter(|e| e.cross_region && e.resolution.host_resolved())
            .filter_map(|e| {
                let writer = dep.node(e.from)?;
                let targets = match &e.resolution {
                    Resolution::WrongRole { found } => found.clone(),
                    r => r.targets(),
                };
                let first = targets.first().and_then(|t| dep.node(*t))?;
                Some(State {
                    edge: e,
                    writer,
                    targets,
                    first,
                })
            })
            .collect()
    }

    fn diagnostic(dep: &Deployment, s: &State<'_>) -> Diagnostic {
        let (e, writer) = (s.edge, s.writer);
        let key = table_key(e);
        let names = node_list(dep, s.targets.iter().copied());
        let mut d = Diagnostic::new(
            &RULE,
            dep.file(e.from),
            e.host_span.clone(),
            format!(
                "`{}` in `{key}` reaches {names} of {}, not a node of {}",
                e.url, s.first.region, writer.region
            ),
        )
        .help(format!(
            "in a multi-DC deployment each region's nodes reach only their own region; the regions talk through the control planes' extra JMS event publishers (`jndi-region<N>.properties`), not through deployment.toml: point `{key}` at the {} of {}",
            e.expected
                .first()
                .map_or("nodes", |r| r.name()),
            writer.region
        ))
        .key(e.key.clone(), Some(&e.url));
        for t in s.targets.iter().take(3) {
            if let Some(n) = dep.node(*t) {
                d = d.related(
                    dep.file(*t),
                    host_span(n),
                    format!("`{}` is a {} of {}", n.id, n.role, n.region),
                );
            }
        }
        d
    }
}
