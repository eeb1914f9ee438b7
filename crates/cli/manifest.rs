//! The manifest `convert` keeps in its output folder: per input, the input's hash, the options
//! fingerprint and the tool version it was converted with, so unchanged inputs are skipped.
//!
//! During a run every finished input is appended to a journal beside the manifest
//! (`pagetree-manifest.journal`, one JSON line each, written as it finishes); the end of the run
//! folds the journal into the manifest and removes it. A run that is interrupted or killed
//! leaves the journal, and the next run reads it after the manifest, so no finished input is
//! converted twice.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::output::write_atomic;

/// File name of the manifest inside the output folder.
pub const MANIFEST: &str = "pagetree-manifest.json";

/// File name of the journal of finished inputs, beside the manifest.
pub const JOURNAL: &str = "pagetree-manifest.journal";

/// Everything converted into one output folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `pagetree.manifest`.
    pub schema: String,
    /// Schema version.
    pub version: u32,
    /// Per input key.
    pub entries: BTreeMap<String, Entry>,
}

/// One converted input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The input as given.
    pub input: String,
    /// xxh3-128 of the input's bytes, hex.
    pub hash: String,
    /// Fingerprint of the options that shape the output, hex.
    pub options: String,
    /// The pagetree version that wrote the output.
    pub tool_version: String,
    /// The output folders written for it, relative to the output folder.
    pub outputs: Vec<String>,
}

impl Manifest {
    /// Reads the manifest of `out`, then the journal a run that did not finish left beside it;
    /// a missing manifest is empty, an unreadable one too (with a warning: everything is
    /// converted again, nothing is lost). A journal's last line cut short by a kill is ignored.
    pub fn load(out: &Path) -> (Manifest, Vec<String>) {
        let path = out.join(MANIFEST);
        let mut notes = Vec::new();
        let mut manifest = match std::fs::read(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Manifest::default(),
            Err(e) => {
                notes.push(format!(
                    "cannot read {}: {e}; converting everything",
                    path.display()
                ));
                Manifest::default()
            }
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    notes.push(format!(
                        "{} is not a manifest ({e}); converting everything",
                        path.display()
                    ));
                    Manifest::default()
                }
            },
        };
        let journal = out.join(JOURNAL);
        match std::fs::read(&journal) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => notes.push(format!(
                "cannot read {}: {e}; inputs it records are converted again",
                journal.display()
            )),
            Ok(bytes) => {
                for line in bytes.split(|&b| b == b'\n') {
                    // Only a line cut short by a kill can fail to read: it is the last one.
                    if let Ok(r) = serde_json::from_slice::<Record>(line) {
                        manifest.apply(r);
                    }
                }
            }
        }
        (manifest, notes)
    }

    fn apply(&mut self, r: Record) {
        match r.entry {
            Some(e) => self.entries.insert(r.key, e),
            None => self.entries.remove(&r.key),
        };
    }

    /// Writes the manifest atomically.
    pub fn save(&mut self, out: &Path) -> io::Result<()> {
        self.schema = "pagetree.manifest".into();
        self.version = 1;
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        write_atomic(&out.join(MANIFEST), &bytes)
    }

    /// Writes the manifest (with everything the journal recorded) and removes the journal.
    pub fn compact(&mut self, out: &Path) -> io::Result<()> {
        self.save(out)?;
        match std::fs::remove_file(out.join(JOURNAL)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// One line of the journal: an input converted (`entry`) or failed (no entry: its old entry
/// goes, so a rerun tries it again).
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    key: String,
    entry: Option<Entry>,
}

/// The journal of a run, appended to as inputs finish.
pub struct Journal {
    file: File,
}

impl Journal {
    /// Opens (or creates) the journal of `out` for appending.
    pub fn open(out: &Path) -> io::Result<Journal> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(out.join(JOURNAL))?;
        Ok(Journal { file })
    }

    /// Records that the input `key` finished, with its new entry or none (it failed). Each
    /// line goes to the file in one write, unbuffered: a run killed at any moment leaves
    /// every finished input recorded. Not synced to the disk (that would cost a sync per
    /// input): a crash of the machine itself may lose the last lines, which are then
    /// converted again.
    pub fn record(&mut self, key: &str, entry: Option<&Entry>) -> io::Result<()> {
        let mut line = serde_json::to_vec(&RecordRef { key, entry })?;
        line.push(b'\n');
        self.file.write_all(&line)
    }
}

#[derive(Serialize)]
struct RecordRef<'a> {
    key: &'a str,
    entry: Option<&'a Entry>,
}

/// xxh3-128 of bytes, as 32 hex digits: fast enough to hash every input on every run.
pub fn hash_hex(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(hash: &str) -> Entry {
        Entry {
            input: "in/a.json".into(),
            hash: hash.into(),
            options: "o".into(),
            tool_version: "v".into(),
            outputs: vec!["a".into()],
        }
    }

    #[test]
    fn the_journal_replays_over_the_manifest_and_a_cut_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let mut m = Manifest::default();
        m.entries.insert("a".into(), entry("1"));
        m.entries.insert("b".into(), entry("2"));
        m.save(out).unwrap();
        let mut j = Journal::open(out).unwrap();
        j.record("a", Some(&entry("3"))).unwrap();
        j.record("b", None).unwrap();
        j.record("c", Some(&entry("4"))).unwrap();
        drop(j);
        // A kill in the middle of a line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(out.join(JOURNAL))
            .unwrap();
        f.write_all(br#"{"key":"d","entry":{"inp"#).unwrap();
        let (mut loaded, notes) = Manifest::load(out);
        assert!(notes.is_empty(), "{notes:?}");
        let keys: Vec<_> = loaded.entries.keys().cloned().collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(loaded.entries["a"].hash, "3");
        loaded.compact(out).unwrap();
        assert!(!out.join(JOURNAL).exists());
        assert_eq!(Manifest::load(out).0.entries, loaded.entries);
    }
}
