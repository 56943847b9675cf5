//! One documented configuration for the whole program: input limits, OCR settings and the
//! domain tables (content categories). Everything has an embedded default, so `xinfang`
//! runs with no file at all; `xinfang.toml` (or `--config FILE`) overrides any part, and
//! `XINFANG_TESSDATA` overrides the Tesseract data folder.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The limits every input is held to. They are the only place such numbers live; the
/// README's "Limits" table restates them.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest input file read, in bytes (default 256 MiB).
    pub max_file_bytes: u64,
    /// Largest page image decoded, in pixels (default 80 megapixels: A3 at 600 dpi is 70).
    pub max_page_pixels: u64,
    /// Largest width or height of a page image, in pixels (default 20,000).
    pub max_page_side: u32,
    /// Most pages read from one file (default 500); a longer file is refused, not cut.
    pub max_pages: u32,
    /// Most bytes any one decoder may allocate beyond the page itself (default 512 MiB).
    pub max_decoder_alloc: u64,
    /// Largest uncompressed DOCX content, in bytes (default 64 MiB; guards zip bombs).
    pub max_docx_uncompressed: u64,
    /// Wall-clock budget for one file, in seconds (default 600). Checked between pages;
    /// PDF parsing runs under its own watchdog of `pdf_parse_seconds`.
    pub max_seconds_per_file: u64,
    /// Budget for parsing a PDF's structure and text layer, in seconds (default 30).
    pub pdf_parse_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_page_pixels: 80_000_000,
            max_page_side: 20_000,
            max_pages: 500,
            max_decoder_alloc: 512 * 1024 * 1024,
            max_docx_uncompressed: 64 * 1024 * 1024,
            max_seconds_per_file: 600,
            pdf_parse_seconds: 30,
        }
    }
}

impl Limits {
    pub fn file_budget(&self) -> Duration {
        Duration::from_secs(self.max_seconds_per_file)
    }
}

/// OCR engine settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OcrConfig {
    /// Folder holding `chi_sim.traineddata` (and `osd`, `eng`). Default: Debian's.
    pub tessdata: PathBuf,
    /// Tesseract language string (default `chi_sim`; `chi_sim+eng` was measured worse on
    /// letters: short lines such as signatures were read as English).
    pub languages: String,
    /// Worker threads, each with its own Tesseract handle (0 = one per core).
    pub workers: usize,
    /// Target resolution for recognition: pages scanned below it are scaled up.
    pub target_dpi: u32,
    /// `auto` (PP-OCR when its files are installed, else Tesseract), `ppocr` or `tesseract`.
    /// `XINFANG_ENGINE` or `--engine` override it.
    pub engine: String,
    /// Where PP-OCR's runtime library and models are (`scripts/ppocr-install.sh` fills it).
    /// `XINFANG_PPOCR` overrides it.
    pub ppocr_dir: PathBuf,
    /// Run PP-OCR's line-direction classifier, turning lines it finds upside down before
    /// reading them. Off by default: it turns short digit strings (phone numbers, dates)
    /// that are upright, and whole pages are already turned by the orientation detector.
    pub ppocr_line_direction: bool,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            tessdata: PathBuf::from("/usr/share/tesseract-ocr/5/tessdata"),
            languages: "chi_sim".into(),
            workers: 0,
            target_dpi: 300,
            engine: "auto".into(),
            ppocr_dir: PathBuf::from(".ppocr"),
            ppocr_line_direction: false,
        }
    }
}

/// The bureau: its name, its fonds number (全宗号) in the archive, how registration
/// numbers look, and its own area (a GB/T 2260 code, e.g. 420900: an address naming a
/// county that several places bear is counted in this area).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BureauConfig {
    pub name: String,
    pub fonds: String,
    pub registration: crate::domain::number::NumberFormat,
    pub region: Option<String>,
}

impl Default for BureauConfig {
    fn default() -> Self {
        BureauConfig {
            name: "示例县信访局".into(),
            fonds: "X001".into(),
            registration: Default::default(),
            region: None,
        }
    }
}

/// The web service's own limits and switches (`xinfang serve`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Most connections served at once; more wait in the kernel's queue (default 256).
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers, and the longest a kept-alive
    /// connection may sit idle (default 10).
    pub header_timeout_seconds: u64,
    /// Largest body of any request but an upload, in bytes (default 64 KiB).
    pub max_body_bytes: usize,
    /// Mark the session cookie `Secure`: set it when the service is reached over HTTPS
    /// (directly or through a proxy that terminates TLS). Default false.
    pub secure_cookies: bool,
    /// Days a refused upload is kept in `failed/` before it is removed (default 30).
    /// Nothing registered is ever deleted.
    pub keep_refused_days: u64,
    /// Most bytes `spool/` and `failed/` may hold together; uploads past it are refused
    /// with 507 (default 8 GiB).
    pub max_spool_bytes: u64,
    /// Hour of the night (0-23, local time) in which the service tidies the search index,
    /// in small steps that registrations go in between (default 3; 24 or more: never).
    pub tidy_hour: u32,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: 256,
            header_timeout_seconds: 10,
            max_body_bytes: 64 * 1024,
            secure_cookies: false,
            keep_refused_days: 30,
            max_spool_bytes: 8 << 30,
            tidy_hour: 3,
        }
    }
}

/// Filing copy settings (`xinfang archive-pdf`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ArchiveConfig {
    /// JPEG quality (1-100) for grayscale and colour page images.
    pub jpeg_quality: u8,
    /// Font for setting DOCX letters (TrueType or CFF OpenType, or a collection) and the
    /// face to use in it. Default: Noto Serif CJK SC from Debian's fonts-noto-cjk.
    pub body_font: PathBuf,
    pub body_font_index: u32,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            jpeg_quality: 75,
            body_font: PathBuf::from("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
            body_font_index: 2,
        }
    }
}

/// One content category and the words that suggest it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// Word lists used by field extraction; a bureau can extend them.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// Content categories in order; the last one is the fallback when nothing matches.
    pub categories: Vec<Category>,
    /// Words that mark a letter as urgent.
    pub urgent_words: Vec<String>,
    /// The risk phrases (data/risk.toml, or the config's `risk_file`).
    #[serde(skip)]
    pub risk: RiskVocabulary,
}

/// The embedded default vocabulary (data/vocabulary.toml).
pub const DEFAULT_VOCABULARY: &str = include_str!("../data/vocabulary.toml");

impl Default for Vocabulary {
    fn default() -> Self {
        toml::from_str(DEFAULT_VOCABULARY).expect("embedded data/vocabulary.toml is valid")
    }
}

/// The embedded default risk vocabulary (data/risk.toml), read by `ingest::risk`.
pub const DEFAULT_RISK: &str = include_str!("../data/risk.toml");

/// The phrases of each kind and the rules around them.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RiskVocabulary {
    pub negators: Vec<String>,
    pub negation_reach: usize,
    pub turns: Vec<String>,
    /// From this many people on, a letter is a mass matter (0: not counted).
    pub mass_people: u32,
    pub people_nouns: Vec<String>,
    /// Ordinary words that read like a phrase with one character misread (情不自禁 has
    /// 自禁, a look-alike of 自焚): a damaged reading inside them is not counted.
    #[serde(default)]
    pub ordinary: Vec<String>,
    /// Words that begin with a negator and negate nothing (决不罢休).
    #[serde(default)]
    pub not_negations: Vec<String>,
    pub kinds: Vec<KindPhrases>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KindPhrases {
    pub kind: crate::model::RiskKind,
    pub phrases: Vec<String>,
}

impl Default for RiskVocabulary {
    fn default() -> Self {
        toml::from_str(DEFAULT_RISK).expect("embedded data/risk.toml is valid")
    }
}

/// Official documents (`xinfang generate`): document-number codes and the fonts.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Issuer codes of document numbers (`咸信转〔2026〕12号`), by the name a template's
    /// header gives in `code = "..."`. One sequence per code and year.
    pub codes: std::collections::BTreeMap<String, String>,
    /// Font files loaded for documents (every face of a collection is loaded).
    pub font_files: Vec<PathBuf>,
    /// Font families by role: body text (仿宋's stand-in), titles and the organ mark
    /// (小标宋's), first-level headings (黑体's), second-level headings (楷体's).
    pub fonts: DocumentFonts,
    /// Font names written into the DOCX: the ones bureau PCs have (the PDF embeds
    /// `fonts`, free stand-ins, instead).
    pub docx_fonts: DocumentFonts,
    /// Documents are printed on both sides: the record block (版记) goes on an even page.
    pub double_sided: bool,
}

/// Font families for documents, by the role GB/T 9704 gives them.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentFonts {
    pub body: String,
    pub title: String,
    pub heading: String,
    pub subheading: String,
}

impl Default for DocumentFonts {
    fn default() -> Self {
        DocumentFonts {
            body: "Noto Serif CJK SC".into(),
            title: "Noto Serif CJK SC".into(),
            heading: "Noto Sans CJK SC".into(),
            subheading: "AR PL UKai CN".into(),
        }
    }
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        let codes = [
            ("transfer", "示信转"),
            ("assign", "示信交"),
            ("notice", "示信告"),
            ("reply", "示信复"),
            ("recommend", "示信建"),
            ("supervise", "示信督"),
            ("report", "示信报"),
            ("bulletin", "示信动"),
        ];
        DocumentsConfig {
            codes: codes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            font_files: [
                "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
                "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/truetype/arphic/ukai.ttc",
            ]
            .iter()
            .map(PathBuf::from)
            .collect(),
            fonts: DocumentFonts::default(),
            docx_fonts: DocumentFonts {
                body: "仿宋_GB2312".into(),
                title: "方正小标宋简体".into(),
                heading: "黑体".into(),
                subheading: "楷体_GB2312".into(),
            },
            double_sided: true,
        }
    }
}

/// The yearly bound file (`xinfang binder`), after DA/T 22-2015.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BinderConfig {
    /// Retention period of the bureau's letters and documents: `Y` (永久), `D30` (30年) or
    /// `D10` (10年).
    pub retention: String,
    /// Most pages in one volume before a new one starts.
    pub page_limit: u32,
    /// Category code (门类代码) in the reference code.
    pub class_code: String,
    /// 机构（问题）: printed in the stamp and on the cover when set, with its code in the
    /// reference code.
    pub organ: String,
    pub organ_code: String,
    /// Name of the fonds (全宗名称) on the cover; default the bureau's name.
    pub fonds_name: Option<String>,
}

impl Default for BinderConfig {
    fn default() -> Self {
        BinderConfig {
            retention: "D30".into(),
            page_limit: 200,
            class_code: "WS".into(),
            organ: String::new(),
            organ_code: String::new(),
            fonds_name: None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub limits: Limits,
    pub ocr: OcrConfig,
    pub archive: ArchiveConfig,
    pub bureau: BureauConfig,
    pub deadlines: crate::deadline::Deadlines,
    pub documents: DocumentsConfig,
    pub binder: BinderConfig,
    pub server: ServerConfig,
    /// A TOML file with `[[rules]]` (county, category, body) replacing the embedded
    /// routing table (data/routing.toml).
    pub routing_file: Option<PathBuf>,
    #[serde(skip)]
    pub routing: crate::routing::RoutingTable,
    /// A TOML file with the forms of bodies' names the accusation guard compares
    /// (prefixes, leadership suffixes, levels, aliases), replacing data/bodies.toml.
    pub bodies_file: Option<PathBuf>,
    #[serde(skip)]
    pub bodies: crate::bodies::BodyNames,
    /// A TOML file with `categories` and `urgent_words`, replacing the embedded list.
    pub vocabulary_file: Option<PathBuf>,
    #[serde(skip)]
    pub vocabulary: Vocabulary,
    /// A TOML file with the risk phrases, negators and the mass count, replacing the
    /// embedded data/risk.toml.
    pub risk_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("{path}: vocabulary has no categories")]
    NoCategories { path: PathBuf },
}

impl Config {
    /// Reads `path` if given, else `./xinfang.toml` if present, else the defaults; then
    /// applies the environment (`XINFANG_TESSDATA`).
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let local = Path::new("xinfang.toml");
        let path = path.or_else(|| local.exists().then_some(local));
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.into(),
                    source,
                })?;
                toml::from_str::<Config>(&text).map_err(|source| ConfigError::Parse {
                    path: p.into(),
                    source,
                })?
            }
            None => Config::default(),
        };
        if let Some(voc) = config.vocabulary_file.clone() {
            let text = std::fs::read_to_string(&voc).map_err(|source| ConfigError::Read {
                path: voc.clone(),
                source,
            })?;
            config.vocabulary = toml::from_str(&text).map_err(|source| ConfigError::Parse {
                path: voc.clone(),
                source,
            })?;
            if config.vocabulary.categories.is_empty() {
                return Err(ConfigError::NoCategories { path: voc });
            }
        }
        if let Some(file) = config.risk_file.clone() {
            let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                path: file.clone(),
                source,
            })?;
            config.vocabulary.risk = toml::from_str(&text).map_err(|source| ConfigError::Parse {
                path: file.clone(),
                source,
            })?;
        }
        if let Some(file) = config.routing_file.clone() {
            let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                path: file.clone(),
                source,
            })?;
            config.routing = toml::from_str(&text).map_err(|source| ConfigError::Parse {
                path: file.clone(),
                source,
            })?;
        }
        if let Some(file) = config.bodies_file.clone() {
            let text = std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                path: file.clone(),
                source,
            })?;
            config.bodies = crate::bodies::BodyNames::from_toml(&text)
                .map_err(|source| ConfigError::Parse { path: file.clone(), source })?;
        }
        if let Some(dir) = std::env::var_os("XINFANG_TESSDATA") {
            config.ocr.tessdata = PathBuf::from(dir);
        }
        if let Some(dir) = std::env::var_os("XINFANG_PPOCR") {
            config.ocr.ppocr_dir = PathBuf::from(dir);
        }
        if let Ok(engine) = std::env::var("XINFANG_ENGINE") {
            config.ocr.engine = engine;
        }
        Ok(config)
    }

    /// Number of OCR workers to run.
    pub fn workers(&self) -> usize {
        match self.ocr.workers {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            n => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_states_the_defaults() {
        let example: Config = toml::from_str(include_str!("../xinfang.example.toml")).unwrap();
        let d = Config::default();
        let (a, b) = (&example.limits, &d.limits);
        assert_eq!(
            (
                a.max_file_bytes,
                a.max_page_pixels,
                a.max_page_side,
                a.max_pages,
                a.max_decoder_alloc
            ),
            (
                b.max_file_bytes,
                b.max_page_pixels,
                b.max_page_side,
                b.max_pages,
                b.max_decoder_alloc
            )
        );
        assert_eq!(
            (
                a.max_docx_uncompressed,
                a.max_seconds_per_file,
                a.pdf_parse_seconds
            ),
            (
                b.max_docx_uncompressed,
                b.max_seconds_per_file,
                b.pdf_parse_seconds
            )
        );
        assert_eq!(example.ocr.languages, d.ocr.languages);
        assert_eq!(example.ocr.tessdata, d.ocr.tessdata);
        assert_eq!(example.ocr.target_dpi, d.ocr.target_dpi);
        assert_eq!((&example.ocr.engine, &example.ocr.ppocr_dir), (&d.ocr.engine, &d.ocr.ppocr_dir));
        assert_eq!(example.archive.jpeg_quality, d.archive.jpeg_quality);
        assert_eq!(example.bureau.name, d.bureau.name);
        assert_eq!(example.bureau.fonds, d.bureau.fonds);
        assert_eq!(example.bureau.registration, d.bureau.registration);
        assert_eq!(example.archive.body_font, d.archive.body_font);
        assert_eq!(example.archive.body_font_index, d.archive.body_font_index);
        assert_eq!(example.documents.codes, d.documents.codes);
        assert_eq!(example.server, d.server);
        let (b, c) = (&example.binder, &d.binder);
        assert_eq!(
            (&b.retention, b.page_limit, &b.class_code, &b.organ, &b.organ_code, &b.fonds_name),
            (&c.retention, c.page_limit, &c.class_code, &c.organ, &c.organ_code, &c.fonds_name)
        );
        assert_eq!(example.documents.font_files, d.documents.font_files);
        let (f, g) = (&example.documents.fonts, &d.documents.fonts);
        assert_eq!(
            (&f.body, &f.title, &f.heading, &f.subheading),
            (&g.body, &g.title, &g.heading, &g.subheading)
        );
    }

    #[test]
    fn embedded_vocabulary_has_the_national_categories() {
        let v = Vocabulary::default();
        let names: Vec<&str> = v.categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.len(), 17);
        assert_eq!(names.last(), Some(&"其他"));
        for n in [
            "农村农业",
            "城乡建设",
            "劳动和社会保障",
            "生态环境",
            "纪检监察",
        ] {
            assert!(names.contains(&n), "{n}");
        }
        assert!(!v.urgent_words.is_empty());
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("[limits]\nmax_pagez = 3\n").is_err());
    }
}
