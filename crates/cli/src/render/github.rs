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

use super::escape::{github_data as data, github_property as property};

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
    // the human report quotes the user's values (directory names, TOML
    // strings) on lines of their own: the runner is told to obey no
    // command until a token no input can know
    let token = stop_token();
    writeln!(out, "::stop-commands::{token}")?;
    let human = super::human::Options {
        color: false,
        ..*human
    };
    super::human::render_with(r, &human, out)?;
    writeln!(out, "::{token}::")
}

/// A token for `::stop-commands::`: 128 random bits (std's hasher keys are
/// random per process), so no file can hold the line that resumes commands.
fn stop_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.finish()
    };
    format!("apimlint-{:016x}{:016x}", half(), half())
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
