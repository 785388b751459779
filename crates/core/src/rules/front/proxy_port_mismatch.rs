//! `proxy-port-mismatch`: the servlet transport's `proxyPort` is the port
//! users reach the node on through what stands in front of it.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::graph::{Deployment, NodeIdx};
use crate::rules::DeploymentRule;

declare_rule! {
    id: "proxy-port-mismatch",
    severity: Warning,
    roles: [],
    fix: Sometimes,
    since: "0.2.0",
    check: Deployment(ProxyPortMismatch),
}

pub(crate) struct ProxyPortMismatch;

/// The servlet connectors: WSO2's default port and the table of its
/// `proxyPort`. (The gateway's API traffic ports, 8280/8243, are Synapse's,
/// not Tomcat's: `proxyPort` says nothing about them.)
const CONNECTORS: [(u16, &str, bool); 2] = [(9443, "https", true), (9763, "http", false)];

pub(crate) struct State {
    node: NodeIdx,
    connector: u16,
    scheme: &'static str,
    /// The node's own listening port for the connector (offset included).
    own: i64,
    /// The ports users reach it on, each with what serves it.
    fronts: Vec<(i64, String)>,
    /// `proxyPort` as written, if written.
    written: Option<i64>,
}

impl State {
    fn ports(&self) -> Vec<i64> {
        let mut p: Vec<i64> = self.fronts.iter().map(|f| f.0).collect();
        p.sort_unstable();
        p.dedup();
        p
    }
}

impl DeploymentRule for ProxyPortMismatch {
    type State<'d> = State;

    fn run(dep: &Deployment) -> Vec<State> {
        let mut out = Vec::new();
        for (i, n) in RULE.subjects(dep) {
            let fronts = dep.fronts(i);
            if fronts.is_empty() {
                continue;
            }
            for (connector, scheme, https) in CONNECTORS {
                let own = n.port(connector);
                let mut users: Vec<(i64, String)> = Vec::new();
                for f in &fronts {
                    for v in f.via.iter().filter(|v| v.container == own) {
                        let Some(p) = (if https { v.https } else { v.http }) else {
                            continue;
                        };
                        if !users.iter().any(|(q, w)| *q == p && *w == f.what) {
                            users.push((p, f.what.clone()));
                        }
                    }
                }
                let written = n.facts.proxy_ports.get(&connector).map(|p| p.value);
                if users.is_empty() {
                    // no front serves the connector, but `proxyPort` names
                    // a port of the node a front serves on another port
                    // (a gateway's PassThrough 8243 behind an Ingress' 443)
                    if let Some(w) = written {
                        let inner: Vec<(i64, String)> = fronts
                            .iter()
                            .flat_map(|f| f.via.iter().map(move |v| (f, v)))
                            .filter(|(_, v)| v.container == w)
                            .filter_map(|(f, v)| {
                                let p = if https { v.https } else { v.http }?;
                                (p != w).then(|| (p, f.what.clone()))
                            })
                            .collect();
                        if !inner.is_empty() {
                            out.push(State {
                                node: i,
                                connector,
                                scheme,
                                own: w,
                                fronts: inner,
                                written,
                            });
                        }
                    }
                    continue;
                }
                let wrong = match written {
                    Some(w) => !users.iter().any(|(p, _)| *p == w),
                    // without `proxyPort` Tomcat writes its own port into
                    // redirects: wrong when every front serves another one
                    None => users.iter().all(|(p, _)| *p != own),
                };
                if wrong {
                    out.push(State {
                        node: i,
                        connector,
                        scheme,
                        own,
                        fronts: users,
                        written,
                    });
                }
            }
        }
        out
    }

    fn diagnostic(dep: &Deployment, s: &State) -> Diagnostic {
        let Some(n) = dep.node(s.node) else {
            return Diagnostic::new(&RULE, dep.file(s.node), 0..0, "?");
        };
        let served: Vec<String> = s
            .fronts
            .iter()
            .map(|(p, what)| format!("{what} serves its port {} on {p}", s.own))
            .collect();
        let key = format!("transport.{}.properties.proxyPort", s.scheme);
        let ports = s.ports();
        let want = crate::base::text::code_list(ports.iter());
        let (range, msg) = match (s.written, n.facts.proxy_ports.get(&s.connector)) {
            (Some(w), Some(sp)) => (
                sp.span.clone(),
                format!(
                    "`[transport.{}.properties] proxyPort` is {w}, but {}: redirects and links the node writes will point at port {w}",
                    s.scheme,
                    served.join("; ")
                ),
            ),
            _ => (
                crate::rules::host_span(n),
                format!(
                    "{}, but `[transport.{}.properties]` sets no `proxyPort`: redirects and links the node writes will point at its own port {}",
                    served.join("; "),
                    s.scheme,
                    s.own
                ),
            ),
        };
        Diagnostic::new(&RULE, n.file, range, msg)
            .help(format!(
                "set `proxyPort = {}` under `[transport.{}.properties]` (the port users reach; the gateway's API ports are not this transport's)",
                ports.first().copied().unwrap_or(443),
                s.scheme
            ))
            .key(key, Some(&want))
    }

    fn action(dep: &Deployment, s: &State) -> Option<Fix> {
        let n = dep.node(s.node)?;
        let sp = n.facts.proxy_ports.get(&s.connector)?;
        let [one] = s.ports()[..] else {
            return None;
        };
        Some(Fix {
            title: format!("Set `proxyPort` to {one}"),
            applicability: Applicability::Safe,
            edits: vec![Edit {
                file: n.file,
                range: sp.span.clone(),
                new_text: one.to_string(),
            }],
        })
    }
}
