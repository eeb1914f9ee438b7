//! The manifest `convert` keeps in its output folder: per input, the input's hash, the options
//! fingerprint and the tool version it was converted with, so unchanged inputs are skipped.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::output::write_atomic;

/// File name of the manifest inside the output folder.
pub const MANIFEST: &str = "pagetree-manifest.json";

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
    /// Reads the manifest of `out`; a missing one is empty, an unreadable one too (with a
    /// warning: everything is converted again, nothing is lost).
    pub fn load(out: &Path) -> (Manifest, Option<String>) {
        let path = out.join(MANIFEST);
        match std::fs::read(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => (Manifest::default(), None),
            Err(e) => (
                Manifest::default(),
                Some(format!(
                    "cannot read {}: {e}; converting everything",
                    path.display()
                )),
            ),
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(m) => (m, None),
                Err(e) => (
                    Manifest::default(),
                    Some(format!(
                        "{} is not a manifest ({e}); converting everything",
                        path.display()
                    )),
                ),
            },
        }
    }

    /// Writes the manifest atomically.
    pub fn save(&mut self, out: &Path) -> io::Result<()> {
        self.schema = "pagetree.manifest".into();
        self.version = 1;
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        write_atomic(&out.join(MANIFEST), &bytes)
    }
}

/// xxh3-128 of bytes, as 32 hex digits: fast enough to hash every input on every run.
pub fn hash_hex(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}
