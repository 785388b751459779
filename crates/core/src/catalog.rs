//! The keys WSO2 API-M reads (`rules/key-catalog.json`), compiled by
//! `build.rs` into static sorted tables: lookups are binary searches, never a
//! JSON parse at start-up.
//!
//! Paths are dotted, a member of an array of tables is `name[]`, a segment
//! holding dots is single-quoted, `*` is one user-named segment.

/// The value type the catalog records for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Any,
    String,
    Boolean,
    Integer,
    Number,
    Array,
}

/// One catalog path: a key, a table, or both.
#[derive(Debug)]
pub struct Entry {
    pub path: &'static str,
    /// A value WSO2 reads.
    pub key: bool,
    /// A table (every prefix of a key is one).
    pub table: bool,
    /// A free-form map: any key below it is read.
    pub open: bool,
    /// An array of tables (`[[path]]`).
    pub aot: bool,
    pub ty: Ty,
    /// Enumerated values (exhaustive only when `closed`).
    pub values: &'static [&'static str],
    pub closed: bool,
    /// WSO2's default, as text (JSON for non-strings).
    pub default: Option<&'static str>,
    /// `time:s`-style unit of a duration key.
    pub unit: Option<&'static str>,
    /// The type was guessed from the key's name.
    pub heuristic: bool,
}

pub mod versions;

mod generated {
    use super::{Entry, Ty};
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// Split a catalog path into segments (dots inside single quotes do not split).
pub fn split(path: &str) -> Vec<&str> {
    let mut segs = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in path.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '.' if !quoted => {
                segs.push(path.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    segs.push(path.get(start..).unwrap_or(""));
    segs
}

/// The segments of a catalog path, as `split` cuts them, without allocating
/// (lookups run for every key of every node, several times).
pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(path);
    std::iter::from_fn(move || {
        let r = rest?;
        let mut quoted = false;
        for (i, c) in r.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                '.' if !quoted => {
                    rest = r.get(i + 1..);
                    return r.get(..i);
                }
                _ => {}
            }
        }
        rest = None;
        Some(r)
    })
}

/// Whether a (wildcard) catalog path, split into its segments, matches these
/// segments.
fn path_matches<S: AsRef<str>>(pattern: &[&str], segs: &[S]) -> bool {
    pattern.len() == segs.len()
        && pattern
            .iter()
            .zip(segs)
            .all(|(p, s)| seg_matches(p, s.as_ref()))
}

/// Concrete entries by path: `find` runs for every key of every node, several
/// times (a hash look-up costs a fraction of a binary search over 4,000 paths).
fn by_path() -> &'static foldhash::HashMap<&'static str, &'static Entry> {
    static MAP: std::sync::OnceLock<foldhash::HashMap<&'static str, &'static Entry>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(|| generated::ENTRIES.iter().map(|e| (e.path, e)).collect())
}

pub use crate::base::keypath::{join, segment};

/// The entry at exactly this concrete path.
pub fn exact(path: &str) -> Option<&'static Entry> {
    let all = generated::ENTRIES;
    all.binary_search_by(|e| e.path.cmp(path))
        .ok()
        .and_then(|i| all.get(i))
}

fn seg_matches(pattern: &str, seg: &str) -> bool {
    match pattern {
        "*" => !seg.ends_with("[]"),
        "*[]" => seg.ends_with("[]"),
        _ => pattern == seg,
    }
}

/// Wildcard entries whose first segment is `first`, each beside its path's
/// segments (asked for every key the concrete entries do not hold: the runs
/// of entries by first segment and every path split once).
fn wildcards(first: &str) -> (&'static [Entry], &'static [Box<[&'static str]>]) {
    type Runs = foldhash::HashMap<&'static str, (usize, usize)>;
    static RUNS: std::sync::OnceLock<(Runs, Vec<Box<[&'static str]>>)> = std::sync::OnceLock::new();
    let all = generated::WILDCARDS;
    let (runs, split) = RUNS.get_or_init(|| {
        let mut runs = Runs::default();
        for (i, e) in all.iter().enumerate() {
            if let Some(f) = segments(e.path).next() {
                runs.entry(f)
                    .and_modify(|r| r.1 = i + 1)
                    .or_insert((i, i + 1));
            }
        }
        let split = all.iter().map(|e| segments(e.path).collect()).collect();
        (runs, split)
    });
    runs.get(first)
        .and_then(|&(lo, hi)| Some((all.get(lo..hi)?, split.get(lo..hi)?)))
        .unwrap_or((&[], &[]))
}

/// The entry for a path of segments: the concrete one, else a wildcard one.
pub fn find<S: AsRef<str>>(segs: &[S]) -> Option<&'static Entry> {
    find_joined(&join(segs), segs)
}

/// [`find`] for segments already joined into `path` (`join(segs)`).
pub(crate) fn find_joined<S: AsRef<str>>(path: &str, segs: &[S]) -> Option<&'static Entry> {
    if let Some(e) = by_path().get(path) {
        return Some(e);
    }
    let first = segs.first()?.as_ref();
    let (entries, split) = wildcards(first);
    entries
        .iter()
        .zip(split)
        .find_map(|(e, pattern)| path_matches(pattern, segs).then_some(e))
}

/// The entry of a table written `[[path]]`: its path without the final `[]`.
fn find_aot<S: AsRef<str>>(segs: &[S]) -> Option<&'static Entry> {
    let (last, init) = segs.split_last()?;
    let mut v: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
    let bare = last.as_ref().strip_suffix("[]")?;
    v.push(bare);
    find(&v)
}

/// Whether WSO2 reads this path (a key, a table, an array-of-tables entry, or
/// anything below a free-form map).
pub(crate) fn is_known<S: AsRef<str>>(segs: &[S]) -> bool {
    if find(segs).is_some() || find_aot(segs).is_some_and(|e| e.aot) {
        return true;
    }
    (1..segs.len()).any(|n| {
        segs.get(..n)
            .is_some_and(|p| find(p).is_some_and(|e| e.open) || find_aot(p).is_some_and(|e| e.open))
    })
}

/// The (parent pattern split into segments, child) pairs under a `*`
/// segment that a parent whose first segment is `first` can match: those of
/// that first segment, and any whose pattern starts with a wildcard (asked
/// for every table of every node; each pattern split once).
fn wild_children(
    first: &str,
) -> impl Iterator<Item = &'static (Box<[&'static str]>, &'static str)> {
    type Runs = foldhash::HashMap<&'static str, Vec<(Box<[&'static str]>, &'static str)>>;
    static RUNS: std::sync::OnceLock<Runs> = std::sync::OnceLock::new();
    let runs = RUNS.get_or_init(|| {
        let mut runs = Runs::default();
        for (parent, child) in generated::WILD_CHILDREN {
            let split: Box<[&'static str]> = segments(parent).collect();
            let head = split.first().copied().unwrap_or("");
            let key = if head.starts_with('*') { "*" } else { head };
            runs.entry(key).or_default().push((split, child));
        }
        runs
    });
    let of = |k: &str| runs.get(k).map_or(&[][..], Vec::as_slice).iter();
    of(first).chain(of("*"))
}

/// The child segments the catalog knows below `parent`.
pub fn children<S: AsRef<str>>(parent: &[S]) -> Vec<&'static str> {
    let p = join(parent);
    let all = generated::CHILDREN;
    let lo = all.partition_point(|(q, _)| *q < p.as_str());
    let mut out: Vec<&'static str> = all
        .get(lo..)
        .unwrap_or(&[])
        .iter()
        .take_while(|(q, _)| *q == p.as_str())
        .map(|(_, c)| *c)
        .collect();
    for (q, c) in wild_children(parent.first().map_or("", AsRef::as_ref)) {
        if path_matches(q, parent) {
            out.push(c);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// WSO2's default for a concrete key, if it has one.
pub(crate) fn default_of(path: &str) -> Option<&'static str> {
    exact(path).filter(|e| e.key).and_then(|e| e.default)
}

/// What the catalog's authors noted about a key seen in real files that WSO2
/// does not read (`corpus_keys_not_found`).
pub fn note(path: &str) -> Option<&'static str> {
    let all = generated::NOTES;
    all.binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .and_then(|i| all.get(i))
        .map(|(_, n)| *n)
}

/// Number of catalog entries (for tests).
pub fn len() -> usize {
    generated::ENTRIES.len() + generated::WILDCARDS.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(generated::ENTRIES.windows(2).all(|w| match w {
            [a, b] => a.path < b.path,
            _ => true,
        }));
        assert!(generated::CHILDREN.windows(2).all(|w| match w {
            [a, b] => a <= b,
            _ => true,
        }));
        assert!(len() > 4000);
    }

    #[test]
    fn lookups() {
        assert!(is_known(&["apim", "gateway", "environment[]", "name"]));
        assert!(is_known(&["apim", "gateway", "environment[]"]));
        assert!(is_known(&[
            "event_listener[]",
            "properties",
            "notification_endpoint"
        ]));
        assert!(is_known(&[
            "event_listener[]",
            "properties",
            "anything_at_all"
        ]));
        assert!(!is_known(&["event_listener[]", "propertie"]));
        assert!(is_known(&["database", "my_db", "type"]));
        assert!(is_known(&["secrets", "admin_password"]));
        assert!(is_known(&[
            "system",
            "parameter",
            "'org.wso2.CipherTransformation'"
        ]));
        assert!(!is_known(&["apim", "key_manager", "server_url"]));
        assert!(children(&["event_listener[]"]).contains(&"properties"));
        assert!(children(&["database", "my_db"]).contains(&"type"));
        assert_eq!(split("a.'b.c'.d"), vec!["a", "'b.c'", "d"]);
        for p in ["a.'b.c'.d", "", "a", "a.", ".a", "'x.y'", "a..b"] {
            assert_eq!(segments(p).collect::<Vec<_>>(), split(p), "{p:?}");
        }
        assert_eq!(
            find(&["apim", "gateway", "environment[]", "name"]).map(|e| e.path),
            exact("apim.gateway.environment[].name").map(|e| e.path)
        );
        assert_eq!(
            default_of("keystore.tls.password"),
            Some("$ref{keystore.primary.password}")
        );
    }
}
