//! The commands: `check`, `rules`, `explain`, `graph`, `schema`, `lsp`.

use std::io::Write;
use std::path::Path;

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

/// Discover the files and read the project file.
pub(crate) fn load_parts(
    paths: &[std::path::PathBuf],
    config: Option<&Path>,
) -> Result<(vfs::Discovery, Config, std::path::PathBuf), String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let disc = vfs::discover(&cwd, paths, config).map_err(|e| e.to_string())?;
    let config = match &disc.config {
        Some(p) => {
            apimlint_core::load_config(&DiskFs, p, &relative(p, &cwd)).map_err(|e| e.to_string())?
        }
        None => Config::default(),
    };
    Ok((disc, config, cwd))
}

/// Discover, read the project file and load the deployment.
pub(crate) fn load(
    paths: &[std::path::PathBuf],
    config: Option<&Path>,
) -> Result<(apimlint_core::Lean, std::path::PathBuf), String> {
    let (disc, config, cwd) = load_parts(paths, config)?;
    Ok((apimlint_core::load_lean(&DiskFs, &disc, config), cwd))
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
    // capped like a file: a larger stream is refused, not held in memory
    let cap = vfs::MAX_FILE_SIZE;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!(
            "standard input is over the {} MiB limit of a manifest stream: apimlint reads at most {cap} bytes (split the stream, or write it to files and check those)",
            cap / (1024 * 1024)
        ));
    }
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

fn check(mut a: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    if is_stdin(&a.paths) {
        return check_one(a, out, err);
    }
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let mut groups = apimlint_core::analysis::project::split_paths(
        &apimlint_core::DiskFs,
        &cwd,
        &a.paths,
        a.config.as_deref(),
    );
    if groups.len() > 1 {
        return check_each(a, groups, out, err);
    }
    a.paths = groups.pop().unwrap_or_default();
    check_one(a, out, err)
}

/// Paths of several deployments: lint each on its own. SARIF gets one run
/// per deployment; JSON (one root per document) and `--write-baseline` (one
/// file) refuse.
fn check_each(
    a: CheckArgs,
    groups: Vec<Vec<std::path::PathBuf>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    if a.format == Format::Json || a.fixes.write_baseline.is_some() {
        return Err(format!(
            "the paths belong to {} deployments (each with its own `apimlint.toml`); `{}` describes one: run apimlint once per deployment",
            groups.len(),
            if a.format == Format::Json {
                "--format json"
            } else {
                "--write-baseline"
            }
        ));
    }
    let mut code = EXIT_OK;
    let mut runs = Vec::new();
    for paths in groups {
        let b = CheckArgs { paths, ..a.clone() };
        if a.format == Format::Sarif {
            let mut buf = Vec::new();
            code = code.max(check_one(b, &mut buf, err)?);
            let mut log: serde_json::Value =
                serde_json::from_slice(&buf).map_err(|e| e.to_string())?;
            if let Some(serde_json::Value::Array(r)) =
                log.get_mut("runs").map(serde_json::Value::take)
            {
                runs.extend(r);
            }
        } else {
            code = code.max(check_one(b, out, err)?);
        }
    }
    if a.format == Format::Sarif {
        render::sarif::write_runs(runs, out)
            .map_err(|e| format!("cannot write the report: {e}"))?;
    }
    Ok(code)
}

fn check_one(a: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
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
    let (dep, diags, cwd) = if is_stdin(&a.paths) {
        if fa.fix || fa.diff {
            return Err(
                "standard input cannot be fixed: fix the chart's values or template".to_owned(),
            );
        }
        let (lean, cwd) = load_stdin(&a)?;
        let diags = lean.check_with(&opts);
        (lean.dep, diags, cwd)
    } else if fa.fix || fa.diff {
        match fix::run(&a.paths, a.config.as_deref(), fa, &opts, out, err)? {
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
        let (lean, cwd) = load(&a.paths, a.config.as_deref())?;
        let diags = lean.check_with(&opts);
        (lean.dep, diags, cwd)
    };
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
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    let mut groups = apimlint_core::analysis::project::split_paths(
        &apimlint_core::DiskFs,
        &cwd,
        &a.paths,
        a.config.as_deref(),
    );
    if groups.len() > 1 {
        return Err(format!(
            "the paths belong to {} deployments (each with its own `apimlint.toml`); a graph draws one",
            groups.len()
        ));
    }
    let paths = groups.pop().unwrap_or_default();
    let (lean, _) = load(&paths, a.config.as_deref())?;
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
