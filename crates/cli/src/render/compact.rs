//! `--format compact`: `file:line:col: severity rule message`, then
//! ` (fix: …)` or ` (fix (unsafe): …)` for a finding with a fix.

use std::io::{self, Write};

use super::Report;
use super::escape::terminal;

pub fn render(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in r.diags {
        let p = r.pos(d.file, d.range.start);
        let fix = d
            .fix
            .as_ref()
            .map(|f| format!(" ({})", terminal(&super::fix_label(f))))
            .unwrap_or_default();
        writeln!(
            out,
            "{}:{}:{}: {} {} {}{fix}",
            terminal(&r.file(d.file)),
            p.line,
            p.column,
            d.severity,
            d.rule,
            terminal(&d.message)
        )?;
    }
    Ok(())
}
