//! What users install and run from this repository cannot be redirected: every
//! third-party action is pinned by commit, a published release asset is never
//! replaced, and the pre-commit hooks end apimlint's options before the file
//! names pre-commit appends (a file named `--write-baseline=x` is a path).

#![allow(clippy::panic, clippy::unwrap_used)]

use std::path::Path;

fn read(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `(file, line, reference)` of every `uses:` in the workflow files and the action.
fn uses() -> Vec<(String, usize, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows");
    let mut files = vec!["action.yml".to_owned()];
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            files.push(format!(".github/workflows/{name}"));
        }
    }
    let mut out = Vec::new();
    for f in files {
        for (i, line) in read(&f).lines().enumerate() {
            let t = line.trim_start().trim_start_matches("- ");
            if let Some(r) = t.strip_prefix("uses:") {
                let r = r.split('#').next().unwrap().trim().to_owned();
                out.push((f.clone(), i + 1, r));
            }
        }
    }
    out
}

#[test]
fn third_party_actions_are_pinned_by_commit() {
    let all = uses();
    assert!(all.len() >= 8, "the workflows use actions: {all:?}");
    for (file, line, r) in all {
        if r.starts_with("./") {
            continue; // this repository's own action
        }
        let (_, rev) = r
            .rsplit_once('@')
            .unwrap_or_else(|| panic!("{file}:{line}: `{r}` names no revision"));
        assert!(
            rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
            "{file}:{line}: `{r}` is pinned by a tag or branch, which can move; pin the commit"
        );
    }
}

#[test]
fn a_published_release_asset_is_never_replaced() {
    let release = read(".github/workflows/release.yml");
    assert!(
        release.contains("gh release upload"),
        "the workflow uploads assets"
    );
    assert!(
        !release.contains("--clobber"),
        "`gh release upload --clobber` replaces SHA256SUMS and binaries users verified"
    );
}

#[test]
fn the_hooks_end_options_before_file_names() {
    let hooks = read(".pre-commit-hooks.yaml");
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("entry:"))
        .map(str::trim)
        .collect();
    assert_eq!(entries.len(), 2, "{hooks}");
    for e in entries {
        assert!(
            e.ends_with(" --"),
            "hook entry `{e}`: pre-commit appends file names; without `--` a file named `--write-baseline=x` is an option"
        );
        assert!(
            e.contains("--allow-no-nodes"),
            "hook entry `{e}`: a commit touching only unrelated YAML must pass"
        );
    }
    // manifests and Compose files are deployments too
    let files: Vec<&str> = hooks
        .lines()
        .filter_map(|l| l.trim().strip_prefix("files:"))
        .map(str::trim)
        .collect();
    assert_eq!(files.len(), 2, "{hooks}");
    for f in files {
        assert!(
            f.contains(r"\.ya?ml$"),
            "hook files `{f}` never match a manifest"
        );
    }
}

#[test]
fn the_action_ends_options_before_the_paths_input() {
    let action = read("action.yml");
    let runs: Vec<&str> = action
        .lines()
        .filter(|l| l.contains("apimlint check"))
        .collect();
    assert!(!runs.is_empty(), "the action runs apimlint check");
    for l in runs {
        assert!(
            l.contains(" -- $APIMLINT_PATHS"),
            "`{}`: a path from the `paths` input could be read as an option",
            l.trim()
        );
    }
}
