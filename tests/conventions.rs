//! The command-line conventions users of ruff and kube-linter reach for
//! first (issue #24): rule selection, outputs to files and several outputs
//! in one run, `--exit-zero`, `--statistics`, `-q`/`-v`, fix labels and
//! fixable counts, a closed pipe, did-you-mean for subcommands, completions
//! and the manual page, wrapping at the terminal's width, advice once per
//! root cause, the folded region summary, unrendered Helm charts, and the
//! README's commands.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{BROKEN, CLEAN, run, run_in, stderr, stdout, write};
use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    common::scratch("conventions", name)
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(o), stderr(o)))
}

fn rules_of(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The rule ids of a group: the files of its directory.
fn group(name: &str) -> Vec<String> {
    std::fs::read_dir(repo().join("crates/core/src/rules").join(name))
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let f = e.file_name().to_string_lossy().into_owned();
            (f != "mod.rs").then(|| f.trim_end_matches(".rs").replace('_', "-"))
        })
        .collect()
}

#[test]
fn select_and_ignore_take_rule_ids_and_groups() {
    let all = rules_of(&json(&run(&[BROKEN, "--format", "json"])));
    assert!(all.len() > 3, "{all:?}");
    let o = run(&[
        BROKEN,
        "--format",
        "json",
        "--select",
        "gateway-label-unmatched",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let only = rules_of(&json(&o));
    assert!(!only.is_empty());
    assert!(
        only.iter().all(|r| r == "gateway-label-unmatched"),
        "{only:?}"
    );

    let wiring = group("wiring");
    let o = run(&[BROKEN, "--format", "json", "--select", "wiring,meta"]);
    let got = rules_of(&json(&o));
    assert!(!got.is_empty());
    let meta = group("meta");
    assert!(
        got.iter().all(|r| wiring.contains(r) || meta.contains(r)),
        "{got:?}"
    );
    assert_eq!(
        got.len(),
        all.iter()
            .filter(|r| wiring.contains(r) || meta.contains(r))
            .count()
    );

    let o = run(&[
        BROKEN,
        "--format",
        "json",
        "--ignore",
        "gateway-label-unmatched",
    ]);
    let rest = rules_of(&json(&o));
    assert!(!rest.iter().any(|r| r == "gateway-label-unmatched"));
    assert_eq!(
        rest.len(),
        all.iter()
            .filter(|r| *r != "gateway-label-unmatched")
            .count()
    );

    // a typo is a failed run with a did-you-mean, not clap's "use `-- --select`"
    let o = run(&[BROKEN, "--select", "gatway-label-unmatched"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `gateway-label-unmatched`?"),
        "{}",
        stderr(&o)
    );
    let o = run(&[BROKEN, "--ignore", "wirring"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `wiring`?"),
        "{}",
        stderr(&o)
    );
}

/// A suppression of a rule the command line left out is not "unused": the
/// rule did not run.
#[test]
fn a_suppression_of_an_ignored_rule_is_not_unused() {
    let dir = scratch("ignored-suppression");
    common::copy_dir(&repo().join(CLEAN), &dir);
    let gw = dir.join("region-1/gw-1/repository/conf/deployment.toml");
    let mut text = std::fs::read_to_string(&gw).unwrap();
    text.push_str("\n# apimlint: allow(unknown-host) -- a host no node names\n");
    std::fs::write(&gw, text).unwrap();
    let o = run_in(&dir, &["--format", "compact"]);
    assert!(stdout(&o).contains("unused-suppression"), "{}", stdout(&o));
    let o = run_in(&dir, &["--format", "compact", "--ignore", "unknown-host"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!stdout(&o).contains("unused-suppression"), "{}", stdout(&o));
    // and --fix leaves the comment alone
    let o = run_in(&dir, &["--fix", "--ignore", "unknown-host"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        std::fs::read_to_string(&gw)
            .unwrap()
            .contains("allow(unknown-host)")
    );
}

#[test]
fn several_outputs_in_one_run_and_an_output_file() {
    let dir = scratch("outputs");
    let sarif = dir.join("out.sarif");
    let js = dir.join("out.json");
    let gh = dir.join("annotations.txt");
    let o = run(&[
        BROKEN,
        "--format",
        "github",
        "--format",
        &format!("sarif={}", sarif.display()),
        "--output-format",
        &format!("json={}", js.display()),
        "-o",
        gh.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "", "everything went to files");
    let log: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let v: Value = serde_json::from_slice(&std::fs::read(&js).unwrap()).unwrap();
    let n = v["diagnostics"].as_array().unwrap().len();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), n);
    let annotations = std::fs::read_to_string(&gh).unwrap();
    assert_eq!(
        annotations
            .lines()
            .filter(|l| l.starts_with("::error ") || l.starts_with("::warning "))
            .count()
            + annotations
                .lines()
                .filter(|l| l.starts_with("::notice "))
                .count(),
        n
    );
    // a file output does not change standard output's format
    let o = run(&[
        BROKEN,
        "--format",
        "compact",
        "--format",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(stdout(&o).lines().count(), n, "{}", stdout(&o));
    // two outputs cannot share standard output, nor a file
    let o = run(&[BROKEN, "--format", "json", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("standard output"), "{}", stderr(&o));
    let same = format!("sarif={}", sarif.display());
    let o = run(&[BROKEN, "--format", &same, "-o", sarif.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = run(&[BROKEN, "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`xml` is no format"), "{}", stderr(&o));
}

/// Paths of two deployments (each with its `apimlint.toml`): the SARIF file
/// holds a run per deployment, the annotations file both deployments'.
#[test]
fn several_outputs_of_several_deployments() {
    let dir = scratch("outputs-two");
    common::copy_dir(&repo().join(CLEAN), &dir.join("a"));
    common::copy_dir(&repo().join(BROKEN), &dir.join("b"));
    let o = run_in(
        &dir,
        &[
            "a",
            "b",
            "--format",
            "github",
            "--format",
            "sarif=x.sarif",
            "-o",
            "gh.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let log: Value = serde_json::from_slice(&std::fs::read(dir.join("x.sarif")).unwrap()).unwrap();
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{log:#}");
    let results: usize = runs
        .iter()
        .map(|r| r["results"].as_array().unwrap().len())
        .sum();
    let gh = std::fs::read_to_string(dir.join("gh.txt")).unwrap();
    let annotations = ["::error ", "::warning ", "::notice "];
    assert_eq!(
        gh.lines()
            .filter(|l| annotations.iter().any(|a| l.starts_with(a)))
            .count(),
        results
    );
    assert_eq!(gh.matches("no problems found").count(), 1, "{gh}");
    // JSON to a file lists the deployments, as on standard output
    let o = run_in(&dir, &["a", "b", "--format", "json=x.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join("x.json")).unwrap()).unwrap();
    assert_eq!(
        doc["deployments"].as_array().map(Vec::len),
        Some(2),
        "{doc:#}"
    );
}

/// The GitHub Action runs apimlint once: annotations and SARIF together.
#[test]
fn the_action_runs_apimlint_once() {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let runs = action
        .lines()
        .filter(|l| l.trim_start().starts_with("apimlint check"))
        .count();
    assert_eq!(runs, 1, "{action}");
    assert!(
        action.contains("--format \"sarif=$APIMLINT_SARIF\""),
        "{action}"
    );
}

#[test]
fn exit_zero_keeps_the_findings_and_exit_2() {
    let o = run(&[BROKEN, "--exit-zero", "--format", "compact"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("gateway-label-unmatched"));
    let o = run(&["no/such/dir", "--exit-zero"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn statistics_count_each_rule_and_say_what_is_fixable() {
    let v = json(&run(&[BROKEN, "--format", "json"]));
    let diags = v["diagnostics"].as_array().unwrap();
    let o = run(&[BROKEN, "--statistics"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(!out.contains('│'), "no findings, only the table: {out}");
    let mut total = 0;
    for line in out.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let n: usize = cols[0].parse().unwrap_or_else(|_| panic!("{line}"));
        let rule = cols[1];
        let of_rule: Vec<&Value> = diags.iter().filter(|d| d["rule"] == rule).collect();
        assert_eq!(of_rule.len(), n, "{line}");
        let safe = of_rule
            .iter()
            .filter(|d| d["fix"]["applicability"] == "safe")
            .count();
        let mark = if safe == n { "[*]" } else { cols[2] };
        assert_eq!(cols[2], mark, "{line}");
        if of_rule.iter().all(|d| d["fix"].is_null()) {
            assert_eq!(&line[line.find('[').unwrap()..][..3], "[ ]", "{line}");
        }
        total += n;
    }
    assert_eq!(total, diags.len(), "{out}");
    let s = json(&run(&[BROKEN, "--statistics", "--format", "json"]));
    let sum: u64 = s["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(sum as usize, diags.len());
}

#[test]
fn quiet_prints_only_findings_and_verbose_says_what_was_read() {
    let o = run(&[CLEAN, "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "");
    let o = run(&[BROKEN, "--quiet", "--color", "never"]);
    let out = stdout(&o);
    assert!(out.contains("gateway-label-unmatched"), "{out}");
    assert!(!out.contains("checked "), "{out}");
    assert!(!out.contains("found "), "{out}");
    let o = run(&[CLEAN, "-v"]);
    assert_eq!(o.status.code(), Some(0));
    let err = stderr(&o);
    assert!(
        err.contains("deployment root fixtures/deployments/pattern-1"),
        "{err}"
    );
    assert!(err.contains("read 12 nodes"), "{err}");
    assert!(
        err.contains("region-1/gw-1/repository/conf/deployment.toml"),
        "{err}"
    );
    assert!(err.contains(" ms"), "{err}");
    assert_eq!(run(&[CLEAN, "-q", "-v"]).status.code(), Some(2));
}

#[test]
fn unsafe_fixes_are_marked_and_the_summary_counts_the_fixable() {
    let v = json(&run(&[BROKEN, "--format", "json"]));
    let count = |a: &str| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["fix"]["applicability"] == a && !d["fix"]["edits"].as_array().unwrap().is_empty()
            })
            .count()
    };
    let (safe, unsafe_) = (count("safe"), count("unsafe"));
    assert!(safe > 0 && unsafe_ > 0, "the sample has both");
    let out = stdout(&run(&[BROKEN, "--color", "never"]));
    assert_eq!(out.matches("fix (unsafe): ").count(), unsafe_, "{out}");
    assert_eq!(out.matches("── fix: ").count(), safe, "{out}");
    let hidden = format!(
        "{unsafe_} fix{} only with `--fix --unsafe-fixes`",
        if unsafe_ == 1 { "" } else { "es" }
    );
    assert!(
        out.contains(&format!("[*] {safe} fixable with `--fix` ({hidden})")),
        "{out}"
    );
    let compact = stdout(&run(&[BROKEN, "--format", "compact"]));
    assert_eq!(
        compact.matches(" (fix (unsafe): ").count(),
        unsafe_,
        "{compact}"
    );
    assert_eq!(compact.matches(" (fix: ").count(), safe, "{compact}");
    let github = stdout(&run(&[BROKEN, "--format", "github"]));
    let annotations: String = github
        .lines()
        .filter(|l| l.starts_with("::"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(annotations.matches("%0Afix (unsafe): ").count(), unsafe_);
    assert_eq!(annotations.matches("%0Afix: ").count(), safe);
}

/// `apimlint schema | head -c 1`: no "Broken pipe", the status of a process
/// SIGPIPE ended.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    // outputs larger than a pipe's buffer (64 KiB): the write must fail
    for args in [&["schema"][..], &[BROKEN, "--format", "sarif"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_apimlint"))
            .current_dir(repo())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(stderr(&o), "", "{args:?}");
        assert_eq!(o.status.code(), Some(141), "{args:?}");
    }
}

#[test]
fn a_mistyped_subcommand_gets_a_did_you_mean() {
    let dir = scratch("typo");
    let o = run_in(&dir, &["explian", "toml-syntax"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unrecognized subcommand 'explian'; did you mean 'explain'?"),
        "{}",
        stderr(&o)
    );
    // a directory of that name is a path to lint
    common::copy_dir(&repo().join(CLEAN), &dir.join("rulez"));
    let o = run_in(&dir, &["rulez"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn completions_and_the_manual_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        assert!(stdout(&o).contains("select"), "{shell}");
        assert!(stdout(&o).contains("explain"), "{shell}");
    }
    let o = run(&["man"]);
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    assert!(
        page.starts_with(".ie") || page.contains(".TH apimlint"),
        "{page}"
    );
    assert!(page.contains("completions"), "{page}");
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(2));
}

/// A long message is not cut at a fixed 100 columns: it wraps at `COLUMNS`,
/// and not at all when standard output is no terminal.
#[test]
fn the_human_report_wraps_at_the_terminals_width() {
    let run_cols = |cols: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_apimlint"));
        c.current_dir(repo())
            .args([BROKEN, "--color", "never"])
            .env_remove("NO_COLOR")
            .env_remove("COLUMNS");
        if let Some(n) = cols {
            c.env("COLUMNS", n);
        }
        stdout(&c.output().unwrap())
    };
    let free = run_cols(None);
    let longest = |s: &str| s.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(
        longest(&free) > 100,
        "some message is longer than 100 columns"
    );
    let narrow = run_cols(Some("60"));
    // the messages and help (not the file names and source lines) fit in 60 columns
    let source = |l: &str| {
        let t = l.trim_start();
        l.contains("─[") || l.contains('·') || t.starts_with(|c: char| c.is_ascii_digit())
    };
    assert!(narrow.lines().any(|l| l.starts_with("  │ ")), "{narrow}");
    let findings = narrow
        .lines()
        .take_while(|l| !l.starts_with("checked ") && !l.starts_with("deployment "));
    for l in findings.filter(|l| !source(l)) {
        assert!(l.chars().count() <= 60, "{l:?}\n{narrow}");
    }
    let wide = run_cols(Some("400"));
    assert_eq!(wide, free);
}

/// Twelve gateways that miss one traffic manager: twelve findings, one
/// advice block.
#[test]
fn advice_is_printed_once_per_root_cause() {
    let dir = scratch("one-cause");
    common::copy_dir(&repo().join(CLEAN), &dir);
    // every gateway of both regions names the traffic managers on a port
    // they do not listen on
    let mut gateways = 0;
    for region in ["region-1", "region-2"] {
        for e in std::fs::read_dir(dir.join(region)).unwrap().flatten() {
            let f = e.path().join("repository/conf/deployment.toml");
            let text = std::fs::read_to_string(&f).unwrap();
            if e.file_name().to_string_lossy().starts_with("gw") {
                std::fs::write(&f, text.replace(":9611", ":9711")).unwrap();
                gateways += 1;
            }
        }
    }
    let v = json(&run_in(&dir, &["--format", "json"]));
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.len() >= gateways, "{v:#}");
    let mut causes = std::collections::BTreeMap::new();
    for d in diags {
        if let Some(h) = d["help"].as_str() {
            let key = (
                d["rule"].as_str().unwrap().to_owned(),
                h.to_owned(),
                d["related"].to_string(),
            );
            *causes.entry(key).or_insert(0) += 1;
        }
    }
    let repeated: usize = causes.values().filter(|n| **n > 1).count();
    assert!(repeated > 0, "{causes:#?}");
    let out = stdout(&run_in(&dir, &["--color", "never"]));
    for (rule, help, _) in causes.keys() {
        let first_line = help.lines().next().unwrap();
        assert_eq!(
            out.matches(first_line).count(),
            causes
                .iter()
                .filter(|((r, h, _), _)| r == rule && h == help)
                .count(),
            "the help of {rule} once per root cause: {first_line}\n{out}"
        );
    }
    assert!(out.contains("same cause as "), "{out}");
}

/// A thousand regions alike are one line, in natural order.
#[test]
fn the_summary_folds_regions_alike_in_natural_order() {
    let dir = scratch("regions");
    let region = repo().join(CLEAN).join("region-1");
    for k in 1..=12 {
        common::copy_dir(&region, &dir.join(format!("region-{k}")));
    }
    // region-7 differs: one node fewer
    std::fs::remove_dir_all(dir.join("region-7/gw-2")).unwrap();
    let out = stdout(&run_in(&dir, &["--color", "never"]));
    let lines: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("checked "))
        .collect();
    assert!(
        lines[0].starts_with("checked 71 nodes in 12 regions"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("  region-1 … region-6, region-8 … region-12 (11 regions): ")
            && lines[1].ends_with(" each"),
        "{out}"
    );
    assert!(lines[2].starts_with("  region-7: "), "{out}");
    // three regions alike or fewer: one line each, region-2 before region-10
    let dir = scratch("regions-natural");
    for k in [1, 2, 10] {
        common::copy_dir(&region, &dir.join(format!("region-{k}")));
    }
    std::fs::remove_dir_all(dir.join("region-10/gw-2")).unwrap();
    std::fs::remove_dir_all(dir.join("region-2/gw-1")).unwrap();
    let out = stdout(&run_in(&dir, &["--color", "never"]));
    let order: Vec<usize> = ["  region-1:", "  region-2:", "  region-10:"]
        .iter()
        .map(|r| out.find(r).unwrap_or_else(|| panic!("{r}\n{out}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
}

/// An unrendered chart: "a Helm template, render it first", not TOML or
/// YAML syntax errors on its `{{ }}`.
#[test]
fn an_unrendered_helm_chart_is_said_to_be_one() {
    let dir = scratch("chart");
    write(
        &dir.join("mychart/confs/deployment.toml"),
        b"[server]\nhostname = \"{{ .Values.wso2.apim.hostname }}\"\n{{- if .Values.wso2.apim.secureVaultEnabled }}\n[secrets]\n{{- end }}\n",
    );
    write(
        &dir.join("mychart/templates/conf.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ template \"am.fullname\" . }}-conf\ndata:\n  deployment.toml: {{ tpl (.Files.Get \"confs/deployment.toml\") . | quote }}\n",
    );
    let o = run_in(&dir, &["mychart", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let diags = v["diagnostics"].as_array().unwrap();
    let templates: Vec<&Value> = diags
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("a Helm template"))
        .collect();
    assert_eq!(templates.len(), 2, "{v:#}");
    for d in &templates {
        let help = format!("{} {}", d["message"], d["help"]);
        assert!(help.contains("helm template"), "{d:#}");
    }
    assert!(
        !diags
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("invalid TOML")
                || d["message"].as_str().unwrap().contains("not valid YAML")),
        "{v:#}"
    );
    // located at the first `{{`
    let toml = templates
        .iter()
        .find(|d| d["file"].as_str().unwrap().ends_with("deployment.toml"))
        .unwrap();
    assert_eq!(toml["range"]["start"]["line"], 2, "{toml:#}");
    assert_eq!(toml["range"]["start"]["column"], 13, "{toml:#}");
}

/// WSO2's own charts (`../shared/corpus/wso2__helm-apim`, when present):
/// every templated file is said to be a template, none is a TOML error.
#[test]
fn wso2s_charts_unrendered_are_templates() {
    let corpus = repo().join("../shared/corpus/wso2__helm-apim");
    if !corpus.is_dir() {
        eprintln!("SKIPPED: no {}", corpus.display());
        return;
    }
    let o = run_in(&corpus, &["charts-master", "--format", "json"]);
    let v = json(&o);
    let diags = v["diagnostics"].as_array().unwrap();
    let templated: Vec<&Value> = diags
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("a Helm template"))
        .collect();
    assert!(templated.len() >= 8, "{v:#}");
    for d in diags {
        let m = d["message"].as_str().unwrap();
        assert!(
            !m.contains("invalid TOML") && !m.contains("not valid YAML"),
            "{d:#}"
        );
    }
}

/// The README starts with two commands, which `.ci/run` runs as written:
/// one lints a sample shipped in the repository, one runs the tests.
#[test]
fn the_readmes_first_commands_are_run_by_ci_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    let first: Vec<&str> = readme
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap()
        .lines()
        .collect();
    assert_eq!(first.len(), 2, "{first:?}");
    let sample = first[0]
        .split_whitespace()
        .find(|w| w.starts_with("fixtures/"))
        .unwrap();
    assert!(repo().join(sample).is_dir(), "{sample}");
    assert!(first[1].starts_with("cargo test --workspace"), "{first:?}");
    // .ci/run runs the README's first block itself
    assert!(ci.contains("readme_commands"), "{ci}");
    // the Helm loop makes its output directory and says where charts/ is
    let helm = readme
        .split("```sh\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("helm template"))
        .unwrap();
    assert!(helm.contains("mkdir -p deploy"), "{helm}");
    assert!(helm.contains("git clone"), "{helm}");
    // the output sample is what WSO2's charts give (one quoted line per
    // file, `| quote`), not a ConfigMap literal block they never write
    let sample_output = readme
        .split("```text\n")
        .filter_map(|b| b.split("```").next())
        .find(|b| b.contains("region-1.yaml:"))
        .unwrap();
    assert!(
        sample_output.contains("at deploy/region-1.yaml:")
            && sample_output.contains("(the line is too long to show)")
            && !sample_output.contains(" │     ["),
        "{sample_output}"
    );
}

/// What the pre-commit hook passes: every changed file, YAML that is no
/// deployment among them. With `--allow-no-nodes` unrelated YAML is
/// skipped (alone: exit 0, nothing to check); without it, as before, a run
/// with no node file fails.
#[test]
fn unrelated_yaml_from_a_hook_is_skipped() {
    let dir = common::scratch("conventions", "allow-no-nodes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("workflow.yaml"), "on: push\njobs: {}\n").unwrap();
    let alone = run_in(&dir, &["check", "--allow-no-nodes", "--", "workflow.yaml"]);
    assert_eq!(alone.status.code(), Some(0), "{}", stderr(&alone));
    assert!(
        stderr(&alone).contains("nothing to check"),
        "{}",
        stderr(&alone)
    );
    let strict = run_in(&dir, &["check", "--", "workflow.yaml"]);
    assert_eq!(strict.status.code(), Some(2));
    let node = repo()
        .join(BROKEN)
        .join("region-1/gw-2/repository/conf/deployment.toml");
    let node = node.to_str().unwrap();
    let yaml = dir.join("workflow.yaml");
    let with = run(&[
        "check",
        "--format",
        "json",
        "--allow-no-nodes",
        "--",
        node,
        yaml.to_str().unwrap(),
    ]);
    let without = run(&["check", "--format", "json", "--", node]);
    assert_eq!(with.status.code(), Some(1), "{}", stderr(&with));
    assert_eq!(stdout(&with), stdout(&without));
}
