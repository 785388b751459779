//! The single-node rules on the real corpus (`shared/corpus`, beside the
//! repository): real typos are found, WSO2's own files are not reported as
//! unknown, valid files parse, the seed's and docs' samples get the hardening
//! findings. The corpus is not part of the repository (some of its files may
//! not be redistributed); without it these tests have nothing to read and say
//! so on stderr.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use apimlint_core::{Config, Deployment, Diagnostic, Severity, SourceFile};

fn shared() -> Option<PathBuf> {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    [beside, PathBuf::from("/work/shared")]
        .into_iter()
        .find(|p| p.join("corpus").is_dir())
}

fn corpus() -> Option<PathBuf> {
    let c = shared().map(|s| s.join("corpus"));
    if c.is_none() {
        eprintln!("shared/corpus not found beside the repository: nothing to check");
    }
    c
}

/// Every file under `dir` ending in `.toml`, sorted.
fn tomls(dir: &Path) -> Vec<PathBuf> {
    apimlint_pages::files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect()
}

/// Analyse files as one deployment rooted at `root`.
fn analyse(root: &Path, files: &[PathBuf]) -> (Deployment, Vec<Diagnostic>) {
    let files = files
        .iter()
        .map(|p| SourceFile {
            path: p.clone(),
            text: Ok(std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))),
            origin: None,
            home: None,
        })
        .collect();
    let dep = Deployment::build(root, Config::default(), files);
    let diags = apimlint_core::check(&dep);
    (dep, diags)
}

fn show(dep: &Deployment, diags: &[&Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            format!(
                "{} {} {}: {}",
                d.severity,
                d.rule,
                dep.id_of(d.file),
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_4_vm_deployments_propertie_typo_is_an_unknown_key_with_the_right_suggestion() {
    let Some(c) = corpus() else { return };
    let root = c.join("csdgurugegit__WSO2-APIM-All-Distributed-Deployment/nodes");
    let (dep, diags) = analyse(&root, &tomls(&root));
    let found: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.rule == "unknown-key" && dep.id_of(d.file).contains("key-manager"))
        .collect();
    let typo = found
        .iter()
        .find(|d| d.message.contains("`[event_listener.propertie]`"))
        .unwrap_or_else(|| panic!("no unknown-key for the typo:\n{}", show(&dep, &found)));
    assert_eq!(typo.severity, Severity::Warning);
    assert!(
        typo.help
            .as_deref()
            .is_some_and(|h| h.contains("`event_listener.properties`")),
        "{:?}",
        typo.help
    );
    let fix = typo.fix.as_ref().expect("a fix");
    assert_eq!(fix.edits[0].new_text, "properties");
    let node = dep.node_of(typo.file).unwrap();
    assert_eq!(&node.text[fix.edits[0].range.clone()], "propertie");
}

#[test]
fn valid_corpus_files_parse_and_wso2s_own_keys_are_known() {
    let Some(c) = corpus() else { return };
    let mut checked = 0;
    for f in tomls(&c) {
        let rel = f.strip_prefix(&c).unwrap().to_string_lossy().into_owned();
        if rel.contains("/templated/")
            || std::fs::read_to_string(&f).is_ok_and(|t| t.contains("{{"))
        {
            continue; // Helm templates with `{{ }}`: not TOML by design
        }
        let (dep, diags) = analyse(f.parent().unwrap(), std::slice::from_ref(&f));
        let broken: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.rule == "toml-syntax" || d.rule == "unreadable-file")
            .collect();
        assert!(broken.is_empty(), "{rel}:\n{}", show(&dep, &broken));
        if rel.starts_with("wso2__") {
            let unknown: Vec<&Diagnostic> =
                diags.iter().filter(|d| d.rule == "unknown-key").collect();
            assert!(unknown.is_empty(), "{rel}:\n{}", show(&dep, &unknown));
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} corpus files checked");
}

fn hardening(dep: &Deployment, diags: &[Diagnostic], what: &str) {
    for rule in ["default-credentials", "plaintext-password"] {
        let n = diags.iter().filter(|d| d.rule == rule).count();
        assert!(n > 0, "{what}: no `{rule}`");
    }
    // the messages never quote the secrets
    for d in diags
        .iter()
        .filter(|d| d.rule == "plaintext-password" || d.rule == "default-credentials")
    {
        for secret in ["\"admin\"", "wso2carbon\"", "sharedadmin", "apimadmin\""] {
            assert!(
                !d.message.contains(secret),
                "{what}: {} quotes a secret",
                show(dep, &[d])
            );
        }
    }
}

#[test]
fn the_docs_samples_get_the_hardening_findings() {
    let Some(c) = corpus() else { return };
    let docs = c.join("wso2__docs-apim");
    let files = tomls(&docs);
    assert!(files.len() >= 6);
    for f in files {
        let (dep, diags) = analyse(f.parent().unwrap(), std::slice::from_ref(&f));
        hardening(&dep, &diags, &f.display().to_string());
    }
}

/// The TOML of each "Sample configuration" block of the seed page.
fn seed_samples(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("Sample configuration") {
            if let Some(s) = cur.take() {
                out.push(s);
            }
            cur = Some(String::new());
            continue;
        }
        let t = line.trim();
        // each sample block holds two variants (HA cluster, single node), one after the other
        if t == "[server]"
            && let Some(prev) = cur.as_ref().filter(|c| c.contains("[server]"))
        {
            out.push(prev.clone());
            cur = Some(String::new());
        }
        let Some(s) = cur.as_mut() else { continue };
        let tomlish = t.is_empty()
            || t.starts_with('[')
            || t.starts_with('#')
            || t.starts_with('"')
            || t.starts_with(']')
            || t.contains('=');
        if tomlish {
            s.push_str(line);
            s.push('\n');
        } else {
            out.push(cur.take().unwrap_or_default());
        }
    }
    out.extend(cur);
    out.into_iter().filter(|s| s.contains("[server]")).collect()
}

#[test]
fn the_seed_samples_get_the_hardening_findings() {
    let Some(s) = shared() else {
        eprintln!("shared/seed not found beside the repository: nothing to check");
        return;
    };
    let text = std::fs::read_to_string(s.join("seed/multi-dc-pattern-1.md")).unwrap();
    let samples = seed_samples(&text);
    assert!(samples.len() >= 6, "{} samples", samples.len());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("seed-{}", std::process::id()));
    let mut files = Vec::new();
    for (i, sample) in samples.iter().enumerate() {
        let p = dir.join(format!("node-{i}/deployment.toml"));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, sample).unwrap();
        files.push(p);
    }
    let (dep, diags) = analyse(&dir, &files);
    let broken: Vec<&Diagnostic> = diags.iter().filter(|d| d.rule == "toml-syntax").collect();
    assert!(broken.is_empty(), "{}", show(&dep, &broken));
    assert_eq!(dep.nodes().len(), samples.len());
    for (i, node) in dep.nodes().iter().enumerate() {
        let mine: Vec<Diagnostic> = diags
            .iter()
            .filter(|d| d.file == dep.file(i))
            .cloned()
            .collect();
        hardening(&dep, &mine, &format!("seed sample {}", node.id));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
