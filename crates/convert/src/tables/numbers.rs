//! Number normalisation for `--normalize-numbers`: the plain subset of the number grammar
//! ([`crate::numbers`]), rewritten so a spreadsheet or pandas reads them as numbers.

use serde::Serialize;

use crate::numbers::{Number, parse_number};

/// What to do with percentages when normalising numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Percent {
    /// Keep the sign: `12.5%` → `12.5%` (separators and sign still normalised).
    #[default]
    Keep,
    /// Write the fraction: `12.5%` → `0.125`.
    Fraction,
}

/// Rewrites one cell when it is a plain number as tables print them; `None` when it is not.
///
/// The grammar is the plain subset of [`parse_number`](crate::numbers::parse_number), around
/// optional surrounding whitespace:
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
/// symbols (`$1.2`), magnitude suffixes (`1.2k`, `3M`), qualifiers (`<0.001`), footnote marks
/// (`12*`), exponents (`1e5`), decimal commas (`1.234,5`, `12,5`), malformed groups (`1,23`),
/// and dashes other than U+2212.
///
/// ```
/// use pagetree_convert::tables::{normalize_number, Percent};
/// assert_eq!(normalize_number("1,234.5", Percent::Keep).as_deref(), Some("1234.5"));
/// assert_eq!(normalize_number("(12)", Percent::Keep).as_deref(), Some("-12"));
/// assert_eq!(normalize_number("12%", Percent::Fraction).as_deref(), Some("0.12"));
/// assert_eq!(normalize_number("$1.2k", Percent::Keep), None);
/// ```
pub fn normalize_number(cell: &str, percent: Percent) -> Option<String> {
    // The grammar lives in `crate::numbers`, shared with the quality report; this writer only
    // rewrites its plain subset.
    let n = parse_number(cell).filter(Number::is_plain)?;
    let (int_digits, frac_digits, suffix) = if n.percent && percent == Percent::Fraction {
        let (i, f) = shift_left_2(&n.integer, &n.fraction);
        (i, f, "")
    } else {
        (
            n.integer.clone(),
            n.fraction.clone(),
            if n.percent { "%" } else { "" },
        )
    };
    let mut out = String::with_capacity(int_digits.len() + frac_digits.len() + 3);
    if n.negative {
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
        // Numbers the full grammar reads but are not plain: a unit, a magnitude, a qualifier.
        let not_plain = ["$1.2k", "$12", "1.2k", "3M", "<0.001", "12*", "USD 12"];
        for s in crate::numbers::tests::NOT_NUMBERS.iter().chain(&not_plain) {
            assert_eq!(keep(s), None, "{s:?}");
        }
    }
}
