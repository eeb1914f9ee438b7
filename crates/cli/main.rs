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

/// How long mimalloc keeps freed memory before it gives it back to the system, in
/// milliseconds (its own default is 1,000). A batched conversion frees a batch's large buffers
/// (rendered markdown and text, elements JSON, each over 512 KiB, which mimalloc maps one by
/// one) every few milliseconds; kept for a second, they were most of `convert`'s peak on the
/// 310 MB bench response: 54-78 MiB across runs, against 45-50 MiB at 50 ms, for 3% more CPU
/// (docs/performance.md, "The allocator's purge delay"). `MIMALLOC_PURGE_DELAY` in the
/// environment still decides.
const PURGE_DELAY_MS: std::ffi::c_long = 50;

/// `mi_option_purge_delay`'s place in mimalloc 3's `mi_option_t` (include/mimalloc.h of the
/// `libmimalloc-sys` in Cargo.lock; the crate does not export the option constants). The test
/// below checks it by the option's default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Sets the purge delay's default to [`PURGE_DELAY_MS`].
#[allow(unsafe_code)]
fn shorten_purge_delay() {
    // SAFETY: a call into mimalloc with an option index in range and a plain value. It is made
    // before this program starts any thread (mimalloc's option setters are not thread-safe),
    // and it changes only the default: an option set from the environment at start-up
    // (`MIMALLOC_PURGE_DELAY`) is marked initialized and left as it is.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

fn main() -> ExitCode {
    shorten_purge_delay();
    ExitCode::from(pagetree_cli::run(
        std::env::args_os(),
        pagetree_cli::Pool::Global,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads mimalloc's value of the option at [`MI_OPTION_PURGE_DELAY`].
    #[allow(unsafe_code)]
    fn purge_delay() -> std::ffi::c_long {
        // SAFETY: reads an option by an index in range; no other thread sets options.
        unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) }
    }

    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return; // the environment decides; nothing of ours to check
        }
        // mimalloc 3 documents the purge delay's default as 1,000 ms; no other option of its
        // `mi_option_t` defaults to that, so this is the option we mean to set.
        assert_eq!(purge_delay(), 1000, "index {MI_OPTION_PURGE_DELAY}");
        shorten_purge_delay();
        assert_eq!(purge_delay(), PURGE_DELAY_MS);
    }
}
