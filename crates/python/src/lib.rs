//! `pagetree._native`: the Rust side of the Python package. Thin on purpose: documents are
//! loaded by `pagetree-model`, and every output comes from the command line's own per-document
//! code (`pagetree_cli::embed`) with options given as the same flags, so Python's output is the
//! CLI's byte for byte. The Pythonic surface (keyword options, objects, adapters) is the pure
//! Python in `python/pagetree/`. The GIL is released while Rust works.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pagetree_cli::embed;
use pagetree_convert::chunks::TokenCounter;
use pagetree_model::{Document, LoadError, Loaded};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A loaded document (immutable; shared by the Python objects made from it).
#[pyclass(frozen, module = "pagetree._native", name = "NativeDocument")]
struct NativeDocument {
    doc: Arc<Document>,
}

/// Raises `pagetree.LoadError` (defined in Python, so it pickles and documents like any
/// Python class) with the error's location.
fn load_error(py: Python<'_>, e: &LoadError) -> PyErr {
    let kind = format!("{:?}", e.kind).to_lowercase();
    let made = py
        .import("pagetree._errors")
        .and_then(|m| m.getattr("LoadError"))
        .and_then(|cls| {
            cls.call1((
                e.to_string(),
                e.source.clone(),
                e.path.clone(),
                e.line,
                e.column,
                kind,
                e.message.clone(),
            ))
        });
    match made {
        Ok(v) => PyErr::from_value(v),
        Err(err) => err,
    }
}

/// A failure of the options (a bad flag value): `ValueError` with clap's message.
fn option_error(e: anyhow::Error) -> PyErr {
    PyValueError::new_err(format!("{e:#}"))
}

/// Loads every response in `data` (or in the file at `path`): a list of documents. A response
/// that is not a parse result (a job listing...) is an error of kind `shape`.
#[pyfunction]
#[pyo3(signature = (path=None, data=None, name=None))]
fn load(
    py: Python<'_>,
    path: Option<PathBuf>,
    data: Option<Vec<u8>>,
    name: Option<String>,
) -> PyResult<Vec<NativeDocument>> {
    let results = py.detach(|| match (&path, &data) {
        (Some(p), _) => pagetree_model::load_all_file(p),
        (None, Some(d)) => pagetree_model::load_all(d, name.as_deref()),
        (None, None) => Vec::new(),
    });
    if path.is_none() && data.is_none() {
        return Err(PyValueError::new_err("give a path or bytes"));
    }
    let many = results.len() > 1;
    let mut docs = Vec::with_capacity(results.len());
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(Loaded::Document(d)) => docs.push(NativeDocument { doc: Arc::new(*d) }),
            Ok(other) => {
                let which = if many {
                    format!(" (response {})", i + 1)
                } else {
                    String::new()
                };
                let source = path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .or_else(|| name.clone());
                let message = format!(
                    "this is {} body, not a parse result{which}",
                    other.format().with_article()
                );
                let e = LoadError::new(pagetree_model::ErrorKind::Shape, message)
                    .with_source(source.as_deref());
                return Err(load_error(py, &e));
            }
            Err(e) => return Err(load_error(py, &e)),
        }
    }
    Ok(docs)
}

/// Summary fields of a document as JSON: source, format, job id and status, page count, the
/// loader's warnings.
fn info(d: &Document, pages: usize) -> String {
    let job = d.response.job.as_ref();
    let v = serde_json::json!({
        "source": d.source,
        "format": d.format.map(|f| f.as_str()),
        "job_id": job.and_then(|j| j.id.clone()),
        "job_status": job.and_then(|j| j.status.clone()),
        "pages": pages,
        "warnings": d.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    v.to_string()
}

/// Indexes the file at `path` without reading its pages: the summary fields (JSON, as
/// `NativeDocument.info`) when it holds one response that can be read page by page, `None`
/// when its shape cannot (JSON Lines, v1 lists: load it whole).
#[pyfunction]
fn probe(py: Python<'_>, path: PathBuf) -> PyResult<Option<String>> {
    let label = path.display().to_string();
    match py.detach(|| embed::probe_file(&path, &label)) {
        Ok(d) => Ok(d.map(|(d, pages)| info(&d, pages))),
        Err(e) => Err(load_error(py, &e)),
    }
}

fn file_output<'py>(
    py: Python<'py>,
    r: Result<Option<embed::Output>, embed::FileError>,
) -> PyResult<Option<Rendered<'py>>> {
    match r {
        Ok(o) => Ok(o.map(|o| output(py, o))),
        Err(embed::FileError::Load(e)) => Err(load_error(py, &e)),
        Err(embed::FileError::Other(e)) => Err(option_error(e)),
    }
}

/// What `pagetree markdown FLAGS` prints for the file at `path`, read page by page with only
/// the fields markdown needs; `None` when its shape cannot be read that way.
#[pyfunction]
fn markdown_file<'py>(
    py: Python<'py>,
    path: PathBuf,
    flags: Vec<String>,
) -> PyResult<Option<Rendered<'py>>> {
    let label = path.display().to_string();
    let r = py.detach(|| embed::markdown_file(&path, &label, &flags));
    file_output(py, r)
}

/// [`markdown_file`] for `pagetree text FLAGS`.
#[pyfunction]
fn text_file<'py>(
    py: Python<'py>,
    path: PathBuf,
    flags: Vec<String>,
) -> PyResult<Option<Rendered<'py>>> {
    let label = path.display().to_string();
    let r = py.detach(|| embed::text_file(&path, &label, &flags));
    file_output(py, r)
}

type Rendered<'py> = (Bound<'py, PyBytes>, Vec<String>);

fn output<'py>(py: Python<'py>, o: embed::Output) -> Rendered<'py> {
    (PyBytes::new(py, &o.bytes), o.warnings)
}

#[pymethods]
impl NativeDocument {
    /// Summary fields as JSON: source, format, job id and status, page count.
    fn info(&self) -> String {
        info(&self.doc, self.doc.pages.len())
    }

    /// The pages as JSON: number, size, failed state and error, server markdown and text, and
    /// the items as the response wrote them.
    fn pages(&self, py: Python<'_>) -> PyResult<String> {
        let doc = self.doc.clone();
        py.detach(move || {
            let pages: Vec<serde_json::Value> = doc
                .pages()
                .map(|p| {
                    let size = p.size();
                    serde_json::json!({
                        "number": p.number(),
                        "width": size.map(|s| s.0),
                        "height": size.map(|s| s.1),
                        "failed": p.is_failed(),
                        "error": p.error(),
                        "markdown": p.server_markdown(),
                        "text": p.text(),
                        "items": p.items(),
                    })
                })
                .collect();
            serde_json::to_string(&pages).map_err(|e| PyRuntimeError::new_err(e.to_string()))
        })
    }

    /// What `pagetree markdown FLAGS` prints, with its warnings.
    fn markdown<'py>(&self, py: Python<'py>, flags: Vec<String>) -> PyResult<Rendered<'py>> {
        let doc = self.doc.clone();
        let o = py
            .detach(move || embed::markdown(&doc, &flags))
            .map_err(option_error)?;
        Ok(output(py, o))
    }

    /// What `pagetree text FLAGS` prints, with its warnings.
    fn text<'py>(&self, py: Python<'py>, flags: Vec<String>) -> PyResult<Rendered<'py>> {
        let doc = self.doc.clone();
        let o = py
            .detach(move || embed::text(&doc, &flags))
            .map_err(option_error)?;
        Ok(output(py, o))
    }

    /// What `pagetree chunks FLAGS` prints (JSON Lines), with its warnings; `counter`, a
    /// callable `str -> int`, counts tokens instead of cl100k_base.
    #[pyo3(signature = (flags, counter=None))]
    fn chunks<'py>(
        &self,
        py: Python<'py>,
        flags: Vec<String>,
        counter: Option<Py<PyAny>>,
    ) -> PyResult<Rendered<'py>> {
        let doc = self.doc.clone();
        // The first error the callable raises (or a result that is not a count) is kept and
        // raised once chunking returns; meanwhile it counts 0.
        let failed: Arc<Mutex<Option<PyErr>>> = Arc::default();
        let counter = counter.map(|f| {
            let failed = failed.clone();
            TokenCounter::new(move |s: &str| {
                Python::attach(|py| {
                    let n = f.call1(py, (s,)).and_then(|n| n.extract::<usize>(py));
                    n.unwrap_or_else(|e| {
                        let mut slot = failed.lock().unwrap_or_else(|p| p.into_inner());
                        slot.get_or_insert(e);
                        0
                    })
                })
            })
        });
        let o = py.detach(move || embed::chunks(&doc, &flags, counter));
        if let Some(e) = failed.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(e);
        }
        Ok(output(py, o.map_err(option_error)?))
    }

    /// What `pagetree elements FLAGS` prints, with its warnings.
    fn elements<'py>(&self, py: Python<'py>, flags: Vec<String>) -> PyResult<Rendered<'py>> {
        let doc = self.doc.clone();
        let o = py
            .detach(move || embed::elements(&doc, &flags))
            .map_err(option_error)?;
        Ok(output(py, o))
    }

    /// The report `pagetree quality --format json` prints (one JSON object).
    fn quality<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let doc = self.doc.clone();
        let b = py
            .detach(move || embed::quality(&doc))
            .map_err(option_error)?;
        Ok(PyBytes::new(py, &b))
    }

    /// The tables as `pagetree tables FLAGS` writes them: a list of `(id, file_name, bytes,
    /// rows)`, the index (`tables.json`) and the warnings.
    #[allow(clippy::type_complexity)]
    fn tables<'py>(
        &self,
        py: Python<'py>,
        flags: Vec<String>,
    ) -> PyResult<(
        Vec<(String, String, Bound<'py, PyBytes>, Vec<Vec<String>>)>,
        Bound<'py, PyBytes>,
        Vec<String>,
    )> {
        let doc = self.doc.clone();
        let (files, index) = py
            .detach(move || embed::tables(&doc, &flags))
            .map_err(option_error)?;
        let files = files
            .into_iter()
            .map(|f| (f.id, f.file_name, PyBytes::new(py, &f.bytes), f.rows))
            .collect();
        Ok((files, PyBytes::new(py, &index.bytes), index.warnings))
    }
}

/// Runs the `pagetree` command line (`argv[0]` is the program name) in this process and
/// returns its exit code. `--jobs` gets a thread pool of its own for the call.
#[pyfunction]
fn main(py: Python<'_>, argv: Vec<String>) -> u8 {
    py.detach(move || pagetree_cli::run(argv, pagetree_cli::Pool::PerCall))
}

/// `pagetree convert ARGS` split for other engines: expands the inputs (after creating OUT),
/// returning the plan (JSON) and one task (JSON) per input.
#[pyfunction]
fn convert_plan(py: Python<'_>, args: Vec<String>) -> PyResult<(String, Vec<String>)> {
    py.detach(move || {
        let plan = embed::dist::plan(&args)?;
        let tasks = embed::dist::tasks(&plan)?;
        Ok((plan, tasks))
    })
    .map_err(option_error)
}

/// Converts one task of a plan into OUT; returns its result (JSON).
#[pyfunction]
fn convert_task(py: Python<'_>, args: Vec<String>, task: String) -> PyResult<String> {
    py.detach(move || embed::dist::convert_one(&args, &task))
        .map_err(option_error)
}

/// Records one task's result in OUT's journal as soon as the driver has it, so that an
/// interrupted distributed run resumes like a local one.
#[pyfunction]
fn convert_record(py: Python<'_>, args: Vec<String>, result: String) -> PyResult<()> {
    py.detach(move || embed::dist::record(&args, &result))
        .map_err(option_error)
}

/// Takes every task's result into the manifest and summary; returns the exit code and the
/// report (JSON).
#[pyfunction]
fn convert_finish(
    py: Python<'_>,
    args: Vec<String>,
    plan: String,
    results: Vec<String>,
) -> PyResult<(u8, String)> {
    py.detach(move || embed::dist::finish(&args, &plan, &results))
        .map_err(option_error)
}

/// The version of the Rust crates this module was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeDocument>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(main, m)?)?;
    m.add_function(wrap_pyfunction!(probe, m)?)?;
    m.add_function(wrap_pyfunction!(markdown_file, m)?)?;
    m.add_function(wrap_pyfunction!(text_file, m)?)?;
    m.add_function(wrap_pyfunction!(convert_plan, m)?)?;
    m.add_function(wrap_pyfunction!(convert_task, m)?)?;
    m.add_function(wrap_pyfunction!(convert_record, m)?)?;
    m.add_function(wrap_pyfunction!(convert_finish, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
