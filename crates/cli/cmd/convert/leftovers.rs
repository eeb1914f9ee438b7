//! What runs that were killed left in `OUT/.pagetree-tmp`, found and removed.

use std::path::Path;

/// Removes what runs that are no longer running left in the temporary folder: a run killed
/// mid-conversion leaves its staged folders and its copy of standard input there. Entries are
/// named after the process that made them, so an entry is a leftover when `/proc` exists and
/// holds no such process (without `/proc`, nothing is removed). Returns how many went.
pub(super) fn remove_leftovers(tmp: &Path, proc_dir: &Path) -> usize {
    if !proc_dir.is_dir() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        if pid == std::process::id() || proc_dir.join(pid.to_string()).exists() {
            continue;
        }
        let path = entry.path();
        let gone = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed += usize::from(gone.is_ok());
    }
    removed
}

/// The process that made a temporary entry: `<pid>-<n>` (or `<pid>-<n>.old`) for staged
/// folders, `.pagetree-stdin-<pid>-...` for copies of standard input.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(".pagetree-stdin-").unwrap_or(name);
    let (pid, _) = rest.split_once('-')?;
    pid.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_runs_go_and_live_runs_keep_theirs() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, proc_dir) = (dir.path().join("tmp"), dir.path().join("proc"));
        std::fs::create_dir_all(proc_dir.join("41")).unwrap();
        for d in ["41-0", "42-0", "42-1.old"] {
            std::fs::create_dir_all(tmp.join(d).join("tables")).unwrap();
            std::fs::write(tmp.join(d).join("document.md"), "x").unwrap();
        }
        for f in [
            ".pagetree-stdin-42-Ab3x.json",
            ".pagetree-stdin-41-Zz9q.json",
            "notes",
        ] {
            std::fs::write(tmp.join(f), "x").unwrap();
        }
        assert_eq!(remove_leftovers(&tmp, &proc_dir), 3);
        let mut left: Vec<String> = std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".pagetree-stdin-41-Zz9q.json", "41-0", "notes"]);
        // No `/proc`: nothing is judged.
        assert_eq!(remove_leftovers(&tmp, &dir.path().join("none")), 0);
        assert_eq!(
            owner_pid(&format!("{}-7", std::process::id())),
            Some(std::process::id())
        );
    }
}
