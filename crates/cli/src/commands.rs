//! The commands: `check`, `rules`, `explain`, `graph`, `schema`, `lsp`.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use apimlint_core::analysis::host::{AnalysisHost, Mode};
use apimlint_core::analysis::project::Unit;
use apimlint_core::vfs::{self, DiskFs, relative};
use apimlint_core::{Config, Deployment, Diagnostic, Severity, rules};

use crate::args::{CheckArgs, Cli, Color, Command, FailOn, Format, GraphArgs, GraphFormat};
use crate::render::{self, Report};
use crate::settings::{plan, selects_by_id, settings};
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
        Command::Schema { apim_version } => {
            let version = apim_version
                .as_deref()
                .map(|v| {
                    apimlint_core::catalog::versions::ApimVersion::parse(v).ok_or_else(|| {
                        format!(
                            "`--apim-version {v}`: apimlint knows API-M {}",
                            apimlint_core::catalog::versions::ApimVersion::names().join(", ")
                        )
                    })
                })
                .transpose()?;
            render::schema::write(out, version)
                .map_err(|e| format!("cannot write the schema: {e}"))?;
            Ok(EXIT_OK)
        }
        Command::Upgrade(a) => crate::upgrade::run(&a, out, err),
        Command::Completions { shell } => completions(shell, out),
        Command::Man => man(out),
        // stdout belongs to the protocol from here on
        Command::Lsp { .. } => apimlint_lsp::run_stdio(),
    }
}

/// `apimlint check -`: one manifest stream from standard input.
fn is_stdin(paths: &[std::path::PathBuf]) -> bool {
    paths.iter().any(|p| p.as_os_str() == "-")
}

/// Read standard input (a manifest stream) and load it as a deployment
/// rooted at the current directory.
fn load_stdin(
    a: &CheckArgs,
    opts: apimlint_core::suppress::Options,
) -> Result<(AnalysisHost, std::path::PathBuf), String> {
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
    let mut config = config;
    settings(&a.fixes, &mut config)?;
    let stdin = apimlint_core::Stdin {
        text,
        region: a.region.clone(),
        namespace: a.namespace.clone(),
    };
    let host = AnalysisHost::with_stdin(&DiskFs, disc, config, opts, Mode::Check, Some(stdin));
    Ok((host, cwd))
}

fn check(a: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, String> {
    if is_stdin(&a.paths) {
        return check_one(a, None, out, err);
    }
    let mut a = a;
    if a.allow_no_nodes {
        a.paths.retain(|p| !unrelated_yaml(p));
        if a.paths.is_empty() {
            writeln!(
                err,
                "apimlint: no `deployment.toml` in the given files: nothing to check"
            )
            .map_err(|e| e.to_string())?;
            return Ok(EXIT_OK);
        }
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
    if a.output_file.is_some() || a.file_outputs().next().is_some() {
        return check_each_to_files(a, units, out, err);
    }
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

/// `check` of one deployment (`None`: standard input): analyse it (fix it,
/// with `--fix` or `--diff`), then record a baseline or report the findings.
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
        require_reason: fa.require_reason || selects_by_id(fa, "suppression-without-reason"),
    };
    let started = std::time::Instant::now();
    // read the baseline first: a bad one fails the run before any file is written
    let baseline = fa.baseline.as_deref().map(baseline::read).transpose()?;
    let only = unit.as_ref().and_then(|u| u.only.clone());
    let Analysed {
        dep,
        mut diags,
        cwd,
        failed,
    } = match analyse(&a, unit, opts, out, err)? {
        ControlFlow::Continue(analysed) => analysed,
        ControlFlow::Break(code) => return Ok(code),
    };
    let analysed = started.elapsed();
    // a directory inside the deployment: its nodes' findings only
    if let Some(dirs) = &only {
        diags.retain(|d| {
            dep.node_of(d.file)
                .is_some_and(|n| dirs.iter().any(|dir| n.path.starts_with(dir)))
        });
    }
    if let Some(path) = &fa.write_baseline {
        record_baseline(path, &dep, &diags, &cwd, err)?;
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
    emit(&a, &report, out)?;
    if a.verbose {
        verbose(&report, &a, analysed, started, err)?;
    }
    if let Some(path) = fa.baseline.as_ref().filter(|_| !a.quiet) {
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
    let code = exit_code(&a, &diags);
    // the process ends now: freeing every node one by one would cost ~5% of the run
    std::mem::forget(dep);
    std::mem::forget(diags);
    Ok(code)
}

/// A deployment `check` analysed: its findings, the directory paths are
/// shown relative to, and whether some fixed file could not be written.
struct Analysed {
    dep: Deployment,
    diags: Vec<Diagnostic>,
    cwd: PathBuf,
    failed: bool,
}

/// Load and analyse standard input or `unit` (fixing it first with
/// `--fix` or `--diff`); `Break` with the exit code when `--diff` printed
/// the fixes.
fn analyse(
    a: &CheckArgs,
    unit: Option<Unit>,
    opts: apimlint_core::suppress::Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ControlFlow<u8, Analysed>, String> {
    let fa = &a.fixes;
    let mut failed = false;
    let (dep, diags, cwd) = if is_stdin(&a.paths) {
        if fa.fix || fa.diff {
            return Err(
                "standard input cannot be fixed: fix the chart's values or template".to_owned(),
            );
        }
        let (host, cwd) = load_stdin(a, opts)?;
        let (dep, diags) = host.into_parts();
        (dep, diags, cwd)
    } else if fa.fix || fa.diff {
        let unit = unit.ok_or("no deployment to fix")?;
        let mut config = unit.config.clone();
        settings(fa, &mut config)?;
        match fix::run(&unit, config, fa, &opts, out, err)? {
            (fix::Fixed::Diff(code), _) => return Ok(ControlFlow::Break(code)),
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
        let mut config = unit.config;
        settings(fa, &mut config)?;
        // one host, one snapshot
        let host = AnalysisHost::new(&DiskFs, unit.discovery, config, opts, Mode::Check);
        let (dep, diags) = host.into_parts();
        (dep, diags, cwd)
    };
    Ok(ControlFlow::Continue(Analysed {
        dep,
        diags,
        cwd,
        failed,
    }))
}

/// `--write-baseline`: record the findings in `path`, and say how many.
fn record_baseline(
    path: &Path,
    dep: &Deployment,
    diags: &[Diagnostic],
    cwd: &Path,
    err: &mut dyn Write,
) -> Result<(), String> {
    let (n, fps) = baseline::write(path, dep, diags)?;
    writeln!(
        err,
        "apimlint: recorded {n} finding{} ({fps} fingerprint{}) in {}",
        if n == 1 { "" } else { "s" },
        if fps == 1 { "" } else { "s" },
        relative(path, cwd)
    )
    .map_err(|e| e.to_string())
}

/// The exit code of a run that reports `diags`: findings at `--fail-on` or
/// above fail it, unless `--exit-zero`.
fn exit_code(a: &CheckArgs, diags: &[Diagnostic]) -> u8 {
    let floor = match a.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    if !a.exit_zero && diags.iter().any(|d| d.severity >= floor) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
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

/// A YAML file named on the command line that holds no node: a regular
/// file (read bounded) whose bytes never mention `deployment.toml`. A file
/// that cannot be read is kept, so that the run reports it.
fn unrelated_yaml(p: &Path) -> bool {
    let yaml = p
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    yaml && p.is_file() && vfs::read_bytes(p).is_ok_and(|b| !vfs::mentions_node_file(&b))
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

// ---- the conventions of ruff and kube-linter: outputs, rule selection,
// statistics, verbosity, completions, the manual page ----

/// Several deployments with `--output-file` or `--format FORMAT=FILE`: one
/// pass per output over all the deployments (the findings do not change
/// between passes: fixes, baselines and messages belong to the first).
fn check_each_to_files(
    a: CheckArgs,
    units: Vec<Unit>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, String> {
    let first = CheckArgs {
        output_file: None,
        outputs: Vec::new(),
        ..a.clone()
    };
    let code = match &a.output_file {
        Some(path) => {
            let mut file = create(path)?;
            let code = check_each(first, units.clone(), &mut file, err)?;
            file.flush()
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            code
        }
        None => check_each(first, units.clone(), out, err)?,
    };
    for (format, path) in a.file_outputs() {
        let mut fixes = a.fixes.clone();
        (fixes.fix, fixes.unsafe_fixes, fixes.diff) = (false, false, false);
        fixes.write_baseline = None;
        let pass = CheckArgs {
            format,
            output_file: None,
            outputs: Vec::new(),
            statistics: false,
            verbose: false,
            fixes,
            ..a.clone()
        };
        let mut file = create(path)?;
        check_each(pass, units.clone(), &mut file, &mut std::io::sink())?;
        file.flush()
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(code)
}

/// Write the report: `--format`'s output to standard output (or
/// `--output-file`), then each `--format FORMAT=FILE`.
fn emit(a: &CheckArgs, report: &Report<'_>, out: &mut dyn Write) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write the report: {e}");
    match &a.output_file {
        Some(path) => {
            let mut file = create(path)?;
            write_format(a, a.format, report, false, &mut file).map_err(io)?;
            file.flush().map_err(io)?;
        }
        None => write_format(a, a.format, report, true, out).map_err(io)?,
    }
    for (format, path) in a.file_outputs() {
        let mut file = create(path)?;
        let plain = CheckArgs {
            statistics: false,
            ..a.clone()
        };
        write_format(&plain, format, report, false, &mut file).map_err(io)?;
        file.flush().map_err(io)?;
    }
    Ok(())
}

fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, String> {
    std::fs::File::create(path)
        .map(std::io::BufWriter::new)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One output in one format (`stdout`: it goes to standard output, where
/// colour and the terminal's width apply).
fn write_format(
    a: &CheckArgs,
    format: Format,
    report: &Report<'_>,
    stdout: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if a.statistics {
        return statistics(report, format == Format::Json, out);
    }
    let human = render::human::Options {
        color: if stdout {
            use_color(a.color)
        } else {
            a.color == Color::Always
        },
        width: terminal_width(stdout),
        quiet: a.quiet,
    };
    match format {
        Format::Human => render::human::render_with(report, &human, out),
        Format::Json => render::json::render(report, out),
        Format::Compact => render::compact::render(report, out),
        Format::Sarif => render::sarif::render(report, out),
        Format::Github => render::github::render_with(report, &human, out),
    }
}

/// Where the human report wraps: `COLUMNS`, else the terminal's width, else
/// (not a terminal) nowhere.
fn terminal_width(stdout: bool) -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    if stdout && std::io::stdout().is_terminal() {
        return terminal_size::terminal_size().map(|(w, _)| usize::from(w.0));
    }
    None
}

/// `--statistics`: per rule, how many findings and whether `--fix` fixes
/// them (`[*]` all, `[u]` all, some only with `--unsafe-fixes`, `[-]` some,
/// `[ ]` none), most frequent first; JSON with `--format json`.
fn statistics(r: &Report<'_>, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    // rule → (count, safe fixes, unsafe fixes, severity)
    let mut by_rule: std::collections::BTreeMap<&str, (usize, usize, usize, Severity)> =
        std::collections::BTreeMap::new();
    for d in r.diags {
        let e = by_rule.entry(d.rule).or_insert((0, 0, 0, d.severity));
        e.0 += 1;
        e.3 = e.3.max(d.severity);
        match d.fix.as_ref().filter(|f| !f.edits.is_empty()) {
            Some(f) if f.applicability == apimlint_core::Applicability::Safe => e.1 += 1,
            Some(_) => e.2 += 1,
            None => {}
        }
    }
    let mut rows: Vec<_> = by_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let summary = |id: &str| rules::by_id(id).map(|x| x.summary()).unwrap_or_default();
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|(id, (n, safe, unsafe_, sev))| {
                serde_json::json!({
                    "rule": id, "count": n, "severity": sev.name(),
                    "fixable": safe, "fixable_unsafe": unsafe_, "summary": summary(id),
                })
            })
            .collect();
        let text =
            serde_json::to_string_pretty(&serde_json::json!({"version": 1, "statistics": list}))
                .map_err(std::io::Error::other)?;
        return writeln!(out, "{text}");
    }
    let count_w = rows
        .iter()
        .map(|(_, v)| v.0.to_string().len())
        .max()
        .unwrap_or(1);
    let id_w = rows.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
    for (id, (n, safe, unsafe_, sev)) in &rows {
        let mark = match (*safe, *unsafe_) {
            (0, 0) => "[ ]",
            (s, 0) if s == *n => "[*]",
            (s, u) if s + u == *n => "[u]",
            _ => "[-]",
        };
        writeln!(
            out,
            "{n:>count_w$}  {id:<id_w$}  {mark}  {:<7}  {}",
            sev.name(),
            summary(id)
        )?;
    }
    Ok(())
}

/// `--verbose`: what was read and how long each step took (standard error).
fn verbose(
    r: &Report<'_>,
    a: &CheckArgs,
    analysed: std::time::Duration,
    started: std::time::Instant,
    err: &mut dyn Write,
) -> Result<(), String> {
    let total = started.elapsed();
    verbose_to(r, a.config.as_deref(), analysed, total, err)
        .map_err(|e| format!("cannot write the report: {e}"))
}

fn verbose_to(
    r: &Report<'_>,
    config: Option<&Path>,
    analysed: std::time::Duration,
    total: std::time::Duration,
    err: &mut dyn Write,
) -> std::io::Result<()> {
    let root = relative(r.dep.root(), r.cwd);
    let project = config.map(Path::to_path_buf).or_else(|| {
        let p = r.dep.root().join("apimlint.toml");
        p.is_file().then_some(p)
    });
    writeln!(
        err,
        "apimlint: deployment root {}; project file {}",
        if root.is_empty() { "." } else { &root },
        project.map_or_else(|| "none".to_owned(), |p| relative(&p, r.cwd))
    )?;
    let mut files: Vec<String> = r.dep.nodes().iter().map(|n| r.file(n.file)).collect();
    files.dedup();
    writeln!(
        err,
        "apimlint: read {} node{} from {} file{}:",
        r.dep.nodes().len(),
        if r.dep.nodes().len() == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    )?;
    for n in r.dep.nodes() {
        writeln!(
            err,
            "apimlint:   {} ({}, {}, region {})",
            r.file(n.file),
            n.id,
            n.role,
            n.region
        )?;
    }
    writeln!(
        err,
        "apimlint: read, parsed and checked in {:.1} ms; reported in {:.1} ms",
        analysed.as_secs_f64() * 1000.0,
        total.saturating_sub(analysed).as_secs_f64() * 1000.0
    )
}

/// `apimlint completions SHELL`.
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<u8, String> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "apimlint", &mut buf);
    out.write_all(&buf)
        .map_err(|e| format!("cannot write the completions: {e}"))?;
    Ok(EXIT_OK)
}

/// `apimlint man`: the manual page, roff.
fn man(out: &mut dyn Write) -> Result<u8, String> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    out.write_all(&buf)
        .map_err(|e| format!("cannot write the manual page: {e}"))?;
    Ok(EXIT_OK)
}
