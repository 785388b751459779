//! A node's id and region, derived from its path (and the project file):
//! the one derivation, shared by building a node and re-configuring it.

use std::path::Path;

use crate::config::{Config, glob_match};
use crate::manifest::Origin;
use crate::vfs::{NODE_FILE, relative};

/// Where a node's region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionSource {
    /// `apimlint.toml [regions]`.
    Config,
    /// The node id's first component (`region-1/gw-1`).
    FirstComponent,
    /// A tree laid out by role, then region: the first later component
    /// that looks like a region (`cp/dc1` → `dc1`).
    AfterRole,
    /// The root directory's own name (a one-component id).
    Root,
}

/// The root directory's own name (the id of a node file in the root).
pub(crate) fn root_name(root: &Path) -> String {
    root.file_name()
        .map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Node id: the file's directory relative to the root, `repository/conf`
/// removed; for a file with another name, its path without the extension.
pub(crate) fn node_id(rel: &str, root_name: &str) -> String {
    let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let id = if name == NODE_FILE {
        let d = dir.strip_suffix("repository/conf").unwrap_or(dir);
        if d == "repository/conf" { "" } else { d }
            .trim_end_matches('/')
            .to_owned()
    } else {
        rel.rsplit_once('.')
            .map_or(rel, |(stem, _)| stem)
            .to_owned()
    };
    if id.is_empty() || id == "." {
        root_name.to_owned()
    } else {
        id
    }
}

pub(crate) fn region_of(id: &str, root_name: &str, config: &Config) -> (String, RegionSource) {
    for (region, globs) in &config.regions {
        if globs.iter().any(|g| glob_match(g, id)) {
            return (region.clone(), RegionSource::Config);
        }
    }
    match id.split_once('/') {
        Some((first, rest)) => match role_first_region(first, rest) {
            Some(region) => (region.to_owned(), RegionSource::AfterRole),
            None => (first.to_owned(), RegionSource::FirstComponent),
        },
        None => (root_name.to_owned(), RegionSource::Root),
    }
}

/// Directory names that name a role, not a region (`cp/dc1`, `gw/dc2`).
const ROLE_DIRS: [&str; 19] = [
    "cp",
    "acp",
    "control-plane",
    "controlplane",
    "gw",
    "gateway",
    "gateways",
    "gateway-worker",
    "tm",
    "traffic-manager",
    "trafficmanager",
    "km",
    "key-manager",
    "keymanager",
    "is",
    "iskm",
    "is-km",
    "aio",
    "all-in-one",
];

/// In a tree laid out by role, then region (`cp/dc1`, `tm/region-2`,
/// `gw/eu-west-1/gw-1`), the first later component that looks like a
/// region; `None` when the first component names no role or no later one
/// looks like a region.
fn role_first_region<'a>(first: &str, rest: &'a str) -> Option<&'a str> {
    let role = first.to_ascii_lowercase();
    let role = ["wso2am-", "wso2apim-", "apim-", "wso2-"]
        .iter()
        .find_map(|p| role.strip_prefix(p))
        .unwrap_or(&role);
    if !ROLE_DIRS.contains(&role) {
        return None;
    }
    rest.split('/').find(|c| looks_like_region(c))
}

/// `dc1`, `dc-2`, `region-1`, `region2`, `site-a`, `zone-1`, `eu-west-1`.
fn looks_like_region(c: &str) -> bool {
    let c = c.to_ascii_lowercase();
    let numbered = |prefix: &str| {
        c.strip_prefix(prefix).is_some_and(|r| {
            let r = r.strip_prefix(['-', '_']).unwrap_or(r);
            !r.is_empty()
                && r.chars().all(|ch| ch.is_ascii_alphanumeric())
                && (prefix != "dc" || r.chars().all(|ch| ch.is_ascii_digit()))
        })
    };
    if ["dc", "region", "site", "zone", "datacenter", "datacentre"]
        .iter()
        .any(|p| numbered(p))
    {
        return true;
    }
    // a cloud region: `eu-west-1`, `us-east-2`, `ap-southeast-1`
    let parts: Vec<&str> = c.split('-').collect();
    matches!(parts.as_slice(), [geo, dir, n]
        if geo.len() == 2 && geo.chars().all(|ch| ch.is_ascii_lowercase())
            && !dir.is_empty() && dir.chars().all(|ch| ch.is_ascii_lowercase())
            && !n.is_empty() && n.chars().all(|ch| ch.is_ascii_digit()))
}

/// The region of a manifest's nodes: `--region` (standard input), else for
/// a file directly in the root its name without extension, else the first
/// directory below the root.
pub(crate) fn manifest_region(o: &Origin, root: &Path) -> String {
    if let Some(r) = &o.manifest.region {
        return r.clone();
    }
    let rel = relative(&o.manifest.path, root);
    match rel.split_once('/') {
        Some((first, _)) => first.to_owned(),
        None => rel
            .rsplit_once('.')
            .map_or(rel.as_str(), |(stem, _)| stem)
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids() {
        assert_eq!(
            node_id("region-1/gw-1/repository/conf/deployment.toml", "r"),
            "region-1/gw-1"
        );
        assert_eq!(
            node_id("region-1/gw-1/deployment.toml", "r"),
            "region-1/gw-1"
        );
        assert_eq!(node_id("deployment.toml", "root"), "root");
        assert_eq!(node_id("repository/conf/deployment.toml", "root"), "root");
        assert_eq!(node_id("copies/gateway.toml", "r"), "copies/gateway");
    }
}

#[cfg(test)]
mod region_tests {
    use super::*;

    #[test]
    fn a_role_first_layout_takes_the_region_from_a_later_component() {
        let config = Config::default();
        let region = |id: &str| region_of(id, "root", &config);
        assert_eq!(region("cp/dc1"), ("dc1".into(), RegionSource::AfterRole));
        assert_eq!(region("tm/region-2/tm-1").0, "region-2");
        assert_eq!(region("wso2am-gw/eu-west-1").0, "eu-west-1");
        // the usual layouts are unchanged
        assert_eq!(
            region("region-1/gw-1"),
            ("region-1".into(), RegionSource::FirstComponent)
        );
        assert_eq!(
            region("dc1/cp"),
            ("dc1".into(), RegionSource::FirstComponent)
        );
        // a role directory without a region-looking component stays the region
        assert_eq!(
            region("gw/gw-1"),
            ("gw".into(), RegionSource::FirstComponent)
        );
        assert_eq!(region("cp/dcx").0, "cp");
        assert_eq!(region("gw-1"), ("root".into(), RegionSource::Root));
    }
}
