//! Suppression comments:
//! `# apimlint: allow(rule-id[, rule-id…]) -- reason` on the line of a finding
//! or on a line of its own directly above it, and
//! `# apimlint: allow-file(rule-id[, …]) -- reason` anywhere in a file.
//!
//! Comments are found on the raw text (outside strings), so they work in files
//! that do not parse. They are applied after the rules ran: a finding whose
//! primary range starts on a suppressed line is dropped, and a comment entry
//! that silenced nothing is itself reported (`unused-suppression`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::files::FileId;
use crate::base::text::LineIndex;

/// Whether a comment covers one line or the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `allow(…)`: its own line, and the next line when it stands alone.
    Line,
    /// `allow-file(…)`.
    File,
}

/// One `# apimlint: …` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub scope: Scope,
    /// The comment, from `#` to the end of the line (without `\r`).
    pub comment: Range<usize>,
    /// 0-based line of the comment.
    pub line: usize,
    /// Nothing but whitespace before the `#`.
    pub own_line: bool,
    /// For a comment on a line of its own: the line it covers, the next one
    /// that is not itself such a comment (suppressions may be stacked).
    pub target: usize,
    /// The rule ids and where each is written.
    pub rules: Vec<(String, Range<usize>)>,
    /// The text after `--`, when not empty.
    pub reason: Option<String>,
    /// Range to delete to remove the comment: the whole line (with its line
    /// break) when the comment stands alone, else the comment and the blanks
    /// before it.
    pub removal: Range<usize>,
}

impl Suppression {
    /// Whether the comment covers a finding starting on 0-based `line`
    /// (what `apply` finds through its index of covered lines).
    #[cfg(test)]
    pub(crate) fn covers(&self, line: usize) -> bool {
        match self.scope {
            Scope::File => true,
            Scope::Line => self.line == line || (self.own_line && self.target == line),
        }
    }
}

/// Options of a check run that the CLI and the LSP pass through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `--require-reason`: a suppression without `-- reason` is a finding.
    pub require_reason: bool,
}

/// Every `# apimlint:` comment of a text.
pub fn parse(text: &str) -> Vec<Suppression> {
    let mut out = Vec::new();
    // every suppression comment holds `apimlint:`; most files have none
    if memchr::memmem::find(text.as_bytes(), b"apimlint:").is_none() {
        return out;
    }
    let mut state = StrState::None;
    let mut line_start = 0usize;
    for (line_no, line) in text.split_inclusive('\n').enumerate() {
        let (comment_at, next) = scan_line(line, state);
        state = next;
        if let Some(at) = comment_at {
            let body_end = line.trim_end_matches(['\n', '\r']).len();
            let start = line_start + at;
            let end = line_start + body_end;
            if let Some(s) = text.get(start..end).and_then(|c| parse_comment(c, start)) {
                let before = line.get(..at).unwrap_or("");
                let own_line = before.trim().is_empty();
                let removal = if own_line {
                    line_start..line_start + line.len()
                } else {
                    let kept = before.trim_end().len();
                    line_start + kept..end
                };
                out.push(Suppression {
                    line: line_no,
                    own_line,
                    target: line_no + 1,
                    removal,
                    ..s
                });
            }
        }
        line_start += line.len();
    }
    // stacked comments above one line all cover that line: from the last
    // up, each takes the target of the comment right below it (linear, however
    // many are stacked)
    let mut below: HashMap<usize, usize> = HashMap::new();
    for s in out.iter_mut().rev().filter(|s| s.own_line) {
        if let Some(t) = below.get(&s.target) {
            s.target = *t;
        }
        below.insert(s.line, s.target);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StrState {
    None,
    MultiBasic,
    MultiLiteral,
}

/// Where a comment starts on this line (outside strings), and the string
/// state at the end of the line.
fn scan_line(line: &str, mut state: StrState) -> (Option<usize>, StrState) {
    let b = line.as_bytes();
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        match state {
            StrState::MultiBasic => {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if line.get(i..).is_some_and(|r| r.starts_with("\"\"\"")) {
                    // a closing run may hold up to two more quotes
                    let run = b
                        .get(i..)
                        .map_or(0, |r| r.iter().take_while(|x| **x == b'"').count());
                    i += run;
                    state = StrState::None;
                    continue;
                }
                i += 1;
            }
            StrState::MultiLiteral => {
                if line.get(i..).is_some_and(|r| r.starts_with("'''")) {
                    let run = b
                        .get(i..)
                        .map_or(0, |r| r.iter().take_while(|x| **x == b'\'').count());
                    i += run;
                    state = StrState::None;
                    continue;
                }
                i += 1;
            }
            StrState::None => match c {
                b'#' => return (Some(i), state),
                b'"' if line.get(i..).is_some_and(|r| r.starts_with("\"\"\"")) => {
                    state = StrState::MultiBasic;
                    i += 3;
                }
                b'\'' if line.get(i..).is_some_and(|r| r.starts_with("'''")) => {
                    state = StrState::MultiLiteral;
                    i += 3;
                }
                b'"' => {
                    i += 1;
                    while let Some(&d) = b.get(i) {
                        i += 1;
                        match d {
                            b'\\' => i += 1,
                            b'"' | b'\n' => break,
                            _ => {}
                        }
                    }
                }
                b'\'' => {
                    i += 1;
                    while let Some(&d) = b.get(i) {
                        i += 1;
                        if d == b'\'' || d == b'\n' {
                            break;
                        }
                    }
                }
                _ => i += 1,
            },
        }
    }
    (None, state)
}

/// `# apimlint: allow(a, b) -- reason` starting at byte `base` of the text.
fn parse_comment(comment: &str, base: usize) -> Option<Suppression> {
    let after_hash = comment.strip_prefix('#')?;
    let body = after_hash.trim_start();
    let rest = body.strip_prefix("apimlint:")?.trim_start();
    let (scope, args) = if let Some(a) = rest.strip_prefix("allow-file") {
        (Scope::File, a)
    } else if let Some(a) = rest.strip_prefix("allow") {
        (Scope::Line, a)
    } else {
        return None;
    };
    let args = args.trim_start().strip_prefix('(')?;
    let close = args.find(')')?;
    let list = args.get(..close)?;
    let list_off = comment.len() - args.len();
    let mut rules_at = Vec::new();
    let mut at = 0usize;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        if !id.is_empty() {
            let s = base + list_off + at + lead;
            rules_at.push((id.to_owned(), s..s + id.len()));
        }
        at += part.len() + 1;
    }
    if rules_at.is_empty() {
        return None;
    }
    let tail = args.get(close + 1..).unwrap_or("").trim();
    let reason = tail
        .strip_prefix("--")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    Some(Suppression {
        scope,
        comment: base..base + comment.len(),
        line: 0,
        own_line: false,
        target: 0,
        rules: rules_at,
        reason,
        removal: 0..0,
    })
}

/// What [`apply`] is asked to judge.
#[derive(Debug, Clone, Copy, Default)]
pub struct Judge {
    /// Entries that silenced nothing (`unused-suppression` runs).
    pub unused: bool,
    /// Comments without a reason (`suppression-without-reason` runs).
    pub no_reason: bool,
}

/// One file's text, for [`apply`].
pub struct Source<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub lines: &'a LineIndex,
}

/// A comment [`apply`] found wanting: the states of the two meta rules,
/// which say it (`rules/meta/`).
#[derive(Debug, Clone)]
pub enum Wanting<'a> {
    /// Entry `entry` of the comment silenced nothing; `unused` lists every
    /// entry of that comment that silenced nothing (all of them: the whole
    /// comment goes).
    Unused {
        file: FileId,
        text: &'a str,
        comment: Suppression,
        entry: usize,
        unused: Vec<usize>,
    },
    /// The comment gives no reason after `--`.
    NoReason { file: FileId, comment: Suppression },
}

/// Drop the findings that comments suppress, and say which comments (and
/// comment entries) suppressed nothing and which give no reason, as `judge`
/// asks. Unsorted: the driver sorts.
pub fn apply<'a>(
    files: &[Source<'a>],
    diags: Vec<Diagnostic>,
    judge: Judge,
) -> (Vec<Diagnostic>, Vec<Wanting<'a>>) {
    use rayon::prelude::*;
    // every node's whole text is scanned: in parallel
    let per_file: Vec<(&Source<'a>, Vec<Suppression>)> = files
        .par_iter()
        .map(|f| (f, parse(f.text)))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    if per_file.is_empty() {
        return (diags, Vec::new());
    }
    let index: HashMap<FileId, usize> = per_file
        .iter()
        .enumerate()
        .map(|(k, (f, _))| (f.file, k))
        .collect();
    // per file: the line comments covering each line, and the file comments
    // (so that a finding costs the comments of its line, not of its file)
    let covering: Vec<Covering> = per_file.iter().map(|(_, sups)| covering(sups)).collect();
    // (file, comment, entry)
    let mut used: HashSet<(usize, usize, usize)> = HashSet::new();
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
    for d in diags {
        let Some((k, (src, sups), cover)) = index
            .get(&d.file)
            .and_then(|k| Some((*k, per_file.get(*k)?, covering.get(*k)?)))
        else {
            out.push(d);
            continue;
        };
        let line = src.lines.line_of(d.range.start);
        // a line comment first, then a file comment
        let on_line = cover
            .lines
            .get(&line)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let hit = [on_line, cover.file.as_slice()].iter().find_map(|cands| {
            cands.iter().find_map(|si| {
                sups.get(*si)?
                    .rules
                    .iter()
                    .position(|(id, _)| id == d.rule)
                    .map(|ri| (*si, ri))
            })
        });
        match hit {
            Some((si, ri)) => {
                used.insert((k, si, ri));
            }
            None => out.push(d),
        }
    }
    let mut wanting = Vec::new();
    for (k, (src, sups)) in per_file.iter().enumerate() {
        for (si, s) in sups.iter().enumerate() {
            if judge.unused {
                let unused: Vec<usize> = (0..s.rules.len())
                    .filter(|ri| !used.contains(&(k, si, *ri)))
                    .collect();
                for &entry in &unused {
                    wanting.push(Wanting::Unused {
                        file: src.file,
                        text: src.text,
                        comment: s.clone(),
                        entry,
                        unused: unused.clone(),
                    });
                }
            }
            if judge.no_reason && s.reason.is_none() {
                wanting.push(Wanting::NoReason {
                    file: src.file,
                    comment: s.clone(),
                });
            }
        }
    }
    (out, wanting)
}

/// The comments of one file by what they cover, in order.
struct Covering {
    /// 0-based line → the line comments covering it.
    lines: HashMap<usize, Vec<usize>>,
    /// The file comments.
    file: Vec<usize>,
}

fn covering(sups: &[Suppression]) -> Covering {
    let mut c = Covering {
        lines: HashMap::new(),
        file: Vec::new(),
    };
    for (si, s) in sups.iter().enumerate() {
        match s.scope {
            Scope::File => c.file.push(si),
            Scope::Line => {
                c.lines.entry(s.line).or_default().push(si);
                if s.own_line && s.target != s.line {
                    c.lines.entry(s.target).or_default().push(si);
                }
            }
        }
    }
    c
}

impl Suppression {
    /// `allow` or `allow-file`.
    pub(crate) fn scope_name(&self) -> &'static str {
        match self.scope {
            Scope::Line => "allow",
            Scope::File => "allow-file",
        }
    }

    /// The rule ids it names.
    pub fn ids(&self) -> Vec<&str> {
        self.rules.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// Which lines it covers, in words: "on the next line", "on this line",
    /// "in this file".
    pub fn reach(&self) -> &'static str {
        match self.scope {
            Scope::Line if self.own_line => "on the next line",
            Scope::Line => "on this line",
            Scope::File => "in this file",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn finds_comments_outside_strings_only() {
        let text = "a = \"# apimlint: allow(x)\"\n\
                    b = 1 # apimlint: allow(gateway-label-unmatched, unknown-host) -- labels come from the portal\n\
                    s = '''\n# apimlint: allow(y)\n'''\n\
                    # apimlint: allow-file(role-unknown)\r\n\
                    #apimlint:allow(z)--\n";
        let s = parse(text);
        assert_eq!(s.len(), 3, "{s:?}");
        assert_eq!(s[0].line, 1);
        assert!(!s[0].own_line);
        assert_eq!(s[0].ids(), ["gateway-label-unmatched", "unknown-host"]);
        assert_eq!(s[0].reason.as_deref(), Some("labels come from the portal"));
        let (_, r) = &s[0].rules[1];
        assert_eq!(&text[r.clone()], "unknown-host");
        assert_eq!(s[1].scope, Scope::File);
        assert!(s[1].own_line);
        assert_eq!(
            &text[s[1].comment.clone()],
            "# apimlint: allow-file(role-unknown)"
        );
        assert_eq!(
            &text[s[1].removal.clone()],
            "# apimlint: allow-file(role-unknown)\r\n"
        );
        assert_eq!(s[2].ids(), ["z"]);
        assert_eq!(s[2].reason, None);
        assert_eq!(&text[s[0].removal.clone()].chars().next(), &Some(' '));
    }

    #[test]
    fn covers_its_line_and_the_next_when_alone() {
        let s = parse("# apimlint: allow(a)\nx = 1\ny = 2 # apimlint: allow(b)\n");
        assert!(s[0].covers(0) && s[0].covers(1) && !s[0].covers(2));
        assert!(s[1].covers(2) && !s[1].covers(3));
    }

    #[test]
    fn stacked_comments_cover_the_line_below_them() {
        let s = parse("# apimlint: allow(a) -- x\n  # apimlint: allow(b) -- y\nk = 1\nj = 2\n");
        assert!(s[0].covers(2) && s[1].covers(2));
        assert!(!s[0].covers(3) && !s[1].covers(3));
    }

    #[test]
    fn ignores_other_comments() {
        assert!(parse("# apimlint: disable=APIM003\n# allow(x)\n# apimlint: allow()\n").is_empty());
    }
}
