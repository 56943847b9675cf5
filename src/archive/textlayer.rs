//! The invisible text layer of a scanned page: every recognised character drawn in text
//! render mode 3 (invisible) over its place in the image, so that selecting, searching and
//! copying in a viewer, or `pdftotext`, give back exactly the text that was read.
//!
//! The characters of a line are laid edge to edge: each one's advance is stretched (`Tz`)
//! to reach the next one's left edge. Extractors insert a space wherever they see a gap
//! between two glyphs, which is how Chinese text from other OCR tools comes back as
//! "信 访 人"; with no gaps, none is inserted, and a space the text really has (between
//! Latin words) is written as a space character spanning the gap.
//!
//! The font is Tesseract's glyphless `pdf.ttf` (two glyphs: .notdef and one blank glyph
//! half an em wide and one em tall on the baseline), embedded once per document. Every
//! character used gets its own CID, all drawn with the blank glyph; the ToUnicode map gives
//! each CID back its character.

use super::layout::Placement;
use crate::ingest::text::is_cjk;
use crate::model::{TextBox, WordBox};
use lopdf::{dictionary, Document, Object, ObjectId, Stream};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Advance of the blank glyph in thousandths of an em (1024 of 2048 units in `pdf.ttf`).
const GLYPH_WIDTH: f32 = 500.0;

/// The document's glyphless font: which character has which CID.
pub struct GlyphlessFont {
    program: Vec<u8>,
    cids: HashMap<char, u16>,
    chars: Vec<char>,
}

impl GlyphlessFont {
    /// `program` is the TrueType program (`pdf.ttf` from the tessdata folder). It is
    /// checked to be the two-glyph font the widths here assume.
    pub fn new(program: Vec<u8>) -> Result<Self, String> {
        let face = ttf_parser::Face::parse(&program, 0)
            .map_err(|e| format!("the glyphless font does not parse: {e}"))?;
        let upem = face.units_per_em() as f32;
        let advance = face
            .glyph_hor_advance(ttf_parser::GlyphId(1))
            .ok_or("the glyphless font has no glyph 1")? as f32;
        if face.number_of_glyphs() < 2 || (advance / upem * 1000.0 - GLYPH_WIDTH).abs() > 0.5 {
            return Err(format!(
                "the glyphless font is not Tesseract's pdf.ttf (glyph 1 is {advance}/{upem} em wide)"
            ));
        }
        Ok(GlyphlessFont {
            program,
            cids: HashMap::new(),
            chars: Vec::new(),
        })
    }

    /// The CID of `c`, giving it one if it has none yet.
    pub fn cid(&mut self, c: char) -> u16 {
        if let Some(&cid) = self.cids.get(&c) {
            return cid;
        }
        // CID 0 is .notdef. 65534 distinct characters is far beyond any document.
        let cid = (self.chars.len() + 1).min(u16::MAX as usize) as u16;
        self.chars.push(c);
        self.cids.insert(c, cid);
        cid
    }

    /// Adds the font's objects to `doc`, the Type0 font dictionary under `id` (reserved
    /// earlier with `new_object_id`, since pages refer to it before it is written).
    pub fn write(&self, doc: &mut Document, id: ObjectId) {
        let mut program = Stream::new(
            dictionary! { "Length1" => self.program.len() as i64 },
            self.program.clone(),
        );
        let _ = program.compress();
        let program = doc.add_object(program);
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => "GlyphLessFont",
            // Fixed pitch, symbolic.
            "Flags" => 5,
            "FontBBox" => vec![0.into(), 0.into(), 500.into(), 1000.into()],
            "ItalicAngle" => 0,
            "Ascent" => 1000,
            "Descent" => 0,
            "CapHeight" => 1000,
            "StemV" => 80,
            "FontFile2" => program,
        });
        // Every used CID draws glyph 1.
        let mut map = vec![0u8, 0u8];
        for _ in &self.chars {
            map.extend_from_slice(&[0, 1]);
        }
        let mut map = Stream::new(dictionary! {}, map);
        let _ = map.compress();
        let map = doc.add_object(map);
        let cid_font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => "GlyphLessFont",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => descriptor,
            "DW" => GLYPH_WIDTH as i64,
            "CIDToGIDMap" => map,
        });
        let mut to_unicode = Stream::new(dictionary! {}, self.to_unicode().into_bytes());
        let _ = to_unicode.compress();
        let to_unicode = doc.add_object(to_unicode);
        doc.objects.insert(
            id,
            Object::Dictionary(dictionary! {
                "Type" => "Font",
                "Subtype" => "Type0",
                "BaseFont" => "GlyphLessFont",
                "Encoding" => "Identity-H",
                "DescendantFonts" => vec![cid_font.into()],
                "ToUnicode" => to_unicode,
            }),
        );
    }

    /// The ToUnicode CMap: each CID to its character.
    fn to_unicode(&self) -> String {
        to_unicode_cmap(
            self.chars
                .iter()
                .enumerate()
                .map(|(i, &c)| (i as u16 + 1, c)),
        )
    }
}

/// A ToUnicode CMap mapping each 2-byte code to its character (UTF-16BE, surrogate pairs
/// beyond the BMP), in blocks of at most 100 entries as the CMap format requires.
pub fn to_unicode_cmap(entries: impl Iterator<Item = (u16, char)>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, char)> = entries.collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for &(code, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(s, "<{code:04X}> <{hex}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// One character's slot on its line, in pixels: where it starts and how wide its own box
/// is (`None` for a space between words).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    c: char,
    left: f32,
    width: Option<f32>,
}

/// Relative width of a character inside a word box: full-width CJK characters take one
/// unit, everything else about half.
fn weight(c: char) -> f32 {
    if is_cjk(c) {
        1.0
    } else {
        0.55
    }
}

/// The characters of a recognised line with their horizontal places. The line's text is
/// the tidied join of its words: tidying drops spaces and swaps ASCII punctuation for
/// the full-width form one for one, so the text's non-space characters are the words'
/// characters in order, and each is given its share of its word's box. If that does not
/// hold (an engine without word boxes), the text is spread evenly over the line's box.
fn slots(line: &TextBox) -> Vec<Slot> {
    let mut boxed: Vec<(f32, f32)> = Vec::new();
    for word in &line.words {
        push_word(word, &mut boxed);
    }
    let text: Vec<char> = line.text.chars().collect();
    let non_space = text.iter().filter(|c| !c.is_whitespace()).count();
    if non_space != boxed.len() || boxed.is_empty() {
        let total: f32 = text.iter().map(|&c| weight(c)).sum::<f32>().max(0.001);
        let unit = line.width as f32 / total;
        let mut x = line.left as f32;
        return text
            .iter()
            .map(|&c| {
                let w = weight(c) * unit;
                let slot = Slot {
                    c,
                    left: x,
                    width: (!c.is_whitespace()).then_some(w),
                };
                x += w;
                slot
            })
            .collect();
    }
    let mut next = boxed.into_iter();
    let mut out: Vec<Slot> = Vec::with_capacity(text.len());
    for &c in &text {
        if c.is_whitespace() {
            // The space starts where the previous character ends.
            let left = out
                .last()
                .map(|s| s.left + s.width.unwrap_or(0.0))
                .unwrap_or(line.left as f32);
            out.push(Slot {
                c: ' ',
                left,
                width: None,
            });
        } else {
            let (left, width) = next.next().expect("counted above");
            out.push(Slot {
                c,
                left,
                width: Some(width),
            });
        }
    }
    out
}

/// Splits a word's box among its characters by weight.
fn push_word(word: &WordBox, out: &mut Vec<(f32, f32)>) {
    let chars: Vec<char> = word.text.chars().filter(|c| !c.is_whitespace()).collect();
    let total: f32 = chars.iter().map(|&c| weight(c)).sum();
    if total <= 0.0 {
        return;
    }
    let mut x = word.left as f32;
    for c in chars {
        let w = weight(c) / total * word.width as f32;
        out.push((x, w));
        x += w;
    }
}

/// The height of a page's body text: the median of its line boxes' heights.
pub fn body_height(lines: &[TextBox]) -> Option<u32> {
    let mut h: Vec<u32> = lines.iter().map(|l| l.height).filter(|&h| h > 0).collect();
    h.sort_unstable();
    h.get(h.len() / 2).copied()
}

/// The text size of a line, in pixels: the body height for lines within a quarter of it.
/// Engines give a short line a box a little lower than a long one (PP-OCR's unclipped
/// boxes grow with the line's length), and extractors such as `pdftotext` start a new
/// block, out of reading order, where the size changes; a heading stays its own size.
fn text_height(line: &TextBox, body: Option<u32>) -> f32 {
    let h = line.height as f32;
    match body {
        Some(b) if (b as f32 * 0.75..=b as f32 * 1.25).contains(&h) => b as f32,
        _ => h,
    }
}

/// Content-stream operators drawing one line's text invisibly, placed by `placement`;
/// `font` is the resource name of the glyphless font, `body` the page's
/// [`body_height`]. Empty for an empty line.
pub fn line_ops(
    line: &TextBox,
    placement: &Placement,
    font_name: &str,
    font: &mut GlyphlessFont,
    body: Option<u32>,
) -> String {
    let slots = slots(line);
    if slots.is_empty() || line.height == 0 {
        return String::new();
    }
    let k = placement.k;
    let size = text_height(line, body) * k;
    // Starts in pixels, never going backwards: each character advances at least a tenth
    // of the line height (boxes of an engine can overlap).
    let min_advance = line.height as f32 * 0.1;
    let mut starts: Vec<f32> = Vec::with_capacity(slots.len());
    for s in &slots {
        let floor = starts.last().map(|&p| p + min_advance).unwrap_or(f32::MIN);
        starts.push(s.left.max(floor));
    }
    let mut out = String::with_capacity(slots.len() * 24 + 64);
    // The glyph stands on the baseline and is one em tall: baseline at the box's bottom.
    let m = placement.text_matrix(starts[0], (line.top + line.height) as f32);
    let _ = write!(
        out,
        "BT\n3 Tr\n/{font_name} {} Tf\n{} {} {} {} {} {} Tm\n",
        num(size),
        num(m[0]),
        num(m[1]),
        num(m[2]),
        num(m[3]),
        num(m[4]),
        num(m[5])
    );
    let natural = size * GLYPH_WIDTH / 1000.0;
    for (i, s) in slots.iter().enumerate() {
        let advance_px = match starts.get(i + 1) {
            Some(next) => next - starts[i],
            None => s.width.unwrap_or(min_advance).max(min_advance),
        };
        let tz = 100.0 * advance_px * k / natural;
        let cid = font.cid(s.c);
        let _ = writeln!(out, "{} Tz <{cid:04X}> Tj", num(tz));
    }
    out.push_str("ET\n");
    out
}

/// A number for a content stream: at most three decimals, no exponent, no trailing zeros.
pub fn num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::layout::place;

    fn word(text: &str, left: u32, width: u32) -> WordBox {
        WordBox {
            text: text.into(),
            left,
            top: 100,
            width,
            height: 40,
        }
    }

    fn line(text: &str, words: Vec<WordBox>) -> TextBox {
        let left = words.first().map(|w| w.left).unwrap_or(0);
        let right = words.last().map(|w| w.left + w.width).unwrap_or(0);
        TextBox {
            text: text.into(),
            left,
            top: 100,
            width: right - left,
            height: 40,
            confidence: 0.9,
            words,
        }
    }

    #[test]
    fn characters_take_their_share_of_their_word() {
        let l = line(
            "信访人：张三",
            vec![word("信访人:", 100, 160), word("张三", 300, 80)],
        );
        let s = slots(&l);
        assert_eq!(s.len(), 6);
        assert_eq!(s[3].c, '：');
        assert_eq!(s[0].left, 100.0);
        assert_eq!(s[4].left, 300.0);
        // Three CJK characters and a colon (weighing 0.55) share 160 px.
        assert!(
            (s[1].left - (100.0 + 160.0 / 3.55)).abs() < 0.01,
            "{:?}",
            s[1]
        );
    }

    #[test]
    fn a_kept_space_spans_the_gap_between_latin_words() {
        let l = line("Room 12", vec![word("Room", 100, 80), word("12", 200, 40)]);
        let s = slots(&l);
        assert_eq!(s.len(), 7);
        assert_eq!(s[4].c, ' ');
        assert_eq!(s[4].left, 180.0);
        assert_eq!(s[5].left, 200.0);
    }

    #[test]
    fn without_word_boxes_text_is_spread_over_the_line() {
        let mut l = line("信访", vec![word("信访", 100, 80)]);
        l.words.clear();
        let s = slots(&l);
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].left, 140.0);
    }

    #[test]
    fn glyphs_abut_so_extractors_see_no_gaps() {
        let program = std::fs::read("/usr/share/tesseract-ocr/5/tessdata/pdf.ttf").unwrap();
        let mut font = GlyphlessFont::new(program).unwrap();
        let l = line("信访人", vec![word("信访人", 100, 120)]);
        let p = place(2480, 3508, 300, false);
        let ops = line_ops(&l, &p, "F0", &mut font, None);
        assert!(ops.contains("3 Tr"), "{ops}");
        // Each glyph is 40 px = 9.6 pt wide; natural advance is half the 9.6 pt size.
        assert_eq!(ops.matches("200 Tz").count(), 3, "{ops}");
        assert!(font.to_unicode().contains("<0001> <4FE1>"));
        assert_eq!(font.chars, vec!['信', '访', '人']);
    }

    #[test]
    fn body_lines_share_one_size_and_a_heading_keeps_its_own() {
        let sized = |text: &str, height: u32| TextBox { height, ..line(text, vec![word(text, 100, 80)]) };
        let lines = vec![
            sized("关于拖欠工资的反映", 120),
            sized("我们村旁边的化工厂", 88),
            sized("村民头晕恶心", 86),
            sized("境。", 72),
        ];
        let body = body_height(&lines);
        assert_eq!(body, Some(88));
        assert_eq!(text_height(&lines[3], body), 88.0, "a short line takes the body size");
        assert_eq!(text_height(&lines[0], body), 120.0, "a heading keeps its size");
        assert_eq!(body_height(&[]), None);
    }

    #[test]
    fn numbers_are_short_and_plain() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(12.3456), "12.346");
        assert_eq!(num(f32::NAN), "0");
    }
}
