//! SIGINT and SIGTERM during `convert`: the run stops starting inputs, keeps what finished
//! (the journal already holds it), says how far it got and exits with 128 + the signal.

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The signal that asked the run to stop (0 while none has).
#[derive(Clone, Default)]
pub(super) struct Interrupt(Arc<AtomicI32>);

impl Interrupt {
    /// Catches SIGINT and SIGTERM from now on. A second signal ends the process at once, for
    /// a person who does not want to wait for the summary.
    pub(super) fn install() -> Self {
        let got = Interrupt::default();
        match Signals::new([SIGINT, SIGTERM]) {
            Ok(mut signals) => {
                let flag = got.0.clone();
                std::thread::spawn(move || {
                    for sig in signals.forever() {
                        if flag.swap(sig, Ordering::SeqCst) != 0 {
                            std::process::exit(128 + sig);
                        }
                    }
                });
            }
            // Without the handler the signals keep their default (the process ends); the
            // journal still keeps every finished input.
            Err(e) => eprintln!("warning: cannot catch interrupts: {e}"),
        }
        got
    }

    /// The signal received, if any.
    pub(super) fn signal(&self) -> Option<i32> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }
}
