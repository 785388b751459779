//! Arbitrary bytes: the input is cut into node files at each `\0\0`; a first
//! part starting with `#cfg` is the project file.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const NODES: [&str; 6] = ["r1/cp-1", "r1/gw-1", "r1/tm-1", "r2/cp-1", "r2/gw-1", "r2/tm-1"];

fuzz_target!(|data: &[u8]| {
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(2).position(|w| w == b"\0\0") {
        parts.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    parts.push(rest);
    let config = parts.first().filter(|p| p.starts_with(b"#cfg")).copied();
    let skip = usize::from(config.is_some());
    let mut files = BTreeMap::new();
    for (i, p) in parts.iter().skip(skip).take(NODES.len()).enumerate() {
        files.insert(
            PathBuf::from(format!("/d/{}/repository/conf/deployment.toml", NODES[i])),
            p.to_vec(),
        );
    }
    common::run(files, config);
});
