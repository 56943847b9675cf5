//! PDF exporter: typst lays the document out with the GB/T 9704 markup in `gbt9704.typ`
//! (Chinese line breaking with 避头尾 is typst's) and writes PDF/A-2b with the fonts
//! embedded. The fonts and the standard library are loaded once; each document is then
//! compiled in its own small world whose only data file is the document as JSON.

use super::compose::{self, Composed, Options};
use super::grid::{Advances, Face};
use super::model::Document;
use crate::config::DocumentFonts;
use std::path::PathBuf;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

const MARKUP: &str = include_str!("gbt9704.typ");
const BINDER_MARKUP: &str = include_str!("../binder/binder.typ");

/// Which markup lays the data out.
#[derive(Clone, Copy)]
pub enum Markup {
    /// Official documents (GB/T 9704).
    Document,
    /// The bound file's cover, catalogue, note sheet and page overlays (DA/T 22).
    Binder,
}

/// The loaded fonts and library, shared by every document.
pub struct PdfEngine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    binder: Source,
    data_id: FileId,
    roles: DocumentFonts,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("cannot read font file {path}: {source}")]
    Font {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("font family {family} ({role}) is not in the configured font files; they hold: {available}")]
    MissingFamily {
        family: String,
        role: &'static str,
        available: String,
    },
    #[error("layout: {0}")]
    Layout(String),
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

impl PdfEngine {
    /// Loads every face of the font files and checks that each role's family is there.
    pub fn new(files: &[PathBuf], roles: &DocumentFonts) -> Result<PdfEngine, PdfError> {
        let mut fonts = vec![];
        for path in files {
            let data = std::fs::read(path).map_err(|source| PdfError::Font {
                path: path.clone(),
                source,
            })?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        let book = FontBook::from_fonts(&fonts);
        // Typst names some faces without their region suffix ("AR PL UKai" for what
        // fontconfig and Word call "AR PL UKai CN"): take the longest family that the
        // configured name starts with when there is no exact match.
        let resolve = |role: &'static str, family: &str| -> Result<String, PdfError> {
            let lower = family.to_lowercase();
            if book.select_family(&lower).next().is_some() {
                return Ok(family.to_string());
            }
            let mut families: Vec<&str> = book.families().map(|(name, _)| name).collect();
            families.dedup();
            families
                .iter()
                .filter(|f| lower.starts_with(&f.to_lowercase()))
                .max_by_key(|f| f.len())
                .map(|f| f.to_string())
                .ok_or_else(|| PdfError::MissingFamily {
                    family: family.to_string(),
                    role,
                    available: families.join(", "),
                })
        };
        let roles = DocumentFonts {
            body: resolve("body", &roles.body)?,
            title: resolve("title", &roles.title)?,
            heading: resolve("heading", &roles.heading)?,
            subheading: resolve("subheading", &roles.subheading)?,
        };
        Ok(PdfEngine {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
            main: Source::new(file_id("/main.typ"), MARKUP.to_string()),
            binder: Source::new(file_id("/binder.typ"), BINDER_MARKUP.to_string()),
            data_id: file_id("/doc.json"),
            roles,
        })
    }

    /// Lays `doc` out (see `compose`) and writes it as PDF/A-2b. `date` is the document's
    /// date; the PDF's own timestamp is `SOURCE_DATE_EPOCH` if set, else now.
    pub fn render(&self, doc: &Document, date: chrono::NaiveDate, options: Options) -> Result<(Rendered, Composed), PdfError> {
        let composed = compose::compose(doc, &self.advances(), options).map_err(PdfError::Layout)?;
        let pdf = self.draw(doc, &composed, date)?;
        Ok((pdf, composed))
    }

    /// Writes pages already composed.
    pub fn draw(&self, doc: &Document, composed: &Composed, date: chrono::NaiveDate) -> Result<Rendered, PdfError> {
        use chrono::Datelike;
        let data = serde_json::json!({
            "title": doc.title,
            "pages": composed.pages,
            "fonts": self.roles,
            "ymd": [date.year(), date.month(), date.day()],
        });
        let ident = doc.number.clone().unwrap_or_else(|| doc.title.clone());
        self.compile(Markup::Document, &data, ident, crate::clock::now().with_timezone(&chrono::Utc))
    }

    /// The advances of the document fonts' characters, for composing.
    pub fn advances(&self) -> FontAdvances<'_> {
        use typst::text::{FontStretch, FontStyle, FontVariant, FontWeight};
        let pick = |family: &str, weight: FontWeight| {
            let variant = FontVariant::new(FontStyle::Normal, weight, FontStretch::NORMAL);
            self.book
                .select(&family.to_lowercase(), variant)
                .and_then(|i| self.fonts.get(i))
                .and_then(|f| ttf_parser::Face::parse(f.data().as_slice(), f.index()).ok())
        };
        FontAdvances {
            body: pick(&self.roles.body, FontWeight::REGULAR),
            title: pick(&self.roles.title, FontWeight::BOLD),
            heading: pick(&self.roles.heading, FontWeight::REGULAR),
            subheading: pick(&self.roles.subheading, FontWeight::REGULAR),
        }
    }

    /// The font families by role, as typst names them.
    pub fn fonts(&self) -> &DocumentFonts {
        &self.roles
    }

    /// Lays out the bound file's parts (see `binder.typ`), stamped with `date` so that the
    /// same year gives the same bytes.
    pub fn render_binder(&self, data: &serde_json::Value, date: chrono::NaiveDate) -> Result<Rendered, PdfError> {
        let at = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
        self.compile(Markup::Binder, data, "xinfang-binder".into(), at)
    }

    fn compile(
        &self,
        markup: Markup,
        data: &serde_json::Value,
        ident: String,
        stamp: chrono::DateTime<chrono::Utc>,
    ) -> Result<Rendered, PdfError> {
        use chrono::{Datelike, Timelike};
        let world = DocWorld {
            engine: self,
            main: match markup {
                Markup::Document => &self.main,
                Markup::Binder => &self.binder,
            },
            data: Bytes::new(serde_json::to_vec(data).expect("JSON serialises")),
        };
        let warned = typst::compile::<typst_layout::PagedDocument>(&world);
        let paged = warned.output.map_err(|e| PdfError::Layout(messages(&e)))?;
        let timestamp = Datetime::from_ymd_hms(
            stamp.year(),
            stamp.month() as u8,
            stamp.day() as u8,
            stamp.hour() as u8,
            stamp.minute() as u8,
            stamp.second() as u8,
        )
        .map(typst_pdf::Timestamp::new_utc);
        let options = typst_pdf::PdfOptions {
            ident: typst::foundations::Smart::Custom(ident),
            timestamp,
            standards: typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
                .map_err(|e| PdfError::Layout(e.message().to_string()))?,
            // The binder takes pages out of these files: a structure tree would be left behind.
            tagged: matches!(markup, Markup::Document),
            ..Default::default()
        };
        let pdf = typst_pdf::pdf(&paged, &options).map_err(|e| PdfError::Layout(messages(&e)))?;
        // Typst's memo cache would otherwise keep every document ever laid out.
        typst::comemo::evict(4);
        Ok(Rendered {
            pages: paged.pages().len(),
            pdf,
        })
    }
}

/// Advances read from the fonts' own tables (`hmtx`), per role; a character a role's font
/// lacks is measured in the others (typst falls back the same way), else as one em.
pub struct FontAdvances<'a> {
    body: Option<ttf_parser::Face<'a>>,
    title: Option<ttf_parser::Face<'a>>,
    heading: Option<ttf_parser::Face<'a>>,
    subheading: Option<ttf_parser::Face<'a>>,
}

impl Advances for FontAdvances<'_> {
    fn advance(&self, face: Face, c: char) -> f64 {
        let first = match face {
            Face::Body => &self.body,
            Face::Title => &self.title,
            Face::Heading => &self.heading,
            Face::Subheading => &self.subheading,
        };
        let measure = |f: &ttf_parser::Face| {
            let g = f.glyph_index(c)?;
            Some(f.glyph_hor_advance(g)? as f64 / f.units_per_em() as f64)
        };
        [first, &self.body, &self.title, &self.heading, &self.subheading]
            .into_iter()
            .flatten()
            .find_map(measure)
            .unwrap_or(1.0)
    }
}

/// A laid-out PDF and its page count.
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
}

fn messages(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

struct DocWorld<'a> {
    engine: &'a PdfEngine,
    main: &'a Source,
    data: Bytes,
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotSource)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.engine.data_id {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // Documents carry their own date; `datetime.today()` is not used by the markup.
        None
    }
}
