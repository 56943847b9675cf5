//! The PP-OCRv4 engine: text detection and recognition models run by ONNX Runtime through
//! `paddle-ocr-rs` (DB post-processing and CTC decoding are that crate's). ONNX Runtime is
//! loaded at run time from the library the `onnxruntime` wheel ships (`ort` with
//! `load-dynamic`); the models come from the `rapidocr-onnxruntime` wheel
//! (`scripts/ppocr-install.sh` puts both in `.ppocr/`, and `scripts/ppocr-fold.py` folds the
//! detection and recognition graphs into fewer operations, exactly: about a third faster).
//! Orientation is still Tesseract's OSD.

use super::orientation::{Orientation, Osd};
use super::{reading_order, OcrOutput, Recognizer};
use crate::ingest::error::{ErrorCode, IngestError, Result};
use crate::ingest::text::{chinese_punctuation, tidy_line};
use crate::config::OcrConfig;
use crate::model::{TextBox, WordBox};
use image::GrayImage;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const LIBRARY: &str = "libonnxruntime.so.1.31.1";
/// The models as folded by `scripts/ppocr-fold.py` (the wheel's originals are kept beside
/// them, `*_infer.onnx`; a test checks both compute the same).
const DETECTION: &str = "ch_PP-OCRv4_det_folded.onnx";
const RECOGNITION: &str = "ch_PP-OCRv4_rec_folded.onnx";
const DIRECTION: &str = "ch_ppocr_mobile_v2.0_cls_infer.onnx";

/// Longest side of the image the detector sees: faster and more accurate than full size.
const DETECT_SIDE: u32 = 960;
/// White the detector adds around its input.
const PAD: u32 = 50;
/// Longest side of the page PP-OCR is given (A4 at about 150 dpi).
const WORK_SIDE: u32 = 1750;

/// The files PP-OCR needs, under `[ocr] ppocr_dir` (or `XINFANG_PPOCR`).
pub fn files(config: &OcrConfig) -> [PathBuf; 4] {
    let d = &config.ppocr_dir;
    [LIBRARY, DETECTION, RECOGNITION, DIRECTION].map(|f| d.join(f))
}

/// Whether every file is there (`engine = "auto"` then picks PP-OCR).
pub fn available(config: &OcrConfig) -> bool {
    files(config).iter().all(|f| f.is_file())
}

/// ONNX Runtime is loaded once per process.
static RUNTIME: OnceLock<std::result::Result<(), String>> = OnceLock::new();

fn load_runtime(library: &Path) -> Result<()> {
    RUNTIME
        .get_or_init(|| {
            // A failed dlopen inside ort panics; the file is checked first and the call is
            // contained, so a broken install is an error message, not a crash.
            if !library.is_file() {
                return Err(format!("{} is missing", library.display()));
            }
            let path = library.display().to_string();
            std::panic::catch_unwind(|| ort::init_from(path).with_name("xinfang").commit())
                .map_err(|_| format!("{} could not be loaded", library.display()))?
                .map(|_| ())
                .map_err(|e| format!("ONNX Runtime: {e}"))
        })
        .clone()
        .map_err(|m| IngestError::new(ErrorCode::Ocr, format!("PP-OCR: {m} (run scripts/ppocr-install.sh)")))
}

/// Sessions: every graph optimisation (the CPU layouts matter most), and one thread that
/// does not spin, since the batch already runs one engine per core.
fn session(b: ort::session::builder::SessionBuilder) -> std::result::Result<ort::session::builder::SessionBuilder, ort::Error> {
    b.with_optimization_level(ort::session::builder::GraphOptimizationLevel::Level3)?
        .with_intra_threads(1)?
        .with_inter_threads(1)?
        .with_intra_op_spinning(false)?
        .with_inter_op_spinning(false)
}

pub struct PpOcr {
    lite: paddle_ocr_rs::ocr_lite::OcrLite,
    /// `[ocr] ppocr_line_direction`: classify each line's direction and turn it if upside down.
    line_direction: bool,
    /// Orientation detection stays with Tesseract's OSD.
    osd: Osd,
}

impl PpOcr {
    pub fn new(config: &OcrConfig) -> Result<PpOcr> {
        let [library, det, rec, cls] = files(config);
        for f in [&det, &rec, &cls] {
            if !f.is_file() {
                return Err(IngestError::new(
                    ErrorCode::Ocr,
                    format!("PP-OCR model {} is missing (run scripts/ppocr-install.sh)", f.display()),
                ));
            }
        }
        load_runtime(&library)?;
        let mut lite = paddle_ocr_rs::ocr_lite::OcrLite::new();
        let s = |p: &Path| p.display().to_string();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lite.init_models_custom(&s(&det), &s(&cls), &s(&rec), session)
        }))
        .map_err(|_| IngestError::new(ErrorCode::Ocr, "PP-OCR: the models could not be loaded"))?
        .map_err(|e| IngestError::new(ErrorCode::Ocr, format!("PP-OCR: {e}")))?;
        Ok(PpOcr {
            lite,
            line_direction: config.ppocr_line_direction,
            osd: Osd::new(&config.tessdata),
        })
    }
}

impl Recognizer for PpOcr {
    fn recognize(&mut self, page: &GrayImage, _dpi: u32) -> Result<OcrOutput> {
        // Lines are read at 48 px high; a page much larger than this only makes the crops
        // and their warps slower. Boxes are scaled back to the page afterwards.
        let long = page.width().max(page.height());
        let factor = if long > WORK_SIDE { long as f32 / WORK_SIDE as f32 } else { 1.0 };
        let small;
        let work = if factor > 1.0 {
            small = image::imageops::resize(
                page,
                (page.width() as f32 / factor).round() as u32,
                (page.height() as f32 / factor).round() as u32,
                image::imageops::FilterType::Triangle,
            );
            &small
        } else {
            page
        };
        // The detector's cost is its input's area, and a letter's text covers about a third
        // of the page: it is given the inked part only, at the scale it would have had.
        let Some(ink) = ink_bounds(work) else {
            return Ok(OcrOutput::default());
        };
        let region = image::imageops::crop_imm(work, ink.0, ink.1, ink.2, ink.3).to_image();
        // The detector pads its input by PAD on each side and scales the padded long side to
        // its target: the target here keeps the scale a whole page would have had.
        let work_long = (work.width().max(work.height()) + 2 * PAD) as f32;
        let ink_long = (ink.2.max(ink.3) + 2 * PAD) as f32;
        let scale = ((DETECT_SIDE + 2 * PAD) as f32 / work_long).min(1.0);
        let detect_side = ((ink_long * scale).round() as u32).saturating_sub(2 * PAD).max(32);
        let rgb = image::DynamicImage::ImageLuma8(region).to_rgb8();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.lite.detect(&rgb, PAD, detect_side, 0.5, 0.3, 1.6, self.line_direction, false)
        }))
        .map_err(|_| IngestError::new(ErrorCode::Ocr, "PP-OCR failed on this page"))?
        .map_err(|e| IngestError::new(ErrorCode::Ocr, format!("PP-OCR: {e}")))?;
        let to_page = |v: u32, origin: u32| ((v + origin) as f32 * factor).round() as u32;
        let lines: Vec<TextBox> = result
            .text_blocks
            .into_iter()
            .filter(|b| !b.text.trim().is_empty() && b.box_points.len() >= 4)
            .map(|b| {
                let xs = b.box_points.iter().map(|p| to_page(p.x, ink.0));
                let ys = b.box_points.iter().map(|p| to_page(p.y, ink.1));
                let (left, right) = (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0));
                let (top, bottom) = (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0));
                let (width, height) = (right.saturating_sub(left).max(1), bottom.saturating_sub(top).max(1));
                let raw = b.text.trim().to_string();
                TextBox {
                    text: tidy_line(&chinese_punctuation(&tidy_line(&raw))),
                    left,
                    top,
                    width,
                    height,
                    confidence: b.text_score.clamp(0.0, 1.0),
                    words: spread(&raw, left, top, width, height),
                }
            })
            .collect();
        let chars: usize = lines.iter().map(|l| l.text.chars().count()).sum();
        let confidence = if chars == 0 {
            0.0
        } else {
            lines
                .iter()
                .map(|l| l.confidence * l.text.chars().count() as f32)
                .sum::<f32>()
                / chars as f32
        };
        let mut out = OcrOutput { confidence, lines, ..OcrOutput::default() };
        reading_order(&mut out, page.height());
        Ok(out)
    }

    fn orientation(&mut self, page: &GrayImage, dpi: u32) -> Option<Orientation> {
        self.osd.orientation(page, dpi)
    }
}

/// Ink darker than this counts as text when the page's inked part is found.
const INK: u8 = 160;
/// White kept around the inked part (page pixels at about 150 dpi: 4 mm).
const INK_MARGIN: u32 = 24;

/// The part of the page that has ink on it, with a margin: (left, top, width, height), or
/// `None` for a blank page. A row or column counts when it has at least 2 inked pixels, so
/// single specks of scanner noise do not widen it (a wider part only costs time).
fn ink_bounds(page: &GrayImage) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = page.dimensions();
    if w == 0 || h == 0 {
        return None;
    }
    let mut rows = vec![0u32; h as usize];
    let mut cols = vec![0u32; w as usize];
    for (y, row) in page.as_raw().chunks_exact(w as usize).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            if v < INK {
                rows[y] += 1;
                cols[x] += 1;
            }
        }
    }
    let span = |counts: &[u32]| {
        let first = counts.iter().position(|&c| c >= 2)? as u32;
        let last = counts.iter().rposition(|&c| c >= 2)? as u32;
        Some((first, last))
    };
    let (top, bottom) = span(&rows)?;
    let (left, right) = span(&cols)?;
    let left = left.saturating_sub(INK_MARGIN);
    let top = top.saturating_sub(INK_MARGIN);
    let right = (right + INK_MARGIN).min(w - 1);
    let bottom = (bottom + INK_MARGIN).min(h - 1);
    Some((left, top, right - left + 1, bottom - top + 1))
}

/// PP-OCR gives a box per line, not per character: the characters are spread over the
/// line's width by their widths (CJK and full-width one, others half), so the filing copy's
/// text layer and the review highlights have a box for each.
fn spread(text: &str, left: u32, top: u32, width: u32, height: u32) -> Vec<WordBox> {
    let weight = |c: char| if c.is_ascii() { 0.5 } else { 1.0 };
    let total: f32 = text.chars().map(weight).sum();
    if total == 0.0 {
        return vec![];
    }
    let mut x = left as f32;
    let mut out = vec![];
    for c in text.chars() {
        let w = width as f32 * weight(c) / total;
        if !c.is_whitespace() {
            out.push(WordBox {
                text: c.to_string(),
                left: x.round() as u32,
                top,
                width: (w.round() as u32).max(1),
                height,
            });
        }
        x += w;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inked_part_has_a_margin_and_ignores_specks() {
        let mut page = GrayImage::from_pixel(1000, 1400, image::Luma([255]));
        assert_eq!(ink_bounds(&page), None, "a blank page has no inked part");
        for y in 300..340 {
            for x in 200..700 {
                page.put_pixel(x, y, image::Luma([20]));
            }
        }
        page.put_pixel(990, 1390, image::Luma([0])); // a speck in the corner
        let (l, t, w, h) = ink_bounds(&page).unwrap();
        assert_eq!((l, t), (200 - INK_MARGIN, 300 - INK_MARGIN));
        assert_eq!((l + w, t + h), (700 + INK_MARGIN, 340 + INK_MARGIN));
        assert_eq!(ink_bounds(&GrayImage::new(0, 0)), None);
    }
}
