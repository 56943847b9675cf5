//! Where the filing stamp (归档章) goes on an item's first page: DA/T 22-2015 puts it in the
//! blank space at the top, centred where that is blank, else in another blank place. A
//! letter's first page is rendered small (`ingest::render`, 30 dpi) and the stamp's box (45
//! x 14 mm with 3 mm kept clear around it) is tried 6 mm from the top at the centre, the
//! right and the left, then 3 mm from the top, then at the page's foot; where none is
//! blank, the least inked is taken. The documents the bureau generates start 30 mm from
//! the top and need no look.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where the stamp's top left corner stands on the page as shown, in pt.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct At {
    pub x: f32,
    pub y: f32,
}

const MM: f32 = 72.0 / 25.4;
const DPI: f32 = 30.0;
/// The stamp (three cells of 15 x 7 mm, two rows), in pt.
pub const WIDTH: f32 = 45.0 * MM;
pub const HEIGHT: f32 = 14.0 * MM;
/// The stamp's usual place: 6 mm from the top edge, centred.
pub const TOP: f32 = 6.0 * MM;
/// Blank kept around the stamp.
const CLEAR: f32 = 3.0 * MM;
/// From the page's side edge to the stamp at the right or left.
const SIDE: f32 = 12.0 * MM;
/// Share of dark pixels under which a box is blank.
const BLANK: f32 = 0.0005;

/// The usual place on a page `width` pt wide: centred, 6 mm from the top.
pub fn usual(width: f32) -> At {
    At { x: (width - WIDTH) / 2.0, y: TOP }
}

/// The places tried, in order: the top band at the centre, right and left; the same 3 mm
/// from the top edge; the foot of the page at the right and the centre.
fn candidates(width: f32, height: f32) -> Vec<At> {
    let xs = [(width - WIDTH) / 2.0, width - SIDE - WIDTH, SIDE];
    let mut out: Vec<At> = xs.iter().map(|&x| At { x, y: TOP }).collect();
    out.extend(xs.iter().map(|&x| At { x, y: 3.0 * MM }));
    let foot = height - TOP - HEIGHT;
    out.push(At { x: xs[1], y: foot });
    out.push(At { x: xs[0], y: foot });
    out
}

/// Share of dark pixels in a box of the rendered page (pt coordinates), clipped to it.
fn ink(img: &image::GrayImage, x0: f32, y0: f32, w: f32, h: f32) -> f32 {
    let s = DPI / 72.0;
    let (px0, py0) = ((x0 * s).max(0.0) as u32, (y0 * s).max(0.0) as u32);
    let px1 = ((x0 + w) * s).ceil().min(img.width() as f32) as u32;
    let py1 = ((y0 + h) * s).ceil().min(img.height() as f32) as u32;
    let (mut dark, mut all) = (0u32, 0u32);
    for y in py0..py1 {
        for x in px0..px1 {
            all += 1;
            if img.get_pixel(x, y).0[0] < 160 {
                dark += 1;
            }
        }
    }
    if all == 0 { 1.0 } else { dark as f32 / all as f32 }
}

/// The first blank place on a page already rendered (`img` at 30 dpi), else the least
/// inked.
pub fn choose(img: &image::GrayImage) -> At {
    let (width, height) = (img.width() as f32 * 72.0 / DPI, img.height() as f32 * 72.0 / DPI);
    let mut best = (usual(width), f32::MAX);
    for at in candidates(width, height) {
        let share = ink(img, at.x - CLEAR, at.y - CLEAR, WIDTH + 2.0 * CLEAR, HEIGHT + 2.0 * CLEAR);
        if share <= BLANK {
            return at;
        }
        if share < best.1 {
            best = (at, share);
        }
    }
    best.0
}

/// The place on the first page of the PDF `bytes`; none (the usual place) when it cannot
/// be rendered (the binding goes on; the page itself was checked when it was filed).
pub fn place(bytes: &[u8], limits: &crate::config::Limits) -> Option<At> {
    crate::ingest::render::render_page(Arc::from(bytes), 0, DPI, limits).ok().map(|r| choose(&r.image.to_luma8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(ink_boxes: &[(f32, f32, f32, f32)]) -> image::GrayImage {
        let s = DPI / 72.0;
        let mut img = image::GrayImage::from_pixel((595.0 * s) as u32, (842.0 * s) as u32, image::Luma([255]));
        for &(x, y, w, h) in ink_boxes {
            for py in (y * s) as u32..((y + h) * s) as u32 {
                for px in (x * s) as u32..((x + w) * s) as u32 {
                    img.put_pixel(px, py, image::Luma([0]));
                }
            }
        }
        img
    }

    #[test]
    fn the_stamp_goes_where_the_page_is_blank() {
        let blank = page(&[]);
        let at = choose(&blank);
        assert_eq!(at, usual(blank.width() as f32 * 72.0 / DPI));
        // A born-digital letter's title in the middle of the top band: to the right.
        let at = choose(&page(&[(220.0, 30.0, 150.0, 20.0)]));
        assert!(at.x > 400.0 && at.y == TOP, "{at:?}");
        // A wide title 20 mm down: the stamp moves up to 3 mm from the edge.
        let at = choose(&page(&[(150.0, 60.0, 295.0, 18.0)]));
        assert!(at.y < TOP && at.y + HEIGHT + CLEAR <= 60.0, "{at:?}");
        // A letterhead filling the top: the foot of the page.
        let at = choose(&page(&[(0.0, 0.0, 595.0, 110.0)]));
        assert!(at.y > 700.0, "{at:?}");
    }
}
