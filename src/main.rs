//! The `apimlint` binary: a thin main over [`apimlint_cli`].

fn main() -> std::process::ExitCode {
    apimlint_cli::main()
}
