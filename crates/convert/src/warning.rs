//! What a writer noticed and worked around: failed pages, missing sources, options it could not
//! apply. Warnings never stop the work; the CLI prints them to standard error.

use std::fmt;

/// Something a writer noticed and worked around. Every writer reports with this one type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Warning {
    /// The page it concerns, when it concerns one.
    pub page: Option<u32>,
    /// Stable machine-readable code, e.g. `failed_page`.
    pub code: &'static str,
    /// What happened and what was done about it.
    pub message: String,
    /// The table it concerns (its id, `p003-t01`), when it concerns one.
    pub table: Option<String>,
}

impl Warning {
    /// A warning about one page.
    pub fn page(page: u32, code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: Some(page),
            code,
            message: message.into(),
            table: None,
        }
    }

    /// A warning about one table, on the page where it starts.
    pub fn table(page: u32, table: &str, code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: Some(page),
            code,
            message: message.into(),
            table: Some(table.to_owned()),
        }
    }

    /// A warning about the whole document.
    pub fn doc(code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            page: None,
            code,
            message: message.into(),
            table: None,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        // A table id already names its page (`p003-t01`).
        match (&self.table, self.page) {
            (Some(t), _) => write!(f, "{t}: {}", self.message),
            (None, Some(p)) => write!(f, "page {p}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}
