//! apimlint's command line: arguments, commands, renderers and exit codes.
//! All analysis lives in `apimlint_core`; this crate only drives it and
//! renders what it returns.

mod args;
mod baseline;
mod commands;
mod fix;
pub mod render;
mod settings;
mod upgrade;

use std::process::ExitCode;

pub use args::{Cli, Command};

/// Exit codes: 0 clean, 1 findings at or above `--fail-on`, 2 the run failed
/// (bad arguments, a bad `apimlint.toml`, no `deployment.toml` found). An
/// unreadable or unparsable `deployment.toml` is a finding, not a failed run.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
/// Standard output was closed before everything was written (`apimlint
/// schema | head -1`): the status of a process that `SIGPIPE` ended
/// (128 + 13), as shells report `yes | head -1`, without a message.
pub const EXIT_PIPE: u8 = 141;

/// Standard output, noting when its reader went away.
struct Pipe<'a> {
    inner: &'a mut dyn std::io::Write,
    broken: bool,
}

impl Pipe<'_> {
    fn note<T>(&mut self, r: std::io::Result<T>) -> std::io::Result<T> {
        if let Err(e) = &r {
            self.broken |= e.kind() == std::io::ErrorKind::BrokenPipe;
        }
        r
    }
}

impl std::io::Write for Pipe<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let r = self.inner.write(buf);
        self.note(r)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let r = self.inner.flush();
        self.note(r)
    }
}

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
    let mut out = Pipe {
        inner: out,
        broken: false,
    };
    let result = commands::dispatch(cli, &mut out, err);
    let result = result.and_then(|code| {
        std::io::Write::flush(&mut out)
            .map(|()| code)
            .map_err(|e| format!("cannot write the report: {e}"))
    });
    match result {
        _ if out.broken => EXIT_PIPE,
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "apimlint: error: {e}");
            EXIT_ERROR
        }
    }
}
