//! `event-publisher-name-duplicate`: the `name` of every event publisher of
//! a node is unique (WSO2 deploys one and drops the other silently).

use crate::base::diagnostic::Diagnostic;
use crate::graph::Deployment;
use crate::graph::bridge::Bridge;
use crate::model::bridge::duplicate_names;
use crate::rules::bridge::{Found, found_rule};

declare_rule! {
    id: "event-publisher-name-duplicate",
    severity: Error,
    roles: [],
    fix: Never,
    since: "0.2.0",
    check: Deployment(EventPublisherNameDuplicate),
}

pub(crate) struct EventPublisherNameDuplicate;
found_rule!(EventPublisherNameDuplicate, find);

pub(crate) fn find(dep: &Deployment, b: &Bridge<'_>) -> Vec<Found> {
    let mut out = Vec::new();
    for f in &b.files {
        for (dup, first) in duplicate_names(&f.publishers) {
            let name = &dup.publisher.name.value;
            let d = Diagnostic::new(
                &RULE,
                dup.file,
                dup.publisher.name.span.clone(),
                format!("`{}` has two event publishers named `{name}`: WSO2 deploys one of them and silently drops the other", dep.id(f.node)),
            )
            .related(first.file, first.publisher.name.span.clone(), format!("the other `{name}` (`{}`)", first.publisher.stream_name.value))
            .help("give every event publisher of a node its own name (WSO2's page names them `<stream>JMSPublisherRegion<N>`)");
            out.push(Found::new(d));
        }
    }
    out
}
