//! The commands: `check`, `rules`, `explain`, `graph`, `schema`, `lsp`.

use std::io::Write;
use std::path::Path;

use apimlint_core::analysis::project::Unit;
use apimlint_core::vfs::{self, DiskFs, relative};
use apimlint_core::{Config, Severity, rules};

use crate::args::{CheckArgs, Cli, Color, Command, FailOn, Format, GraphArgs, GraphFormat};
use crate::render::{self, Report};
use crate::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, baseline, fix};

pub(crate) fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    match cli.command {
        Command::Check(a) => check(a, out, err),
        Command::Rules { format } => {
            render::rules::list(format, out).map_err(|e| e.to_string())?;
            Ok(EXIT_OK)
        }
        Command::Explain { rule } => explain(&rule, out),
        Command::Graph(a) => graph(a, out),
        Command::Schema => {
            render::schema::write(out).map_err(|e| format!("cannot write the schema: {e}"))?;
            Ok(EXIT_OK)
        }
        // stdout belongs to the protocol from here on
        Command::Lsp { .. } => apimlint_lsp::run_stdio(),
    }
}

/// The deployments of `paths` (see `apimlint_core::analysis::project::plan`).
pub(crate) fn plan(
    paths: &[std::path::PathBuf],
    config: Option<&Path>,
    exclude: &[String],
) -> Result<(Vec<Unit>, std::path::PathBuf), String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let units = apimlint_core::analysis::project::plan(&DiskFs, &cwd, paths, config, exclude)?;
    Ok((units, cwd))
}

/// `apimlint check -`: one manifest stream from standard input.
fn is_stdin(paths: &[std::path::PathBuf]) -> bool {
    paths.iter().any(|p| p.as_os_str() == "-")
}

/// Read standard input (a manifest stream) and load it as a deployment
/// rooted at the current directory.
fn load_stdin(a: &CheckArgs) -> Result<(apimlint_core::Lean, std::path::PathBuf), String> {
    use std::io::Read;
    if a.paths.len() > 1 {
        return Err("`-` (standard input) cannot be mixed with other paths".to_owned());
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(512 * 1024 * 1024)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "standard input is not UTF-8 (first invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    let disc = vfs::discover_stdin(&cwd, a.config.as_deref());
    let config = match &disc.config {
        Some(p) => {
            apimlint_core::load_config(&DiskFs, p, &relative(p, &cwd)).map_err(|e| e.to_string())?
        }
        None => Config::default(),
    };
    let stdin = apimlint_core::Stdin {
        text,
        region: a.region.clone(),
        namespace: a.namespace.clone(),
    };
    Ok((
        apimlint_core::load_lean_with(&DiskFs, &disc, config, Some(&stdin)),
        cwd,
    ))
}

fn check(a: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    if is_stdin(&a.paths) {
        return check_one(a, None, out, err);
    }
    let (mut units, _) = plan(&a.paths, a.config.as_deref(), &a.exclude)?;
    if units.len() > 1 {
        return check_each(a, units, out, err);
    }
    check_one(a, units.pop(), out, err)
}

/// Several deployments: lint each on its own, one section each. SARIF
/// gets one run per deployment; JSON one document listing the deployments
/// (`{"version": 1, "deployments": [...], "summary": ...}`, each entry the
/// document of one deployment); `--write-baseline` (one file) refuses.
fn check_each(
    a: CheckArgs,
    units: Vec<Unit>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    if a.fixes.write_baseline.is_some() {
        return Err(format!(
            "the paths hold {} deployments (each with its own `apimlint.toml`); `--write-baseline` records one: run apimlint once per deployment",
            units.len(),
        ));
    }
    let mut code = EXIT_OK;
    let mut runs = Vec::new();
    for unit in units {
        if matches!(a.format, Format::Sarif | Format::Json) {
            let mut buf = Vec::new();
            code = code.max(check_one(a.clone(), Some(unit), &mut buf, err)?);
            let mut log: serde_json::Value =
                serde_json::from_slice(&buf).map_err(|e| e.to_string())?;
            match log.get_mut("runs").map(serde_json::Value::take) {
                Some(serde_json::Value::Array(r)) => runs.extend(r),
                _ => runs.push(log),
            }
        } else {
            code = code.max(check_one(a.clone(), Some(unit), out, err)?);
        }
    }
    let io = match a.format {
        Format::Sarif => render::sarif::write_runs(runs, out),
        Format::Json => render::json::write_several(runs, out),
        _ => Ok(()),
    };
    io.map_err(|e| format!("cannot write the report: {e}"))?;
    Ok(code)
}

fn check_one(
    a: CheckArgs,
    unit: Option<Unit>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let fa = &a.fixes;
    if fa.unsafe_fixes && !fa.fix && !fa.diff {
        return Err("`--unsafe-fixes` applies with `--fix` or `--diff`".to_owned());
    }
    let opts = apimlint_core::suppress::Options {
        require_reason: fa.require_reason,
    };
    // read the baseline first: a bad one fails the run before any file is written
    let baseline = fa.baseline.as_deref().map(baseline::read).transpose()?;
    let mut failed = false;
    let only = unit.as_ref().and_then(|u| u.only.clone());
    let (dep, mut diags, cwd) = if is_stdin(&a.paths) {
        if fa.fix || fa.diff {
            return Err(
                "standard input cannot be fixed: fix the chart's values or template".to_owned(),
            );
        }
        let (lean, cwd) = load_stdin(&a)?;
        let diags = lean.check_with(&opts);
        (lean.dep, diags, cwd)
    } else if fa.fix || fa.diff {
        let unit = unit.ok_or("no deployment to fix")?;
        match fix::run(&unit, fa, &opts, out, err)? {
            (fix::Fixed::Diff(code), _) => return Ok(code),
            (
                fix::Fixed::Report {
                    dep,
                    diags,
                    failed: f,
                },
                cwd,
            ) => {
                failed = f;
                (*dep, diags, cwd)
            }
        }
    } else {
        let unit = unit.ok_or("no deployment to check")?;
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let lean = apimlint_core::load_lean(&DiskFs, &unit.discovery, unit.config);
        let diags = lean.check_with(&opts);
        (lean.dep, diags, cwd)
    };
    // a directory inside the deployment: its nodes' findings only
    if let Some(dirs) = &only {
        diags.retain(|d| {
            dep.node_of(d.file)
                .is_some_and(|n| dirs.iter().any(|dir| n.path.starts_with(dir)))
        });
    }
    if let Some(path) = &fa.write_baseline {
        let (n, fps) = baseline::write(path, &dep, &diags)?;
        writeln!(
            err,
            "apimlint: recorded {n} finding{} ({fps} fingerprint{}) in {}",
            if n == 1 { "" } else { "s" },
            if fps == 1 { "" } else { "s" },
            relative(path, &cwd)
        )
        .map_err(|e| e.to_string())?;
        return Ok(if failed { EXIT_ERROR } else { EXIT_OK });
    }
    let (diags, absorbed) = match &baseline {
        Some(b) => b.filter(&dep, diags),
        None => (diags, 0),
    };
    let report = Report {
        dep: &dep,
        diags: &diags,
        cwd: &cwd,
        only: only.as_deref(),
    };
    let io = match a.format {
        Format::Human => render::human::render(&report, use_color(a.color), out),
        Format::Json => render::json::render(&report, out),
        Format::Compact => render::compact::render(&report, out),
        Format::Sarif => render::sarif::render(&report, out),
        Format::Github => render::github::render(&report, out),
    };
    io.map_err(|e| format!("cannot write the report: {e}"))?;
    if let Some(path) = &fa.baseline {
        writeln!(
            err,
            "apimlint: {absorbed} finding{} absorbed by the baseline {}",
            if absorbed == 1 { "" } else { "s" },
            relative(path, &cwd)
        )
        .map_err(|e| format!("cannot write the report: {e}"))?;
    }
    if failed {
        return Ok(EXIT_ERROR);
    }
    let floor = match a.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let code = if diags.iter().any(|d| d.severity >= floor) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    // the process ends now: freeing every node one by one would cost ~5% of the run
    std::mem::forget(dep);
    std::mem::forget(diags);
    Ok(code)
}

fn use_color(c: Color) -> bool {
    use std::io::IsTerminal;
    match c {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn explain(id: &str, out: &mut dyn Write) -> Result<u8, String> {
    let Some(rule) = rules::by_id(id) else {
        let ids = rules::ids();
        let hint = apimlint_core::text::did_you_mean(id, ids.iter().copied(), 3).map_or_else(
            || "`apimlint rules` lists them".to_owned(),
            |s| format!("did you mean `{s}`?"),
        );
        return Err(format!("unknown rule `{id}` ({hint})"));
    };
    writeln!(out, "{}", rule.docs.trim_end()).map_err(|e| e.to_string())?;
    writeln!(
        out,
        "\nDefault severity: {}. Group: {}.",
        rule.severity,
        rule.group().name()
    )
    .map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}

fn graph(a: GraphArgs, out: &mut dyn Write) -> Result<u8, String> {
    let (mut units, _) = plan(&a.paths, a.config.as_deref(), &[])?;
    if units.len() > 1 {
        return Err(format!(
            "the paths hold {} deployments (each with its own `apimlint.toml`); a graph draws one",
            units.len()
        ));
    }
    let unit = units.pop().ok_or("no deployment found")?;
    let lean = apimlint_core::load_lean(&DiskFs, &unit.discovery, unit.config);
    let diags = lean.check();
    let dep = lean.dep;
    let io = match a.format {
        GraphFormat::Dot => render::graph::dot(&dep, &diags, out),
        GraphFormat::Mermaid => render::graph::mermaid(&dep, &diags, out),
        GraphFormat::Json => render::graph::json(&dep, &diags, out),
    };
    io.map_err(|e| e.to_string())?;
    Ok(EXIT_OK)
}
