//! A value of the user's files is shown, never obeyed: a newline in a TOML
//! value or a directory name cannot start a GitHub workflow command, and
//! ESC/BEL (from `\u001b` in a TOML string, a file name, a raw byte of a
//! line that does not parse) never reach a terminal.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use std::path::{Path, PathBuf};

use common::{run_in, scratch, write};

fn node(root: &Path, id: &str) -> PathBuf {
    root.join(id).join("repository/conf/deployment.toml")
}

fn edit(path: &Path, from: &str, to: &str) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.contains(from), "{from} in {}", path.display());
    std::fs::write(path, s.replacen(from, to, 1)).unwrap();
}

/// The clean sample with hostile values: an environment name and a gateway
/// label holding a newline and a workflow command, ESC and BEL in TOML
/// strings, a node directory whose name holds a newline, a workflow
/// command, ESC and BEL, and a raw ESC byte in a line (the file does not
/// parse).
fn hostile(name: &str) -> PathBuf {
    let root = scratch("escaping", name);
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(common::CLEAN),
        &root,
    );
    edit(
        &node(&root, "region-1/cp-1"),
        "name = \"Internal\"",
        "name = \"Internal\\n::error file=forged.txt::from-env\\n##[error]old-style\\n::stop-commands::x\"",
    );
    edit(
        &node(&root, "region-1/gw-1"),
        "gateway_labels = [\"Default\", \"Internal\"]",
        "gateway_labels = [\"Default\", \"Internal\", \"Fake\\n::error file=forged.txt::from-label\", \"Esc\\u001b]0;pwned\\u0007\\u001b[31mRed\\u009b2J\"]",
    );
    let gw2 = std::fs::read_to_string(node(&root, "region-1/gw-2")).unwrap();
    write(
        &node(
            &root,
            "region-1/gw\n::error file=forged.txt::from-dir\u{1b}[2J\u{7}",
        ),
        gw2.replacen(
            "node_ip = ",
            "# raw \u{1b}[31m escape \u{7} in a comment\nnode_ip = ",
            1,
        )
        .as_bytes(),
    );
    root
}

/// The workflow commands a GitHub runner would run on reading `log`: a
/// line whose text (after leading whitespace) starts with `::` or `##[`,
/// except while `::stop-commands::TOKEN` is in force (until `::TOKEN::`).
fn commands_run(log: &str) -> Vec<String> {
    let mut run = Vec::new();
    let mut stopped: Option<String> = None;
    for line in log.lines() {
        let t = line.trim_start();
        if let Some(token) = &stopped {
            if t == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        if let Some(rest) = t.strip_prefix("::stop-commands::") {
            stopped = Some(rest.to_owned());
            run.push(t.to_owned());
        } else if t.starts_with("::") || t.starts_with("##[") {
            run.push(t.to_owned());
        }
    }
    run
}

#[test]
fn github_output_runs_no_command_a_value_or_a_directory_name_forged() {
    let root = hostile("github");
    let o = run_in(&root, &["check", "--format", "github", "."]);
    let log = String::from_utf8_lossy(&o.stdout);
    let run = commands_run(&log);
    assert!(
        run.iter()
            .filter(|c| c.starts_with("::error file="))
            .count()
            >= 3,
        "the findings are annotated: {run:#?}"
    );
    for c in &run {
        let ours = [
            "::error file=",
            "::warning file=",
            "::notice file=",
            "::stop-commands::apimlint-",
        ]
        .iter()
        .any(|p| c.starts_with(p));
        assert!(ours, "a forged command would run: {c:?}\n{log}");
        // the properties end at the first `::`; they hold no raw `:` or
        // `,` (either would end a property) and name no forged file
        let props = c.split_once(' ').map_or("", |x| x.1);
        let props = props.split("::").next().unwrap_or("");
        for p in props.split(',') {
            let v = p.split_once('=').map_or("", |x| x.1);
            assert!(!v.starts_with("forged"), "a forged annotation: {c:?}");
            assert!(!v.contains(':'), "unescaped property {p:?} in {c:?}");
        }
    }
    // the fence is lifted again at the end
    let last = log.lines().last().unwrap_or("");
    assert!(
        last.starts_with("::apimlint-") && last.ends_with("::"),
        "{last}"
    );
    // and the forged texts are still shown, as data
    assert!(log.contains("from-env") && log.contains("from-dir") && log.contains("from-label"));
}

#[test]
fn no_terminal_escape_reaches_the_terminal() {
    let root = hostile("terminal");
    let runs: [&[&str]; 7] = [
        &["check", "--format", "human", "--color", "never", "."],
        &["check", "--format", "compact", "."],
        &["check", "--format", "github", "."],
        &["check", "--diff", "--unsafe-fixes", "."],
        &["graph", "--format", "dot", "."],
        &["graph", "--format", "mermaid", "."],
        &["check", "--format", "human", "--color", "always", "."],
    ];
    for args in runs {
        let o = run_in(&root, args);
        let all = [o.stdout.as_slice(), o.stderr.as_slice()].concat();
        let text = String::from_utf8_lossy(&all);
        let color = args.contains(&"always");
        for (i, c) in text.char_indices() {
            let bad = match c {
                '\n' | '\t' => false,
                // colours: SGR sequences (`ESC [ … m`) of the report itself
                '\u{1b}' if color => {
                    let seq = &text[i + 1..];
                    let body: String = seq
                        .chars()
                        .skip(1)
                        .take_while(|c| c.is_ascii_digit() || *c == ';')
                        .collect();
                    !(seq.starts_with('[') && seq[1 + body.len()..].starts_with('m'))
                }
                c => c.is_control(),
            };
            assert!(
                !bad,
                "`apimlint {}` prints {c:?} at {i}: {:?}",
                args.join(" "),
                &text[i.saturating_sub(80)..(i + 20).min(text.len())]
            );
        }
        // the values are there, escaped
        if args.contains(&"--format") && args.contains(&"compact") {
            assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
        }
    }
}

#[test]
fn sarif_text_shows_control_characters_escaped() {
    let root = hostile("sarif");
    let o = run_in(&root, &["check", "--format", "sarif", "."]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut texts = Vec::new();
    fn collect(v: &serde_json::Value, key: Option<&str>, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    collect(x, Some(k), out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, key, out)),
            serde_json::Value::String(s) if key == Some("text") => out.push(s.clone()),
            _ => {}
        }
    }
    collect(&v, None, &mut texts);
    assert!(texts.iter().any(|t| t.contains("pwned")));
    for t in &texts {
        assert!(
            !t.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r'),
            "a SARIF text holds a control character: {t:?}"
        );
    }
}
