//! `check --fix`, `--unsafe-fixes`, `--diff`: drive `apimlint_core::fix`,
//! then write each changed file atomically or print it as a unified diff of
//! the redacted texts (no secret ever appears in a diff).

use std::io::Write;
use std::path::{Path, PathBuf};

use apimlint_core::fixes::{Changed, Outcome, fix_all};
use apimlint_core::suppress::Options;
use apimlint_core::vfs::{DiskFs, Vfs, relative, write_atomic};
use apimlint_core::{Deployment, Diagnostic};

use crate::args::FixArgs;

/// What the fix step left for the report.
pub(crate) enum Fixed {
    /// Files were fixed (or nothing was to fix): report what is left.
    Report {
        dep: Box<Deployment>,
        diags: Vec<Diagnostic>,
        /// Some file could not be written: the run failed (exit 2).
        failed: bool,
    },
    /// `--diff`: the diff was printed; this is the exit code.
    Diff(u8),
}

/// Fix the deployment of a unit (see `crate::commands::plan`).
pub(crate) fn run(
    unit: &apimlint_core::analysis::project::Unit,
    fa: &FixArgs,
    opts: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(Fixed, PathBuf), String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let outcome = fix_all(
        &DiskFs,
        &unit.discovery,
        &unit.config,
        opts,
        fa.unsafe_fixes,
    );
    let io = |e: std::io::Error| format!("cannot write the report: {e}");
    for r in &outcome.refused {
        writeln!(err, "apimlint: fix not applied: {r}").map_err(io)?;
    }
    if fa.diff {
        for c in &outcome.changed {
            write!(out, "{}", diff(c, &cwd)).map_err(io)?;
        }
        writeln!(err, "apimlint: {}", summary(&outcome, "would apply")).map_err(io)?;
        let code = if outcome.changed.is_empty() {
            crate::EXIT_OK
        } else {
            crate::EXIT_FINDINGS
        };
        return Ok((Fixed::Diff(code), cwd));
    }
    let mut failed = false;
    for c in &outcome.changed {
        let shown = relative(&c.path, &cwd);
        // never overwrite a change made while apimlint ran
        let now = DiskFs.read(&c.path);
        if now.as_deref().ok() != Some(&*c.original) {
            writeln!(
                err,
                "apimlint: error: {shown} changed while apimlint ran; not written"
            )
            .map_err(io)?;
            failed = true;
            continue;
        }
        if let Err(e) = write_atomic(&c.path, c.fixed.as_bytes()) {
            writeln!(err, "apimlint: error: cannot write {shown}: {e}").map_err(io)?;
            failed = true;
        }
    }
    if !outcome.applied.is_empty() {
        writeln!(err, "apimlint: {}", summary(&outcome, "applied")).map_err(io)?;
    }
    let unsafe_left = outcome
        .diags
        .iter()
        .filter(|d| {
            d.fix.as_ref().is_some_and(|f| {
                !fa.unsafe_fixes
                    && !f.edits.is_empty()
                    && f.applicability == apimlint_core::Applicability::Unsafe
            })
        })
        .count();
    if unsafe_left > 0 {
        writeln!(
            err,
            "apimlint: {unsafe_left} more fix{} available with --unsafe-fixes",
            if unsafe_left == 1 { " is" } else { "es are" }
        )
        .map_err(io)?;
    }
    let Outcome { dep, diags, .. } = outcome;
    Ok((
        Fixed::Report {
            dep: Box::new(dep),
            diags,
            failed,
        },
        cwd,
    ))
}

/// "applied 2 fixes to 2 files: a, b".
fn summary(o: &Outcome, verb: &str) -> String {
    if o.changed.is_empty() {
        return "no fixes to apply".to_owned();
    }
    let n = o.applied.len();
    let files: Vec<&str> = o.changed.iter().map(|c| c.rel.as_str()).collect();
    format!(
        "{verb} {n} fix{} to {} file{}: {}",
        if n == 1 { "" } else { "es" },
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        files.join(", ")
    )
}

/// A unified diff of one file, from redacted texts.
pub(crate) fn diff(c: &Changed, cwd: &Path) -> String {
    let (old, new) = c.redacted();
    let shown = relative(&c.path, cwd);
    // Myers finds the smallest diff but is quadratic in the changes: past
    // this many lines (tens of thousands of fixes in one file) it gets a
    // second, after which its diff is still right but may not be the smallest
    const BIG: usize = 20_000;
    let mut config = similar::TextDiff::configure();
    if old.lines().count().max(new.lines().count()) > BIG {
        config.timeout(std::time::Duration::from_secs(1));
    }
    config
        .diff_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string()
}
