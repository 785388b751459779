//! Arbitrary YAML as Kubernetes manifests and a Compose file: the input is
//! cut at each `\0\0` into a manifest stream, a Compose file and node files
//! the Compose file may bind-mount (`./gw`, `./km`). Every manifest is
//! prefixed with a comment naming `deployment.toml`, so that it is read.
//! Deep nesting, aliases, duplicates, bad encodings: a finding, never a
//! panic, a stack overflow or a hang.
#![no_main]

use std::collections::BTreeMap;
use std::path::PathBuf;

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut rest = data;
    while let Some(i) = rest.windows(2).position(|w| w == b"\0\0") {
        parts.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    parts.push(rest);
    let mut files = BTreeMap::new();
    let mut it = parts.into_iter();
    let prefix = b"# deployment.toml\n".as_slice();
    if let Some(m) = it.next() {
        files.insert(PathBuf::from("/d/k8s/apim.yaml"), [prefix, m].concat());
    }
    if let Some(c) = it.next() {
        files.insert(PathBuf::from("/d/compose.yaml"), [prefix, c].concat());
    }
    for (name, text) in ["gw", "km"].iter().zip(it) {
        files.insert(
            PathBuf::from(format!("/d/{name}/deployment.toml")),
            text.to_vec(),
        );
    }
    common::run(files, None);
});
