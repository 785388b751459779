//! The `apimlint` binary: a thin main over [`apimlint_cli`].

/// mimalloc: parsing thousands of files on every core allocates millions of
/// small objects; glibc's allocator made a full check ~11% costlier in CPU
/// (measured with the benchmark, `cargo run --release -p apimlint_bench`).
/// Built with `no_thp`: asking for transparent huge pages made the
/// 10,000-node check ~20% slower and less predictable (the kernel zeroes and
/// compacts 2 MiB at a time) for ~8% at 1,000 nodes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    apimlint_cli::main()
}
