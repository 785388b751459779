//! Diagnostics, related locations and fixes: the API boundary between the
//! analysis and every renderer. Ranges are byte offsets into the node's text;
//! line/column conversion happens only in renderers.

use std::ops::Range;

use sha2::{Digest, Sha256};

use crate::graph::{Deployment, NodeIdx};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How safe a fix is: `--fix` applies `Safe`, `--unsafe-fixes` adds `Unsafe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    Unsafe,
    Safe,
}

/// One text replacement in one node's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub file: NodeIdx,
    pub range: Range<usize>,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// "Replace with `value`": the value at `range` (a whole string literal)
    /// becomes `value`, written as an escaped TOML basic string.
    pub fn replace_with_string(
        file: NodeIdx,
        range: Range<usize>,
        value: &str,
        applicability: Applicability,
    ) -> Fix {
        Fix {
            title: format!("Replace with `{value}`"),
            applicability,
            edits: vec![Edit {
                file,
                range,
                new_text: crate::fix::toml_string(value),
            }],
        }
    }
}

/// A location in another (or the same) file that explains the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub file: NodeIdx,
    pub range: Range<usize>,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    /// The node (and file) the user must edit.
    pub file: NodeIdx,
    pub range: Range<usize>,
    pub message: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Key path for fingerprints (array entries named, not numbered).
    pub key: String,
    /// Normalised value for fingerprints; `None` for secret-bearing keys.
    pub value: Option<String>,
}

impl Diagnostic {
    /// The same finding with file `from` named `to` (its own file, related
    /// locations and fix edits): for findings kept while node indices change.
    pub fn renumber(mut self, from: NodeIdx, to: NodeIdx) -> Diagnostic {
        let map = |f: NodeIdx| if f == from { to } else { f };
        self.file = map(self.file);
        self.related.iter_mut().for_each(|r| r.file = map(r.file));
        if let Some(fix) = &mut self.fix {
            fix.edits.iter_mut().for_each(|e| e.file = map(e.file));
        }
        self
    }

    pub fn new(
        rule: &crate::rules::Rule,
        file: NodeIdx,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: rule.id,
            severity: rule.severity,
            file,
            range,
            message: message.into(),
            help: None,
            related: Vec::new(),
            fix: None,
            key: String::new(),
            value: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn related(
        mut self,
        file: NodeIdx,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        self.related.push(Related {
            file,
            range,
            message: message.into(),
        });
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// Key path and value, for the fingerprint.
    pub fn key(mut self, key: impl Into<String>, value: Option<&str>) -> Self {
        self.key = key.into();
        self.value = value.map(|v| v.trim().to_lowercase());
        self
    }

    /// `sha256(rule, node id, key path, normalised value)` (cli.md, *Fingerprints*).
    pub fn fingerprint(&self, dep: &Deployment) -> String {
        let node = dep.nodes.get(self.file).map_or("", |n| n.id.as_str());
        let secret = crate::redact::is_secret_key(self.key.rsplit('.').next().unwrap_or(""))
            || crate::redact::is_secret_table(&self.key.split('.').collect::<Vec<_>>());
        let value = if secret {
            String::new()
        } else {
            crate::redact::redact_value(self.value.as_deref().unwrap_or(""))
        };
        let mut h = Sha256::new();
        for part in [self.rule, node, self.key.as_str(), value.as_str()] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}
