//! The `pagetree` command line: parse arguments, run one command, map the outcome to an exit
//! code (0 ok, 1 some inputs failed, 2 usage or fatal error). The commands live in the
//! package's library (`lib.rs`), which the Python extension shares.

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: a batch of pages is parsed on some threads and freed on
/// another while the next batch is parsed and rendered, which glibc serialises on arena locks;
/// mimalloc frees across threads without them (markdown of a 310 MB response ~20% faster).
/// Built without transparent huge pages, which kept ~25 MiB more resident for no speed.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(pagetree_cli::run(
        std::env::args_os(),
        pagetree_cli::Pool::Global,
    ))
}
