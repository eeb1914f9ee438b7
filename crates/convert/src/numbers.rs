//! The grammar of numbers as tables print them, kept in one place: `1,234.5`, `(123)`, `−12`,
//! `12%`, `$1.2k`, `€3bn`, `<0.001`, `12*`. The table writer's `--normalize-numbers` rewrites
//! only the plain subset ([`Number::is_plain`]); the quality report reads all of it to infer
//! column types, compare representations and add up totals.

use serde::Serialize;

/// How a number shows its sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignStyle {
    /// No sign.
    Unsigned,
    /// `+12`.
    Plus,
    /// `-12` (ASCII hyphen-minus).
    Hyphen,
    /// `−12` (U+2212 MINUS SIGN).
    Minus,
    /// `(12)`, the accounting negative.
    Parentheses,
}

/// A magnitude suffix written right after the digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Magnitude {
    /// `k`, `K`.
    Thousand,
    /// `m`, `M`, `mn`.
    Million,
    /// `bn`.
    Billion,
}

impl Magnitude {
    /// The factor it stands for.
    pub fn factor(self) -> f64 {
        match self {
            Magnitude::Thousand => 1e3,
            Magnitude::Million => 1e6,
            Magnitude::Billion => 1e9,
        }
    }

    /// The suffix in canonical form (`k`, `m`, `bn`).
    pub fn suffix(self) -> &'static str {
        match self {
            Magnitude::Thousand => "k",
            Magnitude::Million => "m",
            Magnitude::Billion => "bn",
        }
    }
}

/// One number read from a cell, with how it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    /// Whether it is negative (a `-`/`−` sign or parentheses; `-0` is not negative).
    pub negative: bool,
    /// The integer digits as written, separators removed (`"0"` for `.5`; `"007"` stays).
    pub integer: String,
    /// The digits after the decimal point (empty when there is none).
    pub fraction: String,
    /// How the sign was written.
    pub sign: SignStyle,
    /// Whether the integer part used thousands separators (`1,234`).
    pub grouped: bool,
    /// Whether it ends in `%`.
    pub percent: bool,
    /// A currency symbol or code, before or after the digits (`$`, `US$`, `€`, `EUR`).
    pub currency: Option<String>,
    /// A magnitude suffix (`1.2k`, `3M`, `4bn`).
    pub magnitude: Option<Magnitude>,
    /// A leading qualifier: `~`, `≈`, `<`, `>`, `≤` or `≥`.
    pub qualifier: Option<char>,
    /// Trailing footnote marks (`*`, `†`, `‡`, `§`, `¶`, superscript digits).
    pub footnote: Option<String>,
}

/// Currency symbols read before or after the digits.
const CURRENCY_SYMBOLS: &[char] = &[
    '$', '€', '£', '¥', '₹', '₩', '₽', '₺', '₪', '₫', '₱', '฿', '₴', '₦', '¢',
];
/// Currency codes read when separated from the digits by a space (`USD 1,200`, `12 EUR`).
const CURRENCY_CODES: &[&str] = &[
    "USD", "EUR", "GBP", "JPY", "CHF", "CNY", "CAD", "AUD", "NZD", "INR", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "BRL", "MXN", "ZAR", "KES", "SGD", "HKD", "KRW", "RUB", "TRY",
];
/// Footnote marks read at the end of a number.
const FOOTNOTE_MARKS: &[char] = &[
    '*', '†', '‡', '§', '¶', '⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹',
];
/// Thousands separators: comma, no-break space, narrow no-break space, thin space.
const GROUP_SEPARATORS: &[char] = &[',', '\u{a0}', '\u{202f}', '\u{2009}'];

impl Number {
    /// The value as printed: sign applied, no magnitude, `12%` is `12.0`.
    pub fn value(&self) -> f64 {
        let text = format!("{}.{}", self.integer, self.fraction);
        let v: f64 = text.trim_end_matches('.').parse().unwrap_or(0.0);
        if self.negative { -v } else { v }
    }

    /// The value with the magnitude applied (`1.2k` is `1200.0`).
    pub fn scaled(&self) -> f64 {
        self.value() * self.magnitude.map_or(1.0, Magnitude::factor)
    }

    /// Half a unit in the last printed place, magnitude applied: how far the printed value may
    /// be from the true one through rounding.
    pub fn half_unit(&self) -> f64 {
        let decimals = i32::try_from(self.fraction.len()).unwrap_or(i32::MAX);
        0.5 * 10f64.powi(-decimals) * self.magnitude.map_or(1.0, Magnitude::factor)
    }

    /// Number of digits after the decimal point.
    pub fn decimals(&self) -> usize {
        self.fraction.len()
    }

    /// Whether it is a plain number: no currency, magnitude, qualifier or footnote (the subset
    /// [`normalize_number`](crate::tables::normalize_number) rewrites).
    pub fn is_plain(&self) -> bool {
        self.currency.is_none()
            && self.magnitude.is_none()
            && self.qualifier.is_none()
            && self.footnote.is_none()
    }

    /// The number in one canonical spelling, for comparing numbers written differently:
    /// `-1234.5`, `12%`, `1.2k`; leading zeros, separators, currency, qualifier and footnote
    /// dropped, and trailing zeros after the point trimmed (`12.50` → `12.5`).
    pub fn canonical(&self) -> String {
        let int = self.integer.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let frac = self.fraction.trim_end_matches('0');
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        out.push_str(int);
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        if let Some(m) = self.magnitude {
            out.push_str(m.suffix());
        }
        if self.percent {
            out.push('%');
        }
        out
    }
}

/// Reads a cell as a number as tables print them; `None` when it is not one.
///
/// The grammar, around optional surrounding whitespace, in order:
///
/// - an optional qualifier `~`, `≈`, `<`, `>`, `≤` or `≥`;
/// - a sign `-`, `+` or `−` (U+2212), or accounting parentheses around everything up to the
///   footnote marks (`(12)`, `($1.2k)`, `(3.5%)`), not both;
/// - an optional currency: a symbol (`$ € £ ¥ ₹` …, optionally after one or two capitals:
///   `US$`, `HK$`) or a three-letter code followed by a space (`USD 12`), with a sign allowed
///   after it (`$-12`);
/// - digits with optional thousands separators in groups of three (`,`, or the no-break spaces
///   U+00A0, U+202F and thin space U+2009), then an optional `.` and digits (`.5` is `0.5`);
/// - an optional magnitude written right after the digits: `k`/`K`, `m`/`M`/`mn`, `bn`;
/// - an optional `%` (a space before it is allowed), or a currency after the digits (`12 €`,
///   `12 EUR`) when there was none before;
/// - optional footnote marks: `*`, `†`, `‡`, `§`, `¶`, superscript digits.
///
/// Deliberately refused, because reading them is a guess: exponents (`1e5`), decimal commas
/// (`1.234,5`, `12,5`), malformed groups (`1,23`), spaces as group separators (`1 000`, which
/// is as likely two numbers), dashes other than U+2212, units (`12 mm`), letters (`12a`).
///
/// ```
/// use pagetree_convert::numbers::{parse_number, SignStyle, Magnitude};
/// let n = parse_number("($1,234.50k)*").unwrap();
/// assert_eq!((n.negative, n.sign, n.grouped), (true, SignStyle::Parentheses, true));
/// assert_eq!((n.currency.as_deref(), n.magnitude, n.footnote.as_deref()),
///     (Some("$"), Some(Magnitude::Thousand), Some("*")));
/// assert_eq!(n.scaled(), -1_234_500.0);
/// assert_eq!(parse_number("−12%").unwrap().canonical(), "-12%");
/// assert!(parse_number("12 mm").is_none());
/// ```
pub fn parse_number(cell: &str) -> Option<Number> {
    let s = cell.trim();
    // Footnote marks come last, outside any parentheses.
    let body = s.trim_end_matches(FOOTNOTE_MARKS);
    let footnote = (body.len() < s.len()).then(|| s[body.len()..].to_owned());
    let body = body.trim_end();
    let (qualifier, body) = match body.chars().next() {
        Some(q @ ('~' | '≈' | '<' | '>' | '≤' | '≥')) => {
            (Some(q), body[q.len_utf8()..].trim())
        }
        _ => (None, body),
    };
    let (mut sign, mut rest) =
        if let Some(inner) = body.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            (SignStyle::Parentheses, inner.trim())
        } else {
            take_sign(body)
        };
    let mut currency = None;
    if let Some((code, after)) = take_currency_prefix(rest) {
        currency = Some(code.to_owned());
        rest = after.trim_start();
        if sign == SignStyle::Unsigned {
            (sign, rest) = take_sign(rest);
        }
    }
    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || GROUP_SEPARATORS.contains(&c)))
        .unwrap_or(rest.len());
    let (digits, mut rest) = rest.split_at(digits_end);
    // A separator right before a suffix belongs to no group ("12, EUR" is not a number).
    let (integer, fraction, grouped) = split_digits(digits)?;
    let mut magnitude = None;
    for (suffix, m) in [
        ("bn", Magnitude::Billion),
        ("Bn", Magnitude::Billion),
        ("BN", Magnitude::Billion),
        ("mn", Magnitude::Million),
        ("Mn", Magnitude::Million),
        ("MN", Magnitude::Million),
        ("k", Magnitude::Thousand),
        ("K", Magnitude::Thousand),
        ("m", Magnitude::Million),
        ("M", Magnitude::Million),
    ] {
        if let Some(r) = rest.strip_prefix(suffix) {
            magnitude = Some(m);
            rest = r;
            break;
        }
    }
    let mut percent = false;
    let trimmed = rest.trim_start();
    if let Some(r) = trimmed.strip_prefix('%') {
        percent = true;
        rest = r;
    } else if currency.is_none() && !trimmed.is_empty() {
        let code = trimmed;
        let is_symbol = code.chars().count() == 1 && code.starts_with(CURRENCY_SYMBOLS);
        let is_code = CURRENCY_CODES.contains(&code) && trimmed.len() < rest.len();
        if is_symbol || is_code {
            currency = Some(code.to_owned());
            rest = "";
        }
    }
    if !rest.trim().is_empty() {
        return None;
    }
    let zero = integer.bytes().all(|b| b == b'0') && fraction.bytes().all(|b| b == b'0');
    let negative = matches!(
        sign,
        SignStyle::Hyphen | SignStyle::Minus | SignStyle::Parentheses
    ) && !zero;
    Some(Number {
        negative,
        integer,
        fraction,
        sign,
        grouped,
        percent,
        currency,
        magnitude,
        qualifier,
        footnote,
    })
}

fn take_sign(s: &str) -> (SignStyle, &str) {
    if let Some(r) = s.strip_prefix('-') {
        (SignStyle::Hyphen, r)
    } else if let Some(r) = s.strip_prefix('\u{2212}') {
        (SignStyle::Minus, r)
    } else if let Some(r) = s.strip_prefix('+') {
        (SignStyle::Plus, r)
    } else {
        (SignStyle::Unsigned, s)
    }
}

/// A currency at the start of `s`: a symbol with up to two capitals before it (`US$`), or a
/// known three-letter code followed by whitespace.
fn take_currency_prefix(s: &str) -> Option<(&str, &str)> {
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).take(3).count();
    if letters <= 2
        && let Some(c) = s[letters..].chars().next()
        && CURRENCY_SYMBOLS.contains(&c)
    {
        let end = letters + c.len_utf8();
        return Some((&s[..end], &s[end..]));
    }
    if letters == 3 && CURRENCY_CODES.contains(&&s[..3]) && s[3..].starts_with(char::is_whitespace)
    {
        return Some((&s[..3], &s[3..]));
    }
    None
}

/// The integer digits (separators removed), fraction digits and whether separators were used,
/// or `None` when the digits are malformed.
fn split_digits(s: &str) -> Option<(String, String, bool)> {
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let fraction = match frac_part {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => f,
        Some(_) => return None,
        None => "",
    };
    let (integer, grouped) = if int_part.bytes().all(|b| b.is_ascii_digit()) {
        (int_part.to_owned(), false)
    } else {
        let groups: Vec<&str> = int_part.split(GROUP_SEPARATORS).collect();
        let first = groups[0];
        let ok = (1..=3).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_digit())
            && groups[1..]
                .iter()
                .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return None;
        }
        (groups.concat(), true)
    };
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let integer = if integer.is_empty() {
        "0".to_owned()
    } else {
        integer
    };
    Some((integer, fraction.to_owned(), grouped))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn canon(s: &str) -> Option<String> {
        parse_number(s).map(|n| n.canonical())
    }

    #[test]
    fn the_forms_tables_use() {
        let cases = [
            ("1,234.5", "1234.5"),
            ("(123)", "-123"),
            ("\u{2212}12", "-12"),
            ("12%", "12%"),
            ("12 %", "12%"),
            ("$1.2k", "1.2k"),
            ("US$ 1,200", "1200"),
            ("-$12", "-12"),
            ("$-12", "-12"),
            ("($12.50)", "-12.5"),
            ("€3bn", "3bn"),
            ("12 €", "12"),
            ("USD 1,200", "1200"),
            ("1,200 EUR", "1200"),
            ("3M", "3m"),
            ("4.5mn", "4.5m"),
            ("12*", "12"),
            ("1,234†", "1234"),
            ("17²", "17"),
            ("(12)*", "-12"),
            ("<0.001", "0.001"),
            ("~6.2", "6.2"),
            ("007", "7"),
            ("-0", "0"),
            (".5", "0.5"),
            ("12.50", "12.5"),
            ("1\u{a0}234", "1234"),
        ];
        for (input, want) in cases {
            assert_eq!(canon(input).as_deref(), Some(want), "{input:?}");
        }
    }

    #[test]
    fn what_is_recorded() {
        let n = parse_number("(3.5%)").unwrap();
        assert_eq!(
            (n.sign, n.percent, n.value()),
            (SignStyle::Parentheses, true, -3.5)
        );
        let n = parse_number("~$1,200.0k†").unwrap();
        assert_eq!(n.qualifier, Some('~'));
        assert!(n.grouped && !n.is_plain());
        assert_eq!(n.scaled(), 1_200_000.0);
        assert_eq!(n.half_unit(), 50.0);
        assert!(parse_number("-0").is_some_and(|n| !n.negative));
        assert!(parse_number("1234").unwrap().is_plain());
    }

    /// Text that looks like a number but is not one the grammar reads: guesses refused.
    /// The plain subset (`--normalize-numbers`) refuses them too (its tests read this list).
    pub(crate) const NOT_NUMBERS: &[&str] = &[
        "",
        " ",
        "-",
        "(",
        "()",
        "%",
        "*",
        "$",
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
        "12 mm",
        "1 mm",
        "500 pS",
        "1 000",
        "12 m",
        "5mm",
        "ABC 12",
        "12 ABC",
        "12%€",
        "4 (PCS)",
        "10^3",
        "2023-24",
        "12-15",
    ];

    #[test]
    fn guesses_are_refused() {
        for s in NOT_NUMBERS {
            assert_eq!(parse_number(s), None, "{s:?}");
        }
    }
}
