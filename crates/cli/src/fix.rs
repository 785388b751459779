//! `check --fix`, `--unsafe-fixes`, `--diff`: drive `apimlint_core::fix`,
//! then write each changed file atomically or print it as a unified diff of
//! the redacted texts (no secret ever appears in a diff).

use std::io::Write;
use std::path::{Path, PathBuf};

use std::collections::HashSet;

use apimlint_core::fixes::{AppliedFix, Changed, Outcome, fix_all};
use apimlint_core::suppress::Options;
use apimlint_core::vfs::{DiskFs, Vfs, relative, write_atomic};
use apimlint_core::{Deployment, Diagnostic};

use crate::args::FixArgs;
use crate::render::escape::{terminal, terminal_lines};

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
    let mut config = unit.config.clone();
    crate::commands::settings(fa, &mut config)?;
    let outcome = fix_all(&DiskFs, &unit.discovery, &config, opts, fa.unsafe_fixes);
    let io = |e: std::io::Error| format!("cannot write the report: {e}");
    let scrubber = outcome.dep.scrubber();
    for r in &outcome.refused {
        let r = scrubber.scrub(r);
        writeln!(err, "apimlint: fix not applied: {}", terminal(&r)).map_err(io)?;
    }
    if fa.diff {
        for c in &outcome.changed {
            write!(out, "{}", diff(c, &cwd)).map_err(io)?;
        }
        let all: Vec<&AppliedFix> = outcome.applied.iter().collect();
        let files: Vec<&str> = outcome.changed.iter().map(|c| c.rel.as_str()).collect();
        writeln!(err, "apimlint: {}", summary(&all, &files, "would apply")).map_err(io)?;
        let code = if outcome.changed.is_empty() {
            crate::EXIT_OK
        } else {
            crate::EXIT_FINDINGS
        };
        return Ok((Fixed::Diff(code), cwd));
    }
    let unwritten = write_changed(&outcome, &cwd, err)?;
    let failed = !unwritten.is_empty();
    report_applied(&outcome, &unwritten, err)?;
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
    if failed {
        // the report says what the files on disk hold: the fixed texts of
        // the files that could not be written are not there
        let lean = apimlint_core::load_lean(&DiskFs, &unit.discovery, config);
        let diags = lean.check_with(opts);
        return Ok((
            Fixed::Report {
                dep: Box::new(lean.dep),
                diags,
                failed,
            },
            cwd,
        ));
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

/// Write each changed file (never over a change made while apimlint ran);
/// the files that could not be written, each said on `err`.
fn write_changed<'o>(
    outcome: &'o Outcome,
    cwd: &Path,
    err: &mut dyn Write,
) -> Result<HashSet<&'o Path>, String> {
    let io = |e: std::io::Error| format!("cannot write the report: {e}");
    let mut unwritten: HashSet<&Path> = HashSet::new();
    for c in &outcome.changed {
        let shown = terminal(&relative(&c.path, cwd)).into_owned();
        let now = DiskFs.read(&c.path);
        let why = if now.as_deref().ok() != Some(&*c.original) {
            Some(format!("{shown} changed while apimlint ran; not written"))
        } else {
            write_atomic(&c.path, c.fixed.as_bytes())
                .err()
                .map(|e| format!("cannot write {shown}: {}", terminal(&e.to_string())))
        };
        if let Some(why) = why {
            writeln!(err, "apimlint: error: {why}").map_err(io)?;
            unwritten.insert(&c.path);
        }
    }
    Ok(unwritten)
}

/// "applied N fixes to M files" for the fixes whose files were all
/// written, and how many were not applied because a file was not.
fn report_applied(
    outcome: &Outcome,
    unwritten: &HashSet<&Path>,
    err: &mut dyn Write,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write the report: {e}");
    let (done, lost): (Vec<&AppliedFix>, Vec<&AppliedFix>) = outcome
        .applied
        .iter()
        .partition(|a| a.paths.iter().all(|p| !unwritten.contains(p.as_path())));
    let files: Vec<&str> = outcome
        .changed
        .iter()
        .filter(|c| !unwritten.contains(c.path.as_path()))
        .map(|c| c.rel.as_str())
        .collect();
    if !done.is_empty() {
        writeln!(err, "apimlint: {}", summary(&done, &files, "applied")).map_err(io)?;
    }
    if !lost.is_empty() {
        writeln!(
            err,
            "apimlint: error: {} fix{} not applied: {} file{} could not be written",
            lost.len(),
            if lost.len() == 1 { "" } else { "es" },
            unwritten.len(),
            if unwritten.len() == 1 { "" } else { "s" },
        )
        .map_err(io)?;
    }
    Ok(())
}

/// "applied 2 fixes to 2 files: a, b".
fn summary(applied: &[&AppliedFix], files: &[&str], verb: &str) -> String {
    if files.is_empty() {
        return "no fixes to apply".to_owned();
    }
    let n = applied.len();
    let files: Vec<String> = files.iter().map(|f| terminal(f).into_owned()).collect();
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
    let shown = terminal(&shown);
    let diff = config
        .diff_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    terminal_lines(&diff).into_owned()
}
