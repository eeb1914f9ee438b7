//! Counting chunk sizes in characters or `cl100k_base` tokens (the tokenizer adapter).
//!
//! Token counts of concatenated strings are not the sums of their parts' counts (BPE merges
//! across the seam), so every size decision measures the actual candidate text.

use super::options::{SizeUnit, TokenCounter};

/// Measures text in one unit, or with the caller's token counter.
#[derive(Clone)]
pub(crate) struct Measure {
    unit: SizeUnit,
    counter: Option<TokenCounter>,
}

impl Measure {
    pub fn new(unit: SizeUnit, counter: Option<TokenCounter>) -> Self {
        Measure { unit, counter }
    }

    /// The size of `s`.
    pub fn len(&self, s: &str) -> usize {
        if let Some(c) = &self.counter {
            return c.count(s);
        }
        match self.unit {
            SizeUnit::Chars => s.chars().count(),
            #[cfg(feature = "tokens")]
            SizeUnit::Tokens => count_tokens(s),
        }
    }

    /// Whether the unit is tokens (chunks then also report their token count).
    pub fn is_tokens(&self) -> bool {
        self.counter.is_some() || self.unit != SizeUnit::Chars
    }

    /// The longest tail of `s` that starts at a word and measures at most `n`; empty when none
    /// does. Used for overlap.
    pub fn tail(&self, s: &str, n: usize) -> usize {
        // Candidate starts: the first word and every word after whitespace.
        let starts: Vec<usize> = s
            .char_indices()
            .filter(|(i, c)| {
                !c.is_whitespace() && (*i == 0 || s[..*i].ends_with(char::is_whitespace))
            })
            .map(|(i, _)| i)
            .collect();
        // Sizes shrink as the start moves right: binary search the first start that fits.
        let (mut lo, mut hi) = (0, starts.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if self.len(&s[starts[mid]..]) <= n {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        starts.get(lo).copied().unwrap_or(s.len())
    }
}

/// Tokens of `s` in `cl100k_base`, special-token text counted as ordinary text (chunk text is
/// data, never a prompt with control tokens).
#[cfg(feature = "tokens")]
pub fn count_tokens(s: &str) -> usize {
    tiktoken_rs::cl100k_base_singleton().count_ordinary(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chars_and_tails() {
        let m = Measure::new(SizeUnit::Chars, None);
        assert_eq!(m.len("Café 🍋"), 6);
        let s = "one two three four";
        assert_eq!(&s[m.tail(s, 9)..], "four");
        assert_eq!(&s[m.tail(s, 10)..], "three four");
        assert_eq!(&s[m.tail(s, 3)..], "");
        assert_eq!(&s[m.tail(s, 100)..], s);
    }

    #[test]
    fn a_counter_of_the_callers_own_decides() {
        // One token per word, whatever the unit says.
        let words = TokenCounter::new(|s: &str| s.split_whitespace().count());
        let m = Measure::new(SizeUnit::Chars, Some(words));
        assert!(m.is_tokens());
        assert_eq!(m.len("one two three four"), 4);
        let s = "one two three four";
        assert_eq!(&s[m.tail(s, 2)..], "three four");
    }

    #[cfg(feature = "tokens")]
    #[test]
    fn cl100k_counts_offline() {
        // Reference counts from OpenAI's tiktoken for cl100k_base.
        assert_eq!(count_tokens("hello world"), 2);
        assert_eq!(count_tokens("<|endoftext|>"), 7);
        assert_eq!(count_tokens(""), 0);
        let m = Measure::new(SizeUnit::Tokens, None);
        let s = "alpha beta gamma delta";
        let t = m.tail(s, 2);
        assert!(m.len(&s[t..]) <= 2 && t < s.len());
    }
}
