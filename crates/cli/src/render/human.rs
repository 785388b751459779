//! `--format human`: miette reports with the source line, a label under the
//! exact value, related locations in other files, and a help line.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use apimlint_core::{NodeIdx, Role, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use super::Report;

/// One finding (or related location) as a miette diagnostic.
#[derive(Debug)]
struct Finding {
    code: Option<String>,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    /// `None` when the lines around the span are too long to show.
    src: Option<NamedSource<Arc<str>>>,
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

fn source(r: &Report<'_>, node: NodeIdx) -> NamedSource<Arc<str>> {
    let text = r
        .dep
        .node(node)
        .map_or_else(|| Arc::from(""), |n| n.redacted.clone());
    NamedSource::new(r.file(node), text).with_language("TOML")
}

fn span(r: &Report<'_>, node: NodeIdx, range: &std::ops::Range<usize>) -> (usize, usize) {
    let len = r.dep.node(node).map_or(0, |n| n.redacted.len());
    let start = range.start.min(len);
    (start, range.end.clamp(start, len) - start)
}

/// Lines around a span longer than this (in bytes, the span's lines and one
/// line of context each side) are not shown: miette would print megabytes
/// (or fail on columns past 65,535); the location is printed instead.
const MAX_SNIPPET: usize = 4096;

/// Whether the snippet miette would print for `range` is too long.
fn snippet_too_long(r: &Report<'_>, node: NodeIdx, range: &std::ops::Range<usize>) -> bool {
    let Some(text) = r.dep.node(node).map(|n| n.redacted.as_bytes()) else {
        return false;
    };
    let start = range.start.min(text.len());
    let end = range.end.clamp(start, text.len());
    let before = text.get(..start).unwrap_or_default();
    let from = before
        .iter()
        .rposition(|b| *b == b'\n')
        .and_then(|i| before.get(..i))
        .and_then(|b| b.iter().rposition(|c| *c == b'\n'))
        .map_or(0, |i| i + 1);
    let after = text.get(end..).unwrap_or_default();
    let to = after
        .iter()
        .position(|b| *b == b'\n')
        .and_then(|i| after.get(i + 1..).map(|rest| (i + 1, rest)))
        .map_or(text.len(), |(i, rest)| {
            end + i + rest.iter().position(|c| *c == b'\n').unwrap_or(rest.len())
        });
    to.saturating_sub(from) > MAX_SNIPPET
}

/// The source and label of a location, or its position in words when the
/// lines are too long to show.
fn located(
    r: &Report<'_>,
    node: NodeIdx,
    range: &std::ops::Range<usize>,
    message: &str,
    label: Option<String>,
    primary: bool,
) -> (String, Option<NamedSource<Arc<str>>>, Vec<LabeledSpan>) {
    if snippet_too_long(r, node, range) {
        let p = r.pos(node, range.start);
        let at = format!(
            "{message}\n  at {}:{}:{} (the line is too long to show)",
            r.file(node),
            p.line,
            p.column
        );
        return (at, None, Vec::new());
    }
    let sp = span(r, node, range);
    let l = if primary {
        LabeledSpan::new_primary_with_span(label, sp)
    } else {
        LabeledSpan::new_with_span(label, sp)
    };
    (message.to_owned(), Some(source(r, node)), vec![l])
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
    let head = format!(
        "checked {n} node{} in {} region{}:\n{}",
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
