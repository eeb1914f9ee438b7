//! From arguments to a writer's options: page flags validated once, escapes in separators,
//! and the layers (defaults, the response's parameters, --options-from FILE, explicit flags).

use std::path::Path;

use anyhow::{Context, Result, bail};
use pagetree_convert::pages::PageOptions;
use pagetree_convert::{FailedPageMode, FurnitureMode, PageSelection, Source, Warning};
use pagetree_model::{Document, Loaded};
use serde_json::{Map, Value};

use crate::args::{FailedArg, FromArg, FurnitureArg, PageArgs};

use super::Writer;

/// Turns `\n`, `\t`, `\r` and `\\` into the characters they name, so separators can be typed
/// in a shell; any other backslash is kept.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The page flags, validated: applied over whatever the parameters set.
#[derive(Debug, Default)]
pub(super) struct PageFlags {
    pub(super) source: Option<Source>,
    pub(super) selection: Option<PageSelection>,
    pub(super) separator: Option<String>,
    pub(super) prefix: Option<String>,
    pub(super) suffix: Option<String>,
    pub(super) headers: Option<FurnitureMode>,
    pub(super) footers: Option<FurnitureMode>,
    pub(super) failed: Option<FailedPageMode>,
    pub(super) failed_prefix: Option<String>,
    pub(super) failed_suffix: Option<String>,
}

pub(super) fn furniture_flag(
    name: &str,
    mode: Option<FurnitureArg>,
    prefix: Option<&String>,
    suffix: Option<&String>,
) -> Result<Option<FurnitureMode>> {
    let wrap = prefix.is_some() || suffix.is_some();
    Ok(match (mode, wrap) {
        (Some(FurnitureArg::Hide), true) => {
            bail!("--{name}s hide cannot be combined with --{name}-prefix/--{name}-suffix")
        }
        (Some(FurnitureArg::Hide), false) => Some(FurnitureMode::Hide),
        (_, true) => Some(FurnitureMode::Wrap {
            prefix: prefix.map(|s| unescape(s)).unwrap_or_default(),
            suffix: suffix.map(|s| unescape(s)).unwrap_or_default(),
        }),
        (Some(FurnitureArg::Keep), false) => Some(FurnitureMode::Keep),
        (None, false) => None,
    })
}

impl PageFlags {
    pub(super) fn new(a: &PageArgs) -> Result<Self> {
        let esc = |s: &Option<String>| s.as_deref().map(unescape);
        Ok(PageFlags {
            source: a.from.map(|f| match f {
                FromArg::Items => Source::Items,
                FromArg::Server => Source::Server,
            }),
            selection: a
                .pages
                .as_deref()
                .map(str::parse)
                .transpose()
                .context("invalid --pages")?,
            separator: esc(&a.page_separator),
            prefix: esc(&a.page_prefix),
            suffix: esc(&a.page_suffix),
            headers: furniture_flag(
                "header",
                a.headers,
                a.header_prefix.as_ref(),
                a.header_suffix.as_ref(),
            )?,
            footers: furniture_flag(
                "footer",
                a.footers,
                a.footer_prefix.as_ref(),
                a.footer_suffix.as_ref(),
            )?,
            failed: a.failed_pages.map(|f| match f {
                FailedArg::RawText => FailedPageMode::RawText,
                FailedArg::Blank => FailedPageMode::Blank,
                FailedArg::ErrorMessage => FailedPageMode::ErrorMessage,
            }),
            failed_prefix: esc(&a.failed_page_prefix),
            failed_suffix: esc(&a.failed_page_suffix),
        })
    }

    pub(super) fn apply(&self, o: &mut PageOptions) {
        fn set<T: Clone>(slot: &mut T, v: &Option<T>) {
            if let Some(v) = v {
                *slot = v.clone();
            }
        }
        set(&mut o.source, &self.source);
        set(&mut o.selection, &self.selection);
        set(&mut o.separator, &self.separator);
        set(&mut o.prefix, &self.prefix);
        set(&mut o.suffix, &self.suffix);
        set(&mut o.headers, &self.headers);
        set(&mut o.footers, &self.footers);
        set(&mut o.failed, &self.failed);
        set(&mut o.failed_prefix, &self.failed_prefix);
        set(&mut o.failed_suffix, &self.failed_suffix);
    }
}

/// Reads `--options-from FILE`: a batch-results body (its first parse job's `parameters`), a
/// response with `raw_parameters`, an object with `parameters`, or an object of options.
pub(super) fn load_params(path: &Path) -> Result<Map<String, Value>> {
    let show = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {show}"))?;
    let root: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{show}: not JSON (--options-from needs a JSON object)"))?;
    let Value::Object(obj) = &root else {
        bail!("{show}: --options-from needs a JSON object");
    };
    if obj.contains_key("processing_results") {
        let name = show.to_string();
        let loaded = pagetree_model::load_all(&bytes, Some(&name));
        if let Some(Ok(Loaded::BatchResults(b))) = loaded.into_iter().next() {
            return b.parse_parameters().cloned().with_context(|| {
                format!("{show}: no parse job parameters in these batch results")
            });
        }
    }
    for key in ["raw_parameters", "parameters"] {
        if let Some(Value::Object(m)) = obj.get(key) {
            return Ok(m.clone());
        }
    }
    Ok(obj.clone())
}

/// The layers of a writer's options for one document: defaults, then the response's
/// `raw_parameters` (with --options-from-response), then --options-from FILE, then explicit
/// flags. Validated once, before any work starts.
pub struct OptionLayers<F> {
    pub(super) pages: PageFlags,
    pub(super) file_params: Option<Map<String, Value>>,
    pub(super) from_response: bool,
    pub(super) flags: F,
}

impl<F> OptionLayers<F> {
    /// Validates the shared arguments; `flags` applies the writer's own explicit flags.
    pub fn new(a: &PageArgs, flags: F) -> Result<Self> {
        Ok(OptionLayers {
            pages: PageFlags::new(a)?,
            file_params: a.options_from.as_deref().map(load_params).transpose()?,
            from_response: a.options_from_response,
            flags,
        })
    }

    /// The options for one document, with notes about how they were chosen.
    pub fn for_doc<W: Writer>(&self, doc: &Document) -> (W::Options, Vec<Warning>)
    where
        F: Fn(&mut W::Options),
    {
        let mut o = W::Options::default();
        // Where the loader chose between copies of a page or guessed a number, the output
        // shows that choice; its other notes (lists out of order...) do not change the output.
        let mut notes: Vec<Warning> = doc
            .warnings
            .iter()
            .filter(|w| matches!(w.code, "duplicate_page" | "missing_page_number"))
            .map(|w| Warning::doc(w.code, w.to_string()))
            .collect();
        if self.from_response {
            match &doc.response.raw_parameters {
                Some(p) => notes.extend(W::apply_parameters(&mut o, p)),
                None => notes.push(Warning::doc(
                    "no_parameters",
                    "the response has no raw_parameters; --options-from-response applies nothing",
                )),
            }
        }
        if let Some(p) = &self.file_params {
            notes.extend(W::apply_parameters(&mut o, p));
        }
        self.pages.apply(W::pages(&mut o));
        (self.flags)(&mut o);
        (o, notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_understood() {
        assert_eq!(unescape(r"\n---\n"), "\n---\n");
        assert_eq!(unescape(r"a\tb\\n\q"), "a\tb\\n\\q");
        assert_eq!(unescape("x\\"), "x\\");
    }
}
