//! Reading the API's own option names (`page_separator`, `hide_headers`, ...) from a response's
//! `raw_parameters` or a batch job's `parameters` onto the writers' option structs.
//!
//! Only keys that are present change anything, so parameter sets can be layered; a value of
//! the wrong type is ignored with a warning rather than guessed at.

use serde_json::{Map, Value};

use crate::furniture::FurnitureMode;
use crate::pages::{FailedPageMode, PageOptions};
use crate::warning::Warning;

/// A parameter map and the warnings reading it produced.
pub(crate) struct Params<'a> {
    map: &'a Map<String, Value>,
    pub warnings: Vec<Warning>,
}

impl<'a> Params<'a> {
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Params {
            map,
            warnings: Vec::new(),
        }
    }

    fn wrong(&mut self, name: &str, expected: &str, v: &Value) {
        self.warnings.push(Warning::doc(
            "bad_parameter",
            format!("parameter `{name}`: expected {expected}, found {v}; ignored"),
        ));
    }

    /// A string parameter (`null` counts as absent).
    pub fn string(&mut self, name: &str) -> Option<String> {
        match self.map.get(name)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            v => {
                self.wrong(name, "a string", &v.clone());
                None
            }
        }
    }

    /// A boolean parameter; `"true"`/`"false"` strings are accepted too, as form-encoded
    /// uploads store them that way.
    pub fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.map.get(name)? {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            v => {
                self.wrong(name, "a boolean", &v.clone());
                None
            }
        }
    }
}

/// Applies `hide_*` and `page_*_prefix/suffix` to one furniture layer.
fn furniture(p: &mut Params, mode: &mut FurnitureMode, hide: &str, prefix: &str, suffix: &str) {
    let hide = p.boolean(hide);
    let prefix = p.string(prefix);
    let suffix = p.string(suffix);
    let (mut pre, mut suf) = match mode {
        FurnitureMode::Wrap { prefix, suffix } => (prefix.clone(), suffix.clone()),
        _ => (String::new(), String::new()),
    };
    let hidden = hide.unwrap_or(mode.is_hidden());
    if let Some(x) = prefix {
        pre = x;
    }
    if let Some(x) = suffix {
        suf = x;
    }
    *mode = if hidden {
        FurnitureMode::Hide
    } else if pre.is_empty() && suf.is_empty() {
        FurnitureMode::Keep
    } else {
        FurnitureMode::Wrap {
            prefix: pre,
            suffix: suf,
        }
    };
}

impl PageOptions {
    /// Applies the API's page options present in `params` (`page_separator`, `page_prefix`,
    /// `page_suffix`, `hide_headers`, `hide_footers`, `page_header_prefix/suffix`,
    /// `page_footer_prefix/suffix`, `replace_failed_page_mode`,
    /// `replace_failed_page_with_error_message_prefix/suffix`). Returns what was ignored.
    pub fn apply_parameters(&mut self, params: &Map<String, Value>) -> Vec<Warning> {
        let mut p = Params::new(params);
        self.apply(&mut p);
        p.warnings
    }

    pub(crate) fn apply(&mut self, p: &mut Params) {
        if let Some(s) = p.string("page_separator") {
            self.separator = s;
        }
        if let Some(s) = p.string("page_prefix") {
            self.prefix = s;
        }
        if let Some(s) = p.string("page_suffix") {
            self.suffix = s;
        }
        furniture(
            p,
            &mut self.headers,
            "hide_headers",
            "page_header_prefix",
            "page_header_suffix",
        );
        furniture(
            p,
            &mut self.footers,
            "hide_footers",
            "page_footer_prefix",
            "page_footer_suffix",
        );
        if let Some(m) = p.string("replace_failed_page_mode") {
            match FailedPageMode::from_api_name(&m) {
                Some(m) => self.failed = m,
                None => p.warnings.push(Warning::doc(
                    "bad_parameter",
                    format!(
                        "parameter `replace_failed_page_mode`: unknown mode `{m}` \
                         (raw_text, blank_page, error_message); ignored"
                    ),
                )),
            }
        }
        if let Some(s) = p.string("replace_failed_page_with_error_message_prefix") {
            self.failed_prefix = s;
        }
        if let Some(s) = p.string("replace_failed_page_with_error_message_suffix") {
            self.failed_suffix = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn api_names_map_onto_page_options() {
        let mut o = PageOptions::default();
        let w = o.apply_parameters(&map(json!({
            "page_separator": "\n<<{pageNumber}>>\n",
            "hide_headers": true,
            "page_footer_prefix": "<footer>",
            "page_footer_suffix": "</footer>",
            "replace_failed_page_mode": "error_message",
            "replace_failed_page_with_error_message_prefix": "> failed: ",
            "tier": "agentic"
        })));
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(o.separator, "\n<<{pageNumber}>>\n");
        assert_eq!(o.headers, FurnitureMode::Hide);
        assert_eq!(
            o.footers,
            FurnitureMode::Wrap {
                prefix: "<footer>".into(),
                suffix: "</footer>".into()
            }
        );
        assert_eq!(o.failed, FailedPageMode::ErrorMessage);
        assert_eq!(o.failed_prefix, "> failed: ");
    }

    #[test]
    fn wrong_types_are_ignored_with_a_warning() {
        let mut o = PageOptions::default();
        let w = o.apply_parameters(&map(json!({
            "page_separator": 3, "hide_footers": "yes", "hide_headers": "true",
            "replace_failed_page_mode": "retry"
        })));
        assert_eq!(o.separator, "\n---\n");
        assert_eq!(o.headers, FurnitureMode::Hide);
        let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "parameter `page_separator`: expected a string, found 3; ignored",
                "parameter `hide_footers`: expected a boolean, found \"yes\"; ignored",
                "parameter `replace_failed_page_mode`: unknown mode `retry` \
                 (raw_text, blank_page, error_message); ignored"
            ]
        );
    }
}
