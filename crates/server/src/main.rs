//! `accessd`: parses the command line and runs the chosen command.

use clap::Parser;

// glibc's allocator was a tenth of a list read's time (perf, bench/README.md); mimalloc's
// thread-local free lists take less.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = accessd_server::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(accessd_server::cli::run(cli))
}
