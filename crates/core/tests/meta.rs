//! Meta-tests over the registry: ids, documentation pages, fixtures; and
//! over the code's comments: every document they cite is in the repository.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use apimlint_core::rules::{self, FixAvailability};

mod common;

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

/// A rule is tested by its page (an example marking where it fires, run by
/// `tests/pages.rs`) or, until its page is migrated, by `fixtures/<id>/{bad,good}`.
#[test]
fn every_rule_has_an_executable_page_or_fixtures() {
    for r in rules::all() {
        let page = std::fs::read_to_string(workspace().join("rules").join(format!("{}.md", r.id)))
            .unwrap_or_default();
        let marked = ["error", "warning", "info"].iter().any(|s| {
            // a TOML or properties line's `# error: [id]`, an XML line's
            // `<!-- error: [id] -->`
            page.contains(&format!("# {s}: [{}]", r.id))
                || page.contains(&format!("<!-- {s}: [{}] -->", r.id))
        });
        if marked {
            continue;
        }
        for kind in ["bad", "good"] {
            let dir = workspace().join("fixtures").join(r.id).join(kind);
            assert!(
                dir.is_dir(),
                "`{}`: its page marks no example line and {} is missing",
                r.id,
                dir.display()
            );
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

/// Design and specification pages kept outside the repository: a comment
/// states what it needs from them itself, or cites a page under `docs/`.
const OUTSIDE: [&str; 6] = [
    "cli.md",
    "wso2-facts.md",
    "rules.md",
    "dependencies.md",
    "house-style.md",
    "kubernetes.md",
];
/// Their names as they are also cited without the extension.
const OUTSIDE_STEMS: [&str; 2] = ["wso2-facts", "house-style"];

/// The comments of a Rust source, each with the line it starts on. Strings,
/// raw strings and character literals are skipped, so a `//` or a file name
/// inside a literal is no comment.
fn comments(src: &str) -> Vec<(usize, String)> {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < c.len() {
        let ch = at(i);
        if ch == '/' && at(i + 1) == '/' {
            let start = i;
            while i < c.len() && at(i) != '\n' {
                i += 1;
            }
            out.push((line, c[start..i].iter().collect()));
        } else if ch == '/' && at(i + 1) == '*' {
            let (start, first) = (i, line);
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(at(i) == '\n');
                    i += 1;
                }
            }
            out.push((first, c[start..i.min(c.len())].iter().collect()));
        } else if ch == '"' {
            i += 1;
            while i < c.len() && at(i) != '"' {
                if at(i) == '\\' {
                    i += 1;
                }
                line += usize::from(at(i) == '\n');
                i += 1;
            }
            i += 1;
        } else if ch == '\'' {
            // a character literal ('x', '\n', '\u{…}'), else a lifetime or label
            if at(i + 1) == '\\' {
                i += 3;
                while i < c.len() && at(i) != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if ident(ch) && (i == 0 || !ident(at(i - 1))) {
            let start = i;
            while ident(at(i)) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            if (word == "r" || word == "br") && (at(i) == '#' || at(i) == '"') {
                let mut hashes = 0;
                while at(i) == '#' {
                    hashes += 1;
                    i += 1;
                }
                if at(i) != '"' {
                    continue; // a raw identifier, `r#type`
                }
                i += 1;
                loop {
                    if i >= c.len() {
                        break;
                    }
                    if at(i) == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                        i += 1 + hashes;
                        break;
                    }
                    line += usize::from(at(i) == '\n');
                    i += 1;
                }
            }
        } else {
            line += usize::from(ch == '\n');
            i += 1;
        }
    }
    out
}

/// What is wrong with the citations in `src`'s comments: a document kept
/// outside the repository, or a `docs/` or `rules/` page that `exists` denies.
fn citation_problems(src: &str, exists: &dyn Fn(&str) -> bool) -> Vec<(usize, String)> {
    let path_char = |ch: char| ch.is_alphanumeric() || "_-./".contains(ch);
    let mut out = Vec::new();
    for (line, text) in comments(src) {
        for word in text.split(|ch: char| !path_char(ch)) {
            let word = word.trim_end_matches('.');
            let in_repo = ["docs/", "rules/"].iter().find_map(|dir| {
                word.strip_prefix(dir)
                    .or_else(|| word.split_once(&format!("/{dir}")).map(|(_, rest)| rest))
                    .map(|rest| format!("{dir}{rest}"))
            });
            if let Some(path) = in_repo {
                let page = path.ends_with(".md") || path.starts_with("docs/");
                if page && !exists(&path) {
                    out.push((line, format!("cites `{path}`, which does not exist")));
                }
                continue;
            }
            let name = word.rsplit('/').next().unwrap_or(word);
            if OUTSIDE.contains(&name) || OUTSIDE_STEMS.iter().any(|s| word.contains(s)) {
                out.push((
                    line,
                    format!("cites `{word}`, which is not in the repository: state the fact, or cite a page under docs/"),
                ));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, acc: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, acc);
            }
        } else if name.ends_with(".rs") {
            acc.push(path);
        }
    }
}

#[test]
fn comments_cite_only_documents_in_the_repository() {
    let root = workspace();
    let mut files = Vec::new();
    for dir in ["crates", "src", "tests", "fuzz"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} Rust files", files.len());
    let exists = |p: &str| root.join(p).exists();
    let mut problems = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        for (line, what) in citation_problems(&src, &exists) {
            let rel = f.strip_prefix(root).unwrap_or(f);
            problems.push(format!("{}:{line}: {what}", rel.display()));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_citation_check_finds_what_it_should() {
    let exists = |p: &str| p == "docs/url-resolution.md";
    // a source, and the lines the check must report in it
    let cases: [(&str, &[usize]); 19] = [
        (
            "/// What a node does (cli.md, *Role*).\nenum Role {}\n",
            &[1],
        ),
        ("fn a() {}\n// the offset (wso2-facts §3)\n", &[2]),
        ("//! see dependencies.md.\n", &[1]),
        ("/* a /* nested */\n   house-style.md */\n", &[1]),
        ("let x = 1; // ../design/kubernetes.md\n", &[1]),
        ("/// the catalog sections (rules.md)\n", &[1]),
        ("/// (`docs/url-resolution.md`)\n", &[]),
        ("/// (docs/url-resolution.md#steps).\n", &[]),
        ("/// (`docs/no-such-page.md`)\n", &[1]),
        ("/// see `rules/no-such-rule.md`\n", &[1]),
        ("/// one page per rule (`rules/<id>.md`)\n", &[]),
        // literals are no comments
        ("let s = \"// cli.md\";\n", &[]),
        ("let s = r#\"a \"quoted\" // rules.md\"#;\n", &[]),
        ("let s = \"a\\\"// cli.md\";\n", &[]),
        ("let q = '\"'; // rules.md\n", &[1]),
        ("let q = '\\''; let s = \"// cli.md\";\n", &[]),
        ("fn f<'a>(s: &'a str) {} // cli.md\n", &[1]),
        ("let r#type = 1; // cli.md\n", &[1]),
        ("let s = \"two\nlines\";\n// cli.md\n", &[3]),
    ];
    for (src, want) in cases {
        let got: Vec<usize> = citation_problems(src, &exists)
            .into_iter()
            .map(|(l, _)| l)
            .collect();
        assert_eq!(got, want, "in {src:?}");
    }
}

/// A rule that says it never fixes gives no fix on any tree of the
/// repository (the rule pages' examples and fixes, and the samples).
#[test]
fn rules_that_never_fix_give_no_fix() {
    let pages = apimlint_pages::trees_under(Path::new(env!("CARGO_TARGET_TMPDIR"))).unwrap();
    let mut trees: Vec<PathBuf> = pages
        .iter()
        .flat_map(|t| [t.bad.clone(), t.good.clone()])
        .collect();
    for e in std::fs::read_dir(workspace().join("fixtures/deployments"))
        .unwrap()
        .flatten()
    {
        if e.path().is_dir() {
            trees.push(e.path());
        }
    }
    assert!(trees.len() > 2);
    for t in trees {
        let dep = common::load(&t);
        for d in apimlint_core::check(&dep) {
            let r = rules::by_id(d.rule).unwrap();
            assert!(
                d.fix.is_none() || r.fix != FixAvailability::Never,
                "{}: `{}` is declared `fix: Never` but fixed: {:?}",
                t.display(),
                r.id,
                d.fix
            );
        }
    }
}
