//! Bytes -> pages. Decides the kind of a file from its content, then yields its pages one at
//! a time (so a 500-page TIFF never sits in memory whole), each either a raster image with
//! its resolution or a text taken from a text layer. All input limits are enforced here,
//! before any large allocation: the declared size of every image is checked first.

use super::error::{ErrorCode, IngestError, Result};
use crate::config::Limits;
use crate::model::{Kind, TextSource};
use image::{DynamicImage, GrayImage, ImageDecoder};
use std::io::Cursor;

/// One page as it comes out of the file, before any cleaning.
pub enum RawPage {
    /// A scanned page. `dpi` is the resolution the file declares, if any.
    Image {
        image: DynamicImage,
        dpi: Option<f32>,
        /// Something the page's image lost on the way (an image in a PDF page the
        /// renderer could not decode), naming the page.
        warning: Option<String>,
    },
    /// Text from a born-digital layer (PDF text or DOCX). A PDF page whose text layer is
    /// empty or garbage comes as its image instead.
    Text { text: String, source: TextSource },
}

/// A stream of pages. `count` is known before any page is decoded.
pub struct Pages {
    pub kind: Kind,
    pub count: u32,
    pub iter: Box<dyn Iterator<Item = Result<RawPage>> + Send>,
    pub warnings: Vec<String>,
}

/// Decides the kind from the first bytes; `None` when it is none we read.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Kind::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
        || bytes.starts_with(b"II+\0")
        || bytes.starts_with(b"MM\0+")
    {
        Some(Kind::Tiff)
    } else if find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some() {
        Some(Kind::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") && is_docx_zip(bytes) {
        Some(Kind::Docx)
    } else {
        None
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_docx_zip(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|z| z.index_for_name("word/document.xml").is_some())
        .unwrap_or(false)
}

/// Opens a file's bytes as a stream of pages, enforcing `limits`.
pub fn open(bytes: std::sync::Arc<[u8]>, limits: &Limits) -> Result<Pages> {
    if bytes.is_empty() {
        return Err(IngestError::new(
            ErrorCode::EmptyFile,
            "the file is empty (0 bytes)",
        ));
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(IngestError::new(
            ErrorCode::FileTooLarge,
            format!(
                "the file has {} bytes; the limit is {}",
                bytes.len(),
                limits.max_file_bytes
            ),
        ));
    }
    let kind = sniff(&bytes).ok_or_else(|| {
        IngestError::new(
            ErrorCode::UnsupportedFormat,
            format!(
                "not a PNG, JPEG, TIFF, PDF or DOCX file (starts with {})",
                hex_head(&bytes)
            ),
        )
    })?;
    match kind {
        Kind::Png | Kind::Jpeg => {
            let page = decode_single(&bytes, kind, limits)?;
            Ok(Pages {
                kind,
                count: 1,
                iter: Box::new(std::iter::once(Ok(page))),
                warnings: vec![],
            })
        }
        Kind::Tiff => open_tiff(bytes, limits),
        Kind::Pdf => super::pdf::open(bytes, limits),
        Kind::Docx => super::docx::open(&bytes, limits),
    }
}

fn hex_head(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Refuses a page whose declared size is over the limits.
pub fn check_dimensions(width: u32, height: u32, limits: &Limits) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(IngestError::new(
            ErrorCode::Corrupt,
            format!("image has size {width}x{height}"),
        ));
    }
    let pixels = width as u64 * height as u64;
    if pixels > limits.max_page_pixels || width.max(height) > limits.max_page_side {
        return Err(IngestError::new(
            ErrorCode::TooManyPixels,
            format!(
                "image claims {width}x{height} pixels ({pixels}); the limits are {} pixels and {} a side",
                limits.max_page_pixels, limits.max_page_side
            ),
        ));
    }
    Ok(())
}

fn image_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_page_side);
    l.max_image_height = Some(limits.max_page_side);
    l.max_alloc = Some(limits.max_decoder_alloc);
    l
}

fn corrupt(kind: &str, e: impl std::fmt::Display) -> IngestError {
    IngestError::new(ErrorCode::Corrupt, format!("damaged {kind} data: {e}"))
}

fn image_error(kind: &str, e: image::ImageError) -> IngestError {
    match e {
        image::ImageError::Limits(l) => IngestError::new(
            ErrorCode::TooManyPixels,
            format!("{kind} exceeds the decoding limits: {l}"),
        ),
        image::ImageError::Unsupported(u) => {
            IngestError::new(ErrorCode::UnsupportedFeature, format!("{kind}: {u}"))
        }
        other => corrupt(kind, other),
    }
}

/// Decodes a PNG or JPEG (also used for JPEG images inside PDFs), applying EXIF orientation.
pub fn decode_single(bytes: &[u8], kind: Kind, limits: &Limits) -> Result<RawPage> {
    let (format, name) = match kind {
        Kind::Png => (image::ImageFormat::Png, "PNG"),
        _ => (image::ImageFormat::Jpeg, "JPEG"),
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image_limits(limits));
    let mut decoder = reader.into_decoder().map_err(|e| image_error(name, e))?;
    let (w, h) = decoder.dimensions();
    check_dimensions(w, h, limits)?;
    // A damaged EXIF block must not lose the page: orientation is then taken as upright.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| image_error(name, e))?;
    image.apply_orientation(orientation);
    let dpi = match kind {
        Kind::Png => png_dpi(bytes),
        _ => jpeg_dpi(bytes),
    };
    Ok(RawPage::Image { image, dpi, warning: None })
}

/// Resolution from a PNG `pHYs` chunk (pixels per metre).
fn png_dpi(bytes: &[u8]) -> Option<f32> {
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let ty = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        if ty == b"pHYs" && len >= 9 {
            let ppm = u32::from_be_bytes(data[0..4].try_into().ok()?);
            return (data[8] == 1 && ppm > 0)
                .then(|| ppm as f32 * 0.0254)
                .and_then(plausible_dpi);
        }
        if ty == b"IDAT" {
            return None;
        }
        pos += 12 + len;
    }
    None
}

/// Resolution from a JPEG's JFIF header.
fn jpeg_dpi(bytes: &[u8]) -> Option<f32> {
    let app0 = bytes.get(2..20)?;
    if app0[0] != 0xFF || app0[1] != 0xE0 || &app0[4..9] != b"JFIF\0" {
        return None;
    }
    let units = app0[11];
    let x = u16::from_be_bytes([app0[12], app0[13]]) as f32;
    match units {
        1 => plausible_dpi(x),
        2 => plausible_dpi(x * 2.54),
        _ => None,
    }
}

/// Only resolutions a scanner could have produced are believed.
pub fn plausible_dpi(dpi: f32) -> Option<f32> {
    (50.0..=2400.0).contains(&dpi).then_some(dpi)
}

fn tiff_error(e: tiff::TiffError) -> IngestError {
    match e {
        tiff::TiffError::LimitsExceeded => {
            IngestError::new(ErrorCode::TooManyPixels, "TIFF exceeds the decoding limits")
        }
        tiff::TiffError::UnsupportedError(u) => {
            IngestError::new(ErrorCode::UnsupportedFeature, format!("TIFF: {u}"))
        }
        other => corrupt("TIFF", other),
    }
}

fn open_tiff(bytes: std::sync::Arc<[u8]>, limits: &Limits) -> Result<Pages> {
    let mut decoder = new_tiff_decoder(Cursor::new(&bytes[..]), limits)?;
    // Count pages first (directories only; no pixel data is read), refusing loops and floods.
    let mut count = 1u32;
    while decoder.more_images() {
        if count >= limits.max_pages {
            return Err(IngestError::new(
                ErrorCode::TooManyPages,
                format!("TIFF has more than {} pages", limits.max_pages),
            ));
        }
        decoder.next_image().map_err(tiff_error)?;
        count += 1;
    }
    let limits = limits.clone();
    let mut state: Option<tiff::decoder::Decoder<Cursor<OwnedBytes>>> = None;
    let mut index = 0u32;
    let iter = std::iter::from_fn(move || {
        if index >= count {
            return None;
        }
        index += 1;
        let page = index;
        let result = (|| {
            let dec = match state.as_mut() {
                None => state.insert(new_tiff_decoder(
                    Cursor::new(OwnedBytes(bytes.clone())),
                    &limits,
                )?),
                Some(d) => {
                    d.next_image().map_err(tiff_error)?;
                    d
                }
            };
            read_tiff_page(dec, &limits)
        })();
        Some(result.map_err(|e| e.on_page(page)))
    });
    Ok(Pages {
        kind: Kind::Tiff,
        count,
        iter: Box::new(iter),
        warnings: vec![],
    })
}

/// `Arc<[u8]>` as something `Cursor` can read.
#[derive(Clone)]
struct OwnedBytes(std::sync::Arc<[u8]>);
impl AsRef<[u8]> for OwnedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

fn tiff_limits(limits: &Limits) -> tiff::decoder::Limits {
    let mut l = tiff::decoder::Limits::default();
    l.decoding_buffer_size = limits.max_decoder_alloc as usize;
    l.intermediate_buffer_size = limits.max_decoder_alloc as usize;
    l
}

/// A TIFF decoder over any seekable reader, with the limits applied.
fn new_tiff_decoder<R: std::io::Read + std::io::Seek>(
    reader: R,
    limits: &Limits,
) -> Result<tiff::decoder::Decoder<R>> {
    Ok(tiff::decoder::Decoder::new(reader)
        .map_err(tiff_error)?
        .with_limits(tiff_limits(limits)))
}

fn read_tiff_page<R: std::io::Read + std::io::Seek>(
    dec: &mut tiff::decoder::Decoder<R>,
    limits: &Limits,
) -> Result<RawPage> {
    use tiff::decoder::DecodingResult;
    use tiff::ColorType;
    let (w, h) = dec.dimensions().map_err(tiff_error)?;
    check_dimensions(w, h, limits)?;
    let dpi = tiff_dpi(dec);
    let color = dec.colortype().map_err(tiff_error)?;
    let data = dec.read_image().map_err(tiff_error)?;
    let (wu, hu) = (w as usize, h as usize);
    let short = || corrupt("TIFF", "fewer pixels than the image size says");
    let image = match (color, data) {
        // 1 is white: the decoder already turned WhiteIsZero around.
        (ColorType::Gray(1), DecodingResult::U8(buf)) => {
            DynamicImage::ImageLuma8(unpack_bits(&buf, w, h).ok_or_else(short)?)
        }
        (ColorType::Gray(8), DecodingResult::U8(buf)) => DynamicImage::ImageLuma8(
            GrayImage::from_raw(w, h, truncate(buf, wu * hu)).ok_or_else(short)?,
        ),
        (ColorType::Gray(16), DecodingResult::U16(buf)) => {
            let buf = buf
                .into_iter()
                .take(wu * hu)
                .map(|v| (v >> 8) as u8)
                .collect();
            DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, buf).ok_or_else(short)?)
        }
        (ColorType::GrayA(8), DecodingResult::U8(buf)) => DynamicImage::ImageLumaA8(
            image::GrayAlphaImage::from_raw(w, h, truncate(buf, wu * hu * 2)).ok_or_else(short)?,
        ),
        (ColorType::RGB(8) | ColorType::YCbCr(8), DecodingResult::U8(buf)) => {
            DynamicImage::ImageRgb8(
                image::RgbImage::from_raw(w, h, truncate(buf, wu * hu * 3)).ok_or_else(short)?,
            )
        }
        (ColorType::RGBA(8), DecodingResult::U8(buf)) => DynamicImage::ImageRgba8(
            image::RgbaImage::from_raw(w, h, truncate(buf, wu * hu * 4)).ok_or_else(short)?,
        ),
        (ColorType::RGB(16), DecodingResult::U16(buf)) => {
            let buf = buf
                .into_iter()
                .take(wu * hu * 3)
                .map(|v| (v >> 8) as u8)
                .collect();
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, buf).ok_or_else(short)?)
        }
        (ColorType::CMYK(8), DecodingResult::U8(buf)) => DynamicImage::ImageRgb8(
            image::RgbImage::from_raw(w, h, cmyk_to_rgb(buf.get(..wu * hu * 4).ok_or_else(short)?))
                .ok_or_else(short)?,
        ),
        (other, _) => {
            return Err(IngestError::new(
                ErrorCode::UnsupportedFeature,
                format!("TIFF pixel format {other:?} is not supported"),
            ))
        }
    };
    Ok(RawPage::Image { image, dpi, warning: None })
}

/// Packed 1-bit rows (padded to whole bytes, most significant bit first, 1 = white) as a
/// grayscale image; `None` when the data is short.
pub fn unpack_bits(data: &[u8], w: u32, h: u32) -> Option<GrayImage> {
    let (wu, hu) = (w as usize, h as usize);
    let stride = wu.div_ceil(8);
    if data.len() < stride * hu {
        return None;
    }
    let mut out = Vec::with_capacity(wu * hu);
    for row in data.chunks(stride).take(hu) {
        out.extend((0..wu).map(|x| ((row[x / 8] >> (7 - (x % 8))) & 1) * 255));
    }
    GrayImage::from_raw(w, h, out)
}

/// CMYK samples (4 bytes a pixel) as RGB, the naive way (no colour profile).
pub fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - p[3] as u16;
            [0, 1, 2].map(|i| ((255 - p[i] as u16) * k / 255) as u8)
        })
        .collect()
}

fn truncate(mut buf: Vec<u8>, len: usize) -> Vec<u8> {
    buf.truncate(len);
    buf
}

fn tiff_dpi<R: std::io::Read + std::io::Seek>(dec: &mut tiff::decoder::Decoder<R>) -> Option<f32> {
    use tiff::tags::Tag;
    let x = match dec.find_tag(Tag::XResolution).ok()?? {
        tiff::decoder::ifd::Value::Rational(n, d) if d != 0 => n as f32 / d as f32,
        v => v.into_f32().ok()?,
    };
    let unit = dec
        .find_tag_unsigned::<u16>(Tag::ResolutionUnit)
        .ok()
        .flatten()
        .unwrap_or(2);
    match unit {
        2 => plausible_dpi(x),
        3 => plausible_dpi(x * 2.54),
        _ => None,
    }
}
