//! The `apimlint` binary: a thin main over [`apimlint_cli`].

/// mimalloc: parsing thousands of files on every core allocates millions of
/// small objects; glibc's allocator made a full check ~11% costlier in CPU
/// (measured with the benchmark, `cargo run --release -p apimlint_bench`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    apimlint_cli::main()
}
