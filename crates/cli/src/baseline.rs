//! `check --write-baseline FILE` and `check --baseline FILE`: a baseline
//! records, per fingerprint ([`apimlint_core::fingerprint`]), how many findings
//! had it; a later run drops at most that many findings per fingerprint, so a
//! new instance of an old finding still shows. Fingerprints hold the rule, the
//! node id, the key path (array entries named) and the value (never a secret
//! one), never a line number: inserting lines does not change them.

use std::collections::BTreeMap;
use std::path::Path;

use apimlint_core::{Deployment, Diagnostic};
use serde::{Deserialize, Serialize};

/// The format's version; a file with another one is refused.
pub(crate) const VERSION: u64 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u64,
    tool: String,
    findings: Vec<Entry>,
}

/// One fingerprint. `rule`, `node`, `file` and `message` are there for
/// readers of the file (and its reviews); matching uses the fingerprint only.
#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    count: usize,
    rule: String,
    node: String,
    /// Relative to the deployment root.
    file: String,
    message: String,
}

/// How many findings a baseline absorbs, per fingerprint.
#[derive(Debug, Default)]
pub(crate) struct Baseline {
    counts: BTreeMap<String, usize>,
}

/// Write the findings as a baseline. Returns (findings, fingerprints).
pub(crate) fn write(
    path: &Path,
    dep: &Deployment,
    diags: &[Diagnostic],
) -> Result<(usize, usize), String> {
    let mut by_fp: BTreeMap<String, Entry> = BTreeMap::new();
    for d in diags {
        let fp = apimlint_core::fingerprint(dep, d);
        by_fp
            .entry(fp.clone())
            .and_modify(|e| e.count += 1)
            .or_insert_with(|| Entry {
                fingerprint: fp,
                count: 1,
                rule: d.rule.to_owned(),
                node: dep.id_of(d.file).to_owned(),
                file: dep
                    .node_of(d.file)
                    .map_or_else(String::new, |n| n.rel.clone()),
                message: d.message.clone(),
            });
    }
    let mut findings: Vec<Entry> = by_fp.into_values().collect();
    findings.sort_by(|a, b| {
        (&a.file, &a.rule, &a.fingerprint).cmp(&(&b.file, &b.rule, &b.fingerprint))
    });
    let file = File {
        version: VERSION,
        tool: "apimlint".to_owned(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    writable(path, dep.root())?;
    let written = if path.is_file() {
        apimlint_core::vfs::write_atomic(path, text.as_bytes())
    } else {
        std::fs::write(path, text)
    };
    written.map_err(|e| format!("cannot write the baseline {}: {e}", path.display()))?;
    Ok((diags.len(), file.findings.len()))
}

/// Refuse to write the baseline through a symbolic link that leads out of
/// the deployment and the current directory (a link committed to the
/// repository must not make apimlint write elsewhere on the machine), or
/// onto anything but a regular file (a FIFO would block, a device be
/// written to).
fn writable(path: &Path, root: &Path) -> Result<(), String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let abs = cwd.join(path);
    if let Some(real) = apimlint_core::vfs::links_out(&abs, &[root, &cwd]) {
        return Err(format!(
            "refusing to write the baseline {}: a symbolic link leads it to {}, outside the deployment",
            path.display(),
            real.display()
        ));
    }
    match std::fs::metadata(&abs) {
        Ok(m) if !m.is_file() => Err(format!(
            "refusing to write the baseline {}: it is not a regular file",
            path.display()
        )),
        _ => Ok(()),
    }
}

/// Read a baseline written by `write` (with the bounded reader: a regular
/// file of at most 10 MiB).
pub(crate) fn read(path: &Path) -> Result<Baseline, String> {
    let text = apimlint_core::vfs::read_bytes(path)
        .and_then(apimlint_core::vfs::decode)
        .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not an apimlint baseline: {e} (write one with `apimlint check --write-baseline FILE`)",
            path.display()
        )
    })?;
    if file.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (this apimlint writes version {VERSION})",
            path.display(),
            file.version
        ));
    }
    let mut counts = BTreeMap::new();
    for e in file.findings {
        *counts.entry(e.fingerprint).or_insert(0) += e.count;
    }
    Ok(Baseline { counts })
}

impl Baseline {
    /// Drop the findings the baseline records (at most its count per
    /// fingerprint, in report order). Returns what is left and how many were
    /// absorbed.
    pub(crate) fn filter(
        &self,
        dep: &Deployment,
        diags: Vec<Diagnostic>,
    ) -> (Vec<Diagnostic>, usize) {
        let mut left = self.counts.clone();
        let mut absorbed = 0usize;
        let kept = diags
            .into_iter()
            .filter(
                |d| match left.get_mut(&apimlint_core::fingerprint(dep, d)) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        absorbed += 1;
                        false
                    }
                    _ => true,
                },
            )
            .collect();
        (kept, absorbed)
    }
}
