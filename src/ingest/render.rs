//! Scanned PDF pages rasterised as a viewer shows them: every image the page draws (JPEG
//! strips, tiles, several images, inline images, image masks, soft masks), with its
//! placement, the page's /Rotate and crop box, composited on white at the page's own
//! size. The rasteriser is `hayro` (pure Rust, no unsafe code; typst already builds it to
//! show PDF images, so it costs the build nothing), run on a guarded thread with the same
//! pixel, time and page limits as every other input. See BENCHMARKS.md for the choice
//! against PDFium and pdftoppm.

use super::error::{ErrorCode, IngestError, Result};
use super::guard::run_guarded;
use crate::config::Limits;
use image::{DynamicImage, RgbImage};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A page as rendered, and how many of the images it draws could not be decoded (they are
/// left out of the picture: the caller warns, naming the page).
pub struct Rendered {
    pub image: DynamicImage,
    pub undecodable_images: usize,
}

/// Renders page `index` (0-based) of `bytes` at `dpi`, on white; returns an RGB image of
/// the page's crop box, turned by its /Rotate, as a viewer shows it.
pub fn render_page(bytes: Arc<[u8]>, index: usize, dpi: f32, limits: &Limits) -> Result<Rendered> {
    let (max_pixels, max_side) = (limits.max_page_pixels, limits.max_page_side);
    let budget = Duration::from_secs(limits.pdf_parse_seconds.max(1));
    run_guarded("PDF page rendering", budget, move || {
        use hayro::hayro_interpret::InterpreterSettings;
        use hayro::hayro_syntax::Pdf;
        let pdf = Pdf::new(bytes.to_vec())
            .map_err(|e| IngestError::new(ErrorCode::Corrupt, format!("the page renderer cannot read the PDF: {e:?}")))?;
        let pages = pdf.pages();
        let page = pages.get(index).ok_or_else(|| {
            IngestError::new(ErrorCode::Corrupt, format!("the page renderer finds no page {}", index + 1))
        })?;
        let (w_pt, h_pt) = page.render_dimensions();
        let scale = dpi / 72.0;
        // Rounded up as pdftoppm does (ceil), less float noise: 841.92 pt at 300 dpi is
        // 3508 px, not 3507.9998 rounded either way.
        let px = |pt: f32| (pt * scale - 0.01).ceil();
        let (w, h) = (px(w_pt), px(h_pt));
        if !(w >= 1.0 && h >= 1.0) {
            return Err(IngestError::new(ErrorCode::Corrupt, "the page has no area"));
        }
        if w > max_side as f32 || h > max_side as f32 || w > u16::MAX as f32 || h > u16::MAX as f32
            || (w as u64) * (h as u64) > max_pixels
        {
            return Err(IngestError::new(
                ErrorCode::TooManyPixels,
                format!("the page at {dpi:.0} dpi would be {w:.0} x {h:.0} pixels"),
            ));
        }
        let settings = hayro::RenderSettings {
            x_scale: scale,
            y_scale: scale,
            width: Some(w as u16),
            height: Some(h as u16),
            bg_color: hayro::vello_cpu::color::palette::css::WHITE,
        };
        let cache = hayro::RenderCache::new();
        let failures = Arc::new(AtomicUsize::new(0));
        let counted = failures.clone();
        let interpreter = InterpreterSettings {
            warning_sink: Arc::new(move |w| {
                if matches!(w, hayro::hayro_interpret::InterpreterWarning::ImageDecodeFailure) {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }),
            ..InterpreterSettings::default()
        };
        let pixmap = hayro::render(page, &cache, &interpreter, &settings);
        let (pw, ph) = (pixmap.width() as u32, pixmap.height() as u32);
        // Opaque on white, so the premultiplied values are the colours.
        let rgba = pixmap.data_as_u8_slice();
        let mut rgb = Vec::with_capacity((pw * ph * 3) as usize);
        for px in rgba.chunks_exact(4) {
            rgb.extend_from_slice(&px[..3]);
        }
        let image = RgbImage::from_raw(pw, ph, rgb)
            .ok_or_else(|| IngestError::new(ErrorCode::Internal, "the renderer's image has the wrong size"))?;
        Ok(Rendered { image: DynamicImage::ImageRgb8(image), undecodable_images: failures.load(Ordering::Relaxed) })
    })
}
