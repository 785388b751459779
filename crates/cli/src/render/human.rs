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
    src: NamedSource<Arc<str>>,
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
        Some(&self.src)
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
    let finding = Finding {
        code: Some(d.rule.to_owned()),
        message: d.message.clone(),
        severity: severity(d.severity),
        help: d.help.clone(),
        src: source(r, d.file),
        labels: vec![LabeledSpan::new_primary_with_span(
            label,
            span(r, d.file, &d.range),
        )],
        related: d
            .related
            .iter()
            .map(|x| Finding {
                code: None,
                message: x.message.clone(),
                severity: miette::Severity::Advice,
                help: None,
                src: source(r, x.file),
                labels: vec![LabeledSpan::new_with_span(None, span(r, x.file, &x.range))],
                related: Vec::new(),
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
