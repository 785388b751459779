//! `region-bridge-unresolved`: a bridge publisher's chain holds — JNDI
//! file, connection factory, topic line, and every broker a control plane
//! of another region on 5672 + offset.

use crate::base::diagnostic::{Diagnostic, Severity};
use crate::base::edit::{Applicability, Edit, Fix};
use crate::base::text::code_list;
use crate::graph::bridge::{Bridge, Publication};
use crate::graph::{BrokerReach, Deployment};
use crate::model::bridge::{Break, FACTORY_NAME, PROVIDER_URL};
use crate::rules::bridge::{Found, found_rule, publisher_related};
use crate::rules::node_list;

declare_rule! {
    id: "region-bridge-unresolved",
    severity: Error,
    roles: [],
    fix: Sometimes,
    since: "0.2.0",
    check: Deployment(RegionBridgeUnresolved),
}

pub(crate) struct RegionBridgeUnresolved;
found_rule!(RegionBridgeUnresolved, find);

fn replace(
    file: crate::base::files::FileId,
    range: std::ops::Range<usize>,
    with: &str,
    safe: bool,
) -> Fix {
    Fix {
        title: format!("Replace with `{with}`"),
        applicability: if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        edits: vec![Edit {
            file,
            range,
            new_text: with.to_owned(),
        }],
    }
}

/// Every broken link of every bridge publisher.
pub(crate) fn find(dep: &Deployment, b: &Bridge<'_>) -> Vec<Found> {
    let mut out = Vec::new();
    for p in &b.publications {
        for br in &p.chain.breaks {
            if let Some(f) = chain_break(dep, p, br) {
                out.push(f);
            }
        }
        for (k, r) in p.reach.iter().enumerate() {
            if let Some(f) = broker(dep, p, k, r) {
                out.push(f);
            }
        }
    }
    out
}

fn new(
    p: &Publication<'_>,
    file: crate::base::files::FileId,
    range: std::ops::Range<usize>,
    msg: String,
) -> Diagnostic {
    let _ = p;
    Diagnostic::new(&RULE, file, range, msg)
}

/// A break of the chain before the brokers.
fn chain_break(dep: &Deployment, p: &Publication<'_>, br: &Break) -> Option<Found> {
    let c = &p.chain;
    let pf = c.publisher.file;
    let pb = c.publisher.publisher;
    let name = &pb.name.value;
    let id = dep.id(p.node);
    let to = pb.adapter_type.span.clone();
    let found = match br {
        Break::NoProviderUrl => Found::new(
            new(p, pf, to, format!("the JMS publisher `{name}` names no JNDI file: `{PROVIDER_URL}` is missing"))
                .help("add `<property name=\"java.naming.provider.url\">repository/conf/jndi-region<N>.properties</property>` naming the JNDI file of the target region"),
        ),
        Break::NoJndiFile { suggestion } => {
            let url = c.url?;
            let mut d = new(
                p,
                pf,
                url.value_span.clone(),
                format!(
                    "`{}` of the publisher `{name}` names `{}`, which is not in `{id}`'s home",
                    PROVIDER_URL,
                    url.value.trim()
                ),
            );
            let fix = suggestion.as_ref().map(|s| {
                d = d.clone().help(format!("did you mean `{s}`?"));
                replace(pf, url.value_span.clone(), s, true)
            });
            if fix.is_none() {
                d = d.help("WSO2 opens the file relative to the API-M home: put the JNDI file there, or name the one that is");
            }
            Found::new(d).with(fix)
        }
        Break::NoFactoryName => Found::new(new(
            p,
            pf,
            to,
            format!("the JMS publisher `{name}` has no `{FACTORY_NAME}`"),
        ).help("add `<property name=\"transport.jms.ConnectionFactoryJNDIName\">TopicConnectionFactory</property>`")),
        Break::NoFactory { name: f, suggestion } => {
            let (prop, j) = (c.factory_name?, c.jndi?);
            let mut d = new(
                p,
                pf,
                prop.value_span.clone(),
                format!("`{}` defines no `connectionfactory.{f}`, the connection factory the publisher `{name}` uses", j.path),
            )
            .related(j.file, 0..0, format!("`{}` of `{id}`", j.path));
            let fix = suggestion.as_ref().map(|s| {
                d = d.clone().help(format!("did you mean `{s}`?"));
                replace(pf, prop.value_span.clone(), s, false)
            });
            Found::new(d).with(fix)
        }
        Break::BadUrl { span, message } => {
            let j = c.jndi?;
            Found::new(publisher_related(
                new(p, j.file, span.clone(), format!("the connection URL of `{}` does not parse: {message}", j.path)),
                dep,
                p,
            ).help("Qpid's URL is `amqp://user:password@clientid/carbon?brokerlist='tcp://host:5672'`"))
        }
        Break::NoDestination => Found::new(new(
            p,
            pf,
            to,
            format!("the JMS publisher `{name}` has no `transport.jms.Destination`"),
        )),
        Break::NoTopic { prefix, dest, key } => no_topic(dep, p, prefix, dest, key.as_deref())?,
        Break::WrongTopic { want } => {
            let (e, j) = (c.topic?, c.jndi?);
            let d = new(
                p,
                j.file,
                e.value_span.clone(),
                format!(
                    "`{}` maps to the physical topic `{}`, not `{want}`, the topic of `{}`",
                    e.key,
                    e.value.trim(),
                    pb.stream_name.value
                ),
            );
            let exact = j.text.get(e.value_span.clone()) == Some(e.value.as_str());
            let fix = exact.then(|| replace(j.file, e.value_span.clone(), want, true));
            Found::new(publisher_related(d, dep, p)).with(fix)
        }
    };
    Some(found)
}

fn no_topic(
    dep: &Deployment,
    p: &Publication<'_>,
    prefix: &str,
    dest: &str,
    key: Option<&str>,
) -> Option<Found> {
    let c = &p.chain;
    let (prop, j) = (c.destination?, c.jndi?);
    let d = new(
        p,
        c.publisher.file,
        prop.value_span.clone(),
        format!(
            "`{}` defines no `{prefix}{dest}`, the destination the publisher `{}` sends to",
            j.path, c.publisher.publisher.name.value
        ),
    )
    .related(
        j.file,
        0..0,
        format!("`{}` of `{}`", j.path, dep.id(p.node)),
    );
    if let Some(k) = key {
        let fix = replace(c.publisher.file, prop.value_span.clone(), k, true);
        return Some(
            Found::new(d.help(format!(
                "did you mean `{k}`? (`{prefix}{k}` is the stream's topic)"
            )))
            .with(Some(fix)),
        );
    }
    let Some(s) = c.stream else {
        return Some(Found::new(d));
    };
    let end = j.text.len();
    let nl = if j.text.is_empty() || j.text.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    let line = format!("{nl}{prefix}{dest} = {}\n", s.topic);
    let fix = Fix {
        title: format!("Add `{prefix}{dest} = {}` to `{}`", s.topic, j.path),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            file: j.file,
            range: end..end,
            new_text: line,
        }],
    };
    Some(Found::new(d).with(Some(fix)))
}

/// A broker that is not a control plane of another region on its port.
fn broker(dep: &Deployment, p: &Publication<'_>, k: usize, r: &BrokerReach) -> Option<Found> {
    let j = p.chain.jndi?;
    let b = p.chain.brokers().get(k)?;
    let id = dep.id(p.node);
    let region = dep.node(p.node).map_or("?", |n| n.region.as_str());
    let host = &b.host;
    let at = |m: String| new(p, j.file, b.host_span.clone(), m);
    let found = match r {
        BrokerReach::Ok { .. } | BrokerReach::OwnRegion { .. } | BrokerReach::Unresolvable => {
            return None;
        }
        BrokerReach::WrongPort { port, expected } => {
            let range = b.port_span.clone().unwrap_or(b.host_span.clone());
            let mut d = new(
                p,
                j.file,
                range,
                format!(
                    "no control plane listens for JMS on `{host}:{port}`: {}",
                    expected
                        .iter()
                        .map(|(i, l)| format!("`{}` listens on {l}", dep.id(*i)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .help("the broker of a control plane listens on 5672 + its port offset");
            for (i, _) in expected.iter().take(3) {
                d = crate::rules::related_node(d, dep, *i, "control plane");
            }
            let mut ports: Vec<i64> = expected.iter().map(|e| e.1).collect();
            ports.dedup();
            let fix = match (ports.as_slice(), &b.port_span) {
                ([one], Some(span)) => Some(replace(j.file, span.clone(), &one.to_string(), true)),
                ([one], None) => Some(Fix {
                    title: format!("Add the port {one}"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit { file: j.file, range: b.host_span.end..b.host_span.end, new_text: format!(":{one}") }],
                }),
                _ => None,
            };
            Found::new(publisher_related(d, dep, p)).with(fix)
        }
        BrokerReach::WrongRole { found } => Found::new(publisher_related(
            at(format!("`{host}` names {}, no control plane: the bridge publishes to another region's control plane", node_list(dep, found.iter().copied()))),
            dep,
            p,
        )),
        BrokerReach::ClusterLocal { name, service, regions } => {
            let what = if *service { "a Kubernetes Service name" } else { "a cluster-local name" };
            Found::new(publisher_related(
                at(format!("`{name}` is {what} of {}: `{id}` in {region} cannot reach another region's cluster through it", code_list(regions))),
                dep,
                p,
            ).help("name the other region's control planes by a host routable between the clusters (its load balancer or ingress for 5672), and declare it in `apimlint.toml [hosts]`"))
        }
        BrokerReach::NearMiss { suggestions } => {
            let d = at(format!("`{host}` names no node; did you mean {}?", code_list(suggestions)));
            let fix = match suggestions.as_slice() {
                [one] => Some(replace(j.file, b.host_span.clone(), one, true)),
                _ => None,
            };
            Found::new(publisher_related(d, dep, p)).with(fix)
        }
        BrokerReach::UnknownHost => Found::new(
            publisher_related(
                at(format!("`{host}` names no node of the deployment: the bridge's target cannot be verified")),
                dep,
                p,
            )
            .severity(Severity::Warning)
            .help(format!("if `{host}` is a load balancer in front of another region's control planes, name them in `apimlint.toml [hosts]`: `\"{host}\" = [\"<region>/<cp>\"]`")),
        ),
    };
    Some(found)
}
