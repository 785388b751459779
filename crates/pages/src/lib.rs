//! The rule pages' examples as deployment trees.
//!
//! Every rule page (`rules/<id>.md`) and every edge-case page
//! (`tests/pages/*.md`) holds an `## Example`: a base deployment
//! (`fixtures/deployments/<name>`, `pattern-1` unless a block says
//! `# base: <name>`) and ```toml blocks, each starting with the file it
//! patches; a `## Fix` patches the example further. This crate reads the
//! pages and writes those trees: the page test (`tests/pages.rs`) checks
//! them, and every other test that wants deployments with mistakes in them
//! (the language server's fix policy, incremental re-analysis, the no-leak
//! and validator checks of `.ci/`) takes them from here, so no copied tree
//! lives in the repository.
//!
//! A block replaces the tables it names in that file (every `[[array]]` entry
//! of an array it names), appends those the file lacks (before a last
//! `[secrets]` table, which WSO2 wants last, unless the block removes it),
//! and may hold directives on its leading comment lines: `# remove: [table]`
//! drops a table, `# append: [[array]]` adds the block's entries of that
//! array after the file's (instead of replacing them), `# whole file` makes
//! the block the entire file, `# delete file` removes the file,
//! `# encoding: iso-8859-1` writes it in that encoding, `# copy: <path>` makes
//! the file a byte copy of a file of the repository (a keystore of
//! `fixtures/keystores/`, for the key-material rules). Comment lines before
//! a block's first table replace the file's leading comments. A ```xml or
//! ```properties block is a whole file of a node's home, named by its first
//! line (`<!-- region-1/cp-1/repository/deployment/server/eventpublishers/a.xml -->`,
//! `# region-1/cp-1/repository/conf/jndi.properties`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What went wrong, with the page and line it concerns.
pub type Error = String;

/// A fenced block of a page: its language, its text, and the index of its
/// opening fence among the page's lines.
#[derive(Debug, Clone)]
pub struct Block {
    pub lang: String,
    pub text: String,
    pub fence: usize,
}

/// A page: the blocks of its `## Example` and `## Fix` sections.
#[derive(Debug)]
pub struct Page {
    pub path: PathBuf,
    /// The rule it tests: the file's stem, or its `# rule:` line.
    pub rule: String,
    pub text: String,
    pub example: Vec<Block>,
    pub fix: Vec<Block>,
}

impl Page {
    /// `path:line` of a block, for messages.
    pub fn at(&self, b: &Block) -> String {
        format!("{}:{}", self.path.display(), b.fence + 1)
    }

    /// The example's blocks that patch files.
    pub fn patches(&self) -> Vec<&Block> {
        self.example.iter().filter(|b| is_patch(b)).collect()
    }

    /// The fix's blocks that patch files.
    pub fn fixes(&self) -> Vec<&Block> {
        self.fix.iter().filter(|b| is_patch(b)).collect()
    }
}

/// Read a page: its blocks by section title (`## Example`, `## Fix`).
pub fn parse_page(path: &Path) -> Result<Page, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rule = text
        .lines()
        .find_map(|l| l.strip_prefix("# rule: "))
        .map_or(stem, |r| r.trim().to_owned());
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
        match (open.take(), line.strip_prefix("```")) {
            (None, Some(lang)) => {
                open = Some(Block {
                    lang: lang.trim().to_owned(),
                    text: String::new(),
                    fence: i,
                })
            }
            (Some(b), Some(_)) => {
                if section.starts_with("Example") {
                    page.example.push(b);
                } else if section.starts_with("Fix") {
                    page.fix.push(b);
                }
            }
            (Some(mut b), None) => {
                b.text.push_str(line);
                b.text.push('\n');
                open = Some(b);
            }
            (None, None) => {
                if let Some(t) = line.strip_prefix("## ") {
                    section = t.trim().to_owned();
                }
            }
        }
    }
    Ok(page)
}

/// Every page under `repo`: `rules/*.md` (but the key catalog) and
/// `tests/pages/*.md`, sorted.
pub fn pages(repo: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for dir in [repo.join("rules"), repo.join("tests/pages")] {
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

/// A block that patches a file: its target and directives.
#[derive(Debug)]
pub struct Patch<'a> {
    pub target: String,
    pub base: Option<String>,
    pub whole: bool,
    pub delete: bool,
    pub latin1: bool,
    /// `# copy: <path in the repository>`: the file becomes a copy of that
    /// one, bytes as they are (a keystore of `fixtures/keystores/`).
    pub copy: Option<String>,
    pub remove: Vec<String>,
    pub append: Vec<String>,
    pub body: &'a str,
}

fn is_patch(b: &Block) -> bool {
    matches!(patch_of(b), Ok(Some(_)))
}

/// The patch a block is (`None`: it names no file, so it is no patch).
pub fn patch_of(b: &Block) -> Result<Option<Patch<'_>>, Error> {
    if b.lang == "xml" || b.lang == "properties" || b.lang == "yaml" {
        return Ok(home_file_patch(b));
    }
    if b.lang != "toml" {
        return Ok(None);
    }
    let mut p = Patch {
        target: String::new(),
        base: None,
        whole: false,
        delete: false,
        latin1: false,
        copy: None,
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
            if !k.starts_with("[[") {
                return Err(format!("`# append:` takes an array of tables, not `{k}`"));
            }
            p.append.push(k);
        } else if c == "whole file" {
            p.whole = true;
        } else if c == "delete file" {
            p.delete = true;
        } else if let Some(f) = c.strip_prefix("copy:") {
            p.copy = Some(f.trim().to_owned());
        } else if c == "encoding: iso-8859-1" {
            p.latin1 = true;
        } else if p.target.is_empty() && !c.contains(' ') && !c.is_empty() {
            p.target = c.to_owned();
        } else {
            break;
        }
        rest = rest.get(line.len()..).unwrap_or("");
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    p.body = rest;
    Ok((!p.target.is_empty()).then_some(p))
}

/// A ```` ```xml ````, ```` ```properties ```` or ```` ```yaml ```` block (a manifest):
/// a file of a node's home written whole. Its first line is a comment naming the file
/// (`<!-- region-1/cp-1/repository/deployment/server/eventpublishers/x.xml -->`,
/// `# region-1/cp-1/repository/conf/jndi-region2.properties`), a second
/// comment line may say `delete file`.
fn home_file_patch(b: &Block) -> Option<Patch<'_>> {
    let comment = |line: &str| -> Option<String> {
        let l = line.trim();
        let inner = if b.lang == "xml" {
            l.strip_prefix("<!--")?.strip_suffix("-->")?
        } else {
            l.strip_prefix('#')?
        };
        Some(inner.trim().to_owned())
    };
    let mut lines = b.text.split_inclusive('\n');
    let target = comment(lines.next()?)?;
    if target.is_empty() || target.contains(' ') || !target.contains('/') {
        return None;
    }
    let mut body = b.text.get(b.text.find('\n')? + 1..).unwrap_or("");
    let delete = lines.next().and_then(comment).as_deref() == Some("delete file");
    if delete {
        body = "";
    }
    Some(Patch {
        target,
        base: None,
        whole: true,
        delete,
        latin1: false,
        copy: None,
        remove: Vec::new(),
        append: Vec::new(),
        body,
    })
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

/// `file` patched by `p`.
pub fn apply_patch(file: &str, p: &Patch<'_>) -> Result<String, Error> {
    if p.whole {
        return Ok(p.body.to_owned());
    }
    let (pre, secs) = sections(file);
    let (block_pre, block_secs) = sections(p.body);
    if !block_pre
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(format!(
            "a patch block for `{}` has keys before its first table: put them in a table, or use `# whole file`",
            p.target
        ));
    }
    let appends = append_points(&secs, &p.append);
    let mut m = Merge {
        out: merged_preamble(pre, &block_pre),
        block_secs: &block_secs,
        placed: BTreeSet::new(),
    };
    let last = secs.iter().rposition(|(k, _)| !p.remove.contains(k));
    for (i, (k, text)) in secs.into_iter().enumerate() {
        if Some(i) == last && k == "secrets" {
            m.insert_before_secrets(&k);
        }
        m.push_table(p, i, &k, &text, &appends);
    }
    m.push_rest();
    Ok(m.out)
}

/// The file's preamble `pre`, its leading comment lines replaced by those
/// before the block's first table (`block_pre`), if any.
fn merged_preamble(pre: String, block_pre: &str) -> String {
    // comment lines before the block's first table replace the file's
    if block_pre.trim().is_empty() {
        pre
    } else {
        let blank = pre.len() - pre.trim_end().len();
        format!(
            "{}{}",
            block_pre.trim_end(),
            pre.get(pre.len() - blank..).unwrap_or("")
        )
    }
}

/// For each `# append: [[x]]` array the file has: the index of the file's
/// last table of it (its last entry, or that entry's last sub-table), with
/// the array's key.
fn append_points(secs: &[(String, String)], append: &[String]) -> Vec<(usize, String)> {
    // `# append: [[x]]`: the block's entries go after the file's last entry
    // of the array (and that entry's sub-tables)
    append
        .iter()
        .filter_map(|k| {
            let sub = format!("{}.", k.trim_start_matches('[').trim_end_matches(']'));
            let mut at = secs.iter().rposition(|(sk, _)| sk == k)?;
            while secs.get(at + 1).is_some_and(|(sk, _)| sk.starts_with(&sub)) {
                at += 1;
            }
            Some((at, k.clone()))
        })
        .collect()
}

/// The block's text for the table `k` (every entry of an array, a blank line
/// apart).
fn block_body(block_secs: &[(String, String)], k: &str) -> String {
    let bodies: Vec<String> = block_secs
        .iter()
        .filter(|(bk, _)| bk == k)
        .map(|(_, b)| format!("{}\n", b.trim_end()))
        .collect();
    bodies.join("\n")
}

/// A file being patched: its text so far, the block's tables, and those of
/// them already placed.
struct Merge<'b> {
    out: String,
    block_secs: &'b [(String, String)],
    placed: BTreeSet<String>,
}

impl Merge<'_> {
    /// Before the file's last table, `[secrets]`: the block's tables the file
    /// lacks (WSO2 wants `[secrets]` last).
    fn insert_before_secrets(&mut self, secrets: &str) {
        // WSO2 wants `[secrets]` last: new tables go before it (and
        // before the comment lines that introduce it)
        let mut order: Vec<String> = Vec::new();
        for (bk, _) in self.block_secs {
            let in_file = *bk == secrets || self.placed.contains(bk);
            if !in_file && !order.contains(bk) {
                order.push(bk.clone());
            }
        }
        if !order.is_empty() {
            let (head, intro) = split_tail(&self.out);
            let (head, intro) = (head.to_owned(), intro.to_owned());
            self.out = head;
            for bk in &order {
                self.placed.insert(bk.clone());
                self.out.push('\n');
                self.out.push_str(&block_body(self.block_secs, bk));
            }
            if !intro.starts_with('\n') {
                self.out.push('\n');
            }
            self.out.push_str(&intro);
        }
    }

    /// The file's `i`th table `k` (its `text`): removed (its trailing comment
    /// lines stay), followed by the block's entries of an appended array,
    /// replaced by the block's, or kept.
    fn push_table(
        &mut self,
        p: &Patch<'_>,
        i: usize,
        k: &String,
        text: &str,
        appends: &[(usize, String)],
    ) {
        let (_, tail) = split_tail(text);
        if p.remove.contains(k) {
            self.out.push_str(tail);
        } else if appends.iter().any(|(at, _)| *at == i) {
            let (body, tail) = split_tail(text);
            self.out.push_str(body);
            for (_, ak) in appends.iter().filter(|(at, _)| *at == i) {
                self.placed.insert(ak.clone());
                self.out.push('\n');
                self.out.push_str(&block_body(self.block_secs, ak));
            }
            self.out.push_str(tail);
        } else if self.block_secs.iter().any(|(bk, _)| bk == k) && !p.append.contains(k) {
            // a table is replaced; an array's entries all go, the block's
            // entries take the first one's place
            if self.placed.insert(k.clone()) {
                self.out.push_str(&block_body(self.block_secs, k));
                if tail.is_empty() {
                    self.out.push('\n');
                }
                self.out.push_str(tail);
            } else if tail.contains('#') {
                self.out.push_str(tail);
            }
        } else {
            self.out.push_str(text);
        }
    }

    /// The block's tables not placed yet, at the end of the file.
    fn push_rest(&mut self) {
        for (k, _) in self.block_secs {
            if self.placed.insert(k.clone()) {
                if !self.out.is_empty() && !self.out.ends_with("\n\n") {
                    self.out.push('\n');
                }
                self.out.push_str(&block_body(self.block_secs, k));
            }
        }
    }
}

/// The file a block header names in the materialised tree.
fn resolve_target(dir: &Path, target: &str) -> PathBuf {
    let direct = dir.join(target);
    if direct.is_file()
        || [".xml", ".properties", ".yaml", ".yml"]
            .iter()
            .any(|e| target.ends_with(e))
    {
        return direct;
    }
    let id = target
        .strip_suffix("/repository/conf/deployment.toml")
        .or_else(|| target.strip_suffix("/deployment.toml"))
        .unwrap_or(target);
    // a named TOML file, or a Compose file or manifest (`# whole file`)
    if (target.ends_with(".toml") && !target.ends_with("deployment.toml"))
        || target.ends_with(".yaml")
        || target.ends_with(".yml")
    {
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

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (f, t) = (e.path(), to.join(e.file_name()));
        if e.file_type()?.is_dir() {
            copy_dir(&f, &t)?;
        } else {
            std::fs::copy(&f, &t)?;
        }
    }
    Ok(())
}

/// A file's text: UTF-8, or else ISO-8859-1 (what `# encoding: iso-8859-1`
/// writes).
pub fn decode(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().into_iter().map(char::from).collect())
}

/// The base deployment + `blocks` of `page`, written to `dir` (emptied
/// first). `repo` holds `fixtures/deployments/`.
pub fn materialise(repo: &Path, page: &Page, blocks: &[&Block], dir: &Path) -> Result<(), Error> {
    let io = |what: &Path, e: std::io::Error| {
        format!("{}: {}: {e}", page.path.display(), what.display())
    };
    let _ = std::fs::remove_dir_all(dir);
    let mut patches = Vec::new();
    for b in blocks {
        if let Some(p) = patch_of(b).map_err(|e| format!("{}: {e}", page.at(b)))? {
            patches.push((b, p));
        }
    }
    let base = patches
        .iter()
        .find_map(|(_, p)| p.base.clone())
        .unwrap_or_else(|| "pattern-1".to_owned());
    let from = repo.join("fixtures/deployments").join(&base);
    copy_dir(&from, dir).map_err(|e| io(&from, e))?;
    for (b, p) in patches {
        if let Some(src) = &p.copy {
            let (from, to) = (repo.join(src), dir.join(&p.target));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::copy(&from, &to)
                .map_err(|e| format!("{}: cannot copy `{src}`: {e}", page.at(b)))?;
            continue;
        }
        let path = resolve_target(dir, &p.target);
        if p.delete {
            std::fs::remove_file(&path)
                .map_err(|e| format!("{}: cannot delete `{}`: {e}", page.at(b), p.target))?;
            continue;
        }
        let old = std::fs::read(&path).map(decode).unwrap_or_default();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        let new = apply_patch(&old, &p).map_err(|e| format!("{}: {e}", page.at(b)))?;
        let bytes: Vec<u8> = if p.latin1 {
            new.chars()
                .map(|c| {
                    u8::try_from(u32::from(c))
                        .map_err(|_| format!("{}: `{c}` is not in ISO-8859-1", page.at(b)))
                })
                .collect::<Result<_, _>>()?
        } else {
            new.into_bytes()
        };
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
    }
    Ok(())
}

/// One page's trees, as [`write_trees`] wrote them.
#[derive(Debug, Clone)]
pub struct Trees {
    /// The rule the page tests.
    pub rule: String,
    /// The page's file stem (a rule id, or an edge page's name).
    pub name: String,
    /// The example: the rule fires.
    pub bad: PathBuf,
    /// The example with its fix: the rule is silent.
    pub good: PathBuf,
}

/// Every page's example and fix as trees `<out>/<page>/{bad,good}`: the
/// deployments with mistakes (and without) that tests read.
pub fn write_trees(repo: &Path, out: &Path) -> Result<Vec<Trees>, Error> {
    let mut all = Vec::new();
    for path in pages(repo) {
        let page = parse_page(&path)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let patches = page.patches();
        if patches.is_empty() {
            continue;
        }
        let t = Trees {
            rule: page.rule.clone(),
            bad: out.join(&name).join("bad"),
            good: out.join(&name).join("good"),
            name,
        };
        materialise(repo, &page, &patches, &t.bad)?;
        let fixed: Vec<&Block> = patches.iter().copied().chain(page.fixes()).collect();
        materialise(repo, &page, &fixed, &t.good)?;
        all.push(t);
    }
    Ok(all)
}

/// Every page's trees, written once per process under `tmp` (a test
/// binary's `CARGO_TARGET_TMPDIR`), in page order.
pub fn trees_under(tmp: &Path) -> Result<&'static [Trees], Error> {
    static TREES: std::sync::OnceLock<Result<Vec<Trees>, Error>> = std::sync::OnceLock::new();
    TREES
        .get_or_init(|| {
            let out = tmp.join(format!("apimlint-pages-{}", std::process::id()));
            write_trees(&repo(), &out)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// Every file under `dir` (recursively), sorted; unreadable directories are
/// passed over.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The repository this crate is built in (the directory holding `rules/`
/// and `fixtures/`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
        apply_patch(base, &patch_of(&block(text)).unwrap().unwrap()).unwrap()
    }

    #[test]
    fn a_patch_replaces_tables_and_appends_new_ones() {
        let base = "# top\n[a]\nx = 1\n\n[[g]]\nu = 1\n\n[[g]]\nu = 2\n\n[b]\ny = 2\n";
        let b = block("# n/deployment.toml\n# remove: [b]\n[a]\nx = 3\n[[g]]\nu = 9\n[c]\nz = 1\n");
        let p = patch_of(&b).unwrap().unwrap();
        assert_eq!(p.target, "n/deployment.toml");
        assert_eq!(
            apply_patch(base, &p).unwrap(),
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
    fn append_refuses_a_plain_table() {
        let b = block("# n/deployment.toml\n# append: [a]\n[a]\nx = 1\n");
        assert!(patch_of(&b).unwrap_err().contains("array of tables"));
    }

    #[test]
    fn a_blocks_leading_comments_replace_the_files() {
        let base = "# old 1\n# old 2\n\n[a]\nx = 1\n";
        let b = block("# n/deployment.toml\n# encoding: iso-8859-1\n# new header, with spaces\n");
        let p = patch_of(&b).unwrap().unwrap();
        assert!(p.latin1);
        assert_eq!(
            apply_patch(base, &p).unwrap(),
            "# new header, with spaces\n\n[a]\nx = 1\n"
        );
    }

    #[test]
    fn every_page_makes_a_bad_and_a_good_tree() {
        let out = std::env::temp_dir().join(format!("apimlint-pages-unit-{}", std::process::id()));
        let trees = write_trees(&repo(), &out).unwrap();
        assert!(trees.len() >= 39, "only {} pages made trees", trees.len());
        for t in &trees {
            // the fix changes the example: some file differs
            let text = |root: &Path| -> Vec<(PathBuf, Vec<u8>)> {
                files_under(root)
                    .into_iter()
                    .map(|p| {
                        let rel = p.strip_prefix(root).unwrap().to_path_buf();
                        (rel, std::fs::read(&p).unwrap())
                    })
                    .collect()
            };
            let (bad, good) = (text(&t.bad), text(&t.good));
            assert!(!bad.is_empty(), "{}: an empty tree", t.name);
            assert_ne!(bad, good, "{}: the fix changes nothing", t.name);
        }
        let _ = std::fs::remove_dir_all(&out);
    }
}
