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

// parsed once per run: the size of a variant costs nothing
#[allow(clippy::large_enum_variant)]
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
    Schema {
        /// The keys of this API-M version only (4.0.0 … 4.7.0; default: every version's)
        #[arg(long, value_name = "VERSION")]
        apim_version: Option<String>,
    },
    /// What changes for the deployment between the API-M version it runs and VERSION:
    /// renamed keys (fixable), removed keys, defaults that change behaviour, role mappings
    Upgrade(UpgradeArgs),
    /// Print a shell completion script: `apimlint completions bash > /etc/bash_completion.d/apimlint`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `apimlint man > apimlint.1`
    Man,
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
    /// Output format, optionally with the file it is written to
    /// (`FORMAT=FILE`); repeat for several outputs of one run:
    /// `--format github --format sarif=apimlint.sarif`
    #[arg(long = "format", visible_alias = "output-format", value_name = "FORMAT[=FILE]",
          value_parser = OutputParser, action = clap::ArgAction::Append)]
    pub outputs: Vec<Output>,
    /// The format written to standard output (or `--output-file`): the
    /// `--format` without a file, human by default
    #[arg(skip = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
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
    /// Exit 0 even when there are findings (2 still means the run failed)
    #[arg(long)]
    pub exit_zero: bool,
    /// YAML files named on the command line that hold no node (they never
    /// mention `deployment.toml`) are skipped, and paths that hold no node
    /// at all end the run with 0: for hooks that pass every changed file
    #[arg(long)]
    pub allow_no_nodes: bool,
    /// Print how many findings each rule has (and whether `--fix` fixes
    /// them) instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// Print the findings and nothing else (nothing at all for a clean run)
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say on standard error what was read and how long each step took
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub fixes: FixArgs,
}

/// One output of a run: a format and where it goes (`None`: standard
/// output, or `--output-file`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl CheckArgs {
    /// The outputs written to files (`--format FORMAT=FILE`).
    pub(crate) fn file_outputs(&self) -> impl Iterator<Item = (Format, &std::path::Path)> {
        self.outputs
            .iter()
            .filter_map(|o| Some((o.format, o.file.as_deref()?)))
    }
}

/// `--format`'s values: [`parse_output`], with the format names as the
/// possible values `--help` and the completions show.
#[derive(Debug, Clone, Copy)]
struct OutputParser;

impl clap::builder::TypedValueParser for OutputParser {
    type Value = Output;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Output, clap::Error> {
        let s = value.to_string_lossy();
        parse_output(&s).map_err(|m| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{s}' for '--format <FORMAT[=FILE]>': {m}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Format::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// `FORMAT` or `FORMAT=FILE`.
fn parse_output(s: &str) -> Result<Output, String> {
    let (name, file) = match s.split_once('=') {
        Some((n, "")) => return Err(format!("`{n}=` names no file")),
        Some((n, f)) => (n, Some(PathBuf::from(f))),
        None => (s, None),
    };
    let format = Format::from_str(name, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| Some(v.to_possible_value()?.get_name().to_owned()))
            .collect();
        format!(
            "`{name}` is no format (one of {}, optionally `=FILE`)",
            names.join(", ")
        )
    })?;
    Ok(Output { format, file })
}

/// The rules that run, fixes, suppressions and baselines (`crate::fix`,
/// `crate::baseline`).
#[derive(Debug, Clone, Args)]
pub struct FixArgs {
    /// Run only these rules: ids or groups (syntax, node, wiring, shared,
    /// bridge, keys, front, security, meta), comma-separated or repeated; `apimlint rules`
    /// lists them
    #[arg(long, value_name = "RULE|GROUP", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (ids or groups), even when selected
    #[arg(long, value_name = "RULE|GROUP", value_delimiter = ',')]
    pub ignore: Vec<String>,
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
    /// The day certificate expiry is judged against (default: today, or
    /// `APIMLINT_NOW`), for reproducible runs
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_now)]
    pub now: Option<i64>,
    /// The API-M version the deployment runs (4.0.0 … 4.7.0): its keys,
    /// roles and defaults (overrides `[deployment] version` and image tags)
    #[arg(long, value_name = "VERSION")]
    pub apim_version: Option<String>,
}

/// `--now`'s value: a date, as seconds since the Unix epoch at 00:00 UTC.
fn parse_now(s: &str) -> Result<i64, String> {
    apimlint_core::parse_date(s).ok_or_else(|| format!("`{s}` is no date: write it as YYYY-MM-DD"))
}

#[derive(Debug, Args)]
pub struct UpgradeArgs {
    /// Directories or files (default: the current directory)
    pub paths: Vec<PathBuf>,
    /// The API-M version to upgrade to (4.0.0 … 4.7.0)
    #[arg(long, value_name = "VERSION")]
    pub to: String,
    /// The version the deployment runs (default: `[deployment] version`, else
    /// the manifests' image tags)
    #[arg(long, value_name = "VERSION")]
    pub apim_version: Option<String>,
    /// Write the renamed keys' new names in place
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the renames as a unified diff instead of writing them
    #[arg(long)]
    pub diff: bool,
    #[arg(long, value_enum, default_value_t = UpgradeFormat::Human)]
    pub format: UpgradeFormat,
    /// The project file (default: `apimlint.toml` found above the paths)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UpgradeFormat {
    Human,
    Json,
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

const SUBCOMMANDS: [&str; 10] = [
    "check",
    "rules",
    "explain",
    "graph",
    "schema",
    "upgrade",
    "completions",
    "man",
    "lsp",
    "help",
];

/// Parse, inserting `check` when the first argument is not a subcommand.
pub(crate) fn parse(mut args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_owned);
    let is_top_flag = matches!(first.as_deref(), Some("-h" | "--help" | "-V" | "--version"));
    if !is_top_flag && first.as_deref().is_none_or(|f| !SUBCOMMANDS.contains(&f)) {
        if let Some(e) = first.as_deref().and_then(mistyped_subcommand) {
            return Err(e);
        }
        args.insert(1.min(args.len()), OsString::from("check"));
    }
    let mut cli = Cli::try_parse_from(args)?;
    if let Command::Check(a) = &mut cli.command {
        settle_outputs(a)?;
    }
    Ok(cli)
}

/// A word close to a subcommand that is no path either (`apimlint explian`):
/// a typo, not a directory to lint.
fn mistyped_subcommand(word: &str) -> Option<clap::Error> {
    if !word.chars().all(|c| c.is_ascii_alphabetic()) || std::path::Path::new(word).exists() {
        return None;
    }
    let near = apimlint_core::text::did_you_mean(word, SUBCOMMANDS, 2)?;
    Some(clap::Error::raw(
        clap::error::ErrorKind::InvalidSubcommand,
        format!(
            "unrecognized subcommand '{word}'; did you mean '{near}'?\n\n(no file or directory is named '{word}' either; write './{word}' for a path)\n"
        ),
    ))
}

/// At most one output goes to standard output (it is `--format`'s value
/// `CheckArgs::format`), and no two outputs to one file.
fn settle_outputs(a: &mut CheckArgs) -> Result<(), clap::Error> {
    let conflict = |m: String| clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, m + "\n");
    let mut to_stdout = a.outputs.iter().filter(|o| o.file.is_none());
    if let Some(o) = to_stdout.next() {
        a.format = o.format;
    }
    if to_stdout.next().is_some() {
        return Err(conflict(
            "two `--format`s go to standard output: give the others a file (`--format sarif=apimlint.sarif`)".to_owned(),
        ));
    }
    let mut files: Vec<&std::path::Path> = a.file_outputs().map(|(_, f)| f).collect();
    files.extend(a.output_file.as_deref());
    files.sort();
    if let Some(w) = files.windows(2).find(|w| w.first() == w.last()) {
        return Err(conflict(format!(
            "two outputs are written to `{}`",
            w.first()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )));
    }
    Ok(())
}
