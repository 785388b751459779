//! Load, check, fix and render a deployment held in memory; panics (what
//! the fuzzer looks for) on any broken invariant.

use std::collections::BTreeMap;
use std::path::PathBuf;

use apimlint_cli::render::{self, Report};
use apimlint_core::vfs::{Discovery, MemoryFs};

pub fn run(files: BTreeMap<PathBuf, Vec<u8>>, config: Option<&[u8]>) {
    let config = config
        .and_then(|c| std::str::from_utf8(c).ok())
        .and_then(|t| {
            apimlint_core::Config::parse("apimlint.toml", t, &apimlint_core::rules::ids()).ok()
        })
        .unwrap_or_default();
    let fs = MemoryFs { files };
    let disc = Discovery {
        root: PathBuf::from("/d"),
        config: None,
        files: fs.files.keys().cloned().collect(),
        may_escape: None,
        listing: None,
    };
    let dep = apimlint_core::load(&fs, &disc, config.clone());
    let diags = apimlint_core::check(&dep);
    // the CLI's loading (node rules run as each node is built) finds the same
    let cli = apimlint_core::load_lean(&fs, &disc, config.clone());
    assert_eq!(diags, cli.check(), "the CLI's loading differs");
    for d in &diags {
        let ranges = std::iter::once((d.file, &d.range))
            .chain(d.related.iter().map(|r| (r.file, &r.range)))
            .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| (e.file, &e.range))));
        for (file, r) in ranges {
            let n = dep.node_of(file).expect("a range in a node that exists");
            assert!(r.start <= r.end && r.end <= n.text.len(), "{} range {r:?} out of {}", d.rule, n.rel);
            assert!(n.text.is_char_boundary(r.start) && n.text.is_char_boundary(r.end));
        }
    }
    let cwd = std::path::Path::new("/d");
    let report = Report {
        dep: &dep,
        diags: &diags,
        cwd,
        only: None,
    };
    let mut json = Vec::new();
    render::json::render(&report, &mut json).expect("json renders");
    serde_json::from_slice::<serde_json::Value>(&json).expect("JSON output parses");
    let mut sink = Vec::new();
    render::human::render(&report, true, &mut sink).expect("human renders");
    render::compact::render(&report, &mut sink).expect("compact renders");
    render::graph::dot(&dep, &diags, &mut sink).expect("dot renders");
    // fixes: a file that parsed still parses
    let out = apimlint_core::fixes::fix_all(&fs, &disc, &config, &Default::default(), true);
    for c in &out.changed {
        if apimlint_core::syntax::parse(&c.original).doc.is_some() {
            assert!(
                apimlint_core::syntax::parse(&c.fixed).doc.is_some(),
                "fixing {} broke it:\n{}",
                c.rel,
                c.fixed
            );
        }
    }
}
