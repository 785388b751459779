//! apimlint's command line: arguments, commands, renderers and exit codes.
//! All analysis lives in `apimlint_core`; this crate only drives it and
//! renders what it returns.

mod args;
mod baseline;
mod commands;
mod fix;
pub mod render;

use std::process::ExitCode;

pub use args::{Cli, Command};

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 the run failed
/// (bad arguments, a bad `apimlint.toml`, no `deployment.toml` found). An
/// unreadable or unparsable `deployment.toml` is a finding, not a failed run.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// The binary's entry point.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // the language server owns stdout: no lock on it may be held while it runs
    if let Ok(Cli {
        command: Command::Lsp { .. },
    }) = args::parse(args.clone())
    {
        return ExitCode::from(match apimlint_lsp::run_stdio() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("apimlint: error: {e}");
                EXIT_ERROR
            }
        });
    }
    let code = run(
        args,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}

/// Run apimlint with `args` (including the program name), writing to `out`/`err`.
pub fn run(
    args: Vec<std::ffi::OsString>,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> u8 {
    let cli = match args::parse(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let text = e.render().to_string();
            let _ = if e.use_stderr() {
                write!(err, "{text}")
            } else {
                write!(out, "{text}")
            };
            return code;
        }
    };
    match commands::dispatch(cli, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "apimlint: error: {e}");
            EXIT_ERROR
        }
    }
}
