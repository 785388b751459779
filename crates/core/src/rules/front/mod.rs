//! The front door: what users and other systems reach — `[server]
//! hostname`, `proxyPort` and the portal URLs — against what stands in
//! front of each node (`graph::Front`: Ingresses, OpenShift Routes, Gateway
//! API routes, LoadBalancer and NodePort Services, Compose published ports).

pub(crate) mod hostname_unreachable;
pub(crate) mod portal_url_unresolved;
pub(crate) mod proxy_port_mismatch;

use crate::graph::Front;

pub(crate) static RULES: &[&super::Rule] = &[
    &hostname_unreachable::RULE,
    &proxy_port_mismatch::RULE,
    &portal_url_unresolved::RULE,
];

/// Whether `host` is one of the names a front serves: equal (case and a
/// final dot aside), or under a wildcard (`*.example.com` covers one label).
pub(crate) fn serves(front_host: &str, host: &str) -> bool {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let f = front_host.trim().trim_end_matches('.').to_ascii_lowercase();
    match f.strip_prefix("*.") {
        Some(suffix) => h
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => f == h,
    }
}

/// The fronts' host names, each once, in order (wildcards left out: no
/// name to write).
pub(crate) fn front_hosts(fronts: &[Front]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for h in fronts.iter().flat_map(|f| &f.hosts) {
        if !h.starts_with('*') && !out.contains(&h.as_str()) {
            out.push(h);
        }
    }
    out
}

/// A value apimlint cannot read as written: a placeholder WSO2 or the
/// shell resolves at startup.
pub(crate) fn placeholder(v: &str) -> bool {
    v.contains("$env{") || v.contains("$sys{") || v.contains("${") || v.contains("$ref{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_covers_one_label() {
        assert!(serves("apim.example.com", "APIM.example.com."));
        assert!(serves("*.example.com", "apim.example.com"));
        assert!(!serves("*.example.com", "a.b.example.com"));
        assert!(!serves("*.example.com", "example.com"));
        assert!(!serves("apim.example.com", "cp-1.internal"));
    }
}
