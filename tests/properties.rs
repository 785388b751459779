//! Property tests of the renderers over hostile deployments (generators
//! shared with `crates/core/tests/properties.rs`): every output format
//! renders without panicking, and the JSON always parses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../crates/core/tests/hostile_gen/mod.rs"]
mod hostile_gen;

use apimlint_cli::render::{self, Report};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_format_renders_and_json_parses(t in hostile_gen::tree()) {
        let lean = apimlint_core::load_lean(&t.fs(), &t.discovery(), t.config());
        let diags = lean.check();
        let dep = lean.dep;
        let cwd = std::path::Path::new("/d");
        let report = Report {
            dep: &dep,
            diags: &diags,
            cwd,
            only: None,
        };
        let mut json = Vec::new();
        render::json::render(&report, &mut json).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json)
            .unwrap_or_else(|e| panic!("JSON does not parse: {e}"));
        prop_assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(diags.len()));
        let mut out = Vec::new();
        render::human::render(&report, true, &mut out).unwrap();
        render::compact::render(&report, &mut out).unwrap();
        let mut graph = Vec::new();
        render::graph::json(&dep, &diags, &mut graph).unwrap();
        serde_json::from_slice::<serde_json::Value>(&graph)
            .unwrap_or_else(|e| panic!("graph JSON does not parse: {e}"));
        render::graph::dot(&dep, &diags, &mut out).unwrap();
    }
}
