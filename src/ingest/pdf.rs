//! PDF input: structure via `lopdf`, text layer via `pdf-extract`; a scanned page is read
//! from its one full-page image (JPEG, Flate, CCITT G3/G4 and raw data) when it is exactly
//! that, and otherwise rendered whole by `render` (strips, tiles, placed or several
//! images, /Rotate, crop boxes): a page is never read in part. Both parsers run guarded
//! (see `guard`): hostile PDFs loop, nest pages deeply, or make `pdf-extract` panic.

use super::decode::{
    check_dimensions, cmyk_to_rgb, decode_single, plausible_dpi, unpack_bits, Pages, RawPage,
};
use super::error::{ErrorCode, IngestError, Result};
use super::guard::{catch, run_guarded};
use crate::config::Limits;
use crate::model::{Kind, TextSource};
use image::{DynamicImage, GrayImage, RgbImage};
use lopdf::{Document, Object, ObjectId};
use std::sync::Arc;
use std::time::Duration;

/// Below this many meaningful characters a page's text layer is not trusted and the page is
/// OCRed instead (when it has an image).
const MIN_TEXT_CHARS: usize = 8;

/// Parses a PDF's structure on a guarded thread: refuses encrypted files (an empty user
/// password is let through) and more pages than the limit. Returns the pages in order.
pub fn load(bytes: Arc<[u8]>, limits: &Limits) -> Result<(Document, Vec<ObjectId>)> {
    let budget = Duration::from_secs(limits.pdf_parse_seconds);
    let max_pages = limits.max_pages;
    let parse_bytes = bytes;
    run_guarded("PDF parsing", budget, move || {
        let doc = Document::load_mem(&parse_bytes).map_err(load_error)?;
        if doc.is_encrypted() {
            return Err(IngestError::new(
                ErrorCode::Encrypted,
                "the PDF is encrypted and needs a password",
            ));
        }
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        if pages.len() as u64 > max_pages as u64 {
            return Err(IngestError::new(
                ErrorCode::TooManyPages,
                format!(
                    "the PDF has {} pages; the limit is {max_pages}",
                    pages.len()
                ),
            ));
        }
        Ok((doc, pages))
    })
}

pub fn open(bytes: Arc<[u8]>, limits: &Limits) -> Result<Pages> {
    let budget = Duration::from_secs(limits.pdf_parse_seconds);
    let (doc, pages) = load(bytes.clone(), limits)?;
    if pages.is_empty() {
        return Err(IngestError::new(ErrorCode::Corrupt, "the PDF has no pages"));
    }
    let mut warnings = Vec::new();
    if doc.was_encrypted() {
        warnings.push("the PDF was encrypted with an empty password; it was opened".into());
    }
    // The text layer, page by page. A failure here is not fatal: the pages are OCRed instead.
    // pdf-extract decompresses without limits (a 531-byte file made it allocate 1 GB), so
    // the content streams are first checked here with a bounded decompression.
    let text_bytes = bytes.clone();
    let texts =
        match content_streams_bounded(&doc, &pages, MAX_CONTENT_STREAM_BYTES).and_then(|()| {
            run_guarded("PDF text extraction", budget, move || {
                pdf_extract::extract_text_from_mem_by_pages(&text_bytes)
                    .map_err(|e| IngestError::new(ErrorCode::Corrupt, e.to_string()))
            })
        }) {
            Ok(t) => t,
            Err(e) => {
                warnings.push(format!(
                    "text layer unreadable, pages are OCRed: {}",
                    e.message
                ));
                Vec::new()
            }
        };
    let count = pages.len() as u32;
    let limits = limits.clone();
    let doc = Arc::new(doc);
    let iter = pages.into_iter().enumerate().map(move |(i, page_id)| {
        let number = i as u32 + 1;
        let text = texts
            .get(i)
            .map(|t| normalise_layer_text(t))
            .unwrap_or_default();
        let result = if meaningful_chars(&text) >= MIN_TEXT_CHARS && !looks_garbled(&text) {
            Ok(RawPage::Text {
                text,
                source: TextSource::PdfText,
            })
        } else {
            // No usable text layer: OCR the page image; a page with neither is blank.
            match catch("PDF page image", || page_image(&doc, page_id, i, &bytes, &limits)) {
                Ok(Some(page)) => Ok(page),
                Ok(None) => Ok(RawPage::Text {
                    text,
                    source: TextSource::PdfText,
                }),
                Err(e) => Err(e),
            }
        };
        result.map_err(|e| e.on_page(number))
    });
    Ok(Pages {
        kind: Kind::Pdf,
        count,
        iter: Box::new(iter),
        warnings,
    })
}

/// Largest decompressed content stream accepted before the text layer is read.
pub const MAX_CONTENT_STREAM_BYTES: usize = 64 * 1024 * 1024;

/// Checks that every page's content streams decompress within `limit` bytes.
fn content_streams_bounded(doc: &Document, pages: &[ObjectId], limit: usize) -> Result<()> {
    for (i, &page) in pages.iter().enumerate() {
        for id in doc.get_page_contents(page) {
            let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
                continue;
            };
            if stream.dict.get(b"Filter").is_ok() {
                stream.decompressed_content_with_limit(limit).map_err(|e| {
                    IngestError::new(
                        ErrorCode::Corrupt,
                        format!("page {} content stream: {e}", i + 1),
                    )
                })?;
            }
        }
    }
    Ok(())
}

fn load_error(e: lopdf::Error) -> IngestError {
    let text = e.to_string();
    let lower = text.to_lowercase();
    if lower.contains("decrypt") || lower.contains("encrypt") || lower.contains("password") {
        IngestError::new(
            ErrorCode::Encrypted,
            format!("the PDF is encrypted: {text}"),
        )
    } else {
        IngestError::new(ErrorCode::Corrupt, format!("damaged PDF: {text}"))
    }
}

/// Letters, digits and CJK characters in a text.
pub fn meaningful_chars(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// A text layer is garbage when many of its characters are replacement or private-use
/// characters, or control codes: the mark of a font without a usable ToUnicode map.
pub fn looks_garbled(text: &str) -> bool {
    let total = text.chars().filter(|c| !c.is_whitespace()).count();
    if total == 0 {
        return true;
    }
    let bad = text
        .chars()
        .filter(|&c| {
            c == '\u{FFFD}'
                || ('\u{E000}'..='\u{F8FF}').contains(&c)
                || (c.is_control() && !c.is_whitespace())
        })
        .count();
    bad * 10 > total
}

/// pdf-extract spreads text with blank lines and spaces; collapse runs of blank lines and
/// trailing spaces, and remove spaces between CJK characters.
fn normalise_layer_text(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|l| super::text::tidy_line(l))
        .filter(|l| !l.is_empty())
        .collect();
    lines.join("\n")
}

/// The page as a picture to read: the image itself when the page is exactly one
/// full-page image (the direct path), otherwise the page rendered whole (`render`) at the
/// resolution its images were scanned at. `None` for a page that draws nothing.
fn page_image(
    doc: &Document,
    page_id: ObjectId,
    index: usize,
    bytes: &Arc<[u8]>,
    limits: &Limits,
) -> Result<Option<RawPage>> {
    let images = doc.get_page_images(page_id).map_err(|e| {
        IngestError::new(ErrorCode::Corrupt, format!("cannot list page images: {e}"))
    })?;
    let area = |i: &lopdf::xobject::PdfImage| i.width.max(0).saturating_mul(i.height.max(0));
    let largest = images.iter().max_by_key(|i| area(i));
    let drawn = drawn(doc, page_id);
    let one_image = largest.filter(|img| {
        let (w, h) = (u32::try_from(img.width).unwrap_or(0), u32::try_from(img.height).unwrap_or(0));
        is_one_full_page_image(doc, page_id, drawn.as_ref(), images.len(), w, h)
    });
    if let Some(img) = one_image {
        let raw = direct_image(doc, page_id, img.clone(), limits)?;
        // A stream whose data is not the size its dictionary says (a strip that claims to
        // be the page) would be read in part: the page is rendered as it shows instead.
        let whole = match &raw {
            RawPage::Image { image, .. } => covers_page(doc, page_id, image.width(), image.height()),
            RawPage::Text { .. } => false,
        };
        if whole {
            return Ok(Some(raw));
        }
    }
    // Strips, tiles, several images, an image placed on the page, a turned or cropped
    // page, inline images or drawings: rendered as a viewer shows the page. A page with no
    // image and next to no content draws nothing and is blank.
    if images.is_empty() && content_bytes(doc, page_id) < 64 {
        return Ok(None);
    }
    // Images are drawn in the page's own (unturned) space: its width is the MediaBox's.
    let page_width_pt = page_geometry(doc, page_id).map(|(w, _, _)| w);
    // The resolution its images are drawn at; else the largest image taken as the page's
    // width.
    let scanned_dpi = drawn.and_then(|d| d.dpi).and_then(plausible_dpi).or_else(|| {
        largest.zip(page_width_pt).and_then(|(img, pt)| plausible_dpi(img.width as f32 / (pt / 72.0)))
    });
    let dpi = scanned_dpi.unwrap_or(300.0).clamp(150.0, 400.0);
    let rendered = super::render::render_page(bytes.clone(), index, dpi, limits)?;
    // The last check before a page is read and filed: its picture is the whole page.
    if !covers_page(doc, page_id, rendered.image.width(), rendered.image.height()) {
        return Err(IngestError::new(
            ErrorCode::Corrupt,
            format!(
                "the picture of page {} ({} x {} px) does not cover the page; it is not read or filed in part",
                index + 1,
                rendered.image.width(),
                rendered.image.height()
            ),
        ));
    }
    let warning = (rendered.undecodable_images > 0).then(|| {
        format!(
            "page {}: {} image(s) on the page could not be decoded and are missing from what was read",
            index + 1,
            rendered.undecodable_images
        )
    });
    Ok(Some(RawPage::Image { image: rendered.image, dpi: Some(dpi), warning }))
}

/// Bytes of the page's content streams (decompressed within the content-stream limit).
fn content_bytes(doc: &Document, page_id: ObjectId) -> usize {
    doc.get_page_contents(page_id)
        .iter()
        .filter_map(|id| doc.get_object(*id).ok()?.as_stream().ok().cloned())
        .map(|s| {
            if s.dict.get(b"Filter").is_ok() {
                s.decompressed_content_with_limit(MAX_CONTENT_STREAM_BYTES).map(|c| c.len()).unwrap_or(0)
            } else {
                s.content.len()
            }
        })
        .sum()
}

/// The one full-page image of a page, decoded as it is stored.
fn direct_image(
    doc: &Document,
    page_id: ObjectId,
    img: lopdf::xobject::PdfImage<'_>,
    limits: &Limits,
) -> Result<RawPage> {
    let (w, h) = (
        u32::try_from(img.width).unwrap_or(0),
        u32::try_from(img.height).unwrap_or(0),
    );
    check_dimensions(w, h, limits)?;
    let page_width_pt = page_geometry(doc, page_id).map(|(w, _, _)| w);
    let filters = img.filters.clone().unwrap_or_default();
    let bpc = img.bits_per_component.unwrap_or(8);
    let components = match img.color_space.as_deref() {
        Some("DeviceRGB") | Some("CalRGB") => 3,
        Some("DeviceCMYK") => 4,
        Some("ICCBased") => icc_components(doc, img.origin_dict).unwrap_or(3),
        _ => 1,
    };
    let raw_len_limit = limits.max_decoder_alloc as usize;
    let image = match filters
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["DCTDecode"] | ["DCT"] => match decode_single(img.content, Kind::Jpeg, limits)? {
            RawPage::Image { image, .. } => image,
            RawPage::Text { .. } => unreachable!("decode_single returns images"),
        },
        ["CCITTFaxDecode"] | ["CCF"] => decode_ccitt(img.content, img.origin_dict, w, h)?,
        [] | ["FlateDecode"] | ["Fl"] | ["LZWDecode"] | ["RunLengthDecode"] => {
            let stream = doc
                .get_object(img.id)
                .and_then(Object::as_stream)
                .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("image stream: {e}")))?;
            let data = if filters.is_empty() {
                stream.content.clone()
            } else {
                stream
                    .decompressed_content_with_limit(raw_len_limit)
                    .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("image data: {e}")))?
            };
            raw_pixels(&data, w, h, components, bpc)?
        }
        other => {
            return Err(IngestError::new(
                ErrorCode::UnsupportedFeature,
                format!("PDF image filter {other:?} is not supported"),
            ))
        }
    };
    let dpi = page_width_pt.and_then(|pt| plausible_dpi(image.width() as f32 / (pt / 72.0)));
    Ok(RawPage::Image { image, dpi, warning: None })
}

fn icc_components(doc: &Document, dict: &lopdf::Dictionary) -> Option<u8> {
    let cs = dict.get(b"ColorSpace").ok()?.as_array().ok()?;
    let profile = cs.get(1)?.as_reference().ok()?;
    let n = doc
        .get_object(profile)
        .ok()?
        .as_stream()
        .ok()?
        .dict
        .get(b"N")
        .ok()?
        .as_i64()
        .ok()?;
    u8::try_from(n).ok()
}

/// An inheritable page attribute, looked up the page tree.
fn inherited<'a>(doc: &'a Document, page_id: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut id = page_id;
    for _ in 0..32 {
        let dict = doc.get_dictionary(id).ok()?;
        if let Ok(v) = dict.get(key) {
            return Some(v);
        }
        id = dict.get(b"Parent").ok()?.as_reference().ok()?;
    }
    None
}

/// The page's MediaBox width and height in points, and its /Rotate in quarter turns.
fn page_geometry(doc: &Document, page_id: ObjectId) -> Option<(f32, f32, i64)> {
    let resolve = |o: &Object| match o {
        Object::Reference(id) => doc.get_object(*id).ok().cloned(),
        other => Some(other.clone()),
    };
    let mb = resolve(inherited(doc, page_id, b"MediaBox")?)?;
    let nums: Vec<f32> = mb.as_array().ok()?.iter().filter_map(|o| o.as_float().ok()).collect();
    if nums.len() != 4 {
        return None;
    }
    let (w, h) = ((nums[2] - nums[0]).abs(), (nums[3] - nums[1]).abs());
    let rotate = inherited(doc, page_id, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    (w > 1.0 && h > 1.0).then_some((w, h, rotate.rem_euclid(360) / 90))
}

/// True when the page shows this one image and nothing else of substance: no turn, no
/// crop box narrower than the media box, and the image's shape is the page's (within 1%).
/// Such a page is read from the image itself, which is faster and exact.
fn is_one_full_page_image(doc: &Document, page_id: ObjectId, drawn: Option<&Drawn>, images: usize, w: u32, h: u32) -> bool {
    let Some((pw, ph, turns)) = page_geometry(doc, page_id) else {
        return false;
    };
    let cropped = inherited(doc, page_id, b"CropBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|o| o.as_float().ok()).collect::<Vec<f32>>())
        .filter(|c| c.len() == 4)
        .is_some_and(|c| ((c[2] - c[0]).abs() - pw).abs() > 1.0 || ((c[3] - c[1]).abs() - ph).abs() > 1.0);
    let page_shape = pw / ph;
    let image_shape = w as f32 / h.max(1) as f32;
    // The image must also be drawn over the whole page, not placed in a part of it.
    let drawn_over_page = drawn
        .is_some_and(|d| d.bbox[2] - d.bbox[0] >= pw * 0.99 && d.bbox[3] - d.bbox[1] >= ph * 0.99);
    images == 1 && turns == 0 && !cropped && drawn_over_page && (image_shape / page_shape - 1.0).abs() < 0.01
}

/// True when a picture `w` x `h` pixels has the shape of the page as shown (its crop box,
/// turned by /Rotate) within 2%: read at the page's width, it covers the page's height.
/// A picture that covers less of the page than the page draws is never read or filed.
fn covers_page(doc: &Document, page_id: ObjectId, w: u32, h: u32) -> bool {
    let Some((pw, ph, turns)) = page_geometry(doc, page_id) else {
        return true;
    };
    let (pw, ph) = inherited(doc, page_id, b"CropBox")
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|o| o.as_float().ok()).collect::<Vec<f32>>())
        .filter(|c| c.len() == 4 && (c[2] - c[0]).abs() > 1.0 && (c[3] - c[1]).abs() > 1.0)
        .map(|c| ((c[2] - c[0]).abs().min(pw), (c[3] - c[1]).abs().min(ph)))
        .unwrap_or((pw, ph));
    let (pw, ph) = if turns % 2 == 1 { (ph, pw) } else { (pw, ph) };
    if w == 0 || h == 0 {
        return false;
    }
    let shown_h = w as f32 * ph / pw;
    (h as f32 / shown_h - 1.0).abs() <= 0.02
}

/// What a page's `Do` operators draw, through `cm` and `q`/`Q`.
struct Drawn {
    /// The box in page points its XObjects (images, forms) cover: the union of the unit
    /// squares painted.
    bbox: [f32; 4],
    /// The highest resolution an image is drawn at (pixels across per inch drawn): the
    /// resolution the page was scanned at, whatever its strips or tiles.
    dpi: Option<f32>,
}

/// Reads what a page draws (`Drawn`). The content streams were checked against the size
/// limit when the file was opened.
fn drawn(doc: &Document, page_id: ObjectId) -> Option<Drawn> {
    let content = doc.get_and_decode_page_content(page_id).ok()?;
    let resolve = |o: &Object| match o {
        Object::Reference(id) => doc.get_object(*id).ok().cloned(),
        other => Some(other.clone()),
    };
    let xobjects = inherited(doc, page_id, b"Resources")
        .and_then(resolve)
        .and_then(|r| r.as_dict().ok()?.get(b"XObject").ok().and_then(resolve))
        .and_then(|x| x.as_dict().ok().cloned());
    let image_width = |name: &[u8]| -> Option<f32> {
        let id = xobjects.as_ref()?.get(name).ok()?.as_reference().ok()?;
        let dict = &doc.get_object(id).ok()?.as_stream().ok()?.dict;
        (dict.get(b"Subtype").ok()?.as_name().ok()? == b"Image").then_some(())?;
        dict.get(b"Width").ok()?.as_float().ok()
    };
    let mut dpi: Option<f32> = None;
    let mut ctm = [1.0f32, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack: Vec<[f32; 6]> = Vec::new();
    let mut bbox: Option<[f32; 4]> = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "q" if stack.len() < 256 => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" => {
                let n: Vec<f32> = op.operands.iter().filter_map(|o| o.as_float().ok()).collect();
                if let [a, b, c, d, e, f] = n[..] {
                    let m = ctm;
                    ctm = [
                        a * m[0] + b * m[2],
                        a * m[1] + b * m[3],
                        c * m[0] + d * m[2],
                        c * m[1] + d * m[3],
                        e * m[0] + f * m[2] + m[4],
                        e * m[1] + f * m[3] + m[5],
                    ];
                }
            }
            "Do" => {
                let across = (ctm[0] * ctm[0] + ctm[1] * ctm[1]).sqrt();
                let name = op.operands.first().and_then(|o| o.as_name().ok());
                if let Some(px) = name.and_then(image_width).filter(|_| across > 1.0) {
                    let d = px / (across / 72.0);
                    dpi = Some(dpi.map_or(d, |m| m.max(d)));
                }
                for (x, y) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
                    let px = ctm[0] * x + ctm[2] * y + ctm[4];
                    let py = ctm[1] * x + ctm[3] * y + ctm[5];
                    let b = bbox.get_or_insert([px, py, px, py]);
                    *b = [b[0].min(px), b[1].min(py), b[2].max(px), b[3].max(py)];
                }
            }
            _ => {}
        }
    }
    bbox.map(|bbox| Drawn { bbox, dpi })
}

fn raw_pixels(data: &[u8], w: u32, h: u32, components: u8, bpc: i64) -> Result<DynamicImage> {
    let (wu, hu) = (w as usize, h as usize);
    let short = || IngestError::new(ErrorCode::Corrupt, "image data shorter than its size says");
    match (components, bpc) {
        (1, 1) => unpack_bits(data, w, h)
            .map(DynamicImage::ImageLuma8)
            .ok_or_else(short),
        (1, 8) => GrayImage::from_raw(w, h, data.get(..wu * hu).ok_or_else(short)?.to_vec())
            .map(DynamicImage::ImageLuma8)
            .ok_or_else(short),
        (3, 8) => RgbImage::from_raw(w, h, data.get(..wu * hu * 3).ok_or_else(short)?.to_vec())
            .map(DynamicImage::ImageRgb8)
            .ok_or_else(short),
        (4, 8) => {
            let rgb = cmyk_to_rgb(data.get(..wu * hu * 4).ok_or_else(short)?);
            RgbImage::from_raw(w, h, rgb)
                .map(DynamicImage::ImageRgb8)
                .ok_or_else(short)
        }
        _ => Err(IngestError::new(
            ErrorCode::UnsupportedFeature,
            format!("PDF image with {components} components at {bpc} bits is not supported"),
        )),
    }
}

/// CCITT fax data (G4, or G3 1-D) as a grayscale image, honouring `/BlackIs1`.
fn decode_ccitt(data: &[u8], dict: &lopdf::Dictionary, w: u32, h: u32) -> Result<DynamicImage> {
    let parms = dict.get(b"DecodeParms").ok().and_then(|p| match p {
        Object::Dictionary(d) => Some(d.clone()),
        Object::Array(a) => a.first().and_then(|o| o.as_dict().ok()).cloned(),
        _ => None,
    });
    let get = |key: &[u8]| parms.as_ref().and_then(|p| p.get(key).ok());
    let k = get(b"K").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    // The decoder's white runs are 1 bits; samples are then read as DeviceGray (1 = white).
    // `BlackIs1` flips the bits, and a `/Decode [1 0]` array flips the rendering back.
    let black_is_1 = get(b"BlackIs1")
        .and_then(|o| o.as_bool().ok())
        .unwrap_or(false);
    let decode_inverted = dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first())
        .and_then(|o| o.as_float().ok())
        .is_some_and(|v| v >= 0.5);
    let inverted = black_is_1 ^ decode_inverted;
    let width = u16::try_from(w).map_err(|_| {
        IngestError::new(
            ErrorCode::UnsupportedFeature,
            "fax image wider than 65535 px",
        )
    })?;
    let height = u16::try_from(h).ok();
    let mut img = GrayImage::from_pixel(w, h, image::Luma([255]));
    let mut y = 0u32;
    let mut put_line = |transitions: &[u16]| {
        if y >= h {
            return;
        }
        for (x, color) in fax::decoder::pels(transitions, width).enumerate() {
            let black = color == fax::Color::Black;
            if black {
                img.put_pixel(x as u32, y, image::Luma([0]));
            }
        }
        y += 1;
    };
    let ok = if k < 0 {
        fax::decoder::decode_g4(data.iter().copied(), width, height, &mut put_line)
    } else if k == 0 {
        fax::decoder::decode_g3(data.iter().copied(), &mut put_line)
    } else {
        return Err(IngestError::new(
            ErrorCode::UnsupportedFeature,
            "mixed 2-D G3 fax images are not supported",
        ));
    };
    if ok.is_none() && y == 0 {
        return Err(IngestError::new(
            ErrorCode::Corrupt,
            "damaged fax (CCITT) image data",
        ));
    }
    if inverted {
        image::imageops::invert(&mut img);
    }
    Ok(DynamicImage::ImageLuma8(img))
}
