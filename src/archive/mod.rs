//! The filing copy: any letter `ingest` reads, as an A4 PDF/A-2b with an exact, searchable
//! text layer. `file_copy` runs the intake pipeline with a page sink and builds the
//! document page by page as pages are read (one page image in memory at a time):
//!
//! ```text
//! scanned page  -> picture (G4 / JPEG) + layout (A4 placement) + textlayer (invisible text)
//! PDF text page -> passthrough (the page as a form XObject, placed on A4)
//! DOCX          -> typeset (the document's text set on A4 pages in an embedded CJK font)
//! all           -> pdfa (XMP, output intent, info, ID) -> bytes
//! ```
//!
//! Writing the bytes to disk is the caller's (see `write::write_atomic`).

pub mod layout;
pub mod passthrough;
pub mod pdfa;
pub mod picture;
pub mod textlayer;
pub mod typeset;

use crate::config::Config;
use crate::ingest::error::{ErrorCode, IngestError, Result};
use crate::ingest::ocr::Recognizer;
use crate::ingest::{self, PageImage};
use crate::model::{Extraction, Kind, Page};
use layout::Placement;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use serde::Serialize;
use std::sync::Arc;

/// What the user may choose.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Let pages smaller than A4 grow to fill the sheet.
    pub fit: bool,
    /// The registration number, written into the metadata (never a name).
    pub registration: Option<String>,
    /// Also make a small preview of each scanned page, with its text lines (for review).
    pub previews: bool,
}

pub use crate::model::{Preview, PreviewLine};

/// Long side of a preview, in pixels.
const PREVIEW_SIDE: u32 = 1400;

fn preview(page: &Page, gray: &image::GrayImage) -> Preview {
    let (w, h) = gray.dimensions();
    let k = (PREVIEW_SIDE as f32 / w.max(h).max(1) as f32).min(1.0);
    let (pw, ph) = (
        ((w as f32 * k) as u32).max(1),
        ((h as f32 * k) as u32).max(1),
    );
    let small = crate::ingest::clean::resize_with(
        gray.clone(),
        pw,
        ph,
        crate::ingest::clean::ResizeKind::Bilinear,
    );
    let mut jpeg = Vec::new();
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 70).encode(
        small.as_raw(),
        pw,
        ph,
        image::ExtendedColorType::L8,
    );
    let scale = |v: u32| (v as f32 * k).round() as u32;
    Preview {
        page: page.index,
        width: pw,
        height: ph,
        jpeg,
        lines: page
            .lines
            .iter()
            .map(|l| PreviewLine {
                text: l.text.clone(),
                x: scale(l.left),
                y: scale(l.top),
                w: scale(l.width),
                h: scale(l.height),
            })
            .collect(),
    }
}

/// How one sheet of the filing copy was made.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    /// Page of the input (for DOCX, the typeset page).
    pub page: u32,
    /// `scan`, `pdf-page` or `typeset`.
    pub source: &'static str,
    /// How the page image is stored (`ccitt-g4`, `jpeg-gray`, `jpeg-colour`), for scans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<&'static str>,
    /// `portrait` or `landscape-rotated`.
    pub orientation: &'static str,
    /// Scale against the page's actual size.
    pub scale: f32,
    /// Quarter turns applied to bring a scan upright, in degrees clockwise.
    pub rotation: u16,
}

/// A finished filing copy.
pub struct Filed {
    pub extraction: Extraction,
    pub pdf: Vec<u8>,
    pub sheets: Vec<Sheet>,
    /// With `Options::previews`: one per scanned page.
    pub previews: Vec<Preview>,
}

/// Reads a letter and builds its filing copy.
pub fn file_copy(
    file: &str,
    bytes: Arc<[u8]>,
    config: &Config,
    engine: &mut dyn Recognizer,
    options: &Options,
) -> Result<Filed> {
    let font = textlayer::GlyphlessFont::new(load_glyphless_font(config)?)
        .map_err(|e| IngestError::new(ErrorCode::Internal, e))?;
    let mut builder = Builder::new(font, options, config, bytes.clone());
    let extraction = {
        let mut sink = |page: &Page, image: PageImage| builder.add(page, image);
        ingest::extract_with_pages(file, bytes, config, engine, Some(&mut sink))?
    };
    if extraction.kind == Kind::Docx {
        builder.add_typeset(&extraction)?;
    }
    let pdf = builder.finish(&extraction)?;
    Ok(Filed {
        extraction,
        pdf,
        sheets: builder.sheets,
        previews: builder.previews,
    })
}

fn load_glyphless_font(config: &Config) -> Result<Vec<u8>> {
    let path = config.ocr.tessdata.join("pdf.ttf");
    std::fs::read(&path).map_err(|e| {
        IngestError::new(
            ErrorCode::Io,
            format!(
                "cannot read the text-layer font {} (Debian package tesseract-ocr): {e}",
                path.display()
            ),
        )
    })
}

struct Builder<'a> {
    doc: Document,
    pages_id: ObjectId,
    kids: Vec<ObjectId>,
    font: textlayer::GlyphlessFont,
    /// Reserved for the glyphless font; written at the end if anything uses it.
    font_id: ObjectId,
    font_used: bool,
    source: Option<passthrough::Source>,
    bytes: Arc<[u8]>,
    options: &'a Options,
    config: &'a Config,
    sheets: Vec<Sheet>,
    previews: Vec<Preview>,
    modified: String,
    created: chrono::DateTime<chrono::FixedOffset>,
}

/// Resource name of the glyphless font on every page.
const FONT: &str = "F0";

impl<'a> Builder<'a> {
    fn new(
        font: textlayer::GlyphlessFont,
        options: &'a Options,
        config: &'a Config,
        bytes: Arc<[u8]>,
    ) -> Self {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font_id = doc.new_object_id();
        let created = crate::clock::now();
        Builder {
            doc,
            pages_id,
            kids: Vec::new(),
            font,
            font_id,
            font_used: false,
            source: None,
            bytes,
            options,
            config,
            sheets: Vec::new(),
            previews: Vec::new(),
            modified: pdfa::pdf_date(&created),
            created,
        }
    }

    /// One page read by the pipeline.
    fn add(&mut self, page: &Page, image: PageImage) -> Result<()> {
        match image {
            PageImage::Scan {
                gray,
                colour,
                bilevel,
                dpi,
            } => {
                let quality = self.config.archive.jpeg_quality;
                if self.options.previews {
                    self.previews.push(preview(page, &gray));
                }
                let picture = if bilevel {
                    picture::bilevel(&gray, quality)
                } else if let Some(rgb) = &colour {
                    picture::jpeg_colour(rgb, &gray, quality)
                } else {
                    picture::jpeg_gray(&gray, quality)
                };
                drop((gray, colour));
                let placement = layout::place(picture.width, picture.height, dpi, self.options.fit);
                let encoding = picture.encoding;
                let image_id = self.doc.add_object(picture.stream);
                let m = placement.image_matrix();
                let mut content = format!("q {} cm /Im0 Do Q\n", matrix(&m));
                let body = textlayer::body_height(&page.lines);
                for line in &page.lines {
                    content.push_str(&textlayer::line_ops(line, &placement, FONT, &mut self.font, body));
                }
                let mut resources = dictionary! {
                    "XObject" => dictionary! { "Im0" => image_id },
                };
                if !page.lines.is_empty() {
                    resources.set("Font", dictionary! { FONT => self.font_id });
                    self.font_used = true;
                }
                self.add_sheet(content.into_bytes(), resources, &placement);
                self.sheets.push(Sheet {
                    page: page.index,
                    source: "scan",
                    image: Some(encoding.as_str()),
                    orientation: placement.orientation.as_str(),
                    scale: round2(placement.scale),
                    rotation: page.rotation,
                });
                Ok(())
            }
            PageImage::Text if page.source == crate::model::TextSource::PdfText => {
                if self.source.is_none() {
                    let (doc, pages) = ingest::pdf::load(self.bytes.clone(), &self.config.limits)?;
                    self.source = Some(passthrough::Source::new(doc, pages));
                }
                let source = self.source.as_mut().expect("loaded above");
                let imported = ingest::guard::catch("PDF page copy", || {
                    source.import(page.index, &mut self.doc, self.options.fit, self.font_id)
                })?;
                self.font_used = true;
                let content = format!("q {} cm /P0 Do Q\n", matrix(&imported.matrix));
                let resources = dictionary! {
                    "XObject" => dictionary! { "P0" => imported.form },
                };
                self.add_sheet(content.into_bytes(), resources, &imported.placement);
                self.sheets.push(Sheet {
                    page: page.index,
                    source: "pdf-page",
                    image: None,
                    orientation: imported.placement.orientation.as_str(),
                    scale: round2(imported.placement.scale),
                    rotation: 0,
                });
                Ok(())
            }
            // DOCX text is typeset once the whole document has been read.
            PageImage::Text => Ok(()),
        }
    }

    /// The DOCX's text on A4 pages.
    fn add_typeset(&mut self, extraction: &Extraction) -> Result<()> {
        let archive = &self.config.archive;
        let mut font = typeset::BodyFont::load(&archive.body_font, archive.body_font_index)?;
        let pages = typeset::set_text(&extraction.text, &mut font, &mut self.font, FONT);
        let font_id = font.write(&mut self.doc)?;
        self.font_used = true;
        let placement = layout::place_units(layout::A4_WIDTH, layout::A4_HEIGHT, 1.0, false);
        for (i, content) in pages.into_iter().enumerate() {
            let resources = dictionary! {
                "Font" => dictionary! { typeset::FONT => font_id, FONT => self.font_id },
            };
            self.add_sheet(content.into_bytes(), resources, &placement);
            self.sheets.push(Sheet {
                page: i as u32 + 1,
                source: "typeset",
                image: None,
                orientation: placement.orientation.as_str(),
                scale: 1.0,
                rotation: 0,
            });
        }
        Ok(())
    }

    fn add_sheet(&mut self, content: Vec<u8>, resources: Dictionary, placement: &Placement) {
        let mut stream = Stream::new(dictionary! {}, content);
        let _ = stream.compress();
        let contents = self.doc.add_object(stream);
        let mut page = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages_id,
            "MediaBox" => vec![0.into(), 0.into(), layout::A4_WIDTH.into(), layout::A4_HEIGHT.into()],
            "Resources" => resources,
            "Contents" => contents,
            "LastModified" => Object::string_literal(self.modified.clone()),
            // How the page sits on the sheet, for people and programs reading the file.
            "PieceInfo" => dictionary! {
                "Xinfang" => dictionary! {
                    "LastModified" => Object::string_literal(self.modified.clone()),
                    "Private" => dictionary! {
                        "Orientation" => Object::Name(placement.orientation.as_str().as_bytes().to_vec()),
                        "Scale" => round2(placement.scale),
                    },
                },
            },
        };
        if placement.sheet_rotate() != 0 {
            page.set("Rotate", placement.sheet_rotate());
        }
        let id = self.doc.add_object(page);
        self.kids.push(id);
    }

    fn finish(&mut self, extraction: &Extraction) -> Result<Vec<u8>> {
        if self.kids.is_empty() {
            return Err(IngestError::new(
                ErrorCode::Corrupt,
                "the file has no page to file",
            ));
        }
        if self.font_used {
            self.font.write(&mut self.doc, self.font_id);
        }
        let kids: Vec<Object> = self.kids.iter().map(|&k| k.into()).collect();
        self.doc.objects.insert(
            self.pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => self.kids.len() as i64,
            }),
        );
        let catalog = self.doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages_id,
        });
        self.doc.trailer.set("Root", catalog);
        let version = env!("CARGO_PKG_VERSION");
        let title = match &self.options.registration {
            Some(n) => format!("信访件 {n}"),
            None => format!("信访件归档副本 {}", &extraction.sha256[..12]),
        };
        let info = pdfa::DocumentInfo {
            title,
            identifier: self.options.registration.clone(),
            created: self.created,
            creator: format!("xinfang {version} archive-pdf"),
            producer: format!("xinfang {version}"),
        };
        pdfa::finish(&mut self.doc, &info, extraction.sha256.as_bytes())
            .map_err(|e| IngestError::new(ErrorCode::Internal, format!("PDF/A metadata: {e}")))?;
        let mut out = Vec::new();
        self.doc
            .save_to(&mut out)
            .map_err(|e| IngestError::new(ErrorCode::Internal, format!("writing the PDF: {e}")))?;
        Ok(out)
    }
}

fn matrix(m: &[f32; 6]) -> String {
    m.iter()
        .map(|&v| textlayer::num(v))
        .collect::<Vec<_>>()
        .join(" ")
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}
