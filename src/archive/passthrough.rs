//! Born-digital PDF pages into the filing copy as they are: each page's content and
//! resources are copied (objects renumbered) into a form XObject, drawn on an A4 sheet by
//! the same placement rules as a scan. The text stays the page's own text.
//!
//! PDF/A needs every font embedded. A font a page selects but never draws with (report
//! generators select Helvetica at the start of every page) is replaced by the document's
//! embedded glyphless font; a font that draws text and is not embedded stops the copy with
//! `unsupported_feature`, because substituting it could change what the page says.
//! Annotations (links, comments) are not carried over.

use super::layout::{place_units, Placement};
use crate::ingest::error::{ErrorCode, IngestError, Result};
use lopdf::content::Content;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use std::collections::{HashMap, HashSet};

/// A source PDF whose pages can be copied.
pub struct Source {
    doc: Document,
    pages: Vec<ObjectId>,
    /// Source object -> copy in the filing document (shared resources are copied once).
    copied: HashMap<ObjectId, ObjectId>,
}

/// A page copied into the filing document.
pub struct Imported {
    /// The form XObject holding the page.
    pub form: ObjectId,
    /// Matrix drawing the form on the sheet.
    pub matrix: [f32; 6],
    pub placement: Placement,
}

/// Deepest nesting of objects copied from a source page.
const MAX_COPY_DEPTH: u32 = 64;

impl Source {
    pub fn new(doc: Document, pages: Vec<ObjectId>) -> Self {
        Source {
            doc,
            pages,
            copied: HashMap::new(),
        }
    }

    /// Copies page `number` (1-based) into `dst` as a form XObject placed on A4.
    /// `glyphless` is the filing document's embedded glyphless font (see the module doc).
    pub fn import(
        &mut self,
        number: u32,
        dst: &mut Document,
        fit: bool,
        glyphless: ObjectId,
    ) -> Result<Imported> {
        let page_id = *self
            .pages
            .get(number as usize - 1)
            .ok_or_else(|| IngestError::new(ErrorCode::Corrupt, "no such page"))?;
        let media = self
            .inherited(page_id, b"MediaBox")
            .and_then(|o| rect(&self.doc, o))
            .unwrap_or([0.0, 0.0, 595.28, 841.89]);
        let crop = self
            .inherited(page_id, b"CropBox")
            .and_then(|o| rect(&self.doc, o))
            .map(|c| intersect(c, media))
            .unwrap_or(media);
        let rotate = self
            .inherited(page_id, b"Rotate")
            .and_then(|o| o.as_i64().ok())
            .unwrap_or(0)
            .rem_euclid(360)
            / 90
            * 90;
        let content = self
            .doc
            .get_page_content_with_limit(page_id, crate::ingest::pdf::MAX_CONTENT_STREAM_BYTES)
            .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("page content: {e}")))?;
        let resources = self
            .inherited(page_id, b"Resources")
            .cloned()
            .unwrap_or_else(|| Object::Dictionary(Dictionary::new()));
        let resources = deref(&self.doc, &resources).clone();
        let mut resources = match self.copy(&resources, dst, 0)? {
            Object::Dictionary(d) => d,
            _ => Dictionary::new(),
        };
        self.replace_unused_fonts(&content, &mut resources, dst, glyphless)?;

        let [x0, y0, x1, y1] = crop;
        let (w, h) = (x1 - x0, y1 - y0);
        let (upright_w, upright_h) = if rotate % 180 == 0 { (w, h) } else { (h, w) };
        let placement = place_units(upright_w, upright_h, 1.0, fit);
        // Page coordinates (y up) -> upright display coordinates (y down), as a viewer
        // shows the page after its /Rotate (clockwise).
        let matrix = placement.matrix_from(|x, y| match rotate {
            90 => (y - y0, x - x0),
            180 => (x1 - x, y - y0),
            270 => (y1 - y, x1 - x),
            _ => (x - x0, y1 - y),
        });
        let mut form = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![x0.into(), y0.into(), x1.into(), y1.into()],
                "Resources" => resources,
            },
            content,
        );
        let _ = form.compress();
        Ok(Imported {
            form: dst.add_object(form),
            matrix,
            placement,
        })
    }

    /// A page attribute, looked up through the page tree (MediaBox, CropBox, Resources and
    /// Rotate are inherited).
    fn inherited(&self, page_id: ObjectId, key: &[u8]) -> Option<&Object> {
        let mut id = page_id;
        for _ in 0..32 {
            let dict = self.doc.get_dictionary(id).ok()?;
            if let Ok(v) = dict.get(key) {
                return Some(deref(&self.doc, v));
            }
            id = dict.get(b"Parent").ok()?.as_reference().ok()?;
        }
        None
    }

    /// Copies an object and everything it refers to into `dst`, each source object once.
    fn copy(&mut self, obj: &Object, dst: &mut Document, depth: u32) -> Result<Object> {
        if depth > MAX_COPY_DEPTH {
            return Err(IngestError::new(
                ErrorCode::Corrupt,
                "page resources nest too deeply",
            ));
        }
        Ok(match obj {
            Object::Reference(id) => {
                if let Some(&new) = self.copied.get(id) {
                    return Ok(Object::Reference(new));
                }
                let new = dst.new_object_id();
                self.copied.insert(*id, new);
                let target = self.doc.get_object(*id).cloned().unwrap_or(Object::Null);
                let copy = self.copy(&target, dst, depth + 1)?;
                dst.objects.insert(new, copy);
                Object::Reference(new)
            }
            Object::Dictionary(d) => Object::Dictionary(self.copy_dict(d, dst, depth)?),
            Object::Array(a) => Object::Array(
                a.iter()
                    .map(|o| self.copy(o, dst, depth + 1))
                    .collect::<Result<_>>()?,
            ),
            Object::Stream(s) => {
                let dict = self.copy_dict(&s.dict, dst, depth)?;
                let mut copy = Stream::new(dict, s.content.clone());
                copy.allows_compression = false;
                Object::Stream(copy)
            }
            other => other.clone(),
        })
    }

    fn copy_dict(&mut self, d: &Dictionary, dst: &mut Document, depth: u32) -> Result<Dictionary> {
        let mut out = Dictionary::new();
        for (k, v) in d.iter() {
            // A /Parent would pull in the source's page tree.
            if k == b"Parent" {
                continue;
            }
            out.set(k.clone(), self.copy(v, dst, depth + 1)?);
        }
        Ok(out)
    }

    /// Points every font resource that is not embedded at `glyphless` if the page never
    /// draws with it; errs if it does.
    fn replace_unused_fonts(
        &self,
        content: &[u8],
        resources: &mut Dictionary,
        dst: &mut Document,
        glyphless: ObjectId,
    ) -> Result<()> {
        let Some(fonts) = resources.get(b"Font").ok().cloned() else {
            return Ok(());
        };
        let mut fonts = match fonts {
            Object::Reference(id) => dst.get_dictionary(id).cloned().unwrap_or_default(),
            Object::Dictionary(d) => d,
            _ => return Ok(()),
        };
        let missing: Vec<Vec<u8>> = fonts
            .iter()
            .filter(|(_, f)| !font_embedded(dst, f))
            .map(|(name, _)| name.clone())
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let drawn = fonts_drawn_with(content)?;
        for name in missing {
            if drawn.contains(&name) {
                let base = fonts
                    .get(&name)
                    .ok()
                    .and_then(|f| deref(dst, f).as_dict().ok())
                    .and_then(|f| f.get(b"BaseFont").ok())
                    .and_then(|b| b.as_name().ok())
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                return Err(IngestError::new(
                    ErrorCode::UnsupportedFeature,
                    format!(
                        "the font {base} draws text on this page but is not embedded, and a \
                         PDF/A copy needs every font embedded; export the PDF again with fonts \
                         embedded, or scan the paper original"
                    ),
                ));
            }
            fonts.set(name, glyphless);
        }
        resources.set("Font", fonts);
        Ok(())
    }
}

/// The font resource names a content stream draws text with (a text-showing operator with
/// a non-empty string while the font is selected).
fn fonts_drawn_with(content: &[u8]) -> Result<HashSet<Vec<u8>>> {
    let content = Content::decode(content)
        .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("page content: {e}")))?;
    let mut current: Option<Vec<u8>> = None;
    let mut drawn = HashSet::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "Tf" => {
                current = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .map(<[u8]>::to_vec)
            }
            "Tj" | "'" | "\"" | "TJ" => {
                let shows = op.operands.iter().any(|o| match o {
                    Object::String(s, _) => !s.is_empty(),
                    Object::Array(a) => a
                        .iter()
                        .any(|e| matches!(e, Object::String(s, _) if !s.is_empty())),
                    _ => false,
                });
                if shows {
                    if let Some(f) = &current {
                        drawn.insert(f.clone());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(drawn)
}

/// True when a font (in the filing document) has its program embedded. Type 3 fonts are
/// drawn with content streams and need none.
fn font_embedded(doc: &Document, font: &Object) -> bool {
    let Ok(font) = deref(doc, font).as_dict() else {
        return false;
    };
    let subtype = font
        .get(b"Subtype")
        .and_then(Object::as_name)
        .unwrap_or(b"");
    if subtype == b"Type3" {
        return true;
    }
    let font = if subtype == b"Type0" {
        match font
            .get(b"DescendantFonts")
            .ok()
            .and_then(|d| deref(doc, d).as_array().ok())
            .and_then(|a| a.first())
            .and_then(|f| deref(doc, f).as_dict().ok())
        {
            Some(d) => d,
            None => return false,
        }
    } else {
        font
    };
    font.get(b"FontDescriptor")
        .ok()
        .and_then(|d| deref(doc, d).as_dict().ok())
        .is_some_and(|d| {
            d.get(b"FontFile").is_ok() || d.get(b"FontFile2").is_ok() || d.get(b"FontFile3").is_ok()
        })
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn rect(doc: &Document, o: &Object) -> Option<[f32; 4]> {
    let a = deref(doc, o).as_array().ok()?;
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f32> = a
        .iter()
        .filter_map(|x| deref(doc, x).as_float().ok())
        .collect();
    if v.len() != 4 || v.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let r = [
        v[0].min(v[2]),
        v[1].min(v[3]),
        v[0].max(v[2]),
        v[1].max(v[3]),
    ];
    (r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0).then_some(r)
}

fn intersect(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    let r = [
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ];
    if r[2] - r[0] >= 1.0 && r[3] - r[1] >= 1.0 {
        r
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fonts_that_show_text_count_as_drawn() {
        let content = b"BT /F1 12 Tf 14.4 TL ET BT /F2 14 Tf <0102> Tj ET BT /F3 9 Tf () Tj ET";
        let drawn = fonts_drawn_with(content).unwrap();
        assert!(drawn.contains(&b"F2".to_vec()));
        assert!(!drawn.contains(&b"F1".to_vec()));
        assert!(!drawn.contains(&b"F3".to_vec()));
    }
}
