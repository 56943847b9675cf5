//! Tesseract through `tesseract-rs`, linked against the system library: one handle for
//! text (`chi_sim` by default) and the OSD model for orientation; its TSV output parsed
//! into lines with boxes and confidences.

use super::orientation::{Orientation, Osd};
use super::{reading_order, OcrOutput, Recognizer};
use crate::config::OcrConfig;
use crate::ingest::error::{ErrorCode, IngestError, Result};
use crate::ingest::text::{chinese_punctuation, tidy_line};
use crate::model::{TextBox, WordBox};
use image::GrayImage;
use tesseract_rs::{TessPageSegMode, TesseractAPI};

/// Tesseract through `tesseract-rs`, linked against the system library.
pub struct Tesseract {
    text: TesseractAPI,
    osd: Osd,
}

impl Tesseract {
    /// Opens the engine with the configured languages. Fails with a clear message when the
    /// data files are missing.
    pub fn new(config: &OcrConfig) -> Result<Tesseract> {
        let dir = &config.tessdata;
        for lang in config.languages.split('+') {
            let file = dir.join(format!("{lang}.traineddata"));
            if !file.is_file() {
                return Err(IngestError::new(
                    ErrorCode::Ocr,
                    format!(
                        "Tesseract language data {} is missing (install tesseract-ocr-{} or set XINFANG_TESSDATA)",
                        file.display(),
                        lang.replace('_', "-")
                    ),
                ));
            }
        }
        let text = TesseractAPI::new();
        text.init(dir, &config.languages)
            .map_err(|e| IngestError::new(ErrorCode::Ocr, format!("Tesseract init failed: {e}")))?;
        // Chinese text has no inter-word spaces; keep Tesseract from inventing them.
        let _ = text.set_variable("preserve_interword_spaces", "1");
        let _ = text.set_variable("debug_file", "/dev/null");
        text.set_page_seg_mode(TessPageSegMode::PSM_AUTO)
            .map_err(|e| IngestError::new(ErrorCode::Ocr, format!("Tesseract: {e}")))?;
        let osd = Osd::new(dir);
        Ok(Tesseract { text, osd })
    }

    pub fn version() -> String {
        TesseractAPI::version()
    }
}

fn ocr_err(e: impl std::fmt::Display) -> IngestError {
    IngestError::new(ErrorCode::Ocr, format!("Tesseract: {e}"))
}

impl Recognizer for Tesseract {
    fn recognize(&mut self, page: &GrayImage, dpi: u32) -> Result<OcrOutput> {
        let (w, h) = page.dimensions();
        self.text
            .set_image(page.as_raw(), w as i32, h as i32, 1, w as i32)
            .map_err(ocr_err)?;
        self.text
            .set_source_resolution(dpi as i32)
            .map_err(ocr_err)?;
        let tsv = self.text.get_tsv_text(0).map_err(ocr_err)?;
        let _ = self.text.clear();
        let mut out = parse_tsv(&tsv);
        reading_order(&mut out, h);
        Ok(out)
    }

    fn orientation(&mut self, page: &GrayImage, dpi: u32) -> Option<Orientation> {
        self.osd.orientation(page, dpi)
    }
}


/// Builds lines from Tesseract's TSV output (level 4 = line, 5 = word).
pub fn parse_tsv(tsv: &str) -> OcrOutput {
    struct Line {
        key: (u32, u32, u32),
        bbox: (u32, u32, u32, u32),
        words: Vec<WordBox>,
        conf_sum: f32,
        chars: usize,
    }
    let mut lines: Vec<Line> = Vec::new();
    for row in tsv.lines() {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 11 {
            continue;
        }
        let num = |i: usize| cols[i].trim().parse::<i64>().unwrap_or(-1);
        let key = (
            num(2).max(0) as u32,
            num(3).max(0) as u32,
            num(4).max(0) as u32,
        );
        let bbox = (
            num(6).max(0) as u32,
            num(7).max(0) as u32,
            num(8).max(0) as u32,
            num(9).max(0) as u32,
        );
        match num(0) {
            4 => lines.push(Line {
                key,
                bbox,
                words: Vec::new(),
                conf_sum: 0.0,
                chars: 0,
            }),
            5 => {
                let text = cols.get(11).map(|s| s.trim()).unwrap_or("");
                let conf = cols[10].trim().parse::<f32>().unwrap_or(-1.0);
                if text.is_empty() || conf < 0.0 {
                    continue;
                }
                if let Some(line) = lines.last_mut().filter(|l| l.key == key) {
                    let n = text.chars().count();
                    line.words.push(WordBox {
                        text: text.to_string(),
                        left: bbox.0,
                        top: bbox.1,
                        width: bbox.2,
                        height: bbox.3,
                    });
                    line.conf_sum += conf / 100.0 * n as f32;
                    line.chars += n;
                }
            }
            _ => {}
        }
    }
    let mut out = OcrOutput::default();
    let (mut conf_sum, mut chars) = (0.0f32, 0usize);
    for line in lines.into_iter().filter(|l| l.chars > 0) {
        let joined = line
            .words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // Tidied again once the punctuation is full-width: "电话: 138" -> "电话：138".
        let text = tidy_line(&chinese_punctuation(&tidy_line(&joined)));
        if text.is_empty() {
            continue;
        }
        conf_sum += line.conf_sum;
        chars += line.chars;
        out.lines.push(TextBox {
            text,
            left: line.bbox.0,
            top: line.bbox.1,
            width: line.bbox.2,
            height: line.bbox.3,
            confidence: line.conf_sum / line.chars as f32,
            words: line.words,
        });
    }
    out.text = out
        .lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    out.confidence = if chars > 0 {
        conf_sum / chars as f32
    } else {
        0.0
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_lines_join_cjk_without_spaces() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n\
4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t20\t100\t40\t90\t信访\n\
5\t1\t1\t1\t1\t2\t120\t20\t100\t40\t80\t人：\n\
4\t1\t1\t1\t2\t0\t10\t70\t300\t40\t-1\t\n\
5\t1\t1\t1\t2\t1\t10\t70\t300\t40\t50\t13812345678\n";
        let out = parse_tsv(tsv);
        assert_eq!(out.text, "信访人：\n13812345678");
        let out = parse_tsv(&tsv.replace("人：", "人:"));
        assert!(out.text.starts_with("信访人："), "{}", out.text);
        // A space after a colon made full-width goes too.
        let spaced = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
4\t1\t1\t1\t1\t0\t10\t20\t300\t40\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t20\t100\t40\t90\t信访人:\n\
5\t1\t1\t1\t1\t2\t120\t20\t100\t40\t80\t13812345678\n";
        let one_line = parse_tsv(spaced);
        assert_eq!(one_line.text, "信访人：13812345678");
        assert_eq!(out.lines.len(), 2);
        assert_eq!(out.lines[1].top, 70);
        assert!((out.lines[0].confidence - 0.85).abs() < 1e-4);
        // weighted: (0.9*2 + 0.8*2 + 0.5*11) / 15
        assert!((out.confidence - (1.8 + 1.6 + 5.5) / 15.0).abs() < 1e-4);
    }
}
