//! A DOCX letter's filing copy: its text set on A4 pages in the layout of GB/T 9704 (text
//! block 156 x 225 mm, margins 37 mm top and 28 mm left, 16 pt body on a 28.95 pt line
//! pitch), in an embedded subset of a CJK font. Only the text is kept, not the DOCX's own
//! formatting: rendering Word layout faithfully needs a word processor, and the filing
//! copy's job is a legible, exact, searchable record of what the letter says.
//!
//! Lines break between any two CJK characters, never before closing punctuation (避头尾:
//! the mark is pulled back onto the line it closes). A character the font lacks is written
//! invisibly with the glyphless font, so the text stays exact and PDF/A-clean (no .notdef).

use super::textlayer::{num, GlyphlessFont};
use crate::ingest::error::{ErrorCode, IngestError, Result};
use lopdf::{dictionary, Document, Object, ObjectId, Stream};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Resource name of the body font on typeset pages.
pub const FONT: &str = "F1";

const MM: f32 = 72.0 / 25.4;
const LEFT: f32 = 28.0 * MM;
const TOP: f32 = 37.0 * MM;
const WIDTH: f32 = 156.0 * MM;
const HEIGHT: f32 = 225.0 * MM;
const SIZE: f32 = 16.0;
const PITCH: f32 = 28.95;

/// Marks that may not begin a line.
const NO_LINE_START: &str = "，。、；：？！）》」』】〉”’…—,.;:?!)%";

/// The body font, collecting the glyphs used for its subset.
pub struct BodyFont {
    data: Vec<u8>,
    index: u32,
    name: String,
    cff: bool,
    upem: f32,
    ascent: f32,
    descent: f32,
    bbox: [f32; 4],
    remapper: subsetter::GlyphRemapper,
    /// New glyph id -> (character, advance in 1/1000 em).
    used: BTreeMap<u16, (char, f32)>,
}

impl BodyFont {
    /// Loads face `index` of the font file at `path` (a TrueType or CFF OpenType font or
    /// collection).
    pub fn load(path: &Path, index: u32) -> Result<Self> {
        let data = std::fs::read(path).map_err(|e| {
            IngestError::new(
                ErrorCode::Io,
                format!("cannot read the body font {}: {e}", path.display()),
            )
        })?;
        let bad = |e: String| {
            IngestError::new(
                ErrorCode::Internal,
                format!("the body font {} is unusable: {e}", path.display()),
            )
        };
        let face = ttf_parser::Face::parse(&data, index).map_err(|e| bad(e.to_string()))?;
        let upem = face.units_per_em() as f32;
        let to_1000 = |v: i16| v as f32 * 1000.0 / upem;
        let b = face.global_bounding_box();
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "CJKBody".into())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let font = BodyFont {
            cff: face.tables().cff.is_some(),
            ascent: to_1000(face.ascender()),
            descent: to_1000(face.descender()),
            bbox: [
                to_1000(b.x_min),
                to_1000(b.y_min),
                to_1000(b.x_max),
                to_1000(b.y_max),
            ],
            upem,
            name,
            index,
            remapper: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
            data: Vec::new(),
        };
        Ok(BodyFont { data, ..font })
    }

    /// The subset glyph id and advance (1/1000 em) of `c`, if the font has it.
    fn glyph(&mut self, c: char) -> Option<(u16, f32)> {
        let face = ttf_parser::Face::parse(&self.data, self.index).ok()?;
        let gid = face.glyph_index(c)?;
        let advance = face.glyph_hor_advance(gid).unwrap_or(0) as f32 * 1000.0 / self.upem;
        let new = self.remapper.remap(gid.0);
        self.used.entry(new).or_insert((c, advance));
        Some((new, advance))
    }

    /// Adds the subset font's objects to `doc`; returns the Type0 font's id.
    pub fn write(&self, doc: &mut Document) -> Result<ObjectId> {
        let program = subsetter::subset(&self.data, self.index, &self.remapper).map_err(|e| {
            IngestError::new(
                ErrorCode::Internal,
                format!("subsetting the body font: {e}"),
            )
        })?;
        // A subset's name carries a six-letter tag (PDF 32000 9.6.4), here from its glyphs.
        let tag: String = {
            let mut h: u32 = 2166136261;
            for (&gid, _) in &self.used {
                h = (h ^ gid as u32).wrapping_mul(16777619);
            }
            (0..6)
                .map(|i| (b'A' + ((h >> (i * 5)) % 26) as u8) as char)
                .collect()
        };
        let base = format!("{tag}+{}", self.name);
        let mut file = if self.cff {
            Stream::new(dictionary! { "Subtype" => "OpenType" }, program)
        } else {
            let len = program.len() as i64;
            Stream::new(dictionary! { "Length1" => len }, program)
        };
        let _ = file.compress();
        let file = doc.add_object(file);
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(base.clone().into_bytes()),
            // Nonsymbolic would need a standard encoding; CID fonts are symbolic.
            "Flags" => 4,
            "FontBBox" => self.bbox.iter().map(|&v| Object::Real(v.round())).collect::<Vec<_>>(),
            "ItalicAngle" => 0,
            "Ascent" => self.ascent.round() as i64,
            "Descent" => self.descent.round() as i64,
            "CapHeight" => self.ascent.round() as i64,
            "StemV" => 80,
            if self.cff { "FontFile3" } else { "FontFile2" } => file,
        });
        let widths: Vec<Object> = self
            .used
            .iter()
            .flat_map(|(&gid, &(_, w))| {
                [
                    Object::Integer(gid as i64),
                    Object::Array(vec![Object::Real(w.round())]),
                ]
            })
            .collect();
        let mut cid_font = dictionary! {
            "Type" => "Font",
            "Subtype" => if self.cff { "CIDFontType0" } else { "CIDFontType2" },
            "BaseFont" => Object::Name(base.clone().into_bytes()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "W" => widths,
        };
        if !self.cff {
            cid_font.set("CIDToGIDMap", "Identity");
        }
        let cid_font = doc.add_object(cid_font);
        let cmap =
            super::textlayer::to_unicode_cmap(self.used.iter().map(|(&gid, &(c, _))| (gid, c)));
        let mut to_unicode = Stream::new(dictionary! {}, cmap.into_bytes());
        let _ = to_unicode.compress();
        let to_unicode = doc.add_object(to_unicode);
        Ok(doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(base.into_bytes()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![cid_font.into()],
            "ToUnicode" => to_unicode,
        }))
    }
}

/// One character as set: its glyph in the body font, or none (written invisibly).
#[derive(Clone, Copy)]
struct Set {
    c: char,
    glyph: Option<u16>,
    advance: f32,
}

/// Sets `text` (paragraphs separated by newlines) on pages; returns each page's content
/// stream. `glyphless` (resource `glyphless_name`) writes characters the body font lacks.
pub fn set_text(
    text: &str,
    font: &mut BodyFont,
    glyphless: &mut GlyphlessFont,
    glyphless_name: &str,
) -> Vec<String> {
    let mut lines: Vec<Vec<Set>> = Vec::new();
    for paragraph in text.lines() {
        let chars: Vec<Set> = paragraph
            .chars()
            .map(|c| match font.glyph(c) {
                Some((g, adv)) => Set {
                    c,
                    glyph: Some(g),
                    advance: adv * SIZE / 1000.0,
                },
                None => Set {
                    c,
                    glyph: None,
                    advance: SIZE,
                },
            })
            .collect();
        if chars.is_empty() {
            lines.push(Vec::new());
            continue;
        }
        let mut line: Vec<Set> = Vec::new();
        let mut width = 0.0;
        for s in chars {
            let closing = NO_LINE_START.contains(s.c);
            if width + s.advance > WIDTH && !line.is_empty() && !closing {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            width += s.advance;
            line.push(s);
        }
        lines.push(line);
    }
    let per_page = (HEIGHT / PITCH).floor().max(1.0) as usize;
    let page_top = super::layout::A4_HEIGHT - TOP;
    lines
        .chunks(per_page)
        .map(|page| {
            let mut out = String::new();
            for (i, line) in page.iter().enumerate() {
                if line.is_empty() {
                    continue;
                }
                // Baseline a little above the bottom of the line's band.
                let y = page_top - PITCH * i as f32 - SIZE;
                let _ = write!(out, "BT\n{} {} Td\n", num(LEFT), num(y));
                let mut current: Option<bool> = None;
                let mut run = String::new();
                let flush = |out: &mut String, run: &mut String| {
                    if !run.is_empty() {
                        let _ = writeln!(out, "<{run}> Tj");
                        run.clear();
                    }
                };
                for s in line {
                    let visible = s.glyph.is_some();
                    if current != Some(visible) {
                        flush(&mut out, &mut run);
                        if visible {
                            let _ = writeln!(out, "/{FONT} {} Tf 0 Tr 100 Tz", num(SIZE));
                        } else {
                            // The glyphless glyph is half an em: stretch it to a full one.
                            let _ = writeln!(out, "/{glyphless_name} {} Tf 3 Tr 200 Tz", num(SIZE));
                        }
                        current = Some(visible);
                    }
                    let code = match s.glyph {
                        Some(g) => g,
                        None => glyphless.cid(s.c),
                    };
                    let _ = write!(run, "{code:04X}");
                }
                flush(&mut out, &mut run);
                out.push_str("ET\n");
            }
            out
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> (BodyFont, GlyphlessFont) {
        let body = BodyFont::load(
            Path::new("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
            2,
        )
        .unwrap();
        let program = std::fs::read("/usr/share/tesseract-ocr/5/tessdata/pdf.ttf").unwrap();
        (body, GlyphlessFont::new(program).unwrap())
    }

    #[test]
    fn long_paragraphs_wrap_and_closing_marks_never_start_a_line() {
        let (mut body, mut glyphless) = fonts();
        // 27 characters fill a 156 mm line at 16 pt; the 28th is a comma.
        let text = format!("{}，后面的文字", "信".repeat(27));
        let pages = set_text(&text, &mut body, &mut glyphless, "F0");
        assert_eq!(pages.len(), 1);
        let lines: Vec<&str> = pages[0].lines().filter(|l| l.ends_with("Tj")).collect();
        assert_eq!(lines.len(), 2, "{}", pages[0]);
        // The first line holds the 27 characters and the comma.
        assert_eq!(
            lines[0].len(),
            "<".len() + 28 * 4 + "> Tj".len(),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn pages_hold_22_lines() {
        let (mut body, mut glyphless) = fonts();
        let text = vec!["一行"; 50].join("\n");
        let pages = set_text(&text, &mut body, &mut glyphless, "F0");
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].matches(" Td").count(), 22);
    }

    #[test]
    fn the_subset_embeds_with_widths_and_a_unicode_map() {
        let (mut body, mut glyphless) = fonts();
        set_text("信访人：王Ab", &mut body, &mut glyphless, "F0");
        let mut doc = Document::with_version("1.7");
        let id = body.write(&mut doc).unwrap();
        let font = doc.get_dictionary(id).unwrap();
        assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
        assert_eq!(body.used.len(), 7);
        let sizes: usize = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .map(|s| s.content.len())
            .sum();
        assert!(sizes < 60_000, "subset is {sizes} bytes");
    }
}
