//! `--format github`: GitHub Actions workflow commands
//! (`::error file=…,line=…,col=…,endLine=…,endColumn=…,title=RULE::message`),
//! one per finding. GitHub shows only the first annotations of a job, so the
//! full human report (without colour) follows them in the log.
//!
//! Lines and columns are 1-based, columns in Unicode scalar values (as in
//! `--format json`); `endColumn` is exclusive.

use std::io::{self, Write};

use apimlint_core::Severity;

use super::Report;

/// Escape the message of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

pub fn render(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    render_with(r, &super::human::Options::plain(), out)
}

/// The workflow commands, then the human report as `human` says (never
/// coloured: a log).
pub fn render_with(
    r: &Report<'_>,
    human: &super::human::Options,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in r.diags {
        let s = r.pos(d.file, d.range.start);
        let e = r.pos(d.file, d.range.end.max(d.range.start));
        let mut message = match &d.help {
            Some(h) => format!("{}\nhelp: {h}", d.message),
            None => d.message.clone(),
        };
        if let Some(f) = &d.fix {
            message = format!("{message}\n{}", super::fix_label(f));
        }
        writeln!(
            out,
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            command(d.severity),
            property(&r.file(d.file)),
            s.line,
            s.column,
            e.line,
            e.column,
            property(d.rule),
            data(&message)
        )?;
    }
    if !r.diags.is_empty() {
        writeln!(out)?;
    }
    let human = super::human::Options {
        color: false,
        ..*human
    };
    super::human::render_with(r, &human, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_workflow_command_rules() {
        assert_eq!(data("50% a\nb\r"), "50%25 a%0Ab%0D");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
