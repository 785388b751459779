//! apimlint's benchmark harness.
//!
//! ```text
//! cargo run --release -p apimlint_bench            # build, generate, measure, print the ratios
//! cargo run --release -p apimlint_bench -- gen 100 DIR   # only write a 100-region (1,000-node) tree
//! ```
//!
//! It generates 1,000- and 10,000-node Pattern-1 deployments under
//! `target/bench/`, then runs, interleaved round after round, the parse-only
//! floor (`parse-floor`), `apimlint check` and, when installed, `taplo check`
//! on each, and reports medians and their ratios against the targets of
//! issue 8. Peak memory comes from `wait4`'s `ru_maxrss`.

mod generate;
mod lsp_client;

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
    /// Only the language-server measurement.
    lsp_only: bool,
}

fn usage() -> String {
    "usage: apimlint-bench [--rounds N] [--regions SMALL LARGE] [--no-build] [--apimlint BIN] [--lsp-only]\n       apimlint-bench gen REGIONS DIR"
        .to_owned()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("gen") {
        gen_cmd(args.get(1..).unwrap_or_default())
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

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        rounds: 7,
        small: 100,
        large: 1000,
        skip_build: false,
        bin: None,
        lsp_only: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        fn num(it: &mut std::slice::Iter<'_, String>) -> Result<usize, String> {
            it.next().and_then(|v| v.parse().ok()).ok_or_else(usage)
        }
        match a.as_str() {
            "--rounds" => o.rounds = num(&mut it)?.max(1),
            "--regions" => {
                o.small = num(&mut it)?.max(1);
                o.large = num(&mut it)?.max(1);
            }
            "--no-build" => o.skip_build = true,
            "--lsp-only" => o.lsp_only = true,
            "--apimlint" => o.bin = Some(it.next().map(PathBuf::from).ok_or_else(usage)?),
            _ => return Err(usage()),
        }
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

fn build() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "-q",
            "-p",
            "apimlint",
            "-p",
            "apimlint_bench",
            "--bins",
        ])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo build --release failed".into())
    }
}

/// One command to time.
struct Bench {
    name: String,
    cmd: Vec<String>,
    cwd: PathBuf,
    times: Vec<Duration>,
    cpu: Vec<Duration>,
}

/// Run `cmd` once, stdout and stderr discarded. Returns the wall time, the
/// exit code and the peak resident set size in KiB.
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

fn lsp_line(v: &mut Verdict, bin: &Path, dir: &Path, nodes: usize, n: usize) {
    match lsp_latency(bin, dir, n) {
        Ok(Some(times)) => v.line(
            &format!(
                "lsp didChange → diagnostics, {nodes} nodes (median of {})",
                times.len()
            ),
            ms(median(&times)),
            "ms",
            50.0,
        ),
        Ok(None) => println!("  language server: `apimlint lsp` is not in this build"),
        Err(e) => {
            println!("  language server: {e}");
            v.all_met = false;
        }
    }
}

/// Open a gateway and a traffic manager of `dir`'s region-1, then toggle
/// the traffic manager's `[server] offset` (which breaks, then mends, the
/// gateway's throttling URLs) and time each `didChange` until the gateway's
/// diagnostics are published again, reflecting the change.
fn lsp_latency(bin: &Path, dir: &Path, n: usize) -> Result<Option<Vec<Duration>>, String> {
    let has_lsp = Command::new(bin)
        .args(["lsp", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_lsp {
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

fn median(v: &[Duration]) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    s.get(s.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
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
}

impl Verdict {
    fn line(&mut self, what: &str, value: f64, unit: &str, target: f64) {
        let met = value <= target;
        self.all_met &= met;
        println!(
            "  {what:<44} {value:>8.2}{unit:<4} target ≤ {target}{unit}  {}",
            if met { "met" } else { "MISSED" }
        );
    }
}

fn bench(o: &Opts) -> Result<bool, String> {
    if !o.skip_build {
        build()?;
    }
    let target = target_dir()?;
    let release = target.join("release");
    let apimlint = o
        .bin
        .clone()
        .unwrap_or_else(|| release.join("apimlint"))
        .to_string_lossy()
        .into_owned();
    let floor = release.join("parse-floor").to_string_lossy().into_owned();
    let base = target.join("bench");
    let sizes = [("small", o.small), ("large", o.large)];
    let mut trees: Vec<(PathBuf, usize, usize)> = Vec::new();
    for (label, regions) in sizes {
        if o.lsp_only && label == "large" {
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
        trees.push((dir, regions, nodes));
    }
    let taplo = taplo();
    println!("machine: {}", machine());
    println!("load average before: {}", loadavg());

    // Sanity: the generated trees must be clean (the benchmark measures the normal path).
    for (dir, _, _) in &trees {
        let code = run_once(&[apimlint.clone(), "check".into(), ".".into()], dir)?.code;
        if code != 0 {
            return Err(format!(
                "`apimlint check` is not clean on {} (exit {code}); run it there to see why",
                dir.display()
            ));
        }
    }

    if o.lsp_only {
        let mut v = Verdict { all_met: true };
        println!("\nlanguage server:");
        if let Some((dir, _, nodes)) = trees.first() {
            lsp_line(
                &mut v,
                Path::new(&apimlint),
                dir,
                *nodes,
                5 * o.rounds.max(4),
            );
        }
        return Ok(v.all_met);
    }
    let mut benches: Vec<Bench> = Vec::new();
    for (dir, regions, nodes) in &trees {
        benches.push(Bench {
            name: format!("parse-floor    {nodes} nodes"),
            cmd: vec![floor.clone(), ".".into()],
            cwd: dir.clone(),
            times: Vec::new(),
            cpu: Vec::new(),
        });
        benches.push(Bench {
            name: format!("apimlint check {nodes} nodes"),
            cmd: vec![apimlint.clone(), "check".into(), ".".into()],
            cwd: dir.clone(),
            times: Vec::new(),
            cpu: Vec::new(),
        });
        if let Some(t) = &taplo {
            let mut cmd = vec![t.clone(), "check".into(), "--no-auto-config".into()];
            cmd.extend(node_files(dir, *regions));
            benches.push(Bench {
                name: format!("taplo check    {nodes} nodes"),
                cmd,
                cwd: dir.clone(),
                times: Vec::new(),
                cpu: Vec::new(),
            });
        }
    }
    // one warm-up round (page cache), then the measured rounds, interleaved
    for round in 0..=o.rounds {
        for b in &mut benches {
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
    let mut peak = 0u64;
    if let Some((dir, _, _)) = trees.first() {
        for _ in 0..3 {
            let r = run_once(&[apimlint.clone(), "check".into(), ".".into()], dir)?;
            peak = peak.max(r.rss_kib);
        }
    }
    println!("load average after:  {}", loadavg());
    println!("\nmedian wall time of {} interleaved rounds:", o.rounds);
    for b in &benches {
        let min = b.times.iter().min().copied().unwrap_or_default();
        println!(
            "  {:<30} {:>9.1} ms   (min {:.1}; CPU {:.1} ms)",
            b.name,
            ms(median(&b.times)),
            ms(min),
            ms(median(&b.cpu))
        );
    }
    let med = |prefix: &str, nodes: usize| -> Option<f64> {
        benches
            .iter()
            .find(|b| b.name == format!("{prefix} {nodes} nodes"))
            .map(|b| ms(median(&b.times)))
    };
    let (small_nodes, large_nodes) = (
        trees.first().map_or(0, |t| t.2),
        trees.get(1).map_or(0, |t| t.2),
    );
    let mut v = Verdict { all_met: true };
    println!("\nratios:");
    for n in [small_nodes, large_nodes] {
        if let (Some(a), Some(f)) = (med("apimlint check", n), med("parse-floor   ", n)) {
            v.line(
                &format!("apimlint / parse-only floor, {n} nodes"),
                a / f,
                "×",
                1.5,
            );
        }
    }
    for n in [small_nodes, large_nodes] {
        if let (Some(a), Some(t)) = (med("apimlint check", n), med("taplo check   ", n)) {
            v.line(
                &format!("apimlint / taplo check, {n} nodes"),
                a / t,
                "×",
                0.33,
            );
        }
    }
    if taplo.is_none() {
        println!("  apimlint / taplo check: taplo not installed (cargo install taplo-cli)");
    }
    if let (Some(s), Some(l)) = (
        med("apimlint check", small_nodes),
        med("apimlint check", large_nodes),
    ) {
        let scale = large_nodes as f64 / small_nodes.max(1) as f64;
        v.line(
            &format!("apimlint {large_nodes} / {small_nodes} nodes"),
            l / s,
            "×",
            1.1 * scale,
        );
    }
    v.line(
        &format!("apimlint peak RSS, {small_nodes} nodes"),
        peak as f64 / 1024.0,
        "MiB",
        100.0,
    );
    if let Some((dir, _, _)) = trees.first() {
        lsp_line(
            &mut v,
            Path::new(&apimlint),
            dir,
            small_nodes,
            5 * o.rounds.max(4),
        );
    }
    Ok(v.all_met)
}
