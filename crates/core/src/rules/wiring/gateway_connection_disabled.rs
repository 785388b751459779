//! `gateway-connection-disabled`: a gateway keeps the connections it needs
//! to the control planes and traffic managers switched on.

use crate::base::diagnostic::Diagnostic;
use crate::base::edit::{Applicability, Edit, Fix};
use crate::model::{KeyFact, Scalar};
use crate::rules::{NodeCx, NodeRule};

declare_rule! {
    id: "gateway-connection-disabled",
    severity: Error,
    roles: [GatewayWorker],
    fix: Sometimes,
    since: "0.1.0",
    check: Node(GatewayConnectionDisabled),
}

pub(crate) struct GatewayConnectionDisabled;

/// The switches a gateway needs on, and what it loses without each.
const SWITCHES: [(&str, &str); 3] = [
    (
        "apim.event_hub.enable",
        "the gateway never hears of deployed, changed or revoked APIs, keys and tokens: APIs published on the control plane never reach it",
    ),
    (
        "apim.throttling.enable_data_publishing",
        "the gateway publishes no request events to the traffic managers: its traffic never counts against any rate limit",
    ),
    (
        "apim.throttling.enable_decision_connection",
        "the gateway never receives the traffic managers' throttle decisions: it never blocks a client over its limit",
    ),
];

/// A switch of [`SWITCHES`] set to false.
pub(crate) struct State<'a> {
    key: &'a KeyFact,
    effect: &'static str,
}

impl NodeRule for GatewayConnectionDisabled {
    type State<'a> = State<'a>;

    fn run<'a>(cx: &NodeCx<'a>) -> Vec<State<'a>> {
        let Some(keys) = cx.node.facts.keys.as_deref() else {
            return Vec::new();
        };
        keys.iter()
            .filter(|k| !k.in_aot && is_false(k))
            .filter_map(|k| {
                let (_, effect) = SWITCHES.iter().find(|(p, _)| k.path_str() == *p)?;
                Some(State { key: k, effect })
            })
            .collect()
    }

    fn diagnostic(cx: &NodeCx<'_>, s: &State<'_>) -> Diagnostic {
        let path = s.key.path();
        let span = s
            .key
            .value
            .as_ref()
            .map_or_else(|| s.key.key_span.clone(), |v| v.span.clone());
        Diagnostic::new(
            &RULE,
            cx.file,
            span,
            format!("`{path}` is false on a gateway: {}", s.effect),
        )
        .help("remove the line or set it to true: WSO2's default for a gateway is true")
        .key(path, Some("false"))
    }

    fn action(cx: &NodeCx<'_>, s: &State<'_>) -> Option<Fix> {
        // only a literal boolean: a string is rewritten by hand
        let v = s.key.value.as_ref()?;
        matches!(v.value, Scalar::Bool(false)).then(|| Fix {
            title: "Set it to true".to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: cx.file,
                range: v.span.clone(),
                new_text: "true".to_owned(),
            }],
        })
    }
}

/// `false`, or the string `"false"` (WSO2's templates render both alike).
fn is_false(k: &KeyFact) -> bool {
    match k.value.as_ref().map(|v| &v.value) {
        Some(Scalar::Bool(b)) => !b,
        Some(Scalar::Str(s)) => s.trim().eq_ignore_ascii_case("false"),
        _ => false,
    }
}
