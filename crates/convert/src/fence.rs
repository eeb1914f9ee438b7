//! Fenced code blocks in markdown text: which lines open and close them (CommonMark's rules,
//! simplified: up to three spaces of indentation, three or more backticks or tildes, a closing
//! fence of the same character at least as long and without an info string), so that a line
//! that looks like a heading inside one is known to be code.

/// An open fence: its opening line (indentation, fence and info string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fence {
    /// The opening line as written (reopened in a chunk that starts inside the block).
    pub line: String,
    ch: char,
    len: usize,
}

impl Fence {
    /// The line that closes it.
    pub fn closing(&self) -> String {
        self.ch.to_string().repeat(self.len)
    }
}

/// The fence a line opens (`None` when it is not a fence line).
fn fence_of(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.len() - rest.trim_start_matches(ch).len();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    // A backtick fence's info string cannot hold a backtick.
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((ch, len, info))
}

/// Advances the fence state over one line.
pub(crate) fn step(state: &mut Option<Fence>, line: &str) {
    let line = line.trim_end_matches(['\n', '\r']);
    match state {
        Some(open) => {
            if let Some((ch, len, info)) = fence_of(line)
                && ch == open.ch
                && len >= open.len
                && info.is_empty()
            {
                *state = None;
            }
        }
        None => {
            if let Some((ch, len, _)) = fence_of(line) {
                *state = Some(Fence {
                    line: line.to_owned(),
                    ch,
                    len,
                });
            }
        }
    }
}

/// Advances the fence state over every line of `text`.
pub(crate) fn scan(state: &mut Option<Fence>, text: &str) {
    for line in text.lines() {
        step(state, line);
    }
}

/// Where fences open and close in one text, to ask which fence is open at any byte offset
/// in `O(log n)`.
#[derive(Debug, Default)]
pub(crate) struct FenceIndex {
    /// After the fence line ending at this offset (its last byte, before the newline), this
    /// fence is open (or none).
    events: Vec<(usize, Option<Fence>)>,
}

impl FenceIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut events = Vec::new();
        let mut state = None;
        let mut pos = 0;
        for line in text.split_inclusive('\n') {
            let was = state.clone();
            step(&mut state, line);
            if state != was {
                let end = pos + line.trim_end_matches(['\n', '\r']).len();
                events.push((end, state.clone()));
            }
            pos += line.len();
        }
        FenceIndex { events }
    }

    /// The fence open at byte `at`: opened by a line that ends at or before it and not closed
    /// by one that ends at or before it.
    pub fn open_at(&self, at: usize) -> Option<&Fence> {
        let i = self.events.partition_point(|(end, _)| *end <= at);
        i.checked_sub(1).and_then(|i| self.events[i].1.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_open_and_close() {
        let text = "intro\n```python\n# Create a cell\nx = 1\n```\n# Heading\n~~~~\n```\n~~~~\n";
        let idx = FenceIndex::new(text);
        let at = |s: &str| text.find(s).unwrap();
        assert!(idx.open_at(at("intro")).is_none());
        assert!(idx.open_at(at("```python")).is_none());
        assert_eq!(idx.open_at(at("# Create")).unwrap().line, "```python");
        assert!(idx.open_at(at("# Heading")).is_none());
        // Inside a tilde fence a backtick line does not close it.
        let inner = text.rfind("```").unwrap();
        assert_eq!(idx.open_at(inner).unwrap().line, "~~~~");
        assert!(idx.open_at(text.len()).is_none());
        let mut s = None;
        scan(&mut s, "```rust\nfn x() {}");
        assert_eq!(s.as_ref().map(Fence::closing).as_deref(), Some("```"));
        scan(&mut s, "```");
        assert!(s.is_none());
        assert!(fence_of("    ```").is_none());
        assert!(fence_of("``").is_none());
    }
}
