//! Command-line arguments. `apimlint PATH…` means `apimlint check PATH…`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "apimlint",
    version,
    about = "Cross-node linter for WSO2 API Manager deployment.toml files",
    after_help = "`apimlint PATH…` is short for `apimlint check PATH…`. Exit codes: 0 clean, 1 findings, 2 the run failed."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint a deployment (the default command)
    Check(CheckArgs),
    /// List every rule
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print a rule's documentation
    Explain {
        /// The rule id, e.g. `gateway-label-unmatched`
        rule: String,
    },
    /// Print the resolved node graph
    Graph(GraphArgs),
    /// Print a JSON Schema (draft-07) of deployment.toml, for taplo / Even Better TOML
    Schema,
    /// Run the language server on stdin/stdout (JSON-RPC, LSP 3.17)
    Lsp {
        /// Accepted and ignored: stdin/stdout is the only transport (many
        /// clients, vscode-languageclient among them, pass it by convention)
        #[arg(long, hide = true)]
        stdio: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Directories or files (default: the current directory)
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// The project file (default: `apimlint.toml` found above the paths)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Skip paths matching GLOB (repeatable; relative to the current
    /// directory; a GLOB without `/` matches any file or directory name), in
    /// addition to `apimlint.toml`'s `exclude`
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// With `-` (a manifest stream on standard input): the region of its nodes
    /// (default: the namespace)
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,
    /// With `-`: the namespace of objects that name none (default: `default`)
    #[arg(long, value_name = "NAME")]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub fixes: FixArgs,
}

/// Fixes, suppressions and baselines (`crate::fix`, `crate::baseline`).
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    /// Apply safe fixes in place, then report what is left
    #[arg(long)]
    pub fix: bool,
    /// With --fix or --diff: apply the unsafe fixes too
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them
    #[arg(long, conflicts_with = "write_baseline")]
    pub diff: bool,
    /// A suppression comment without `-- reason` is a finding
    #[arg(long)]
    pub require_reason: bool,
    /// Report only findings not recorded in FILE
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the findings in FILE (a baseline), so that CI fails only on new ones
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Compact,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

const SUBCOMMANDS: [&str; 7] = [
    "check", "rules", "explain", "graph", "schema", "lsp", "help",
];

/// Parse, inserting `check` when the first argument is not a subcommand.
pub(crate) fn parse(mut args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_owned);
    let is_top_flag = matches!(first.as_deref(), Some("-h" | "--help" | "-V" | "--version"));
    if !is_top_flag && first.as_deref().is_none_or(|f| !SUBCOMMANDS.contains(&f)) {
        args.insert(1.min(args.len()), OsString::from("check"));
    }
    Cli::try_parse_from(args)
}
