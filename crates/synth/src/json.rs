//! A minimal compact JSON writer into a `String`, with keys in the order they are written.
//!
//! Written by hand (rather than through serde_json's `Value`) so that field order follows the
//! API's (`type` first) and numbers keep the exact text the table's `csv`/`md`/`html` show.

use std::fmt::Write as _;

/// Appends JSON tokens to a buffer, inserting commas itself.
#[derive(Debug, Default)]
pub(crate) struct Json {
    pub(crate) buf: String,
    /// A value was just completed at the current nesting level, so the next one needs a comma.
    comma: bool,
}

impl Json {
    fn sep(&mut self) {
        if self.comma {
            self.buf.push(',');
        }
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.comma = false;
    }

    pub(crate) fn begin_object(&mut self) -> &mut Self {
        self.sep();
        self.buf.push('{');
        self.comma = false;
        self
    }

    pub(crate) fn end_object(&mut self) -> &mut Self {
        self.buf.push('}');
        self.comma = true;
        self
    }

    pub(crate) fn begin_array(&mut self) -> &mut Self {
        self.sep();
        self.buf.push('[');
        self.comma = false;
        self
    }

    pub(crate) fn end_array(&mut self) -> &mut Self {
        self.buf.push(']');
        self.comma = true;
        self
    }

    /// An object key; the value follows with no comma.
    pub(crate) fn key(&mut self, k: &str) -> &mut Self {
        self.sep();
        escape_into(&mut self.buf, k);
        self.buf.push(':');
        self.comma = false;
        self
    }

    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.sep();
        escape_into(&mut self.buf, s);
        self.comma = true;
        self
    }

    /// A number already formatted as JSON (table cells keep their exact text).
    pub(crate) fn raw_number(&mut self, n: &str) -> &mut Self {
        self.sep();
        self.buf.push_str(n);
        self.comma = true;
        self
    }

    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{n}");
        self.comma = true;
        self
    }

    /// A float rounded to `decimals` places, in the shortest form that reads back the same,
    /// with `.0` on whole numbers as Python's `json` (the API's serialiser) writes floats.
    pub(crate) fn float(&mut self, v: f64, decimals: i32) -> &mut Self {
        self.sep();
        let v = round(v, decimals);
        if v.fract() == 0.0 && v.abs() < 1e15 {
            let _ = write!(self.buf, "{v:.1}");
        } else {
            let _ = write!(self.buf, "{v}");
        }
        self.comma = true;
        self
    }

    pub(crate) fn bool(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.push_str(if b { "true" } else { "false" });
        self.comma = true;
        self
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.push_str("null");
        self.comma = true;
        self
    }

    pub(crate) fn key_str(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k).str(v)
    }

    pub(crate) fn key_int(&mut self, k: &str, v: i64) -> &mut Self {
        self.key(k).int(v)
    }
}

/// Rounds half away from zero to `decimals` places (like the API's 2-3 decimal coordinates).
pub(crate) fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Writes `s` as a JSON string. Non-ASCII text is written as UTF-8, as saved responses do.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_json() {
        for s in [
            "plain",
            "q\"uote\\",
            "a\nb\tc\r",
            "\u{1}x",
            "café “€” —",
            "",
        ] {
            let mut out = String::new();
            escape_into(&mut out, s);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), s, "{out}");
        }
    }

    #[test]
    fn commas_are_placed_by_nesting() {
        let mut j = Json::default();
        j.begin_object().key_int("a", 1).key("b").begin_array();
        j.begin_object()
            .end_object()
            .null()
            .float(1.23456, 3)
            .float(612.0, 1)
            .end_array();
        j.key_str("c", "x").key("d").bool(true).end_object();
        assert_eq!(
            j.buf,
            r#"{"a":1,"b":[{},null,1.235,612.0],"c":"x","d":true}"#
        );
    }
}
