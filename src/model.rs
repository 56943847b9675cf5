//! Plain data shared by every stage: what a page and a letter look like once read, and the
//! petitioner fields pulled out of them. No behaviour beyond small helpers; formatting lives
//! at the edges (cli, http).

use serde::{Deserialize, Serialize};

/// The kind of an input file, decided from its content (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Png,
    Jpeg,
    Tiff,
    Pdf,
    Docx,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Png => "png",
            Kind::Jpeg => "jpeg",
            Kind::Tiff => "tiff",
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
        }
    }
}

/// Where a page's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TextSource {
    #[serde(rename = "ocr")]
    Ocr,
    #[serde(rename = "pdf-text")]
    PdfText,
    #[serde(rename = "docx")]
    Docx,
}

/// A word or line recognised on a page, with its box in pixels of the cleaned page image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBox {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    /// 0..1
    pub confidence: f32,
    /// The words of a line as the engine gave them (raw text, each with its box), in order.
    /// Not part of the JSON contract; the filing PDF places its text layer by them.
    #[serde(skip)]
    pub words: Vec<WordBox>,
}

/// One word as recognised, before the line's text was tidied: its raw text and box in
/// pixels of the cleaned page image.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordBox {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// One page as read. Pixel sizes and dpi describe the cleaned image that was recognised
/// (for text sources they are 0 and `null`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// 1-based page number in the input file.
    pub index: u32,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: Option<u32>,
    /// Clockwise rotation in degrees applied to bring the page upright (0, 90, 180, 270).
    pub rotation: u16,
    /// Skew corrected, in degrees (positive: the scan was turned clockwise).
    pub skew_deg: f32,
    pub source: TextSource,
    pub text: String,
    /// Mean recognition confidence 0..1 (1 for text taken from a text layer).
    pub confidence: f32,
    /// For a page read by OCR: the share (0..1) of the page's ink that lies in the lines
    /// read (`ingest::coverage`); a low share is also a warning naming the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ink_read: Option<f32>,
    /// For a page read by OCR: what the page was taken to be when its lines were put in
    /// reading order (`ingest::ocr::layout`): `single`, `columns:2` or `table`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<String>,
    /// Running headers, footers and page numbers, kept apart from the body: they are the
    /// first and last lines of `text`, never inside a column or a paragraph.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub running: Vec<String>,
    /// Warnings naming this page: little of its ink read (`ingest::coverage`), an image
    /// the renderer could not decode. They go to the file's warnings; not serialised with
    /// the page.
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// What cleaning did to this page, in words ("cropped border 40/38/41/39 px", ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleaning: Vec<String>,
    /// Recognised lines with boxes (not part of the JSON contract; used by the filing PDF).
    #[serde(skip)]
    pub lines: Vec<TextBox>,
}

/// The petitioner fields of one letter. Absent fields are `None` (JSON `null`): never guessed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fields {
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// The letter's date, YYYY-MM-DD.
    pub date: Option<String>,
    pub summary: Option<String>,
    pub category: Option<String>,
    pub urgent: bool,
    pub cosigners: u32,
    /// Risks read on arrival (threats, a mass petition, a danger, hardship), with the
    /// phrase each was read from; empty when none.
    #[serde(default)]
    pub risk: Vec<Risk>,
}

/// One risk read in a letter: its kind and the words it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub kind: RiskKind,
    pub evidence: String,
}

/// The kinds of risk a letter can carry on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskKind {
    /// Threatens an extreme act (扬言自杀、自焚、爆炸、报复).
    Extreme,
    /// Announces a mass petition (集体上访、进京) or concerns many people.
    Mass,
    /// Describes a danger to life and health (有毒气体、危房、断水断电).
    Safety,
    /// The writer is in special hardship (孤寡、重病、残疾、过冬无着).
    Vulnerable,
}

impl RiskKind {
    pub const ALL: &'static [RiskKind] = &[RiskKind::Extreme, RiskKind::Mass, RiskKind::Safety, RiskKind::Vulnerable];

    pub fn as_str(self) -> &'static str {
        match self {
            RiskKind::Extreme => "extreme",
            RiskKind::Mass => "mass",
            RiskKind::Safety => "safety",
            RiskKind::Vulnerable => "vulnerable",
        }
    }

    pub fn parse(s: &str) -> Option<RiskKind> {
        RiskKind::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// The kind's name on the pages and in documents.
    pub fn label(self) -> &'static str {
        match self {
            RiskKind::Extreme => "扬言极端行为",
            RiskKind::Mass => "群体性",
            RiskKind::Safety => "危及人身安全",
            RiskKind::Vulnerable => "特殊困难群体",
        }
    }
}

/// Confidence 0..1 for each field that was found, and the page it came from (OCR only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldConfidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<f32>,
    pub urgent: f32,
    pub cosigners: f32,
}

impl FieldConfidence {
    /// Below this confidence a personal field is flagged for the reviewer.
    pub const DOUBTFUL: f32 = 0.8;

    /// The personal fields read with less than `DOUBTFUL` confidence, with their
    /// confidence, in the order of the form: (`name`, `id_number`, `phone`, `address`).
    pub fn doubtful(&self) -> Vec<(&'static str, f32)> {
        [
            ("name", self.name),
            ("id_number", self.id_number),
            ("phone", self.phone),
            ("address", self.address),
        ]
        .into_iter()
        .filter_map(|(field, conf)| conf.filter(|v| *v < Self::DOUBTFUL).map(|v| (field, v)))
        .collect()
    }
}

/// The page (1-based) each found field was read from, where it came from OCR.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldPages {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_number: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<u32>,
}

/// Everything `extract` learns from one file: the JSON Lines contract of `xinfang extract`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub file: String,
    pub sha256: String,
    pub kind: Kind,
    pub pages: Vec<Page>,
    pub text: String,
    pub fields: Fields,
    pub field_confidence: FieldConfidence,
    pub field_pages: FieldPages,
    pub warnings: Vec<String>,
    pub elapsed_ms: u64,
    /// Where the time went (not part of the JSON contract; `--timings` prints totals).
    #[serde(skip)]
    pub timings: Timings,
}

/// Time spent per stage of one file, in microseconds. `engine` is the OCR engine itself
/// (recognition and orientation detection); everything else is the pipeline's overhead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    pub total_us: u64,
    pub engine_us: u64,
}

/// The line printed for a file that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedFile {
    pub file: String,
    pub error: ErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `too_many_pixels` (see `ingest::ErrorCode`).
    pub code: String,
    pub message: String,
}

/// A scanned page made small for a review screen, with the recognised lines on it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preview {
    /// Page of the input.
    pub page: u32,
    pub width: u32,
    pub height: u32,
    /// JPEG bytes (not serialised; stored beside the lines).
    #[serde(skip)]
    pub jpeg: Vec<u8>,
    /// Each line's text and box, in preview pixels.
    pub lines: Vec<PreviewLine>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviewLine {
    pub text: String,
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}
