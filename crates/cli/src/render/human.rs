//! `--format human`: miette reports with the source line, a label under the
//! exact value, related locations in other files, and a help line.

use std::fmt;
use std::io::{self, Write};

use apimlint_core::{FileId, RegionSource, Role, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::Report;

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
    let range = s.range(range);
    let (text, lines) = (s.text, s.lines);
    let start = range.start.min(text.len());
    let end = range.end.clamp(start, text.len());
    let first_line = lines.line_of(start).saturating_sub(1);
    let from = lines.line_start(first_line).min(start);
    let to = lines.line_start(lines.line_of(end) + 2).max(end);
    if to.saturating_sub(from) > MAX_SNIPPET {
        return None;
    }
    Some(Excerpt {
        name: r.file(node),
        text: text.get(from..to)?.to_owned(),
        offset: from,
        first_line,
    })
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
    let Some(src) = excerpt(r, node, range) else {
        let p = r.pos(node, range.start);
        let at = format!(
            "{message}\n  at {}:{}:{} (the line is too long to show)",
            r.file(node),
            p.line,
            p.column
        );
        return (at, None, Vec::new());
    };
    let sp = span(r, node, range);
    let l = if primary {
        LabeledSpan::new_primary_with_span(label, sp)
    } else {
        LabeledSpan::new_with_span(label, sp)
    };
    (message.to_owned(), Some(src), vec![l])
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
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Render one finding to a string.
pub fn render_one(
    r: &Report<'_>,
    handler: &GraphicalReportHandler,
    d: &apimlint_core::Diagnostic,
) -> String {
    let label = d.fix.as_ref().map(|f| format!("fix: {}", f.title));
    let (message, src, labels) = located(r, d.file, &d.range, &d.message, label, true);
    let finding = Finding {
        code: Some(d.rule.to_owned()),
        message,
        severity: severity(d.severity),
        help: d.help.clone(),
        src,
        labels,
        related: d
            .related
            .iter()
            .map(|x| {
                let (message, src, labels) = located(r, x.file, &x.range, &x.message, None, false);
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
        s = format!("{}: {} {}\n", r.file(d.file), d.rule, d.message);
    }
    s
}

pub fn render(r: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let h = handler(color);
    for d in r.diags {
        writeln!(out, "{}", render_one(r, &h, d))?;
    }
    writeln!(out, "{}", summary(r))
}

/// "checked 12 nodes in 2 regions …" and the counts.
pub fn summary(r: &Report<'_>) -> String {
    let mut regions = Vec::new();
    for (name, members) in &r.dep.regions {
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
        regions.push(format!("  {name}: {roles}"));
    }
    let n = r.dep.nodes.len();
    // a tree laid out by role, then region: say where the regions came from
    let by_role = r
        .dep
        .nodes
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
    let project = r.dep.config.source.as_ref().map_or_else(
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
    let head = format!(
        "deployment {} ({project})\nchecked {n} node{} in {} region{}:\n{}{by_role}{only}",
        rel(&r.dep.root),
        if n == 1 { "" } else { "s" },
        r.dep.regions.len(),
        if r.dep.regions.len() == 1 { "" } else { "s" },
        regions.join("\n")
    );
    if r.diags.is_empty() {
        format!("{head}\nno problems found")
    } else {
        format!("{head}\nfound {}", r.counts())
    }
}
