//! Every rule page is a test (in the manner of ruff's mdtest).
//!
//! A page's `## Example` names a base deployment and gives only what differs
//! from it, in ```toml blocks that start with the file they patch:
//!
//! ```toml
//! # base: pattern-1            (optional, first block only; fixtures/deployments/<name>)
//! # region-1/tm-2              (a node id, a path under the base, or apimlint.toml)
//! [super_admin]
//! username = "admin"           # error: [super-admin-mismatch]
//! ```
//!
//! How a block patches its file (`# remove:`, `# append:`, `# whole file`,
//! `# delete file`, `# encoding: iso-8859-1`) is `crates/pages`' business:
//! it writes the trees, this harness checks them. A trailing `# error: [id]`
//! (or `warning`/`info`) marks the line a finding of the page's rule must start
//! on: every finding of the rule must be marked, and every mark must fire.
//! ```xml and ```properties blocks write a file of a node's home whole (its
//! first line a comment naming it; `delete file` on the second deletes it);
//! an XML line is marked by a trailing `<!-- error: [id] -->`, a properties
//! line by a `# error: [id]` comment line just above it (a trailing mark,
//! part of the value in Java's reading, marks its own line).
//! The ```text block after the example's blocks is the real human output
//! (`apimlint check`, no colour) of the rule's findings, with the other
//! rules turned off except those a suppression comment names (which must
//! change none of the rule's findings and leave no other finding);
//! `APIMLINT_UPDATE_PAGES=1 cargo test --test pages` rewrites it. `## Fix`
//! blocks patch the example further: the result must have no finding of the
//! rule.
//!
//! Edge cases that do not belong on a rule's page are pages of their own in
//! `tests/pages/` (same format; the rule is the `# rule:` line of the page).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use apimlint_pages::{Block, Page, decode, files_under, materialise, pages, parse_page};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `(file, line, severity)` of every mark for `rule` in the tree.
fn marks(dir: &Path, rule: &str) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    for p in files_under(dir) {
        let text = decode(std::fs::read(&p).unwrap());
        let rel = p
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let properties = rel.ends_with(".properties");
        for (i, line) in text.lines().enumerate() {
            // a `.properties` comment is a line of its own: its mark is for the next line
            let next = usize::from(properties && line.trim_start().starts_with('#'));
            for sev in ["error", "warning", "info"] {
                if line.contains(&format!("# {sev}: [{rule}]"))
                    || line.contains(&format!("<!-- {sev}: [{rule}] -->"))
                {
                    out.insert((rel.clone(), i + 1 + next, sev.to_owned()));
                }
            }
        }
    }
    out
}

fn apimlint(dir: &Path, args: &[&str]) -> String {
    // the snapshots wrap at 100 columns, whatever the terminal
    let out = Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .current_dir(dir)
        .env("COLUMNS", "100")
        // expiry is judged on a fixed day: no page depends on today
        .env("APIMLINT_NOW", "2026-12-07")
        .args(["check", "."])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "apimlint exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A finding: rule, file, line, severity, message.
type Finding = (String, String, usize, String, String);

/// Every finding in the tree.
fn diagnostics(dir: &Path) -> BTreeSet<Finding> {
    let json: serde_json::Value =
        serde_json::from_str(&apimlint(dir, &["--format", "json"])).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"]
                .as_str()
                .unwrap()
                .trim_start_matches("./")
                .to_owned();
            let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
            let rule = d["rule"].as_str().unwrap();
            // what a rule declares of its fixes holds on every example
            let declared = apimlint_core::rules::by_id(rule).map(|r| r.fix);
            assert!(
                d["fix"].is_null()
                    || declared != Some(apimlint_core::rules::FixAvailability::Never),
                "{file}:{line}: `{rule}` is declared `fix: Never`, but its finding has a fix"
            );
            (
                rule.to_owned(),
                file,
                line,
                d["severity"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `(file, line, severity)` of every finding of `rule`.
fn findings(dir: &Path, rule: &str) -> BTreeSet<(String, usize, String)> {
    diagnostics(dir)
        .into_iter()
        .filter(|d| d.0 == rule)
        .map(|(_, file, line, sev, _)| (file, line, sev))
        .collect()
}

/// The rule ids that `# apimlint: allow(…)` / `allow-file(…)` comments of the
/// tree name: turning them off would change what the comments do.
fn suppressed_ids(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in files_under(dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        for (at, _) in text.match_indices("apimlint: allow") {
            let rest = &text[at..];
            let (Some(open), Some(close)) = (rest.find('('), rest.find(')')) else {
                continue;
            };
            if open < close && !rest[..open].contains('\n') {
                out.extend(
                    rest[open + 1..close]
                        .split(',')
                        .map(|id| id.trim().to_owned()),
                );
            }
        }
    }
    out
}

/// Only `rule` on: the project file turns every other rule off, except those
/// a suppression comment names (and those the page's own `[rules]` sets).
fn only(dir: &Path, rule: &str) {
    let path = dir.join("apimlint.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let keep = suppressed_ids(dir);
    let off: String = apimlint_core::rules::ids()
        .iter()
        .filter(|id| **id != rule && !keep.contains(**id))
        .filter(|id| {
            !text
                .lines()
                .any(|l| l.split('=').next().is_some_and(|k| k.trim() == **id))
        })
        .map(|id| format!("{id} = \"off\"\n"))
        .collect();
    let text = match text.lines().position(|l| l.trim() == "[rules]") {
        Some(i) => {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            lines.insert(i + 1, off.trim_end().to_owned());
            lines.join("\n") + "\n"
        }
        None => format!("{text}\n[rules]\n{off}"),
    };
    std::fs::write(&path, text).unwrap();
}

fn scratch(page: &Page, what: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "apimlint-page-{}-{what}-{}",
        page.rule,
        std::process::id()
    ))
}

/// Run one page; `Err` says what is wrong, `Ok(Some(text))` is the page
/// with its snapshot updated.
fn run_page(page: &Page, update: bool) -> Result<Option<String>, String> {
    let at = |b: &Block| format!("{}:{}", page.path.display(), b.fence + 1);
    let patches = page.patches();
    if patches.is_empty() {
        return Err(format!(
            "{}: `## Example` has no block naming the file it patches (`# region-1/gw-1` as its first line)\n",
            page.path.display()
        ));
    }
    let fixes = page.fixes();
    if fixes.is_empty() {
        return Err(format!(
            "{}: `## Fix` has no block naming the file it patches\n",
            page.path.display()
        ));
    }
    // the example: every finding marked, every mark fires
    let dir = scratch(page, "example");
    materialise(&root(), page, &patches, &dir)?;
    let want = marks(&dir, &page.rule);
    if want.is_empty() {
        return Err(format!(
            "{}: the example marks no line with `# error: [{}]`\n",
            at(patches[0]),
            page.rule
        ));
    }
    let got = findings(&dir, &page.rule);
    let mut errors = String::new();
    for m in got.difference(&want) {
        let _ = writeln!(errors, "  unmarked finding: {}:{} ({})", m.0, m.1, m.2);
    }
    for m in want.difference(&got) {
        let _ = writeln!(errors, "  marked, did not fire: {}:{} ({})", m.0, m.1, m.2);
    }
    // the snapshot: the human output of the rule's findings, with the other
    // rules off; that must change neither the rule's findings nor show others
    let all = diagnostics(&dir);
    only(&dir, &page.rule);
    let alone = diagnostics(&dir);
    for d in alone.iter().filter(|d| d.0 != page.rule) {
        let _ = writeln!(
            errors,
            "  the snapshot would show a finding of another rule: {} {}:{} {}",
            d.0, d.1, d.2, d.4
        );
    }
    let mine = |set: &BTreeSet<Finding>| -> BTreeSet<Finding> {
        set.iter().filter(|d| d.0 == page.rule).cloned().collect()
    };
    if mine(&all) != mine(&alone) {
        let _ = writeln!(
            errors,
            "  with the other rules off, the rule's findings change: {:?} became {:?}",
            mine(&all),
            mine(&alone)
        );
    }
    let human = apimlint(&dir, &["--color", "never"]);
    let snapshot = page
        .example
        .iter()
        .find(|b| b.lang == "text")
        .map(|b| b.text.clone());
    let mut updated = None;
    if snapshot.as_deref() != Some(human.as_str()) {
        if update {
            updated = Some(replace_snapshot(page, &human));
        } else {
            let _ = writeln!(
                errors,
                "  the ```text block of `## Example` is not what apimlint prints (APIMLINT_UPDATE_PAGES=1 cargo test --test pages rewrites it):\n--- page\n{}--- apimlint\n{human}",
                snapshot.unwrap_or_default()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // the fix: no finding of the rule
    let dir = scratch(page, "fix");
    let all: Vec<&Block> = patches.iter().chain(&fixes).copied().collect();
    materialise(&root(), page, &all, &dir)?;
    for m in findings(&dir, &page.rule) {
        let _ = writeln!(
            errors,
            "  after `## Fix` still fires: {}:{} ({})",
            m.0, m.1, m.2
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    if errors.is_empty() {
        Ok(updated)
    } else {
        Err(format!("{}:\n{errors}", page.path.display()))
    }
}

/// The page with its example's ```text block set to `human` (added after
/// the example's last block when there is none).
fn replace_snapshot(page: &Page, human: &str) -> String {
    let lines: Vec<&str> = page.text.lines().collect();
    let fence = format!("```text\n{human}```");
    // the lines [from, to) that the snapshot replaces
    let (from, to, pad) = match page.example.iter().find(|b| b.lang == "text") {
        Some(b) => (b.fence, b.fence + b.text.lines().count() + 2, false),
        None => {
            let last = page.example.last().unwrap();
            let end = last.fence + last.text.lines().count() + 2;
            (end, end, true)
        }
    };
    let mut out: Vec<String> = lines[..from].iter().map(|l| (*l).to_owned()).collect();
    if pad {
        out.push(String::new());
    }
    out.push(fence);
    out.extend(lines[to..].iter().map(|l| (*l).to_owned()));
    out.join("\n") + "\n"
}

#[test]
fn every_rule_page_is_a_passing_test() {
    let update = std::env::var_os("APIMLINT_UPDATE_PAGES").is_some();
    let ids = apimlint_core::rules::ids();
    let mut failures = String::new();
    let mut ran = 0;
    for path in pages(&root()) {
        let page = parse_page(&path).unwrap();
        assert!(
            ids.contains(&page.rule.as_str()),
            "{}: no rule `{}`",
            path.display(),
            page.rule
        );
        ran += 1;
        match run_page(&page, update) {
            Ok(Some(text)) => std::fs::write(&path, text).unwrap(),
            Ok(None) => {}
            Err(e) => failures.push_str(&e),
        }
    }
    assert!(ran > 0, "no page ran");
    assert!(failures.is_empty(), "{failures}");
}
