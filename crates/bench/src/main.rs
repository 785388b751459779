//! apimlint's benchmark harness.
//!
//! ```text
//! cargo run --release -p apimlint_bench            # build, generate, measure, print the ratios
//! cargo run --release -p apimlint_bench -- --cold-start-only --apimlint BIN
//! cargo run --release -p apimlint_bench -- --compare OLD NEW   # two binaries, side by side
//! cargo run --release -p apimlint_bench -- gen 100 DIR   # only write a 100-region (1,000-node) tree
//! cargo run --release -p apimlint_bench -- manifests [--rounds N] [--regions N] [--apimlint BIN]
//!     # the same 1,000 nodes as plain files and as 10,000 manifest documents, interleaved
//! ```
//!
//! It generates 1,000- and 10,000-node Pattern-1 deployments under
//! `target/bench/`, then runs, interleaved round after round, the parse-only
//! floor (`parse-floor`), `apimlint check` and, when installed, `taplo check`
//! on each, and reports medians and their ratios against the targets of
//! issue 8. Peak memory comes from `wait4`'s `ru_maxrss`.
//!
//! The language server is measured twice: its `didChange` latency on the
//! 1,000-node tree (`--lsp-only`), and its cold start on the 10,000-node tree
//! (`--cold-start-only`) — from spawning `apimlint lsp` to the first
//! diagnostics of an opened gateway, and its peak RSS (`VmHWM`) by then —
//! against `apimlint check --format json` of the same tree, interleaved.
//!
//! `--apimlint BIN` measures BIN instead of this build's `apimlint`;
//! `--compare OLD NEW` measures both, interleaved, and prints them side by side.

mod generate;
mod lsp_client;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

struct Opts {
    rounds: usize,
    small: usize,
    large: usize,
    skip_build: bool,
    /// Benchmark this binary instead of `target/release/apimlint`.
    bin: Option<PathBuf>,
    /// Benchmark these two binaries (old, new) side by side.
    compare: Option<(PathBuf, PathBuf)>,
    /// Only the language server's `didChange` latency.
    lsp_only: bool,
    /// Only the language server's cold start against the CLI.
    cold_start_only: bool,
}

/// A binary under measurement.
struct Bin {
    /// `apimlint`, or `old` and `new` with `--compare`.
    label: String,
    path: PathBuf,
}

/// ` [old]` after a measurement's name when several binaries are measured.
fn tag(bins: &[Bin], b: &Bin) -> String {
    if bins.len() > 1 {
        format!(" [{}]", b.label)
    } else {
        String::new()
    }
}

fn usage() -> String {
    "usage: apimlint-bench [--rounds N] [--regions SMALL LARGE] [--no-build]\n                      [--apimlint BIN | --compare OLD NEW] [--lsp-only] [--cold-start-only]\n       apimlint-bench gen REGIONS DIR"
        .to_owned()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("gen") {
        gen_cmd(args.get(1..).unwrap_or_default())
    } else if args.first().map(String::as_str) == Some("manifests") {
        manifests_cmd(args.get(1..).unwrap_or_default())
    } else {
        parse_opts(&args).and_then(|o| bench(&o))
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("apimlint-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn gen_cmd(args: &[String]) -> Result<bool, String> {
    let [regions, dir] = args else {
        return Err(usage());
    };
    let regions: usize = regions.parse().map_err(|_| usage())?;
    let (nodes, bytes) = generate::generate(Path::new(dir), regions)?;
    println!("{nodes} nodes, {} KiB, in {dir}", bytes / 1024);
    Ok(true)
}

/// `manifests`: the same nodes as plain `deployment.toml` files and as
/// Kubernetes manifest streams (ten documents per node), `apimlint check
/// --format json` of each, interleaved round after round; the ratio of the
/// medians (target ≤ 2).
fn manifests_cmd(args: &[String]) -> Result<bool, String> {
    let o = parse_opts(args)?;
    let regions = if args.iter().any(|a| a == "--regions") {
        o.large
    } else {
        100
    };
    let target = target_dir()?;
    let bin = match &o.bin {
        Some(b) => b.clone(),
        None => {
            if !o.skip_build {
                build(true)?;
            }
            target.join("release/apimlint")
        }
    };
    let base = target.join("bench");
    let plain = base.join(format!("plain-{regions}"));
    let yaml = base.join(format!("manifests-{regions}"));
    let (nodes, _) = generate::generate(&plain, regions)?;
    let docs = generate::manifests(&plain, &yaml)?;
    println!(
        "{nodes} nodes: {} as plain files, {docs} manifest documents in {regions} streams",
        plain.display()
    );
    let cmd = |_: &Path| -> Vec<String> {
        vec![
            bin.display().to_string(),
            "check".into(),
            ".".into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let (mut tp, mut tm) = (Vec::new(), Vec::new());
    let (mut rp, mut rm) = (Vec::new(), Vec::new());
    for round in 0..=o.rounds {
        let p = run_once(&cmd(&plain), &plain)?;
        let m = run_once(&cmd(&yaml), &yaml)?;
        if p.code != m.code {
            return Err(format!(
                "exit codes differ: plain {}, manifests {}",
                p.code, m.code
            ));
        }
        // the first round warms the page cache
        if round > 0 {
            tp.push(p.wall);
            tm.push(m.wall);
            rp.push(p.rss_kib);
            rm.push(m.rss_kib);
        }
    }
    // the same findings (the paths aside: the nodes are the same)
    let out = |dir: &Path| -> Result<Vec<(String, String, String)>, String> {
        let o = Command::new(&bin)
            .args(["check", ".", "--format", "json"])
            .current_dir(dir)
            .output()
            .map_err(|e| e.to_string())?;
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).map_err(|e| e.to_string())?;
        let mut f: Vec<(String, String, String)> = v
            .get("diagnostics")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|d| {
                        let f = |k: &str| {
                            d.get(k)
                                .and_then(serde_json::Value::as_str)
                                .unwrap_or("")
                                .to_owned()
                        };
                        (f("rule"), f("node"), f("message"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        f.sort();
        Ok(f)
    };
    let same = out(&plain)? == out(&yaml)?;
    let (p, m) = (median(&tp), median(&tm));
    let ratio = m.as_secs_f64() / p.as_secs_f64().max(1e-9);
    println!(
        "  plain files      {:>8.1} ms  {:>7.1} MiB\n  manifest streams {:>8.1} ms  {:>7.1} MiB\n  ratio            {ratio:>8.2}     target ≤ 2  {}\n  same findings    {same}",
        ms(p),
        mib(median(&rp)),
        ms(m),
        mib(median(&rm)),
        if ratio <= 2.0 { "met" } else { "MISSED" }
    );
    Ok(ratio <= 2.0 && same)
}

/// A binary given on the command line: a path is made absolute (the
/// commands run in the generated trees), a bare name is left to `PATH`.
fn resolve(p: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(p);
    if p.contains(std::path::MAIN_SEPARATOR) {
        std::fs::canonicalize(&path).map_err(|e| format!("{p}: {e}"))
    } else {
        Ok(path)
    }
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        rounds: 7,
        small: 100,
        large: 1000,
        skip_build: false,
        bin: None,
        compare: None,
        lsp_only: false,
        cold_start_only: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        fn num(it: &mut std::slice::Iter<'_, String>) -> Result<usize, String> {
            it.next().and_then(|v| v.parse().ok()).ok_or_else(usage)
        }
        fn bin(it: &mut std::slice::Iter<'_, String>) -> Result<PathBuf, String> {
            resolve(it.next().ok_or_else(usage)?)
        }
        match a.as_str() {
            "--rounds" => o.rounds = num(&mut it)?.max(1),
            "--regions" => {
                o.small = num(&mut it)?.max(1);
                o.large = num(&mut it)?.max(1);
            }
            "--no-build" => o.skip_build = true,
            "--lsp-only" => o.lsp_only = true,
            "--cold-start-only" => o.cold_start_only = true,
            "--apimlint" => o.bin = Some(bin(&mut it)?),
            "--compare" => o.compare = Some((bin(&mut it)?, bin(&mut it)?)),
            _ => return Err(usage()),
        }
    }
    if o.bin.is_some() && o.compare.is_some() {
        return Err("--apimlint and --compare exclude each other".into());
    }
    Ok(o)
}

/// `target/` of this build (the directory holding `release/`).
fn target_dir() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .ok_or_else(|| "cannot find the target directory".to_owned())
}

/// Build the parse-only floor and, unless binaries were given, `apimlint`.
fn build(apimlint_too: bool) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = vec!["build", "--release", "-q"];
    if apimlint_too {
        args.extend(["-p", "apimlint"]);
    }
    args.extend(["-p", "apimlint_bench", "--bins"]);
    let status = Command::new(cargo)
        .current_dir(root)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo build --release failed".into())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Floor,
    /// `apimlint check` of the binary at this index.
    Check(usize),
    /// `apimlint check --fix` with one fix, of the binary at this index.
    Fix(usize),
    Taplo,
}

impl Kind {
    /// The same kind for the binary at index `i`.
    fn at(self, i: usize) -> Kind {
        match self {
            Kind::Check(_) => Kind::Check(i),
            Kind::Fix(_) => Kind::Fix(i),
            k => k,
        }
    }
}

/// One command to time.
struct Bench {
    kind: Kind,
    nodes: usize,
    name: String,
    cmd: Vec<String>,
    cwd: PathBuf,
    times: Vec<Duration>,
    cpu: Vec<Duration>,
}

/// One run: wall time, exit code, peak RSS (KiB) and CPU time (user + system).
struct Run {
    wall: Duration,
    code: i32,
    rss_kib: u64,
    cpu: Duration,
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
}

/// Run `cmd` once in `cwd`, stdout and stderr discarded.
fn run_once(cmd: &[String], cwd: &Path) -> Result<Run, String> {
    let (prog, args) = cmd.split_first().ok_or("empty command")?;
    let start = Instant::now();
    let child = Command::new(prog)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{prog}: {e}"))?;
    let pid = libc::pid_t::try_from(child.id()).map_err(|e| e.to_string())?;
    let mut status: libc::c_int = 0;
    // SAFETY: plain FFI on a pid we own; `rusage` is plain old data, zeroed.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pointers to live locals; the child is ours and not yet reaped.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    if r != pid {
        return Err(format!("wait4 failed for {prog}"));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok(Run {
        wall: elapsed,
        code,
        rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
    })
}

fn has_lsp(bin: &Path) -> bool {
    Command::new(bin)
        .args(["lsp", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The `didChange` latency line: one session per binary, or, with two,
/// two half sessions each in the order A B B A.
fn lsp_line(v: &mut Verdict, bins: &[Bin], dir: &Path, nodes: usize, n: usize) {
    let mut results: Vec<Result<Option<Vec<Duration>>, String>> =
        bins.iter().map(|_| Ok(Some(Vec::new()))).collect();
    let order: Vec<usize> = if bins.len() > 1 {
        (0..bins.len()).chain((0..bins.len()).rev()).collect()
    } else {
        vec![0]
    };
    let per_session = if bins.len() > 1 { n.div_ceil(2) } else { n };
    for i in order {
        let (Some(b), Some(slot)) = (bins.get(i), results.get_mut(i)) else {
            continue;
        };
        let Ok(Some(acc)) = slot else { continue };
        match lsp_latency(&b.path, dir, per_session) {
            Ok(Some(t)) => acc.extend(t),
            other => *slot = other,
        }
    }
    let mut values = Vec::new();
    let mut count = 0;
    for (b, r) in bins.iter().zip(results) {
        let who = if bins.len() > 1 {
            format!(" ({})", b.label)
        } else {
            String::new()
        };
        match r {
            Ok(Some(times)) => {
                count = times.len();
                values.push(Some(ms(median(&times))));
            }
            Ok(None) => {
                println!("  language server{who}: `apimlint lsp` is not in this build");
                values.push(None);
            }
            Err(e) => {
                println!("  language server{who}: {e}");
                v.all_met = false;
                values.push(None);
            }
        }
    }
    if values.iter().any(Option::is_some) {
        v.line(
            &format!("lsp didChange → diagnostics, {nodes} nodes (median of {count})"),
            &values,
            "ms",
            50.0,
        );
    }
}

/// Open a gateway and a traffic manager of `dir`'s region-1, then toggle
/// the traffic manager's `[server] offset` (which breaks, then mends, the
/// gateway's throttling URLs) and time each `didChange` until the gateway's
/// diagnostics are published again, reflecting the change.
fn lsp_latency(bin: &Path, dir: &Path, n: usize) -> Result<Option<Vec<Duration>>, String> {
    if !has_lsp(bin) {
        return Ok(None);
    }
    let node = |id: &str| dir.join(id).join("repository/conf/deployment.toml");
    let (gw, tm) = (node("region-1/gw-1"), node("region-1/tm-1"));
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let (gw_text, tm_text) = (read(&gw)?, read(&tm)?);
    let broken = tm_text.replacen("[server]\n", "[server]\noffset = 1\n", 1);
    if broken == tm_text {
        return Err("the traffic manager has no `[server]` line".into());
    }
    let mut lsp = lsp_client::Lsp::start(bin, dir)?;
    lsp.initialize(dir)?;
    let gw_uri = lsp_client::uri(&gw);
    lsp.open(&gw, &gw_text, 1)?;
    lsp.open(&tm, &tm_text, 1)?;
    let long = Duration::from_secs(120);
    let count = |p: &serde_json::Value| {
        p.get("diagnostics")
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len)
    };
    lsp.diagnostics_where(&gw_uri, long, |p| count(p) == 0)
        .map_err(|e| format!("no first diagnostics for the gateway: {e}"))?;
    let mut times = Vec::new();
    for i in 0..n {
        let breaking = i % 2 == 0;
        let text = if breaking { &broken } else { &tm_text };
        let start = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            serde_json::json!({
                "textDocument": {"uri": lsp_client::uri(&tm), "version": i + 2},
                "contentChanges": [{"text": text}],
            }),
        )?;
        lsp.diagnostics_where(&gw_uri, long, |p| (count(p) > 0) == breaking)
            .map_err(|e| format!("change {i}: {e}"))?;
        times.push(start.elapsed());
    }
    let status = lsp.stop()?;
    if !status.success() {
        return Err(format!("the server exited with {status}"));
    }
    Ok(Some(times))
}

/// One cold start of the language server.
struct ColdRun {
    /// From spawning the server to the first diagnostics of the open file.
    wall: Duration,
    /// From spawning the server to the answer to `initialize`.
    init: Duration,
    /// `VmHWM` right after the first diagnostics.
    rss_kib: u64,
    /// `VmRSS` then: what the server keeps of its peak.
    kept_kib: u64,
    /// The server's CPU time (user + system, all threads) by then.
    cpu: Duration,
}

/// A field (`VmHWM`, …) of `/proc/<pid>/status`, in KiB.
fn proc_status_kib(pid: u32, field: &str) -> Result<u64, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no {field} in {path}"))
}

/// User + system CPU time of a live process (all its threads).
fn proc_cpu(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // fields after `(comm)`: state is the 3rd field, utime the 14th, stime the 15th
    let (_, rest) = stat.rsplit_once(')')?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) })
        .ok()
        .filter(|h| *h > 0)?;
    Some(Duration::from_nanos(ticks * 1_000_000_000 / hz))
}

/// Start `bin lsp` in `dir`, `initialize` it with `dir` as the workspace,
/// open `file` with `text` and wait for the file's first diagnostics; then
/// read the server's peak RSS and shut it down.
fn lsp_cold_start(bin: &Path, dir: &Path, file: &Path, text: &str) -> Result<ColdRun, String> {
    let start = Instant::now();
    let mut lsp = lsp_client::Lsp::start(bin, dir)?;
    lsp.initialize(dir)?;
    let init = start.elapsed();
    lsp.open(file, text, 1)?;
    lsp.diagnostics_where(&lsp_client::uri(file), Duration::from_secs(600), |_| true)
        .map_err(|e| format!("no first diagnostics for {}: {e}", file.display()))?;
    let wall = start.elapsed();
    let pid = lsp.pid();
    let rss_kib = proc_status_kib(pid, "VmHWM")?;
    let kept_kib = proc_status_kib(pid, "VmRSS")?;
    let cpu = proc_cpu(pid).unwrap_or_default();
    let status = lsp.stop()?;
    if !status.success() {
        return Err(format!("the server exited with {status}"));
    }
    Ok(ColdRun {
        wall,
        init,
        rss_kib,
        kept_kib,
        cpu,
    })
}

/// The cold-start section: per round, for each binary, `apimlint check
/// --format json` of the tree and a cold start of `apimlint lsp` on it (the
/// order rotating from round to round), after one warm-up round.
fn cold_start(
    v: &mut Verdict,
    bins: &[Bin],
    dir: &Path,
    nodes: usize,
    rounds: usize,
) -> Result<(), String> {
    let file = dir.join("region-1/gw-1/repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let jobs = cold_jobs(bins);
    let started = Instant::now();
    let ColdRuns { cli, lsp } = cold_rounds(bins, &jobs, dir, &file, &text, rounds)?;
    println!(
        "\nlanguage server cold start, {nodes} nodes: median of {rounds} interleaved rounds ({:.1} s, load average now {}):",
        started.elapsed().as_secs_f64(),
        loadavg()
    );
    let mut time_ratios = Vec::new();
    let mut rss_ratios = Vec::new();
    for (i, b) in bins.iter().enumerate() {
        let t = tag(bins, b);
        let runs = cli.get(i).map(Vec::as_slice).unwrap_or_default();
        let (c_wall, c_rss) = print_check_row(&t, runs);
        let runs = lsp.get(i).map(Vec::as_slice).unwrap_or_default();
        if runs.is_empty() {
            println!("  apimlint lsp{t}: not in this build");
            time_ratios.push(None);
            rss_ratios.push(None);
            continue;
        }
        let (l_wall, l_rss) = print_lsp_row(&t, runs);
        time_ratios.push(Some(ms(l_wall) / ms(c_wall).max(f64::MIN_POSITIVE)));
        rss_ratios.push(Some(l_rss as f64 / c_rss.max(1) as f64));
    }
    if time_ratios.iter().any(Option::is_some) {
        v.header();
        v.line(
            &format!("lsp cold start / check, {nodes} nodes: time"),
            &time_ratios,
            "×",
            1.5,
        );
        v.line(
            &format!("lsp cold start / check, {nodes} nodes: memory"),
            &rss_ratios,
            "×",
            2.0,
        );
    }
    Ok(())
}

/// The jobs of a cold-start round: (binary, is the language server), each
/// binary's `check` then, where it has one, its language server.
fn cold_jobs(bins: &[Bin]) -> Vec<(usize, bool)> {
    let lsp_in: Vec<bool> = bins.iter().map(|b| has_lsp(&b.path)).collect();
    // (binary, is the language server)
    let mut jobs: Vec<(usize, bool)> = Vec::new();
    for (i, has) in lsp_in.iter().enumerate() {
        jobs.push((i, false));
        if *has {
            jobs.push((i, true));
        }
    }
    jobs
}

/// The measured runs of the cold-start rounds, per binary.
struct ColdRuns {
    /// `apimlint check --format json`.
    cli: Vec<Vec<Run>>,
    /// `apimlint lsp` cold starts (none for a binary without it).
    lsp: Vec<Vec<ColdRun>>,
}

/// Run `jobs` for one warm-up round and `rounds` measured ones (the order
/// rotating by one job per round): per binary, the measured `check` runs
/// and language server cold starts (opening `file`, holding `text`).
fn cold_rounds(
    bins: &[Bin],
    jobs: &[(usize, bool)],
    dir: &Path,
    file: &Path,
    text: &str,
    rounds: usize,
) -> Result<ColdRuns, String> {
    let mut cli: Vec<Vec<Run>> = bins.iter().map(|_| Vec::new()).collect();
    let mut lsp: Vec<Vec<ColdRun>> = bins.iter().map(|_| Vec::new()).collect();
    for round in 0..=rounds {
        let n = jobs.len().max(1);
        for &(i, is_lsp) in jobs.iter().cycle().skip(round % n).take(jobs.len()) {
            let Some(b) = bins.get(i) else { continue };
            if is_lsp {
                let r = lsp_cold_start(&b.path, dir, file, text)
                    .map_err(|e| format!("lsp cold start{}: {e}", tag(bins, b)))?;
                if let Some(l) = lsp.get_mut(i).filter(|_| round > 0) {
                    l.push(r);
                }
            } else {
                let r = check_json(bins, b, dir)?;
                if let Some(c) = cli.get_mut(i).filter(|_| round > 0) {
                    c.push(r);
                }
            }
        }
    }
    Ok(ColdRuns { cli, lsp })
}

/// One `apimlint check --format json .` of binary `b` in `dir`, which must
/// exit 0.
fn check_json(bins: &[Bin], b: &Bin, dir: &Path) -> Result<Run, String> {
    let cmd = [
        b.path.to_string_lossy().into_owned(),
        "check".into(),
        "--format".into(),
        "json".into(),
        ".".into(),
    ];
    let r = run_once(&cmd, dir)?;
    if r.code != 0 {
        return Err(format!(
            "apimlint check --format json{} exited {}",
            tag(bins, b),
            r.code
        ));
    }
    Ok(r)
}

/// Print the medians of a binary's `check` runs (`t`: its tag); returns the
/// median wall time and peak RSS.
fn print_check_row(t: &str, runs: &[Run]) -> (Duration, u64) {
    let walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    let cpus: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
    let rss: Vec<u64> = runs.iter().map(|r| r.rss_kib).collect();
    let (c_wall, c_rss) = (median(&walls), median(&rss));
    println!(
        "  {:<40} {:>8.1} ms   (min {:.1}; CPU {:.1} ms)  peak RSS {:>6.1} MiB",
        format!("apimlint check --format json{t}"),
        ms(c_wall),
        ms(walls.iter().min().copied().unwrap_or_default()),
        ms(median(&cpus)),
        mib(c_rss),
    );
    (c_wall, c_rss)
}

/// Print the medians of a binary's language server cold starts (`t`: its
/// tag); returns the median wall time to the first diagnostics and peak RSS.
fn print_lsp_row(t: &str, runs: &[ColdRun]) -> (Duration, u64) {
    let walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    let inits: Vec<Duration> = runs.iter().map(|r| r.init).collect();
    let cpus: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
    let rss: Vec<u64> = runs.iter().map(|r| r.rss_kib).collect();
    let kept: Vec<u64> = runs.iter().map(|r| r.kept_kib).collect();
    let (l_wall, l_rss) = (median(&walls), median(&rss));
    println!(
        "  {:<40} {:>8.1} ms   (min {:.1}; CPU {:.1} ms)  peak RSS {:>6.1} MiB (VmHWM; VmRSS then {:.1} MiB; initialize answered at {:.1} ms)",
        format!("apimlint lsp → first diagnostics{t}"),
        ms(l_wall),
        ms(walls.iter().min().copied().unwrap_or_default()),
        ms(median(&cpus)),
        mib(l_rss),
        mib(median(&kept)),
        ms(median(&inits)),
    );
    (l_wall, l_rss)
}

fn median<T: Ord + Copy + Default>(v: &[T]) -> T {
    let mut s = v.to_vec();
    s.sort();
    s.get(s.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or_else(|| "?".into(), |k| format!("{} GiB", k / 1024 / 1024));
    format!("{cpu}, {cores} cores, {mem} RAM")
}

fn taplo() -> Option<String> {
    let ok = Command::new("taplo")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| "taplo".to_owned())
}

/// `BIN --version`, when it answers.
fn version(bin: &Path) -> String {
    Command::new(bin)
        .arg("--version")
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "no --version".into())
}

/// Node files of a generated tree, relative to it.
fn node_files(dir: &Path, regions: usize) -> Vec<String> {
    let mut out = Vec::new();
    for r in 1..=regions {
        let rd = dir.join(format!("region-{r}"));
        let Ok(entries) = std::fs::read_dir(&rd) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        out.extend(
            names
                .into_iter()
                .map(|n| format!("region-{r}/{n}/repository/conf/deployment.toml")),
        );
    }
    out
}

struct Verdict {
    all_met: bool,
    /// The binaries' labels, one column each when there are several.
    labels: Vec<String>,
}

impl Verdict {
    /// The columns' labels, when there are several.
    fn header(&self) {
        if self.labels.len() > 1 {
            let mut cells = String::new();
            for l in &self.labels {
                let _ = write!(cells, " {l:>8}    ");
            }
            println!("  {:<44}{cells}", "");
        }
    }

    /// One target: a value per binary (`None`: not measured).
    fn line(&mut self, what: &str, values: &[Option<f64>], unit: &str, target: f64) {
        if let [Some(value)] = values {
            let met = *value <= target;
            self.all_met &= met;
            println!(
                "  {what:<44} {value:>8.2}{unit:<4} target ≤ {target}{unit}  {}",
                if met { "met" } else { "MISSED" }
            );
            return;
        }
        let (mut cells, mut marks) = (String::new(), Vec::new());
        for v in values {
            match v {
                Some(x) => {
                    let met = *x <= target;
                    self.all_met &= met;
                    let _ = write!(cells, " {x:>8.2}{unit:<4}");
                    marks.push(if met { "met" } else { "MISSED" });
                }
                None => {
                    let _ = write!(cells, " {:>8}{:<4}", "—", "");
                    marks.push("—");
                }
            }
        }
        println!(
            "  {what:<44}{cells} target ≤ {target}{unit}  {}",
            marks.join(" / ")
        );
    }
}

fn bench(o: &Opts) -> Result<bool, String> {
    let given = o.bin.is_some() || o.compare.is_some();
    if !o.skip_build {
        build(!given)?;
    }
    let target = target_dir()?;
    let release = target.join("release");
    let bins = bins_of(o, &release);
    let floor = release.join("parse-floor").to_string_lossy().into_owned();
    // the full run, or only the selected language-server measurements
    let full = !o.lsp_only && !o.cold_start_only;
    let trees = Trees::generate(o, &target.join("bench"), full)?;
    let taplo = taplo();
    println!("machine: {}", machine());
    for b in &bins {
        println!("{}: {} ({})", b.label, b.path.display(), version(&b.path));
    }
    println!("load average before: {}", loadavg());
    // the generated trees must be clean (the benchmark measures the normal path)
    for b in &bins {
        for (dir, _, _) in &trees.all {
            clean(b, dir)?;
        }
    }
    let mut v = Verdict {
        all_met: true,
        labels: bins.iter().map(|b| b.label.clone()).collect(),
    };
    if !full {
        lsp_lines(&mut v, &bins, &trees, o);
        println!("load average after:  {}", loadavg());
        return Ok(v.all_met);
    }
    let mut benches = benches_of(&trees, &bins, &floor, taplo.as_deref());
    if let Some((dir, regions, nodes)) = &trees.small {
        let fix = dir.with_file_name(format!("{regions}-regions-fix"));
        benches.extend(fix_benches(&bins, &fix, *regions, *nodes)?);
    }
    measure(&mut benches, o.rounds)?;
    let mut peak: Vec<u64> = vec![0; bins.len()];
    if let Some((dir, _, _)) = &trees.small {
        for _ in 0..3 {
            for (b, p) in bins.iter().zip(&mut peak) {
                let cmd = [
                    b.path.to_string_lossy().into_owned(),
                    "check".into(),
                    ".".into(),
                ];
                *p = (*p).max(run_once(&cmd, dir)?.rss_kib);
            }
        }
    }
    println!("load average after:  {}", loadavg());
    report(&mut v, &benches, &bins, &trees, &peak, taplo.is_some());
    lsp_lines(&mut v, &bins, &trees, o);
    Ok(v.all_met)
}

/// The binaries to measure: the one built, the one given, or two to compare.
fn bins_of(o: &Opts, release: &Path) -> Vec<Bin> {
    match (&o.compare, &o.bin) {
        (Some((old, new)), _) => vec![
            Bin {
                label: "old".into(),
                path: old.clone(),
            },
            Bin {
                label: "new".into(),
                path: new.clone(),
            },
        ],
        (None, bin) => vec![Bin {
            label: "apimlint".into(),
            path: bin.clone().unwrap_or_else(|| release.join("apimlint")),
        }],
    }
}

/// The generated trees: (directory, regions, nodes).
struct Trees {
    all: Vec<(PathBuf, usize, usize)>,
    small: Option<(PathBuf, usize, usize)>,
    large: Option<(PathBuf, usize, usize)>,
}

impl Trees {
    /// Generate the trees the run measures (for a language-server-only run,
    /// only the one each measurement uses).
    fn generate(o: &Opts, base: &Path, full: bool) -> Result<Trees, String> {
        let sizes = [
            ("small", o.small, full || o.lsp_only),
            ("large", o.large, full || o.cold_start_only),
        ];
        let mut t = Trees {
            all: Vec::new(),
            small: None,
            large: None,
        };
        for (label, regions, wanted) in sizes {
            if !wanted {
                continue;
            }
            let dir = base.join(format!("{}-regions", regions));
            let (nodes, bytes) = generate::generate(&dir, regions)?;
            println!(
                "generated {label}: {regions} regions × {} = {nodes} nodes, {:.1} MiB in {}",
                generate::NODES_PER_REGION,
                bytes as f64 / 1048576.0,
                dir.display()
            );
            let tree = (dir, regions, nodes);
            if label == "small" {
                t.small = Some(tree.clone());
            } else {
                t.large = Some(tree.clone());
            }
            t.all.push(tree);
        }
        Ok(t)
    }

    fn nodes(&self) -> (usize, usize) {
        (
            self.small.as_ref().map_or(0, |t| t.2),
            self.large.as_ref().map_or(0, |t| t.2),
        )
    }
}

/// `check` is clean (exit 0) on the tree.
fn clean(b: &Bin, dir: &Path) -> Result<(), String> {
    let cmd = [
        b.path.to_string_lossy().into_owned(),
        "check".into(),
        ".".into(),
    ];
    let code = run_once(&cmd, dir)?.code;
    if code != 0 {
        return Err(format!(
            "`{} check` is not clean on {} (exit {code}); run it there to see why",
            b.path.display(),
            dir.display()
        ));
    }
    Ok(())
}

/// The language server's lines: latency on the small tree, cold start on
/// the large one.
fn lsp_lines(v: &mut Verdict, bins: &[Bin], trees: &Trees, o: &Opts) {
    if let Some((dir, _, nodes)) = &trees.small {
        println!("\nlanguage server:");
        v.header();
        lsp_line(v, bins, dir, *nodes, 5 * o.rounds.max(4));
    }
    if let Some((dir, _, nodes)) = &trees.large
        && let Err(e) = cold_start(v, bins, dir, *nodes, o.rounds)
    {
        println!("  language server cold start: {e}");
        v.all_met = false;
    }
}

/// The floor, each binary's check and taplo over every tree.
fn benches_of(trees: &Trees, bins: &[Bin], floor: &str, taplo: Option<&str>) -> Vec<Bench> {
    let mut benches: Vec<Bench> = Vec::new();
    for (dir, regions, nodes) in &trees.all {
        let nodes = *nodes;
        let mut add = |kind: Kind, name: String, cmd: Vec<String>| {
            benches.push(Bench {
                kind,
                nodes,
                name,
                cmd,
                cwd: dir.clone(),
                times: Vec::new(),
                cpu: Vec::new(),
            });
        };
        add(
            Kind::Floor,
            format!("parse-floor    {nodes} nodes"),
            vec![floor.to_owned(), ".".into()],
        );
        for (i, b) in bins.iter().enumerate() {
            add(
                Kind::Check(i),
                format!("apimlint check {nodes} nodes{}", tag(bins, b)),
                vec![
                    b.path.to_string_lossy().into_owned(),
                    "check".into(),
                    ".".into(),
                ],
            );
        }
        if let Some(t) = taplo {
            let mut cmd = vec![t.to_owned(), "check".into(), "--no-auto-config".into()];
            cmd.extend(node_files(dir, *regions));
            add(Kind::Taplo, format!("taplo check    {nodes} nodes"), cmd);
        }
    }
    benches
}

/// `check --fix` with one fix: a copy of the tree whose first gateway's
/// first label is misspelt; each run puts the misspelt file back (a `cp`,
/// counted against the fix) and fixes it.
fn fix_benches(
    bins: &[Bin],
    dir: &Path,
    regions: usize,
    nodes: usize,
) -> Result<Vec<Bench>, String> {
    generate::generate(dir, regions)?;
    let gw = dir.join("region-1/gw-1/repository/conf/deployment.toml");
    let text = std::fs::read_to_string(&gw).map_err(|e| format!("{}: {e}", gw.display()))?;
    let typo = text.replacen(
        r#"gateway_labels = ["Default""#,
        r#"gateway_labels = ["Defualt""#,
        1,
    );
    if typo == text {
        return Err(format!("{}: no `gateway_labels` to misspell", gw.display()));
    }
    let saved = dir.join("typo.toml");
    std::fs::write(&saved, typo).map_err(|e| format!("{}: {e}", saved.display()))?;
    Ok(bins
        .iter()
        .enumerate()
        .map(|(i, b)| Bench {
            kind: Kind::Fix(i),
            nodes,
            name: format!("apimlint check --fix (1 fix) {nodes} nodes{}", tag(bins, b)),
            cmd: vec![
                "sh".into(),
                "-c".into(),
                r#"cp "$1" "$2" && exec "$3" check --fix ."#.into(),
                "sh".into(),
                saved.to_string_lossy().into_owned(),
                gw.to_string_lossy().into_owned(),
                b.path.to_string_lossy().into_owned(),
            ],
            cwd: dir.to_path_buf(),
            times: Vec::new(),
            cpu: Vec::new(),
        })
        .collect())
}

/// One warm-up round (page cache), then the measured rounds, interleaved.
fn measure(benches: &mut [Bench], rounds: usize) -> Result<(), String> {
    for round in 0..=rounds {
        for b in benches.iter_mut() {
            let r = run_once(&b.cmd, &b.cwd)?;
            if r.code != 0 {
                return Err(format!("{} exited {}", b.name, r.code));
            }
            if round > 0 {
                b.times.push(r.wall);
                b.cpu.push(r.cpu);
            }
        }
    }
    Ok(())
}

/// The medians and every ratio with its target.
fn report(
    v: &mut Verdict,
    benches: &[Bench],
    bins: &[Bin],
    trees: &Trees,
    peak: &[u64],
    taplo: bool,
) {
    let rounds = benches.first().map_or(0, |b| b.times.len());
    println!("\nmedian wall time of {rounds} interleaved rounds:");
    let w = if bins.len() > 1 { 44 } else { 38 };
    for b in benches {
        let min = b.times.iter().min().copied().unwrap_or_default();
        println!(
            "  {:<w$} {:>9.1} ms   (min {:.1}; CPU {:.1} ms)",
            b.name,
            ms(median(&b.times)),
            ms(min),
            ms(median(&b.cpu))
        );
    }
    let med = |kind: Kind, nodes: usize| -> Option<f64> {
        benches
            .iter()
            .find(|b| b.kind == kind && b.nodes == nodes)
            .map(|b| ms(median(&b.times)))
    };
    let (small_nodes, large_nodes) = trees.nodes();
    // a ratio per binary of its `apimlint check` against `other`
    let per_bin = |nodes: usize, other: Option<f64>| -> Vec<Option<f64>> {
        (0..bins.len())
            .map(|i| Some(med(Kind::Check(i), nodes)? / other?))
            .collect()
    };
    println!("\nratios:");
    v.header();
    for n in [small_nodes, large_nodes] {
        let r = per_bin(n, med(Kind::Floor, n));
        if r.iter().any(Option::is_some) {
            let what = format!("apimlint / parse-only floor, {n} nodes");
            v.line(&what, &r, "×", 1.4);
        }
    }
    for n in [small_nodes, large_nodes] {
        let r = per_bin(n, med(Kind::Taplo, n));
        if r.iter().any(Option::is_some) {
            v.line(&format!("apimlint / taplo check, {n} nodes"), &r, "×", 0.33);
        }
    }
    if !taplo {
        println!("  apimlint / taplo check: taplo not installed (cargo install taplo-cli)");
    }
    let ratio = |a: Kind, b: Kind, na: usize, nb: usize| -> Vec<Option<f64>> {
        (0..bins.len())
            .map(|i| Some(med(a.at(i), na)? / med(b.at(i), nb)?))
            .collect()
    };
    let scale = ratio(Kind::Check(0), Kind::Check(0), large_nodes, small_nodes);
    if scale.iter().any(Option::is_some) {
        let what = format!("apimlint {large_nodes} / {small_nodes} nodes");
        let factor = large_nodes as f64 / small_nodes.max(1) as f64;
        v.line(&what, &scale, "×", 1.05 * factor);
    }
    let fix = ratio(Kind::Fix(0), Kind::Check(0), small_nodes, small_nodes);
    if fix.iter().any(Option::is_some) {
        let what = format!("check --fix (1 fix) / check, {small_nodes} nodes");
        v.line(&what, &fix, "×", 1.3);
    }
    let peaks: Vec<Option<f64>> = peak.iter().map(|p| Some(mib(*p))).collect();
    let what = format!("apimlint peak RSS, {small_nodes} nodes");
    v.line(&what, &peaks, "MiB", 100.0);
}
