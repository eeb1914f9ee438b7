//! Number normalisation for `--normalize-numbers`: the grammar of numbers as tables print
//! them, rewritten so a spreadsheet or pandas reads them as numbers.

use serde::Serialize;

/// What to do with percentages when normalising numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Percent {
    /// Keep the sign: `12.5%` → `12.5%` (separators and sign still normalised).
    #[default]
    Keep,
    /// Write the fraction: `12.5%` → `0.125`.
    Fraction,
}

/// Rewrites one cell when it is a number as tables print them; `None` when it is not.
///
/// The grammar, around optional surrounding whitespace:
///
/// - a sign `-`, `+` or `−` (U+2212 MINUS SIGN), or accounting parentheses `(12)` for a
///   negative number (not both);
/// - digits with optional thousands separators in groups of three (`,`, or the no-break
///   spaces U+00A0, U+202F and thin space U+2009), then an optional `.` and digits
///   (`.5` is read as `0.5`);
/// - an optional `%` at the end (inside the parentheses for a negative).
///
/// The result has no separators, no `+`, `-` for negatives, and `%` kept or turned into a
/// fraction by exact decimal shifting (never through floating point): `1,234.5` → `1234.5`,
/// `(12)` → `-12`, `−12` → `-12`, `12%` → `12%` or `0.12`.
///
/// Deliberately left alone (returns `None`) because reading them is a guess: currency
/// symbols (`$1.2`), magnitude suffixes (`1.2k`, `3M`), exponents (`1e5`), decimal commas
/// (`1.234,5`, `12,5`), malformed groups (`1,23`), and dashes other than U+2212.
///
/// ```
/// use pagetree_convert::tables::{normalize_number, Percent};
/// assert_eq!(normalize_number("1,234.5", Percent::Keep).as_deref(), Some("1234.5"));
/// assert_eq!(normalize_number("(12)", Percent::Keep).as_deref(), Some("-12"));
/// assert_eq!(normalize_number("12%", Percent::Fraction).as_deref(), Some("0.12"));
/// assert_eq!(normalize_number("$1.2k", Percent::Keep), None);
/// ```
pub fn normalize_number(cell: &str, percent: Percent) -> Option<String> {
    let s = cell.trim();
    let (negative, body) =
        if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            (true, inner.trim())
        } else if let Some(r) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
            (true, r)
        } else if let Some(r) = s.strip_prefix('+') {
            (false, r)
        } else {
            (false, s)
        };
    let (body, is_percent) = match body.strip_suffix('%') {
        Some(b) => (b.trim_end(), true),
        None => (body, false),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let int_digits = integer_digits(int_part)?;
    let frac_digits = match frac_part {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => f,
        Some(_) => return None,
        None => "",
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let int_digits = if int_digits.is_empty() {
        "0".to_owned()
    } else {
        int_digits
    };
    let (int_digits, frac_digits, suffix) = if is_percent && percent == Percent::Fraction {
        let (i, f) = shift_left_2(&int_digits, frac_digits);
        (i, f, "")
    } else {
        (
            int_digits,
            frac_digits.to_owned(),
            if is_percent { "%" } else { "" },
        )
    };
    let zero = int_digits.bytes().all(|b| b == b'0') && frac_digits.bytes().all(|b| b == b'0');
    let mut out = String::with_capacity(int_digits.len() + frac_digits.len() + 3);
    if negative && !zero {
        out.push('-');
    }
    out.push_str(&int_digits);
    if !frac_digits.is_empty() {
        out.push('.');
        out.push_str(&frac_digits);
    }
    out.push_str(suffix);
    Some(out)
}

/// The digits of an integer part written plainly (`1234`) or in groups of three (`1,234`);
/// `Some("")` for an empty part (`.5`), `None` when malformed.
fn integer_digits(s: &str) -> Option<String> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(s.to_owned());
    }
    let groups: Vec<&str> = s.split([',', '\u{a0}', '\u{202f}', '\u{2009}']).collect();
    let first = groups[0];
    let ok = (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups[1..]
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| groups.concat())
}

/// Divides `int.frac` by 100 exactly, trimming zeros that carry no value.
fn shift_left_2(int: &str, frac: &str) -> (String, String) {
    let padded = format!("{int:0>3}");
    let (i, moved) = padded.split_at(padded.len() - 2);
    let i = i.trim_start_matches('0');
    let i = if i.is_empty() { "0" } else { i };
    let f = format!("{moved}{frac}");
    (i.to_owned(), f.trim_end_matches('0').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(s: &str) -> Option<String> {
        normalize_number(s, Percent::Keep)
    }

    fn frac(s: &str) -> Option<String> {
        normalize_number(s, Percent::Fraction)
    }

    #[test]
    fn the_grammar() {
        let cases = [
            ("1,234.5", "1234.5"),
            (" 14,172.4 ", "14172.4"),
            ("1234", "1234"),
            ("(12)", "-12"),
            ("( 1,234.50 )", "-1234.50"),
            ("\u{2212}12", "-12"),
            ("-2,900", "-2900"),
            ("+0.01", "0.01"),
            (".5", "0.5"),
            ("1\u{a0}234", "1234"),
            ("1\u{202f}234\u{202f}567,8", "x"),
            ("12%", "12%"),
            ("(3.5%)", "-3.5%"),
            ("-0", "0"),
            ("007", "007"),
        ];
        for (input, want) in cases {
            let got = keep(input);
            if want == "x" {
                assert_eq!(got, None, "{input}");
            } else {
                assert_eq!(got.as_deref(), Some(want), "{input}");
            }
        }
    }

    #[test]
    fn percent_as_fraction_is_exact() {
        assert_eq!(frac("12%").as_deref(), Some("0.12"));
        assert_eq!(frac("12.5%").as_deref(), Some("0.125"));
        assert_eq!(frac("150%").as_deref(), Some("1.5"));
        assert_eq!(frac("100%").as_deref(), Some("1"));
        assert_eq!(frac("0.1%").as_deref(), Some("0.001"));
        assert_eq!(frac("1,250%").as_deref(), Some("12.5"));
        assert_eq!(frac("(3%)").as_deref(), Some("-0.03"));
        assert_eq!(frac("0%").as_deref(), Some("0"));
        assert_eq!(frac("12").as_deref(), Some("12"));
    }

    #[test]
    fn guesses_are_refused() {
        for s in [
            "",
            " ",
            "-",
            "(",
            "()",
            "%",
            "$1.2k",
            "$12",
            "1.2k",
            "3M",
            "1e5",
            "1.234,5",
            "12,5",
            "1,23",
            "12.",
            "1.2.3",
            "--1",
            "-(12)",
            "(-12)",
            "\u{2013}12",
            "12 %x",
            "abc",
            "12a",
            "1,2345",
            ",123",
        ] {
            assert_eq!(keep(s), None, "{s:?}");
        }
    }
}
