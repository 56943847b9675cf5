//! Page -> page: makes a scanned page ready for recognition and says what it did.
//! `prepare` does grayscale, crop of dark scanner borders and resolution (to about 300 dpi);
//! `straighten` then turns the page by a quarter turn if asked (0/90/180/270; the engine's
//! orientation detector decides, see `ingest::read_page`) and deskews it (a few degrees
//! either way, by projection profiles).

use image::{imageops, DynamicImage, GrayImage, Luma, RgbImage};

/// A page in grayscale at the working resolution, not yet turned or deskewed.
pub struct Prepared {
    pub image: GrayImage,
    pub dpi: u32,
    pub notes: Vec<String>,
    /// Border cut off the original (left, top, right, bottom), in its pixels.
    pub crop: (u32, u32, u32, u32),
    /// The size the cropped original was resampled to, if it was.
    pub resized: Option<(u32, u32)>,
}

/// A page ready for recognition.
pub struct CleanPage {
    pub image: GrayImage,
    pub dpi: u32,
    pub rotation: u16,
    pub skew_deg: f32,
    pub notes: Vec<String>,
    /// Everything done to the original's geometry, to do the same to its colour version.
    pub geometry: Geometry,
}

/// The geometric steps from an original page to its cleaned image, in order: crop, resample,
/// quarter turn, deskew turn. Kept so that a colour original can be given exactly the same
/// steps as the grayscale image that was read (and the text boxes fit both).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub crop: (u32, u32, u32, u32),
    pub resized: Option<(u32, u32)>,
    pub rotation: u16,
    /// Degrees passed to `rotate_gray` (0 when the page was not deskewed).
    pub deskew_deg: f32,
}

/// Orientation guesses below this confidence are not acted on.
pub const MIN_ORIENTATION_CONFIDENCE: f32 = 1.5;
/// Largest skew looked for, in degrees.
const MAX_SKEW_DEG: f32 = 8.0;
/// Skews smaller than this are left alone (rotation would only blur).
const MIN_SKEW_DEG: f32 = 0.2;

/// Grayscale, border crop and resolution. `declared_dpi` is what the file says, if anything.
pub fn prepare(raw: &DynamicImage, declared_dpi: Option<f32>, target_dpi: u32) -> Prepared {
    let mut notes = Vec::new();
    let mut image = match raw {
        DynamicImage::ImageLuma8(g) => g.clone(),
        DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => {
            notes.push("converted to grayscale".into());
            raw.to_luma8()
        }
        _ => {
            let rgb = raw.to_rgb8();
            if has_red_marks(&rgb) {
                // Red seals and red headers cross the text (often the date and signature);
                // in the red channel they fade to paper while black and blue ink stay dark.
                notes.push(
                    "converted to grayscale from the red channel (red seal or marks faded out)"
                        .into(),
                );
                GrayImage::from_fn(rgb.width(), rgb.height(), |x, y| {
                    Luma([rgb.get_pixel(x, y)[0]])
                })
            } else {
                notes.push("converted to grayscale".into());
                DynamicImage::ImageRgb8(rgb).to_luma8()
            }
        }
    };

    let crop = dark_border(&image);
    let mut resized = None;
    if crop != (0, 0, 0, 0) {
        let (l, t, r, b) = crop;
        let (w, h) = image.dimensions();
        image = imageops::crop_imm(&image, l, t, w - l - r, h - t - b).to_image();
        notes.push(format!(
            "cropped dark border left {l} top {t} right {r} bottom {b} px"
        ));
    }

    let (w, h) = image.dimensions();
    let dpi = match declared_dpi {
        Some(d) => d,
        None => {
            // No resolution in the file: assume the long side is an A4 page (11.69 in).
            let est = (w.max(h) as f32 / 11.69).clamp(72.0, 600.0);
            notes.push(format!(
                "no resolution in file; estimated {:.0} dpi from the page size",
                est
            ));
            est
        }
    };
    let mut dpi_out = dpi.round() as u32;
    let scale = target_dpi as f32 / dpi;
    if !(0.6..=1.1).contains(&scale) && scale.is_finite() {
        let (nw, nh) = (
            ((w as f32) * scale).round().max(1.0) as u32,
            ((h as f32) * scale).round().max(1.0) as u32,
        );
        // Bicubic: bilinear was measured 0.5-2 points worse in character error on 150-250 dpi scans.
        image = resize_bicubic(image, nw, nh);
        resized = Some((nw, nh));
        notes.push(format!("rescaled from {:.0} to {} dpi", dpi, target_dpi));
        dpi_out = target_dpi;
    }

    Prepared {
        image,
        dpi: dpi_out,
        notes,
        crop,
        resized,
    }
}

/// Turns a prepared page `rotate_cw` degrees clockwise (a multiple of 90; `why` says on
/// what evidence, for the report) and deskews it.
pub fn straighten(page: &Prepared, rotate_cw: u16, why: Option<&str>) -> CleanPage {
    let mut notes = page.notes.clone();
    let rotation = rotate_cw % 360;
    let mut image = if rotation == 0 {
        page.image.clone()
    } else {
        notes.push(format!(
            "turned {rotation} degrees clockwise ({})",
            why.unwrap_or("as asked")
        ));
        rotate_quarter(&page.image, rotation)
    };
    let skew = estimate_skew(&image);
    let mut skew_deg = 0.0;
    let mut deskew_deg = 0.0;
    if skew.abs() >= MIN_SKEW_DEG {
        deskew_deg = -skew;
        image = rotate_gray(&image, deskew_deg);
        skew_deg = (skew * 100.0).round() / 100.0;
        notes.push(format!("deskewed by {:.2} degrees", skew));
    }
    CleanPage {
        image,
        dpi: page.dpi,
        rotation,
        skew_deg,
        notes,
        geometry: Geometry {
            crop: page.crop,
            resized: page.resized,
            rotation,
            deskew_deg,
        },
    }
}

/// Gives a colour original the same geometric steps as its cleaned grayscale image, channel
/// by channel with the same functions, so the two are pixel for pixel in register.
pub fn replay_rgb(original: &RgbImage, g: &Geometry) -> RgbImage {
    let (w, h) = original.dimensions();
    let (l, t, r, b) = g.crop;
    let channel = |c: usize| {
        let mut plane = GrayImage::from_fn(w, h, |x, y| Luma([original.get_pixel(x, y)[c]]));
        if g.crop != (0, 0, 0, 0) {
            plane = imageops::crop_imm(&plane, l, t, w - l - r, h - t - b).to_image();
        }
        if let Some((nw, nh)) = g.resized {
            plane = resize_bicubic(plane, nw, nh);
        }
        if g.rotation != 0 {
            plane = rotate_quarter(&plane, g.rotation);
        }
        if g.deskew_deg != 0.0 {
            plane = rotate_gray(&plane, g.deskew_deg);
        }
        plane
    };
    let planes = [channel(0), channel(1), channel(2)];
    let (pw, ph) = planes[0].dimensions();
    let mut out = Vec::with_capacity(pw as usize * ph as usize * 3);
    for ((r, g), b) in planes[0].iter().zip(planes[1].iter()).zip(planes[2].iter()) {
        out.extend_from_slice(&[*r, *g, *b]);
    }
    RgbImage::from_raw(pw, ph, out).expect("three planes of one size")
}

/// True when a colour page has colour worth keeping in its filing copy: red seals or
/// headers, or other coloured ink (at least 1 pixel in 2000 clearly chromatic).
pub fn has_colour(rgb: &RgbImage) -> bool {
    if has_red_marks(rgb) {
        return true;
    }
    let coloured = rgb
        .pixels()
        .step_by(3)
        .filter(|p| {
            let [r, g, b] = p.0;
            r.max(g).max(b) - r.min(g).min(b) > 60
        })
        .count();
    let sampled = (rgb.width() as usize * rgb.height() as usize).div_ceil(3);
    coloured * 2000 >= sampled
}

/// True when every pixel is pure black or pure white (a bilevel scan decoded to gray).
pub fn is_bilevel(image: &GrayImage) -> bool {
    image.as_raw().iter().all(|&p| p == 0 || p == 255)
}

/// True when at least 1 in 2000 pixels is clearly red (a seal, a red letterhead, red ink).
pub fn has_red_marks(rgb: &image::RgbImage) -> bool {
    let red = rgb
        .pixels()
        .step_by(3)
        .filter(|p| {
            let [r, g, b] = p.0;
            r as i16 - g as i16 > 60 && r as i16 - b as i16 > 60
        })
        .count();
    let sampled = (rgb.width() as usize * rgb.height() as usize).div_ceil(3);
    red * 2000 >= sampled
}

/// Turns a page clockwise by `deg` degrees about its centre, bilinear, white outside; same
/// size. Written here rather than taken from imageproc because its generic version took
/// 180 ms for an A4 page at 300 dpi, a sixth of Tesseract's own time for the page; this
/// fixed-point loop walks the source incrementally and takes about a quarter of that.
pub fn rotate_gray(image: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = image.dimensions();
    let (sin, cos) = (deg as f64).to_radians().sin_cos();
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let src = image.as_raw();
    let (wi, hi) = (w as i64, h as i64);
    let mut out = vec![255u8; src.len()];
    const ONE: f64 = 65536.0;
    // Output (x, y) takes source (x', y') = R(-deg) (x - cx, y - cy) + (cx, cy).
    let (dx_fp, dy_fp) = ((cos * ONE) as i64, (-sin * ONE) as i64);
    for y in 0..h {
        let oy = y as f64 + 0.5 - cy;
        let ox = 0.5 - cx;
        let mut sx = ((ox * cos + oy * sin + cx - 0.5) * ONE) as i64;
        let mut sy = ((-ox * sin + oy * cos + cy - 0.5) * ONE) as i64;
        let row = &mut out[(y as usize) * (w as usize)..][..w as usize];
        for px in row.iter_mut() {
            let (x0, y0) = (sx >> 16, sy >> 16);
            if x0 >= 0 && y0 >= 0 && x0 + 1 < wi && y0 + 1 < hi {
                let (fx, fy) = (sx & 0xFFFF, sy & 0xFFFF);
                let i = (y0 * wi + x0) as usize;
                let (a, b) = (src[i] as i64, src[i + 1] as i64);
                let (c, d) = (src[i + w as usize] as i64, src[i + w as usize + 1] as i64);
                let top = a * (65536 - fx) + b * fx;
                let bottom = c * (65536 - fx) + d * fx;
                *px = ((top * (65536 - fy) + bottom * fy) >> 32) as u8;
            }
            sx += dx_fp;
            sy += dy_fp;
        }
    }
    GrayImage::from_raw(w, h, out).expect("same size")
}

/// Bicubic (Catmull-Rom) resize, for pages that are read.
pub fn resize_bicubic(image: GrayImage, width: u32, height: u32) -> GrayImage {
    resize_with(image, width, height, ResizeKind::Bicubic)
}

#[derive(Clone, Copy)]
pub enum ResizeKind {
    Bilinear,
    Bicubic,
}

/// Resize with `fast_image_resize` (SIMD): about 10 times faster than the image crate's
/// for a page.
pub fn resize_with(image: GrayImage, width: u32, height: u32, kind: ResizeKind) -> GrayImage {
    use fast_image_resize::{
        images::Image, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
    };
    let (w, h) = image.dimensions();
    let (filter, slow) = match kind {
        ResizeKind::Bilinear => (FilterType::Bilinear, imageops::FilterType::Triangle),
        ResizeKind::Bicubic => (FilterType::CatmullRom, imageops::FilterType::CatmullRom),
    };
    let fallback = |image: &GrayImage| imageops::resize(image, width, height, slow);
    let src = Image::from_vec_u8(w, h, image.into_raw(), PixelType::U8)
        .expect("a GrayImage buffer is w*h bytes");
    let mut dst = Image::new(width, height, PixelType::U8);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(filter));
    match Resizer::new().resize(&src, &mut dst, &options) {
        Ok(()) => GrayImage::from_raw(width, height, dst.into_vec())
            .expect("resizer output has the asked size"),
        Err(_) => fallback(&GrayImage::from_raw(w, h, src.into_vec()).expect("same buffer")),
    }
}

/// Rotates by a multiple of 90 degrees clockwise.
pub fn rotate_quarter(image: &GrayImage, cw: u16) -> GrayImage {
    match cw % 360 {
        90 => imageops::rotate90(image),
        180 => imageops::rotate180(image),
        270 => imageops::rotate270(image),
        _ => image.clone(),
    }
}

/// Widths of dark scanner borders (left, top, right, bottom): outer rows and columns that are
/// mostly dark. At most a tenth of each side is taken.
pub fn dark_border(image: &GrayImage) -> (u32, u32, u32, u32) {
    let (w, h) = image.dimensions();
    if w < 50 || h < 50 {
        return (0, 0, 0, 0);
    }
    let dark_row =
        |y: u32| dark_fraction((0..w).step_by(2).map(|x| image.get_pixel(x, y)[0])) > 0.5;
    let dark_col =
        |x: u32| dark_fraction((0..h).step_by(2).map(|y| image.get_pixel(x, y)[0])) > 0.5;
    let count = |n: u32, is_dark: &dyn Fn(u32) -> bool, from_end: bool| {
        let max = n / 10;
        let mut k = 0;
        while k < max && is_dark(if from_end { n - 1 - k } else { k }) {
            k += 1;
        }
        k
    };
    let top = count(h, &dark_row, false);
    let bottom = count(h, &dark_row, true);
    let left = count(w, &dark_col, false);
    let right = count(w, &dark_col, true);
    // A few pixels of slack past the border's edge, which is rarely sharp.
    let pad = |k: u32, n: u32| if k == 0 { 0 } else { (k + 4).min(n / 10) };
    (pad(left, w), pad(top, h), pad(right, w), pad(bottom, h))
}

fn dark_fraction(pixels: impl Iterator<Item = u8>) -> f32 {
    let (mut dark, mut n) = (0u32, 0u32);
    for p in pixels {
        n += 1;
        if p < 96 {
            dark += 1;
        }
    }
    if n == 0 {
        0.0
    } else {
        dark as f32 / n as f32
    }
}

/// The page's skew in degrees: the angle whose horizontal projection of the dark pixels is
/// sharpest (text lines make tall narrow peaks). Positive means the page was turned
/// clockwise (text runs down to the right); turning it back by the negative levels it.
/// Works on a copy about 1200 px on the long side.
pub fn estimate_skew(image: &GrayImage) -> f32 {
    let (w, h) = image.dimensions();
    let factor = (w.max(h) as f32 / 1200.0).max(1.0);
    let small = if factor > 1.0 {
        resize_with(
            image.clone(),
            (w as f32 / factor) as u32,
            (h as f32 / factor) as u32,
            ResizeKind::Bilinear,
        )
    } else {
        image.clone()
    };
    let threshold = otsu(&small).min(200);
    let points: Vec<(f32, f32)> = small
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] < threshold)
        .map(|(x, y, _)| (x as f32, y as f32))
        .collect();
    // An empty or nearly black page has no lines to go by.
    let n = points.len() as u32;
    let (sw, sh) = small.dimensions();
    if n < 200 || n > sw * sh / 2 {
        return 0.0;
    }
    let score = |deg: f32, stride: usize| -> f64 {
        let (s, c) = deg.to_radians().sin_cos();
        let offset = sw as f32 * s.abs() + 2.0;
        let bins = (sh as f32 * c + sw as f32 * s.abs() + 4.0) as usize;
        let mut hist = vec![0u32; bins];
        for &(x, y) in points.iter().step_by(stride) {
            // Row of the point once the page is turned back by `deg`.
            let r = (y * c + x * s + offset) as usize;
            if let Some(b) = hist.get_mut(r) {
                *b += 1;
            }
        }
        hist.iter().map(|&v| (v as f64) * (v as f64)).sum()
    };
    // Coarse search on a quarter of the points, then fine search on all of them.
    let mut best = (0.0f32, score(0.0, 4));
    let mut a = -MAX_SKEW_DEG;
    while a <= MAX_SKEW_DEG {
        let s = score(a, 4);
        if s > best.1 {
            best = (a, s);
        }
        a += 0.5;
    }
    let centre = best.0;
    best = (centre, score(centre, 1));
    let mut a = centre - 0.5;
    while a <= centre + 0.5 {
        let s = score(a, 1);
        if s > best.1 {
            best = (a, s);
        }
        a += 0.05;
    }
    // The search finds the turn that levels the text; the skew is its opposite.
    -best.0
}

/// Otsu's threshold of a grayscale image.
pub fn otsu(image: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in image.pixels() {
        hist[p[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0f64, 0f64, 0f64, 128u8);
    for t in 0..256 {
        w_b += hist[t] as f64;
        if w_b == 0.0 {
            continue;
        }
        let w_f = total as f64 - w_b;
        if w_f == 0.0 {
            break;
        }
        sum_b += t as f64 * hist[t] as f64;
        let m_b = sum_b / w_b;
        let m_f = (sum_all - sum_b) / w_f;
        let between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t.saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use imageproc::geometric_transformations::{rotate_about_center, Border, Interpolation};

    fn lines_page() -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, Luma([255]));
        for line in 0..30 {
            let y0 = 100 + line * 45;
            for y in y0..y0 + 14 {
                for x in 100..1100 {
                    if (x / 17) % 4 != 3 {
                        img.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn straight_page_has_no_skew() {
        assert!(estimate_skew(&lines_page()).abs() < 0.1);
    }

    #[test]
    fn finds_skew_both_ways_and_deskew_removes_it() {
        for deg in [-4.0f32, -1.5, 2.5, 6.0] {
            // imageproc turns clockwise for positive angles, which is a positive skew.
            let turned = rotate_about_center(
                &lines_page(),
                deg.to_radians(),
                Interpolation::Bilinear,
                Border::Constant(Luma([255])),
            );
            let skew = estimate_skew(&turned);
            assert!((skew - deg).abs() < 0.2, "turned {deg}, estimated {skew}");
            let fixed = rotate_gray(&turned, -skew);
            assert!(estimate_skew(&fixed).abs() < 0.2);
        }
    }

    #[test]
    fn own_rotation_matches_imageproc() {
        let page = lines_page();
        for deg in [-3.0f32, 1.0, 5.5] {
            let ours = rotate_gray(&page, deg);
            let theirs = rotate_about_center(
                &page,
                deg.to_radians(),
                Interpolation::Bilinear,
                Border::Constant(Luma([255])),
            );
            let differing = ours
                .pixels()
                .zip(theirs.pixels())
                .filter(|(a, b)| (a[0] as i16 - b[0] as i16).abs() > 40)
                .count();
            // Edges of strokes may round differently; the picture is the same.
            assert!(
                differing * 200 < (page.width() * page.height()) as usize,
                "{deg}: {differing} pixels differ"
            );
        }
        assert_eq!(rotate_gray(&page, 0.0), page);
    }

    #[test]
    fn crops_dark_borders_only() {
        let mut img = GrayImage::from_pixel(1000, 1000, Luma([250]));
        for y in 0..1000 {
            for x in 0..30 {
                img.put_pixel(x, y, Luma([10]));
            }
        }
        for x in 0..1000 {
            for y in 960..1000 {
                img.put_pixel(x, y, Luma([20]));
            }
        }
        let (l, t, r, b) = dark_border(&img);
        assert!((30..=40).contains(&l), "left {l}");
        assert_eq!((t, r), (0, 0));
        assert!((40..=50).contains(&b), "bottom {b}");
        assert_eq!(dark_border(&lines_page()), (0, 0, 0, 0));
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut img = GrayImage::from_pixel(100, 100, Luma([230]));
        for x in 0..30 {
            img.put_pixel(x, 5, Luma([20]));
        }
        let t = otsu(&img);
        assert!(t > 20 && t <= 230, "{t}");
    }
}
