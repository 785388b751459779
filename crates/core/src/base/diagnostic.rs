//! Findings: the boundary between the analysis and every renderer. Ranges
//! are byte offsets into a file's text; files are [`FileId`]s; line/column
//! conversion happens only in renderers.

use std::ops::Range;

use super::edit::Fix;
use super::files::FileId;

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

/// What a finding needs to know of the rule that made it: its public id and
/// default severity. Implemented by the rule registry's `Rule`.
pub trait RuleInfo {
    fn id(&self) -> &'static str;
    fn severity(&self) -> Severity;
}

/// A location in another (or the same) file that explains the finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub file: FileId,
    pub range: Range<usize>,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    /// The file (node) the user must edit.
    pub file: FileId,
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
    pub fn new(
        rule: &dyn RuleInfo,
        file: FileId,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule: rule.id(),
            severity: rule.severity(),
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

    pub fn related(
        mut self,
        file: FileId,
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
}
