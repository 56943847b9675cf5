//! File -> text and petitioner fields. Each stage is a public module taking the previous
//! stage's output: `decode` (bytes -> raw pages, with the input limits; `pdf` and `docx`
//! for those kinds, `guard` around third-party parsers) -> `clean` (page -> upright,
//! deskewed, ~300 dpi grayscale) -> `ocr` (page -> lines with boxes) -> `extract` (lines ->
//! fields). `extract_bytes` runs them for one file; `batch` runs many on a worker pool.
//! Nothing here writes anywhere.

pub mod batch;
pub mod clean;
pub mod coverage;
pub mod cndate;
pub mod decode;
pub mod docx;
pub mod error;
pub mod extract;
pub mod guard;
pub mod ocr;
pub mod pdf;
pub mod render;
pub mod risk;
pub mod text;

use crate::config::Config;
use crate::model::{Extraction, Page, TextSource};
use decode::RawPage;
pub use error::{ErrorCode, IngestError};
use image::{DynamicImage, GrayImage, RgbImage};
use ocr::Recognizer;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;

/// A page as a filing copy needs it, handed to a [`PageSink`] as soon as the page is read.
pub enum PageImage {
    /// A scanned page as it was read: upright, deskewed, at `dpi`, in register with the
    /// page's text boxes. `colour` is the same page in colour when it has colour worth
    /// keeping (seals, red headers, coloured ink); `bilevel` when the scan was pure black
    /// and white.
    Scan {
        gray: GrayImage,
        colour: Option<RgbImage>,
        bilevel: bool,
        dpi: u32,
    },
    /// A page whose text came from a text layer or a document: it has no image here.
    Text,
}

/// Receives each page that was read, in order, with its image.
pub type PageSink<'a> = &'a mut dyn FnMut(&Page, PageImage) -> Result<(), IngestError>;

/// Reads one file's bytes (already loaded) into an `Extraction`. `file` is the name to
/// report. Pages that fail are reported as warnings when others succeed; a file none of
/// whose pages can be read, or that breaks a limit, is an error.
pub fn extract_bytes(
    file: &str,
    bytes: Arc<[u8]>,
    config: &Config,
    engine: &mut dyn Recognizer,
) -> Result<Extraction, IngestError> {
    extract_with_pages(file, bytes, config, engine, None)
}

/// `extract_bytes`, also handing every page read, with its cleaned image, to `sink` (the
/// filing copy is built this way, one page in memory at a time).
pub fn extract_with_pages(
    file: &str,
    bytes: Arc<[u8]>,
    config: &Config,
    engine: &mut dyn Recognizer,
    mut sink: Option<PageSink<'_>>,
) -> Result<Extraction, IngestError> {
    let started = Instant::now();
    let mut engine = ocr::Timed::new(engine);
    let engine = &mut engine;
    let deadline = started + config.limits.file_budget();
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let decoded = decode::open(bytes, &config.limits)?;
    let mut warnings = decoded.warnings;
    let mut pages = Vec::with_capacity(decoded.count as usize);
    let mut lines = Vec::new();
    let mut first_error = None;
    for (i, raw) in decoded.iter.enumerate() {
        let index = i as u32 + 1;
        if Instant::now() > deadline {
            return Err(IngestError::new(
                ErrorCode::Timeout,
                format!(
                    "stopped after {} s at page {index} of {}",
                    config.limits.max_seconds_per_file, decoded.count
                ),
            ));
        }
        let raw = match raw {
            Ok(r) => r,
            Err(e) if matches!(e.code, ErrorCode::Corrupt | ErrorCode::UnsupportedFeature) => {
                warnings.push(format!("page {index} skipped: {}", e.message));
                first_error.get_or_insert(e.on_page(index));
                continue;
            }
            Err(e) => return Err(e.on_page(index)),
        };
        let (page, image) =
            read_page(index, raw, config, engine, sink.is_some()).map_err(|e| e.on_page(index))?;
        warnings.extend(page.warnings.iter().cloned());
        if let (Some(sink), Some(image)) = (sink.as_mut(), image) {
            sink(&page, image).map_err(|e| e.on_page(index))?;
        }
        for l in text_lines(&page) {
            lines.push(extract::Line {
                page: Some(index),
                text: l.0,
                confidence: l.1,
            });
        }
        pages.push(page);
    }
    if pages.is_empty() {
        return Err(first_error.unwrap_or_else(|| {
            IngestError::new(ErrorCode::Corrupt, "the file has no readable page")
        }));
    }
    if decoded.kind == crate::model::Kind::Docx {
        lines.iter_mut().for_each(|l| l.page = None);
    }
    if pages.iter().all(|p| p.text.trim().is_empty()) {
        warnings.push("no text found on any page".into());
    }
    let found = extract::extract(&lines, &config.vocabulary);
    warnings.extend(found.warnings);
    let text = pages
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Extraction {
        file: file.to_string(),
        sha256,
        kind: decoded.kind,
        pages,
        text,
        fields: found.fields,
        field_confidence: found.confidence,
        field_pages: found.pages,
        warnings,
        elapsed_ms: started.elapsed().as_millis() as u64,
        timings: crate::model::Timings {
            total_us: started.elapsed().as_micros() as u64,
            engine_us: engine.spent.as_micros() as u64,
        },
    })
}

/// Below this mean confidence a page is checked for a wrong orientation.
const ORIENTATION_CHECK_BELOW: f32 = 0.65;

/// Reads a page as it lies; only when that reads badly is the orientation detector asked,
/// and the page read again turned, keeping whichever reading is more confident. Upright
/// pages (nearly all) so cost one recognition and no orientation pass. A landscape image
/// of a letter is most often a portrait page scanned sideways: the detector is asked first,
/// and a page it turns is read once if the turned reading is good.
fn recognize_upright(
    prepared: &clean::Prepared,
    engine: &mut dyn Recognizer,
) -> Result<(clean::CleanPage, ocr::OcrOutput), IngestError> {
    let page = clean::straighten(prepared, 0, None);
    let landscape = page.image.width() > page.image.height() + page.image.height() / 10;
    let first = if landscape {
        None
    } else {
        let first = engine.recognize(&page.image, page.dpi)?;
        if first.confidence >= ORIENTATION_CHECK_BELOW {
            return Ok((page, first));
        }
        Some(first)
    };
    let turn = engine
        .orientation(&page.image, page.dpi)
        .filter(|o| o.rotate_cw != 0 && o.confidence >= clean::MIN_ORIENTATION_CONFIDENCE);
    let Some(o) = turn else {
        let first = match first {
            Some(f) => f,
            None => engine.recognize(&page.image, page.dpi)?,
        };
        return Ok((page, first));
    };
    let why = format!("orientation detector, confidence {:.1}", o.confidence);
    let turned = clean::straighten(prepared, o.rotate_cw, Some(&why));
    let second = engine.recognize(&turned.image, turned.dpi)?;
    let first = match first {
        Some(f) => f,
        None if second.confidence >= ORIENTATION_CHECK_BELOW => return Ok((turned, second)),
        None => engine.recognize(&page.image, page.dpi)?,
    };
    // A landscape page turned upright is kept unless it reads clearly worse.
    if second.confidence > first.confidence
        || (landscape && second.confidence + 0.05 >= first.confidence)
    {
        Ok((turned, second))
    } else {
        Ok((page, first))
    }
}

/// Each line of a page with its confidence.
fn text_lines(page: &Page) -> Vec<(String, f32)> {
    if page.lines.is_empty() {
        page.text
            .lines()
            .map(|l| (l.to_string(), page.confidence))
            .collect()
    } else {
        page.lines
            .iter()
            .map(|l| (l.text.clone(), l.confidence))
            .collect()
    }
}

/// Reads one page; with `want_image`, also returns the page's image for a filing copy.
fn read_page(
    index: u32,
    raw: RawPage,
    config: &Config,
    engine: &mut dyn Recognizer,
    want_image: bool,
) -> Result<(Page, Option<PageImage>), IngestError> {
    match raw {
        RawPage::Text { text, source } => {
            let text = text::tidy_text(&text);
            // A text layer is exact, but an empty one tells nothing.
            let confidence = if text.is_empty() { 0.0 } else { 1.0 };
            let page = Page {
                index,
                width_px: 0,
                height_px: 0,
                dpi: None,
                rotation: 0,
                skew_deg: 0.0,
                source,
                text,
                confidence,
                ink_read: None,
                layout: None,
                running: vec![],
                warnings: vec![],
                cleaning: vec![],
                lines: vec![],
            };
            Ok((page, want_image.then_some(PageImage::Text)))
        }
        RawPage::Image { image, dpi, warning } => {
            let prepared = clean::prepare(&image, dpi, config.ocr.target_dpi);
            let original = want_image.then_some(image);
            let (cleaned, ocr) = recognize_upright(&prepared, engine)?;
            drop(prepared);
            let coverage = coverage::ink_read(&cleaned.image, &ocr.lines);
            let coverage_warning = coverage.and_then(|(share, cells)| {
                coverage::warning(index, share, cells, ocr.text.trim().is_empty())
            });
            let warnings = warning.into_iter().chain(coverage_warning).collect();
            let page = Page {
                index,
                width_px: cleaned.image.width(),
                height_px: cleaned.image.height(),
                dpi: Some(cleaned.dpi),
                rotation: cleaned.rotation,
                skew_deg: cleaned.skew_deg,
                source: TextSource::Ocr,
                text: ocr.text,
                confidence: (ocr.confidence * 100.0).round() / 100.0,
                ink_read: coverage.map(|(share, _)| (share * 100.0).round() / 100.0),
                layout: Some(ocr.layout.to_string()),
                running: ocr.running,
                warnings,
                cleaning: cleaned.notes,
                lines: ocr.lines,
            };
            let image = original.map(|original| {
                page_image(original, cleaned.image, &cleaned.geometry, cleaned.dpi)
            });
            Ok((page, image))
        }
    }
}

/// The filing copy's view of a scanned page: the cleaned gray image, plus the colour
/// original given the same geometry when it has colour worth keeping.
fn page_image(
    original: DynamicImage,
    gray: GrayImage,
    geometry: &clean::Geometry,
    dpi: u32,
) -> PageImage {
    let (colour, bilevel) = match &original {
        DynamicImage::ImageLuma8(g) => (None, clean::is_bilevel(g)),
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => (None, false),
        other => {
            let rgb = other.to_rgb8();
            let colour = clean::has_colour(&rgb).then(|| clean::replay_rgb(&rgb, geometry));
            (colour, false)
        }
    };
    PageImage::Scan {
        gray,
        colour,
        bilevel,
        dpi,
    }
}
