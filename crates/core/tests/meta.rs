//! Meta-tests over the registry: ids, documentation pages, fixtures.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::path::Path;

use apimlint_core::rules;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn ids_are_kebab_case_and_unique() {
    let mut seen = HashSet::new();
    for r in rules::all() {
        assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
        let ok = !r.id.is_empty()
            && r.id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !r.id.starts_with('-')
            && !r.id.ends_with('-')
            && !r.id.contains("--");
        assert!(ok, "rule id `{}` is not kebab-case", r.id);
    }
}

#[test]
fn every_rule_has_a_page_with_the_four_sections() {
    for r in rules::all() {
        let path = workspace().join("rules").join(format!("{}.md", r.id));
        let page = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            page,
            r.docs,
            "{} is not the page compiled into the rule",
            path.display()
        );
        assert!(
            page.starts_with(&format!("# {}\n", r.id)),
            "{}: must start with `# {}`",
            path.display(),
            r.id
        );
        let mut last = 0;
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            let at = page
                .find(section)
                .unwrap_or_else(|| panic!("{}: missing `{section}`", path.display()));
            assert!(at >= last, "{}: `{section}` out of order", path.display());
            last = at;
        }
        let summary = r.summary();
        assert!(
            summary.len() > 20 && summary.ends_with('.'),
            "{}: the first line of `What it checks` must be one sentence: {summary:?}",
            r.id
        );
        assert!(!page.contains("TODO"), "{}: unfinished page", r.id);
    }
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    for r in rules::all() {
        for kind in ["bad", "good"] {
            let dir = workspace().join("fixtures").join(r.id).join(kind);
            assert!(dir.is_dir(), "missing fixture {}", dir.display());
        }
    }
}

#[test]
fn every_page_belongs_to_a_rule() {
    let ids: HashSet<&str> = rules::all().map(|r| r.id).collect();
    for e in std::fs::read_dir(workspace().join("rules"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(".md")
            && id != "README"
            && id != "key-catalog"
        {
            assert!(
                ids.contains(id),
                "rules/{name} documents no registered rule"
            );
        }
    }
}
