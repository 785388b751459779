//! `--format compact`: `file:line:col: severity rule message`.

use std::io::{self, Write};

use super::Report;
use super::escape::terminal;

pub fn render(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    for d in r.diags {
        let p = r.pos(d.file, d.range.start);
        writeln!(
            out,
            "{}:{}:{}: {} {} {}",
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
