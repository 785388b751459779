//! The cross-region bridge of the seed's Step 3 (`spec/node-files.md`):
//! control planes' JMS event publishers, the JNDI files they name and the
//! brokers of other regions those lead to ([`crate::graph::bridge`]).
//! Findings are located in the XML or `.properties` file to edit, with
//! the other files of the chain as related locations.

pub(crate) mod event_publisher_name_duplicate;
pub(crate) mod region_bridge_loop;
pub(crate) mod region_bridge_missing;
pub(crate) mod region_bridge_unresolved;
pub(crate) mod userstore_drift;

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::Fix;
use crate::graph::Deployment;
use crate::graph::bridge::Publication;
use crate::rules::Rule;

pub(crate) static RULES: &[&Rule] = &[
    &region_bridge_missing::RULE,
    &region_bridge_unresolved::RULE,
    &region_bridge_loop::RULE,
    &event_publisher_name_duplicate::RULE,
    &userstore_drift::RULE,
];

/// A finding made whole by a bridge rule's `run` (the chain is walked once):
/// the diagnostic, and its fix where the edit is unambiguous.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) diagnostic: Diagnostic,
    pub(crate) fix: Option<Fix>,
}

impl Found {
    pub(crate) fn new(diagnostic: Diagnostic) -> Self {
        Found {
            diagnostic,
            fix: None,
        }
    }

    pub(crate) fn with(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// One finding per place and message: a JNDI file that several publishers
/// use is reported once, each publisher a related location.
pub(crate) fn merged(found: Vec<Found>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for f in found {
        let d = &f.diagnostic;
        match out.iter_mut().find(|o| {
            o.diagnostic.file == d.file
                && o.diagnostic.range == d.range
                && o.diagnostic.message == d.message
        }) {
            Some(o) => {
                for r in &f.diagnostic.related {
                    if !o.diagnostic.related.contains(r) {
                        o.diagnostic.related.push(r.clone());
                    }
                }
            }
            None => out.push(f),
        }
    }
    out
}

/// `d` with the publisher of `p` as a related location.
pub(crate) fn publisher_related(
    d: Diagnostic,
    dep: &Deployment,
    p: &Publication<'_>,
) -> Diagnostic {
    let pb = p.chain.publisher.publisher;
    d.related(
        p.chain.publisher.file,
        pb.name.span.clone(),
        format!(
            "`{}` of `{}` publishes `{}`",
            pb.name.value,
            dep.id(p.node),
            pb.stream_name.value
        ),
    )
}

/// The three steps of a bridge rule over [`Found`]s.
macro_rules! found_rule {
    ($ty:ty, $find:path) => {
        impl $crate::rules::DeploymentRule for $ty {
            type State<'d> = $crate::rules::bridge::Found;
            fn run(dep: &$crate::graph::Deployment) -> Vec<$crate::rules::bridge::Found> {
                $crate::rules::bridge::merged($find(dep, &dep.bridge()))
            }
            fn diagnostic(
                _dep: &$crate::graph::Deployment,
                s: &$crate::rules::bridge::Found,
            ) -> $crate::base::diagnostic::Diagnostic {
                s.diagnostic.clone()
            }
            fn action(
                _dep: &$crate::graph::Deployment,
                s: &$crate::rules::bridge::Found,
            ) -> Option<$crate::base::edit::Fix> {
                s.fix.clone()
            }
        }
    };
}
pub(crate) use found_rule;

#[cfg(test)]
mod tests;
