//! `pagetree view`: one self-contained HTML file per document that draws every page with its
//! boxes beside its markdown, with chunks and table findings (the view writer of
//! `pagetree-convert`); this module finds and reads the optional page images.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use pagetree_convert::chunks::ChunkOptions;
use pagetree_convert::view::{PageImage, ViewOptions};

use crate::Outcome;
use crate::args::ViewArgs;
use crate::cmd::markdown::{Markdown, flags};
use crate::render::{self, OptionLayers};

/// Image files a page can be drawn on.
const IMAGE_EXTENSIONS: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("webp", "image/webp"),
    ("gif", "image/gif"),
];

/// Runs the command.
pub fn run(args: &ViewArgs) -> Result<Outcome> {
    let render = &args.markdown.render;
    if render.per_page {
        bail!("--per-page does not apply to view (one HTML file per document)");
    }
    let layers = OptionLayers::new(&render.pages, flags(&args.markdown.style))?;
    let chunks = match (args.max_chars, args.max_tokens) {
        (_, Some(n)) => ChunkOptions::tokens(n)?,
        (Some(n), None) => ChunkOptions::chars(n)?,
        (None, None) => ChunkOptions::default(),
    };
    let (images, image_notes) = match &args.page_images {
        Some(dir) => page_images(dir, args.embed_images, render.output.as_deref())?,
        None => (Vec::new(), Vec::new()),
    };
    for n in &image_notes {
        eprintln!("warning: {n}");
    }
    // Several HTML documents in one file (or one after another on standard output) would
    // show only the first: several inputs need a folder, and with one output, the second and
    // later documents of an input fail instead, naming the way out.
    if render.output.is_none() && render.files.len() > 1 {
        bail!(
            "{} inputs would be {} HTML documents glued together on standard output; give -o DIR \
             for one view per document",
            render.files.len(),
            render.files.len()
        );
    }
    let one_file = match &render.output {
        None => true,
        Some(o) => {
            render.files.len() == 1 && !o.is_dir() && !o.to_string_lossy().ends_with(['/', '\\'])
        }
    };
    let seen = AtomicUsize::new(0);
    render::per_document(
        render,
        "view.html",
        "it has no pages to view",
        |doc, label| {
            if one_file && seen.fetch_add(1, Ordering::Relaxed) > 0 {
                return Err(format!(
                    "{label}: the input holds several documents and one HTML file shows one; \
                     give -o DIR for one view per document"
                ));
            }
            let (markdown, notes) = layers.for_doc::<Markdown>(doc);
            let mut opts = ViewOptions::default();
            opts.markdown = markdown;
            opts.chunks = chunks.clone();
            opts.images = images.clone();
            let view = pagetree_convert::view::render(doc, &opts);
            let warnings = notes
                .iter()
                .map(ToString::to_string)
                .chain(view.warnings.iter().map(ToString::to_string));
            Ok((view.html.into_bytes(), warnings.collect()))
        },
    )
}

/// The page images in `dir`: files whose name ends in a page number (`page_1.png`,
/// `page-001.jpg`, `scan 12.webp`), embedded as `data:` URLs or linked relative to the output
/// file. Also notes about files skipped.
fn page_images(
    dir: &Path,
    embed: bool,
    output: Option<&Path>,
) -> Result<(Vec<PageImage>, Vec<String>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the images folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    // Sorted, so which of two images of one page wins does not depend on the file system.
    files.sort();
    let mut images: Vec<PageImage> = Vec::new();
    let mut notes = Vec::new();
    for path in files {
        let Some(mime) = mime_of(&path) else { continue };
        let Some(page) = page_number(&path) else {
            notes.push(format!(
                "{}: no page number at the end of the name; not used",
                path.display()
            ));
            continue;
        };
        if let Some(first) = images.iter().find(|i| i.page == page) {
            notes.push(format!(
                "{}: page {page} already has an image ({}); not used",
                path.display(),
                first.src.chars().take(80).collect::<String>()
            ));
            continue;
        }
        let src = if embed {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            format!("data:{mime};base64,{}", base64(&bytes))
        } else {
            link(&path, output)?
        };
        images.push(PageImage::new(page, src));
    }
    if images.is_empty() {
        notes.push(format!(
            "{}: no page images found (expected names like page_1.png or page-001.jpg)",
            dir.display()
        ));
    }
    Ok((images, notes))
}

fn mime_of(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    IMAGE_EXTENSIONS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, m)| *m)
}

/// The number the file stem ends with (`page-001` → 1).
fn page_number(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    let digits: String = stem
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().ok()
}

/// A link to `image` that works from the HTML file: relative to the output's folder when
/// there is an output file, else relative to the current folder. Percent-encoded.
fn link(image: &Path, output: Option<&Path>) -> Result<String> {
    let image = std::path::absolute(image)?;
    let base = match output {
        Some(o) if o.is_dir() || o.to_string_lossy().ends_with(['/', '\\']) => {
            std::path::absolute(o)?
        }
        Some(o) => std::path::absolute(o)?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        None => std::env::current_dir()?,
    };
    let rel = relative(&image, &base);
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        let part = match c {
            Component::ParentDir => "..".to_owned(),
            Component::Normal(s) => s.to_string_lossy().into_owned(),
            _ => continue,
        };
        for b in part.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Ok(out)
}

/// `path` relative to `base` (both absolute).
fn relative(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    out
}

/// Standard base64 with padding (RFC 4648), for `data:` URLs.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn page_numbers_come_from_the_end_of_the_name() {
        assert_eq!(page_number(Path::new("img/page_1.png")), Some(1));
        assert_eq!(page_number(Path::new("page-001.jpg")), Some(1));
        assert_eq!(page_number(Path::new("scan 12.webp")), Some(12));
        assert_eq!(page_number(Path::new("cover.png")), None);
    }

    #[test]
    fn links_are_relative_to_the_output() {
        assert_eq!(
            relative(Path::new("/a/img/p 1.png"), Path::new("/a/out")),
            PathBuf::from("../img/p 1.png")
        );
        let l = link(
            Path::new("/a/img/p 1.png"),
            Some(Path::new("/a/out/x.html")),
        )
        .unwrap();
        assert_eq!(l, "../img/p%201.png");
    }
}
