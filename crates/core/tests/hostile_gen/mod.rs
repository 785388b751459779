//! Generators of hostile deployments for property tests (shared with the
//! root package's tests through `#[path]`): arbitrary bytes, and the
//! repository's own fixture files mutated line by line, so that the
//! properties also run over realistic trees whose rules fire and offer fixes.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use apimlint_core::vfs::{Discovery, MemoryFs};
use proptest::prelude::*;

/// Every `deployment.toml` and `apimlint.toml` of the repository's fixtures
/// and of the rule pages' examples and fixes (`crates/pages`).
pub(crate) fn samples() -> &'static [String] {
    static S: OnceLock<Vec<String>> = OnceLock::new();
    S.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .find(|p| p.join("fixtures").is_dir())
            .expect("the repository's fixtures");
        let mut out = Vec::new();
        let pages = apimlint_pages::trees_under(Path::new(env!("CARGO_TARGET_TMPDIR")))
            .expect("the rule pages' trees");
        let mut stack = vec![repo.join("fixtures")];
        stack.extend(pages.iter().flat_map(|t| [t.bad.clone(), t.good.clone()]));
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "toml")
                    && let Ok(t) = std::fs::read_to_string(&p)
                {
                    out.push(t);
                }
            }
        }
        out.sort();
        out
    })
}

/// Values that break things, for `key = value` lines.
const VALUES: &[&str] = &[
    "\"\"",
    "1",
    "-1",
    "99999999999999999999",
    "true",
    "[]",
    "{}",
    "[1, \"a\", {}]",
    "{ a = { b = [1] } }",
    "\"tcp://\"",
    "\"tcp://:\"",
    "\"tcp://h:99999\"",
    "\"tcp://[::1\"",
    "\"${carbon.local.ip}\"",
    "\"tcp://${a}:${b}\"",
    "\"tcp://localhost:5672\"",
    "\"https://localhost:${mgt.transport.https.port}/services/\"",
    "\"tcp://cp-1.r1.example.com:9611\"",
    "\"ssl://tm-1.r1.example.com:9712\"",
    "\"tcp://tm-2.r2.example.com:5673\"",
    "\"https://api.r1.example.com/services/\"",
    "\"Defualt\"",
    "[\"Default\", \"Internal\", \"Defualt\"]",
    "\"gateway-worker\"",
    "\"control-plane\"",
    "\"traffic-manager\"",
    "\"all-in-one\"",
    "\"gatway-worker\"",
    "\"höst.ëxample.com\"",
    "\"ホスト\"",
    "'''a\nb'''",
    "\"\"\"\n\"\"\"",
    "\"$secret{x}\"",
    "\"plain-secret-value\"",
    "1979-05-27T07:32:00Z",
    "nan",
];

#[derive(Debug, Clone)]
pub(crate) enum Mutation {
    Delete(usize),
    Duplicate(usize),
    Swap(usize, usize),
    SetValue(usize, usize),
    InsertLine(usize, usize, usize),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
    Crlf,
    Bom,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Duplicate),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SetValue(a, b)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(a, b, c)| Mutation::InsertLine(a, b, c)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(a, b)| Mutation::InsertBytes(a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        Just(Mutation::Crlf),
        Just(Mutation::Bom),
    ]
}

fn apply(text: &str, m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let n = lines.len().max(1);
    match m {
        Mutation::Delete(i) if !lines.is_empty() => {
            lines.remove(i % n);
        }
        Mutation::Duplicate(i) if !lines.is_empty() => {
            let l = lines[i % n].clone();
            lines.insert(i % n, l);
        }
        Mutation::Swap(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
        Mutation::SetValue(i, v) if !lines.is_empty() => {
            let l = &mut lines[i % n];
            if let Some((k, _)) = l.split_once('=') {
                *l = format!("{k}= {}", VALUES[v % VALUES.len()]);
            }
        }
        Mutation::InsertLine(i, s, j) => {
            let src = &samples()[s % samples().len()];
            let src: Vec<&str> = src.lines().collect();
            if !src.is_empty() {
                let l = src[j % src.len()].to_owned();
                lines.insert(i % (lines.len() + 1), l);
            }
        }
        Mutation::InsertBytes(at, bytes) => {
            let mut b = lines.join("\n").into_bytes();
            let at = at % (b.len() + 1);
            b.splice(at..at, bytes.iter().copied());
            return b;
        }
        Mutation::Truncate(at) => {
            let mut b = lines.join("\n").into_bytes();
            b.truncate(at % (b.len() + 1));
            return b;
        }
        Mutation::Crlf => return lines.join("\r\n").into_bytes(),
        Mutation::Bom => return format!("\u{feff}{}", lines.join("\n")).into_bytes(),
        _ => {}
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s.into_bytes()
}

/// One file: arbitrary bytes, or a fixture file with a few mutations.
pub(crate) fn file() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..300),
        1 => "[\\[\\]{}=\"'.,#a-z0-9:/ \n\r\t\u{feff}é-]{0,200}".prop_map(String::into_bytes),
        6 => (any::<usize>(), prop::collection::vec(mutation(), 0..6)).prop_map(|(s, ms)| {
            let mut text = samples()[s % samples().len()].clone().into_bytes();
            for m in &ms {
                let t = String::from_utf8_lossy(&text).into_owned();
                text = apply(&t, m);
            }
            text
        }),
    ]
}

const REGIONS: &[&str] = &["region-1", "region-2", "r3"];
const NODES: &[&str] = &[
    "cp-1", "cp-2", "gw-1", "gw-2", "tm-1", "tm-2", "km-1", "aio",
];

/// A deployment of 1 to 8 node files (and maybe a project file).
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    pub config: Option<Vec<u8>>,
}

pub(crate) fn tree() -> impl Strategy<Value = Tree> {
    (
        prop::collection::vec((any::<usize>(), any::<usize>(), file()), 1..8),
        prop::option::weighted(0.3, file()),
    )
        .prop_map(|(nodes, config)| {
            let mut files = BTreeMap::new();
            for (r, n, text) in nodes {
                let p = PathBuf::from(format!(
                    "/d/{}/{}/repository/conf/deployment.toml",
                    REGIONS[r % REGIONS.len()],
                    NODES[n % NODES.len()]
                ));
                files.insert(p, text);
            }
            Tree { files, config }
        })
}

impl Tree {
    pub(crate) fn fs(&self) -> MemoryFs {
        MemoryFs {
            files: self.files.clone(),
        }
    }

    pub(crate) fn discovery(&self) -> Discovery {
        Discovery {
            root: PathBuf::from("/d"),
            config: None,
            files: self.files.keys().cloned().collect(),
            may_escape: None,
            listing: None,
        }
    }

    /// The project file, when there is one and it is valid.
    pub(crate) fn config(&self) -> apimlint_core::Config {
        self.config
            .as_ref()
            .and_then(|b| String::from_utf8(b.clone()).ok())
            .and_then(|t| {
                apimlint_core::Config::parse("apimlint.toml", &t, &apimlint_core::rules::ids()).ok()
            })
            .unwrap_or_default()
    }
}
