//! `--format human`: miette reports with the source line, a label under the
//! exact value, related locations in other files, and a help line.

use std::fmt;
use std::io::{self, Write};

use apimlint_core::{FileId, RegionSource, Role, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::Report;
use super::escape::{self, terminal};

/// One finding (or related location) as a miette diagnostic.
#[derive(Debug)]
struct Finding {
    code: Option<String>,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    /// `None` when the lines around the span are too long to show.
    src: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Finding>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl miette::Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

fn span(r: &Report<'_>, node: FileId, range: &std::ops::Range<usize>) -> (usize, usize) {
    let (len, range) = r
        .dep
        .shown(node)
        .map_or((0, range.clone()), |s| (s.text.len(), s.range(range)));
    let start = range.start.min(len);
    (start, range.end.clamp(start, len) - start)
}

/// Lines around a span longer than this (in bytes, the span's lines and one
/// line of context each side) are not shown: miette would print megabytes
/// (or fail on columns past 65,535); the location is printed instead.
const MAX_SNIPPET: usize = 4096;

/// A manifest line longer than this (a chart's `deployment.toml` written as
/// one quoted scalar) is not shown when the decoded file it holds can be.
const LONG_LINE: usize = 400;

/// The lines miette shows around a span: the span's lines and one line of
/// context each side, cut out of the file (so that rendering a finding costs
/// the size of its lines, not of its file) and numbered as in the file.
#[derive(Debug)]
struct Excerpt {
    name: String,
    text: String,
    /// Byte offset of `text` in the file.
    offset: usize,
    /// 0-based line number of `text`'s first line in the file.
    first_line: usize,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let local = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(miette::MietteError::OutOfBounds)?;
        let c = self
            .text
            .as_bytes()
            .read_span(&(local, span.len()).into(), before, after)?;
        // miette counts columns in bytes; the JSON and editors in characters
        let column = if before == 0 {
            let upto = self.text.get(..local).unwrap_or_default();
            let line_start = upto.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            upto.get(line_start..).map_or(0, |l| l.chars().count())
        } else {
            c.column()
        };
        Ok(Box::new(
            miette::MietteSpanContents::new_named(
                self.name.clone(),
                c.data(),
                (c.span().offset() + self.offset, c.span().len()).into(),
                c.line() + self.first_line,
                column,
                c.line_count(),
            )
            .with_language("TOML"),
        ))
    }
}

/// The excerpt around `range`, or `None` when its lines are too long to show.
fn excerpt(r: &Report<'_>, node: FileId, range: &std::ops::Range<usize>) -> Option<Excerpt> {
    let s = r.dep.shown(node)?;
    let name = terminal(&r.file(node)).into_owned();
    excerpt_of(name, s.text, s.lines, &s.range(range))
}

/// The lines of `text` around `range`, or `None` when they are too long.
fn excerpt_of(
    name: String,
    text: &str,
    lines: &apimlint_core::text::LineIndex,
    range: &std::ops::Range<usize>,
) -> Option<Excerpt> {
    let start = range.start.min(text.len());
    let end = range.end.clamp(start, text.len());
    let first_line = lines.line_of(start).saturating_sub(1);
    let from = lines.line_start(first_line).min(start);
    let to = lines.line_start(lines.line_of(end) + 2).max(end);
    if to.saturating_sub(from) > MAX_SNIPPET {
        return None;
    }
    Some(Excerpt {
        name,
        // a raw control byte in a line (one that does not parse) is shown
        // as `?`, byte for byte, so the spans stay where they were
        text: escape::excerpt(text.get(from..to)?).into_owned(),
        offset: from,
        first_line,
    })
}

/// For a file held in a manifest line too long to show (WSO2's charts write
/// each `deployment.toml` as one quoted scalar): the decoded lines of the
/// file around `range` (its own offsets), named by the object and key, and
/// the position in the manifest in words. Never for a Secret, whose values
/// are shown starred.
fn decoded(
    r: &Report<'_>,
    node: FileId,
    range: &std::ops::Range<usize>,
    message: &str,
) -> Option<(String, Excerpt, (usize, usize))> {
    let o = r.dep.shown(node)?.origin.filter(|o| o.kind != "Secret")?;
    let (text, lines) = r.dep.own_text(node)?;
    let name = terminal(&format!("{} {}/{}: {}", o.kind, o.namespace, o.name, o.key)).into_owned();
    let src = excerpt_of(name, text, lines, range)?;
    let start = range.start.min(text.len());
    let sp = (start, range.end.clamp(start, text.len()) - start);
    let p = r.pos(node, range.start);
    let at = format!(
        "{message}\n  at {}:{}:{} (one line of the manifest: the decoded {} of {} `{}` is shown)",
        terminal(&r.file(node)),
        p.line,
        p.column,
        terminal(&o.key),
        o.kind,
        terminal(&o.name)
    );
    Some((at, src, sp))
}

/// The source and label of a location, or its position in words when the
/// lines are too long to show.
fn located(
    r: &Report<'_>,
    node: FileId,
    range: &std::ops::Range<usize>,
    message: &str,
    label: Option<String>,
    primary: bool,
) -> (String, Option<Excerpt>, Vec<LabeledSpan>) {
    let labeled = |sp: (usize, usize)| {
        if primary {
            LabeledSpan::new_primary_with_span(label.clone(), sp)
        } else {
            LabeledSpan::new_with_span(label.clone(), sp)
        }
    };
    // a manifest line too long to read (a chart's one-line scalar): the
    // decoded lines of the file it holds instead
    let src = excerpt(r, node, range);
    let long = src
        .as_ref()
        .is_none_or(|e| e.text.lines().any(|l| l.len() > LONG_LINE));
    if long && let Some((at, src, sp)) = decoded(r, node, range, message) {
        return (at, Some(src), vec![labeled(sp)]);
    }
    let Some(src) = src else {
        let p = r.pos(node, range.start);
        let at = format!(
            "{message}\n  at {}:{}:{} (the line is too long to show)",
            terminal(&r.file(node)),
            p.line,
            p.column
        );
        return (at, None, Vec::new());
    };
    let sp = span(r, node, range);
    (message.to_owned(), Some(src), vec![labeled(sp)])
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

/// The handler: unicode, coloured or not, fixed width for stable output.
pub fn handler(color: bool) -> GraphicalReportHandler {
    handler_with(&Options {
        color,
        width: Some(100),
        quiet: false,
    })
}

/// How the human report is printed.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub color: bool,
    /// Wrap messages at this many columns; `None`: never wrap.
    pub width: Option<usize>,
    /// Only the findings: no summary (nothing at all for a clean run).
    pub quiet: bool,
}

impl Options {
    /// Plain, 100 columns, with the summary (the library's default).
    pub fn plain() -> Options {
        Options {
            color: false,
            width: Some(100),
            quiet: false,
        }
    }
}

/// The handler for `o`: unicode, coloured or not, wrapped at `o.width`.
pub fn handler_with(o: &Options) -> GraphicalReportHandler {
    let theme = if o.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let h = GraphicalReportHandler::new_themed(theme).with_links(false);
    match o.width {
        Some(w) => h.with_width(w.max(20)),
        None => h.with_width(usize::MAX / 4).with_wrap_lines(false),
    }
}

/// Render one finding to a string.
pub fn render_one(
    r: &Report<'_>,
    handler: &GraphicalReportHandler,
    d: &apimlint_core::Diagnostic,
) -> String {
    render_finding(r, handler, d, None)
}

/// Render one finding; `seen`: the first finding of the same root cause
/// (same rule, help and related locations), whose help and related
/// locations are referred to instead of repeated.
fn render_finding(
    r: &Report<'_>,
    handler: &GraphicalReportHandler,
    d: &apimlint_core::Diagnostic,
    seen: Option<&apimlint_core::Diagnostic>,
) -> String {
    let label = d.fix.as_ref().map(super::fix_label);
    // every text made from the user's values is shown, never obeyed
    let label = label.map(|l| terminal(&l).into_owned());
    let (message, src, labels) = located(r, d.file, &d.range, &terminal(&d.message), label, true);
    let (help, related) = match seen {
        Some(first) => {
            let p = r.pos(first.file, first.range.start);
            let what = if d.related.is_empty() {
                "help"
            } else {
                "help and related locations"
            };
            let help = format!(
                "same cause as {}:{}:{} above: see its {what}",
                terminal(&r.file(first.file)),
                p.line,
                p.column
            );
            (Some(help), &[][..])
        }
        None => (
            d.help.as_deref().map(|h| terminal(h).into_owned()),
            &d.related[..],
        ),
    };
    let finding = Finding {
        code: Some(d.rule.to_owned()),
        message,
        severity: severity(d.severity),
        help,
        src,
        labels,
        related: related
            .iter()
            .map(|x| {
                let (message, src, labels) =
                    located(r, x.file, &x.range, &terminal(&x.message), None, false);
                Finding {
                    code: None,
                    message,
                    severity: miette::Severity::Advice,
                    help: None,
                    src,
                    labels,
                    related: Vec::new(),
                }
            })
            .collect(),
    };
    let mut s = String::new();
    if handler.render_report(&mut s, &finding).is_err() {
        s = format!(
            "{}: {} {}\n",
            terminal(&r.file(d.file)),
            d.rule,
            terminal(&d.message)
        );
    }
    s
}

pub fn render(r: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    render_with(
        r,
        &Options {
            color,
            ..Options::plain()
        },
        out,
    )
}

/// The findings, each root cause's help and related locations once, then
/// the summary (unless quiet).
pub fn render_with(r: &Report<'_>, o: &Options, out: &mut dyn Write) -> io::Result<()> {
    let h = handler_with(o);
    // (rule, help, related) → the first finding saying it
    let mut causes: std::collections::HashMap<Cause<'_>, usize> = std::collections::HashMap::new();
    for (k, d) in r.diags.iter().enumerate() {
        let seen = match cause(d) {
            Some(c) => {
                let first = *causes.entry(c).or_insert(k);
                (first != k).then(|| r.diags.get(first)).flatten()
            }
            None => None,
        };
        writeln!(out, "{}", render_finding(r, &h, d, seen))?;
    }
    if o.quiet {
        return Ok(());
    }
    writeln!(out, "{}", escape::terminal_lines(&summary(r)))
}

/// What makes two findings one root cause in the report: the rule, the
/// help text and the related locations.
type Cause<'a> = (&'a str, &'a str, Vec<(FileId, usize, usize, &'a str)>);

/// A finding's root cause, when it has advice worth referring to.
fn cause(d: &apimlint_core::Diagnostic) -> Option<Cause<'_>> {
    let help = d.help.as_deref()?;
    let related = d
        .related
        .iter()
        .map(|x| (x.file, x.range.start, x.range.end, x.message.as_str()))
        .collect();
    Some((d.rule, help, related))
}

/// "checked 12 nodes in 2 regions …" and the counts.
pub fn summary(r: &Report<'_>) -> String {
    let mut regions = Vec::new();
    for (name, members) in r.dep.regions() {
        let mut roles: Vec<(Role, usize)> = Vec::new();
        for i in members {
            let role = r.dep.node(*i).map_or(Role::Unknown, |n| n.role);
            match roles.iter_mut().find(|(x, _)| *x == role) {
                Some(e) => e.1 += 1,
                None => roles.push((role, 1)),
            }
        }
        roles.sort();
        let roles = roles
            .iter()
            .map(|(role, k)| format!("{k} {role}"))
            .collect::<Vec<_>>()
            .join(", ");
        regions.push((name.as_str(), roles));
    }
    let regions = region_lines(regions);
    let n = r.dep.nodes().len();
    // a tree laid out by role, then region: say where the regions came from
    let by_role = r
        .dep
        .nodes()
        .iter()
        .find(|n| n.region_source == RegionSource::AfterRole)
        .map(|n| {
            format!(
                "\n  (regions from the directory after the role: `{}` is in region `{}`)",
                n.id, n.region
            )
        })
        .unwrap_or_default();
    let rel = |p: &std::path::Path| apimlint_core::vfs::relative(p, r.cwd);
    let project = r.dep.config().source.as_ref().map_or_else(
        || "no apimlint.toml".to_owned(),
        |s| format!("project file {}", rel(&s.path)),
    );
    let only = r.only.map_or_else(String::new, |dirs| {
        let dirs: Vec<String> = dirs.iter().map(|d| rel(d)).collect();
        format!(
            "\n(findings of {} only: the whole deployment was analysed)",
            dirs.join(", ")
        )
    });
    // the version the rules read, when the user did not name it
    let version = match r.dep.config().apim() {
        None => format!(
            "\nno API-M version given: keys of every version ({}) are accepted (`--apim-version`, `[deployment] version`)",
            apimlint_core::catalog::versions::ApimVersion::names().join(", ")
        ),
        Some((v, s @ apimlint_core::VersionSource::Image(_))) => {
            format!("\nAPI-M {v} ({})", terminal(&s.describe()))
        }
        Some(_) => String::new(),
    };
    let head = format!(
        "deployment {} ({project}){version}\nchecked {n} node{} in {} region{}:\n{}{by_role}{only}",
        rel(r.dep.root()),
        if n == 1 { "" } else { "s" },
        r.dep.regions().len(),
        if r.dep.regions().len() == 1 { "" } else { "s" },
        regions.join("\n")
    );
    // a repository of TOML files only: say that the key-material rules had
    // nothing to read
    let keys = if r.dep.key_material_absent() {
        "\nkey material was not inspected: no keystore of any node is in the tree"
    } else {
        ""
    };
    if r.diags.is_empty() {
        format!("{head}\nno problems found{keys}")
    } else {
        format!("{head}\nfound {}{}{keys}", r.counts(), fixable(r))
    }
}

/// "[*] 2 fixable with `--fix` (8 more with `--fix --unsafe-fixes`)", as
/// ruff says it; empty when nothing is fixable.
fn fixable(r: &Report<'_>) -> String {
    let (safe, unsafe_) = r.fixable();
    let hidden = |n: usize| {
        format!(
            "{n} fix{} only with `--fix --unsafe-fixes`",
            if n == 1 { "" } else { "es" }
        )
    };
    match (safe, unsafe_) {
        (0, 0) => String::new(),
        (0, u) => format!("\nno fixes with `--fix` ({})", hidden(u)),
        (s, 0) => format!("\n[*] {s} fixable with `--fix`"),
        (s, u) => format!("\n[*] {s} fixable with `--fix` ({})", hidden(u)),
    }
}

/// One summary line per region, in natural order (`region-2` before
/// `region-10`); three or more regions of the same make-up share one line
/// (`region-1 … region-1000 (1000 regions): 2 gateway-worker each`).
fn region_lines(mut regions: Vec<(&str, String)>) -> Vec<String> {
    regions.sort_by(|a, b| natural(a.0, b.0));
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (name, roles) in &regions {
        match groups.iter_mut().find(|(r, _)| r == roles) {
            Some((_, names)) => names.push(name),
            None => groups.push((roles, vec![name])),
        }
    }
    let mut lines = Vec::new();
    for (roles, names) in groups {
        if names.len() < 3 {
            lines.extend(names.iter().map(|n| format!("  {n}: {roles}")));
        } else {
            lines.push(format!(
                "  {} ({} regions): {roles} each",
                name_runs(&names),
                names.len()
            ));
        }
    }
    lines
}

/// Names in natural order, runs of consecutive numbers folded
/// (`region-1 … region-9, eu-west`); at most 8 runs, then how many more.
fn name_runs(names: &[&str]) -> String {
    let split = |n: &str| {
        let digits = n.len() - n.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (stem, num) = n.split_at(n.len() - digits);
        (stem.to_owned(), num.parse::<u64>().ok())
    };
    let mut runs: Vec<(&str, &str, usize)> = Vec::new();
    for n in names {
        let next = match runs.last() {
            Some((_, last, _)) => {
                let (a, x) = split(last);
                let (b, y) = split(n);
                a == b && x.zip(y).is_some_and(|(x, y)| x + 1 == y)
            }
            None => false,
        };
        match runs.last_mut() {
            Some(run) if next => {
                run.1 = n;
                run.2 += 1;
            }
            _ => runs.push((n, n, 1)),
        }
    }
    let shown: Vec<String> = runs
        .iter()
        .take(8)
        .map(|(first, last, k)| match k {
            1 => (*first).to_owned(),
            2 => format!("{first}, {last}"),
            _ => format!("{first} … {last}"),
        })
        .collect();
    let more: usize = runs.iter().skip(8).map(|r| r.2).sum();
    if more == 0 {
        shown.join(", ")
    } else {
        format!("{} and {more} more", shown.join(", "))
    }
}

/// Natural order: runs of digits compare as numbers (`region-2` <
/// `region-10`), the rest as text.
pub(crate) fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digit = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if digit.is_some_and(|x| x != d) {
                out.push((digit == Some(true), s.get(start..i).unwrap_or_default()));
                start = i;
            }
            digit = Some(d);
        }
        if start < s.len() {
            out.push((digit == Some(true), s.get(start..).unwrap_or_default()));
        }
        out
    }
    let (x, y) = (chunks(a), chunks(b));
    for (p, q) in x.iter().zip(&y) {
        let o = match (p, q) {
            ((true, m), (true, n)) => {
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                m.len().cmp(&n.len()).then_with(|| m.cmp(n))
            }
            _ => p.1.cmp(q.1),
        };
        if o.is_ne() {
            return o;
        }
    }
    x.len().cmp(&y.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut v = vec![
            "region-10",
            "region-2",
            "region-1",
            "eu",
            "region-010",
            "a1b2",
            "a1b10",
        ];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(
            v,
            [
                "a1b2",
                "a1b10",
                "eu",
                "region-1",
                "region-2",
                "region-010",
                "region-10"
            ]
        );
    }

    #[test]
    fn runs_of_names_fold() {
        assert_eq!(
            name_runs(&[
                "region-1", "region-2", "region-3", "region-5", "region-6", "eu"
            ]),
            "region-1 … region-3, region-5, region-6, eu"
        );
    }
}
