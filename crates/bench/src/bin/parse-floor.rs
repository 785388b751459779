//! The parse-only floor of the benchmark: walk a tree single-threaded, read
//! every `deployment.toml` and parse it with the same toml_edit as apimlint,
//! and do nothing else. apimlint's full analysis is measured against it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&e.path(), out);
        } else if ft.is_file() && e.file_name() == "deployment.toml" {
            out.push(e.path());
        }
    }
}

fn main() -> ExitCode {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut files = Vec::new();
    for r in &roots {
        walk(r, &mut files);
    }
    let (mut ok, mut bad) = (0usize, 0usize);
    for f in &files {
        match std::fs::read_to_string(f).map(toml_edit::Document::parse) {
            Ok(Ok(_)) => ok += 1,
            _ => bad += 1,
        }
    }
    println!("{ok} parsed, {bad} failed");
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
