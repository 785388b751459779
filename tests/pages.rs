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
//! A block replaces the tables it names in that file (every `[[array]]` entry
//! of an array it names), appends those the file lacks (before a last
//! `[secrets]` table, which WSO2 wants last, unless the block removes it),
//! and may hold directives on its leading comment lines: `# remove: [table]`
//! drops a table, `# append: [[array]]` adds the block's entries of that
//! array after the file's (instead of replacing them), `# whole file` makes
//! the block the entire file, `# delete file` removes the file,
//! `# encoding: iso-8859-1` writes it in that encoding (for a page about
//! bytes that are not UTF-8). Comment lines before a block's first table
//! replace the file's leading comments. A trailing `# error: [id]` (or
//! `warning`/`info`) marks the line a finding of the page's rule must start
//! on: every finding of the rule must be marked, and every mark must fire.
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

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rules whose pages are not examples in this format yet: their
/// `fixtures/<id>/{bad,good}` trees still test them (`crates/core/tests/fixtures.rs`).
/// The list only shrinks; it is empty: every rule page is a test.
const NOT_YET_PAGES: &[&str] = &[];

/// A fenced block of a page: its language, its text, and the index of its
/// opening fence among the page's lines.
#[derive(Debug, Clone)]
struct Block {
    lang: String,
    text: String,
    fence: usize,
}

/// A page: the blocks of its `## Example` and `## Fix` sections.
#[derive(Debug)]
struct Page {
    path: PathBuf,
    rule: String,
    text: String,
    example: Vec<Block>,
    fix: Vec<Block>,
}

/// The page's blocks by section title (`## Example`, `## Fix`).
fn parse_page(path: &Path) -> Page {
    let text = std::fs::read_to_string(path).unwrap();
    let rule = path.file_stem().unwrap().to_string_lossy().into_owned();
    let rule = text
        .lines()
        .find_map(|l| l.strip_prefix("# rule: "))
        .map_or(rule, |r| r.trim().to_owned());
    let mut page = Page {
        path: path.to_path_buf(),
        rule,
        text: text.clone(),
        example: Vec::new(),
        fix: Vec::new(),
    };
    let mut section = String::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                open = Some(Block {
                    lang: lang.trim().to_owned(),
                    text: String::new(),
                    fence: i,
                })
            }
            (Some(_), Some(_)) => {
                let b = open.take().unwrap();
                if section.starts_with("Example") {
                    page.example.push(b);
                } else if section.starts_with("Fix") {
                    page.fix.push(b);
                }
            }
            (Some(b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {
                if let Some(t) = line.strip_prefix("## ") {
                    section = t.trim().to_owned();
                }
            }
        }
    }
    page
}

/// A block that patches a file: its target and directives.
struct Patch<'a> {
    target: String,
    base: Option<String>,
    whole: bool,
    delete: bool,
    latin1: bool,
    remove: Vec<String>,
    append: Vec<String>,
    body: &'a str,
}

fn patch_of(b: &Block) -> Option<Patch<'_>> {
    if b.lang != "toml" {
        return None;
    }
    let mut p = Patch {
        target: String::new(),
        base: None,
        whole: false,
        delete: false,
        latin1: false,
        remove: Vec::new(),
        append: Vec::new(),
        body: "",
    };
    let mut rest = b.text.as_str();
    while let Some(line) = rest.lines().next() {
        let Some(c) = line.strip_prefix('#').map(str::trim) else {
            break;
        };
        if let Some(base) = c.strip_prefix("base:") {
            p.base = Some(base.trim().to_owned());
        } else if let Some(t) = c.strip_prefix("remove:") {
            p.remove.push(header_key(t.trim()));
        } else if let Some(t) = c.strip_prefix("append:") {
            let k = header_key(t.trim());
            assert!(
                k.starts_with("[["),
                "`# append:` takes an array of tables, not `{k}`"
            );
            p.append.push(k);
        } else if c == "whole file" {
            p.whole = true;
        } else if c == "delete file" {
            p.delete = true;
        } else if c == "encoding: iso-8859-1" {
            p.latin1 = true;
        } else if p.target.is_empty() && !c.contains(' ') && !c.is_empty() {
            p.target = c.to_owned();
        } else {
            break;
        }
        rest = &rest[line.len()..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    p.body = rest;
    (!p.target.is_empty()).then_some(p)
}

/// `[ a . b ]` → `a.b`; `[[x]]` → `[[x]]`.
fn header_key(h: &str) -> String {
    let h = h.split('#').next().unwrap_or("").trim();
    let aot = h.starts_with("[[");
    let inner: String = h
        .trim_start_matches('[')
        .trim_end_matches(']')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if aot { format!("[[{inner}]]") } else { inner }
}

fn is_header(line: &str) -> bool {
    let l = line.split('#').next().unwrap_or("").trim_end();
    l.starts_with('[') && l.ends_with(']') && !l.contains('=') && !line.starts_with(' ')
}

/// A file cut into its preamble and its tables (header line included).
fn sections(text: &str) -> (String, Vec<(String, String)>) {
    let mut pre = String::new();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if is_header(line) {
            out.push((header_key(line), line.to_owned()));
        } else if let Some((_, s)) = out.last_mut() {
            s.push_str(line);
        } else {
            pre.push_str(line);
        }
    }
    (pre, out)
}

/// A table's text cut into its body and the blank and comment lines after
/// it (which introduce the next table, and stay).
fn split_tail(text: &str) -> (&str, &str) {
    let mut end = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            end = at;
        }
    }
    text.split_at(end)
}

fn apply_patch(file: &str, p: &Patch<'_>) -> String {
    if p.whole {
        return p.body.to_owned();
    }
    let (pre, secs) = sections(file);
    let (block_pre, block_secs) = sections(p.body);
    assert!(
        block_pre
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')),
        "a patch block for `{}` has keys before its first table: put them in a table, or use `# whole file`",
        p.target
    );
    // comment lines before the block's first table replace the file's
    let pre = if block_pre.trim().is_empty() {
        pre
    } else {
        let blank = pre.len() - pre.trim_end().len();
        format!("{}{}", block_pre.trim_end(), &pre[pre.len() - blank..])
    };
    let body_of = |k: &str| -> String {
        let bodies: Vec<String> = block_secs
            .iter()
            .filter(|(bk, _)| bk == k)
            .map(|(_, b)| format!("{}\n", b.trim_end()))
            .collect();
        bodies.join("\n")
    };
    // `# append: [[x]]`: the block's entries go after the file's last entry
    // of the array (and that entry's sub-tables)
    let appends: Vec<(usize, String)> = p
        .append
        .iter()
        .filter_map(|k| {
            let sub = format!("{}.", k.trim_start_matches('[').trim_end_matches(']'));
            let mut at = secs.iter().rposition(|(sk, _)| sk == k)?;
            while secs.get(at + 1).is_some_and(|(sk, _)| sk.starts_with(&sub)) {
                at += 1;
            }
            Some((at, k.clone()))
        })
        .collect();
    let mut placed: BTreeSet<String> = BTreeSet::new();
    let mut out = pre;
    let last = secs.iter().rposition(|(k, _)| !p.remove.contains(k));
    for (i, (k, text)) in secs.into_iter().enumerate() {
        let (_, tail) = split_tail(&text);
        if Some(i) == last && k == "secrets" {
            // WSO2 wants `[secrets]` last: new tables go before it (and
            // before the comment lines that introduce it)
            let mut order: Vec<String> = Vec::new();
            for (bk, _) in &block_secs {
                let in_file = *bk == k || placed.contains(bk);
                if !in_file && !order.contains(bk) {
                    order.push(bk.clone());
                }
            }
            if !order.is_empty() {
                let (head, intro) = split_tail(&out);
                let (head, intro) = (head.to_owned(), intro.to_owned());
                out = head;
                for bk in &order {
                    placed.insert(bk.clone());
                    out.push('\n');
                    out.push_str(&body_of(bk));
                }
                if !intro.starts_with('\n') {
                    out.push('\n');
                }
                out.push_str(&intro);
            }
        }
        if p.remove.contains(&k) {
            out.push_str(tail);
        } else if appends.iter().any(|(at, _)| *at == i) {
            let (body, tail) = split_tail(&text);
            out.push_str(body);
            for (_, ak) in appends.iter().filter(|(at, _)| *at == i) {
                placed.insert(ak.clone());
                out.push('\n');
                out.push_str(&body_of(ak));
            }
            out.push_str(tail);
        } else if block_secs.iter().any(|(bk, _)| *bk == k) && !p.append.contains(&k) {
            // a table is replaced; an array's entries all go, the block's
            // entries take the first one's place
            if placed.insert(k.clone()) {
                out.push_str(&body_of(&k));
                if tail.is_empty() {
                    out.push('\n');
                }
                out.push_str(tail);
            } else if tail.contains('#') {
                out.push_str(tail);
            }
        } else {
            out.push_str(&text);
        }
    }
    for (k, _) in &block_secs {
        if placed.insert(k.clone()) {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(&body_of(k));
        }
    }
    out
}

/// The file a block header names in the materialised tree.
fn resolve_target(dir: &Path, target: &str) -> PathBuf {
    let direct = dir.join(target);
    if direct.is_file() {
        return direct;
    }
    let id = target
        .strip_suffix("/repository/conf/deployment.toml")
        .or_else(|| target.strip_suffix("/deployment.toml"))
        .unwrap_or(target);
    if target.ends_with(".toml") && !target.ends_with("deployment.toml") {
        return direct;
    }
    for cand in [
        dir.join(id).join("repository/conf/deployment.toml"),
        dir.join(id).join("deployment.toml"),
    ] {
        if cand.is_file() {
            return cand;
        }
    }
    if target.ends_with(".toml") {
        direct
    } else {
        dir.join(id).join("repository/conf/deployment.toml")
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (f, t) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            copy_dir(&f, &t);
        } else {
            std::fs::copy(&f, &t).unwrap();
        }
    }
}

/// A file's text: UTF-8, or else ISO-8859-1 (what `# encoding: iso-8859-1`
/// writes).
fn decode(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().into_iter().map(char::from).collect())
}

/// Base + the blocks, written to a fresh directory.
fn materialise(page: &Page, blocks: &[&Block], dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let base = blocks
        .iter()
        .filter_map(|b| patch_of(b))
        .find_map(|p| p.base)
        .unwrap_or_else(|| "pattern-1".to_owned());
    copy_dir(&root().join("fixtures/deployments").join(&base), dir);
    for b in blocks {
        let Some(p) = patch_of(b) else { continue };
        let path = resolve_target(dir, &p.target);
        if p.delete {
            std::fs::remove_file(&path).unwrap_or_else(|e| {
                panic!(
                    "{}:{}: cannot delete `{}`: {e}",
                    page.path.display(),
                    b.fence + 1,
                    p.target
                )
            });
            continue;
        }
        let old = std::fs::read(&path).map(decode).unwrap_or_default();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let new = apply_patch(&old, &p);
        if p.latin1 {
            let bytes: Vec<u8> = new
                .chars()
                .map(|c| {
                    u8::try_from(u32::from(c)).unwrap_or_else(|_| {
                        panic!("{}: `{c}` is not in ISO-8859-1", page.path.display())
                    })
                })
                .collect();
            std::fs::write(&path, bytes).unwrap();
        } else {
            std::fs::write(&path, new).unwrap();
        }
    }
}

/// `(file, line, severity)` of every mark for `rule` in the tree.
fn marks(dir: &Path, rule: &str) -> BTreeSet<(String, usize, String)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = decode(std::fs::read(&p).unwrap());
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            for (i, line) in text.lines().enumerate() {
                for sev in ["error", "warning", "info"] {
                    if line.contains(&format!("# {sev}: [{rule}]")) {
                        out.insert((rel.clone(), i + 1, sev.to_owned()));
                    }
                }
            }
        }
    }
    out
}

fn apimlint(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_apimlint"))
        .current_dir(dir)
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
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
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
    let patches: Vec<&Block> = page
        .example
        .iter()
        .filter(|b| patch_of(b).is_some())
        .collect();
    if patches.is_empty() {
        return Err(format!(
            "{}: `## Example` has no block naming the file it patches (`# region-1/gw-1` as its first line)\n",
            page.path.display()
        ));
    }
    let fixes: Vec<&Block> = page.fix.iter().filter(|b| patch_of(b).is_some()).collect();
    if fixes.is_empty() {
        return Err(format!(
            "{}: `## Fix` has no block naming the file it patches\n",
            page.path.display()
        ));
    }
    // the example: every finding marked, every mark fires
    let dir = scratch(page, "example");
    materialise(page, &patches, &dir);
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
    materialise(page, &all, &dir);
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

fn pages() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for dir in [root().join("rules"), root().join("tests/pages")] {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "md")
                && p.file_stem().is_some_and(|s| s != "key-catalog")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_rule_page_is_a_passing_test() {
    let update = std::env::var_os("APIMLINT_UPDATE_PAGES").is_some();
    let ids = apimlint_core::rules::ids();
    let mut failures = String::new();
    let mut ran = 0;
    for path in pages() {
        let page = parse_page(&path);
        assert!(
            ids.contains(&page.rule.as_str()),
            "{}: no rule `{}`",
            path.display(),
            page.rule
        );
        if NOT_YET_PAGES.contains(&page.rule.as_str()) && path.starts_with(root().join("rules")) {
            continue;
        }
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

#[test]
fn pages_yet_to_migrate_are_rules_with_pages() {
    let ids = apimlint_core::rules::ids();
    for id in NOT_YET_PAGES {
        assert!(ids.contains(id), "`{id}` is no rule");
        assert!(root().join("rules").join(format!("{id}.md")).is_file());
        assert!(
            root().join("fixtures").join(id).is_dir(),
            "`{id}` is not a page test yet, so its fixtures/{id} tree must stay"
        );
    }
}

/// A ```` ```toml ```` block of `text`.
fn block(text: &str) -> Block {
    Block {
        lang: "toml".into(),
        text: text.into(),
        fence: 0,
    }
}

/// `base` patched by a block of `text`.
fn patched(base: &str, text: &str) -> String {
    apply_patch(base, &patch_of(&block(text)).unwrap())
}

#[test]
fn a_patch_replaces_tables_and_appends_new_ones() {
    let base = "# top\n[a]\nx = 1\n\n[[g]]\nu = 1\n\n[[g]]\nu = 2\n\n[b]\ny = 2\n";
    let b = block("# n/deployment.toml\n# remove: [b]\n[a]\nx = 3\n[[g]]\nu = 9\n[c]\nz = 1\n");
    let p = patch_of(&b).unwrap();
    assert_eq!(p.target, "n/deployment.toml");
    assert_eq!(
        apply_patch(base, &p),
        "# top\n[a]\nx = 3\n\n[[g]]\nu = 9\n\n[c]\nz = 1\n"
    );
}

#[test]
fn new_tables_go_before_a_last_secrets_table() {
    let base = "[a]\nx = 1\n\n# vault\n[secrets]\ns = \"c\"\n";
    assert_eq!(
        patched(base, "# n/deployment.toml\n[c]\nz = 1\n[a]\nx = 2\n"),
        "[a]\nx = 2\n\n[c]\nz = 1\n\n# vault\n[secrets]\ns = \"c\"\n"
    );
    // `# remove: [secrets]` and the block's own `[secrets]` put it elsewhere
    assert_eq!(
        patched(
            base,
            "# n/deployment.toml\n# remove: [secrets]\n[secrets]\ns = \"c\"\n[c]\nz = 1\n"
        ),
        "[a]\nx = 1\n\n# vault\n\n[secrets]\ns = \"c\"\n\n[c]\nz = 1\n"
    );
}

#[test]
fn append_adds_entries_after_an_arrays_last_one() {
    let base = "[[g]]\nu = 1\n[g.p]\nq = 1\n\n# next\n[b]\ny = 2\n";
    assert_eq!(
        patched(base, "# n/deployment.toml\n# append: [[g]]\n[[g]]\nu = 2\n"),
        "[[g]]\nu = 1\n[g.p]\nq = 1\n\n[[g]]\nu = 2\n\n# next\n[b]\ny = 2\n"
    );
}

#[test]
fn a_blocks_leading_comments_replace_the_files() {
    let base = "# old 1\n# old 2\n\n[a]\nx = 1\n";
    let b = block("# n/deployment.toml\n# encoding: iso-8859-1\n# new header, with spaces\n");
    let p = patch_of(&b).unwrap();
    assert!(p.latin1);
    assert_eq!(
        apply_patch(base, &p),
        "# new header, with spaces\n\n[a]\nx = 1\n"
    );
}
