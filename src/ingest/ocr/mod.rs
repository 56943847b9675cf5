//! Recognition behind a small trait, so the pipeline does not care which engine reads a
//! page (and tests of the stages around it can pass another). Each engine is its own
//! module (`tesseract`, `ppocr`), both use `orientation` (Tesseract's OSD) to turn pages
//! upright and `layout` to put their lines in reading order; `Engine` is the one the
//! configuration names, as a `Box<dyn Recognizer>`. A worker thread owns one engine and
//! reuses it for every page it is given.

pub mod layout;
pub mod orientation;
pub mod ppocr;
pub mod tesseract;

use super::error::{ErrorCode, IngestError, Result};
use crate::config::OcrConfig;
use crate::model::TextBox;
use image::GrayImage;
pub use orientation::Orientation;
pub use tesseract::{parse_tsv, Tesseract};

/// What an engine read on one page.
#[derive(Debug, Clone, Default)]
pub struct OcrOutput {
    /// Lines in reading order joined with `\n`, CJK characters adjacent.
    pub text: String,
    /// Mean confidence 0..1, weighted by characters.
    pub confidence: f32,
    /// Each line with its box and confidence.
    pub lines: Vec<TextBox>,
    /// What the page was taken to be when the lines were put in order.
    pub layout: layout::Layout,
    /// Running headers, footers and page numbers (also in `lines`, first and last).
    pub running: Vec<String>,
}

pub trait Recognizer {
    /// Reads an upright, cleaned grayscale page scanned at `dpi`.
    fn recognize(&mut self, page: &GrayImage, dpi: u32) -> Result<OcrOutput>;
    /// Guesses the page's orientation; `None` when the engine cannot tell.
    fn orientation(&mut self, page: &GrayImage, dpi: u32) -> Option<Orientation>;
}

/// The engine the configuration asks for: `tesseract`, `ppocr`, or `auto` (PP-OCR when its
/// files are installed, else Tesseract).
pub struct Engine {
    name: &'static str,
    inner: Box<dyn Recognizer>,
}

impl Engine {
    pub fn new(config: &OcrConfig) -> Result<Engine> {
        let ppocr = || -> Result<Engine> {
            Ok(Engine { name: "ppocr", inner: Box::new(ppocr::PpOcr::new(config)?) })
        };
        let tesseract = || -> Result<Engine> {
            Ok(Engine { name: "tesseract", inner: Box::new(Tesseract::new(config)?) })
        };
        match config.engine.as_str() {
            "tesseract" => tesseract(),
            "ppocr" => ppocr(),
            "auto" if ppocr::available(config) => ppocr(),
            "auto" => tesseract(),
            other => Err(IngestError::new(
                ErrorCode::Ocr,
                format!("unknown OCR engine {other:?} (auto, ppocr, tesseract)"),
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl Recognizer for Engine {
    fn recognize(&mut self, page: &GrayImage, dpi: u32) -> Result<OcrOutput> {
        self.inner.recognize(page, dpi)
    }

    fn orientation(&mut self, page: &GrayImage, dpi: u32) -> Option<Orientation> {
        self.inner.orientation(page, dpi)
    }
}

/// A recognizer that adds up the time spent inside another one.
pub struct Timed<'a> {
    inner: &'a mut dyn Recognizer,
    pub spent: std::time::Duration,
}

impl<'a> Timed<'a> {
    pub fn new(inner: &'a mut dyn Recognizer) -> Self {
        Timed {
            inner,
            spent: std::time::Duration::ZERO,
        }
    }
}

impl Recognizer for Timed<'_> {
    fn recognize(&mut self, page: &GrayImage, dpi: u32) -> Result<OcrOutput> {
        let t = std::time::Instant::now();
        let r = self.inner.recognize(page, dpi);
        self.spent += t.elapsed();
        r
    }

    fn orientation(&mut self, page: &GrayImage, dpi: u32) -> Option<Orientation> {
        let t = std::time::Instant::now();
        let r = self.inner.orientation(page, dpi);
        self.spent += t.elapsed();
        r
    }
}

/// Puts an engine's lines in reading order for a page `page_height` pixels tall and
/// rebuilds the text from them (`layout::arrange`: running header and footer apart,
/// tables row by row, two-column blocks column by column, bands left to right). The same
/// for every engine, so Tesseract's own block order is used only where it agrees.
pub(crate) fn reading_order(out: &mut OcrOutput, page_height: u32) {
    let arrangement = layout::arrange(&mut out.lines, page_height);
    out.text = out.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n");
    out.layout = arrangement.layout;
    out.running = arrangement.running;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_sharing_a_band_read_left_to_right() {
        let line = |text: &str, left: u32, top: u32, height: u32| TextBox {
            text: text.into(),
            left,
            top,
            width: 40,
            height,
            confidence: 0.9,
            words: vec![],
        };
        let mut lines = vec![
            line("上一行", 100, 0, 40),
            line("、", 300, 100, 10),
            line("李秀英", 200, 100, 40),
            line("下一行", 100, 200, 40),
        ];
        layout::order_bands(&mut lines);
        let order: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(order, ["上一行", "李秀英", "、", "下一行"]);
    }
}
