//! `apimlint-pages OUT`: write every rule page's example and fix as
//! deployment trees `OUT/<page>/{bad,good}` (for the checks of `.ci/` that
//! want deployments with mistakes in them), and list them, one
//! `<rule> <bad> <good>` line each.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: apimlint-pages OUT");
        return ExitCode::from(2);
    };
    match apimlint_pages::write_trees(&apimlint_pages::repo(), &out) {
        Ok(trees) => {
            let mut stdout = std::io::stdout().lock();
            for t in trees {
                let _ = writeln!(
                    stdout,
                    "{} {} {}",
                    t.rule,
                    t.bad.display(),
                    t.good.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("apimlint-pages: {e}");
            ExitCode::FAILURE
        }
    }
}
