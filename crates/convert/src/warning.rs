//! What a writer noticed and worked around: failed pages, missing sources, options it could not
//! apply. Warnings never stop the work; the CLI prints them to standard error.

use std::fmt;

/// Something a writer noticed and worked around.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Warning {
    /// The page it concerns, when it concerns one.
    pub page: Option<u32>,
    /// Stable machine-readable code, e.g. `failed_page`.
    pub code: &'static str,
    /// What happened and what was done about it.
    pub message: String,
}

impl Warning {
    /// A warning about one page.
    pub fn page(page: u32, code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: Some(page),
            code,
            message: message.into(),
        }
    }

    /// A warning about the whole document.
    pub fn doc(code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: None,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.page {
            Some(p) => write!(f, "page {p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}
