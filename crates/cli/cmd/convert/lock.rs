//! One run at a time per output folder: an advisory lock on `OUT/.pagetree-lock`.
//!
//! Two runs into one folder with different options would record folders in the manifest with
//! options they were not written with. The lock is the operating system's (`flock`), so it
//! goes with the process however it ends (a crash or `kill -9` leaves no stale lock); the file
//! itself stays, holding the pid of the last run that took it, for the message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// File name of the lock inside the output folder.
pub(super) const LOCK: &str = ".pagetree-lock";

/// The held lock; released when dropped (or when the process ends).
pub(super) struct Lock {
    _file: File,
}

/// Takes the lock of `out`. When another run holds it: waits for it with `wait` (saying so
/// unless `quiet`), else fails with a message that says who holds it and what to do.
pub(super) fn lock(out: &Path, wait: bool, quiet: bool) -> Result<Lock> {
    let path = out.join(LOCK);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = holder(&mut file);
            if !wait {
                bail!(
                    "{} is in use by another pagetree convert{holder}; wait for it to finish, \
                     or pass --wait to wait for it",
                    out.display()
                );
            }
            if !quiet {
                eprintln!(
                    "note: waiting for another pagetree convert{holder} to finish with {}",
                    out.display()
                );
            }
            file.lock()
                .with_context(|| format!("cannot lock {}", path.display()))?;
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    // The pid is only for the message above; failing to write it changes nothing.
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()));
    Ok(Lock { _file: file })
}

/// ` (pid N)` when the lock file names its holder.
fn holder(file: &mut File) -> String {
    let mut s = String::new();
    let _ = file.read_to_string(&mut s);
    match s.trim().parse::<u32>() {
        Ok(pid) => format!(" (pid {pid})"),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_fails_with_a_message_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path(), false, true).unwrap();
        let err = lock(dir.path(), false, true)
            .err()
            .expect("held")
            .to_string();
        assert!(
            err.contains("in use by another pagetree convert (pid "),
            "{err}"
        );
        assert!(err.contains("--wait"), "{err}");
        drop(first);
        lock(dir.path(), false, true).expect("free again");
    }
}
