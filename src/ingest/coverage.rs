//! How much of a scanned page's ink was read: the page (as cleaned for OCR) is cut into
//! 8 x 8 pixel cells; a cell with dark pixels is ink; the share of ink cells inside the
//! recognised lines' boxes (grown by half a line height, since strokes overhang a box) is
//! the page's `ink_read`. A page with ink of which little was read (a stamp-sized part is
//! fine; a column, a table or a strip is not) gets a warning naming it, so that nothing is
//! dropped without a word.

use crate::model::TextBox;
use image::GrayImage;

const CELL: u32 = 8;
/// A pixel this dark or darker is ink.
const INK: u8 = 110;
/// A cell with this many ink pixels (of 64) is ink; fewer are specks.
const INK_PIXELS: u32 = 3;

/// The share (0..1) of the page's ink cells that lie in a recognised line, and how many
/// ink cells there are; `None` for a page without ink.
pub fn ink_read(page: &GrayImage, lines: &[TextBox]) -> Option<(f32, usize)> {
    let (w, h) = page.dimensions();
    let (cw, ch) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut ink = vec![0u32; (cw * ch) as usize];
    for (x, y, p) in page.enumerate_pixels() {
        if p.0[0] <= INK {
            ink[((y / CELL) * cw + x / CELL) as usize] += 1;
        }
    }
    let mut covered = vec![false; ink.len()];
    for l in lines {
        let grow = l.height / 2;
        let x0 = l.left.saturating_sub(grow) / CELL;
        let y0 = l.top.saturating_sub(grow) / CELL;
        let x1 = ((l.left + l.width + grow) / CELL).min(cw - 1);
        let y1 = ((l.top + l.height + grow) / CELL).min(ch - 1);
        for cy in y0..=y1 {
            for cx in x0..=x1 {
                covered[(cy * cw + cx) as usize] = true;
            }
        }
    }
    let cells: Vec<bool> = ink.iter().zip(&covered).filter(|(n, _)| **n >= INK_PIXELS).map(|(_, c)| *c).collect();
    if cells.is_empty() {
        return None;
    }
    let read = cells.iter().filter(|c| **c).count();
    Some((read as f32 / cells.len() as f32, cells.len()))
}

/// The warning for a page whose ink was mostly not read, if it deserves one: more than
/// 200 ink cells (a few words' worth) of which under half were read.
pub fn warning(index: u32, share: f32, cells: usize, text_empty: bool) -> Option<String> {
    if cells < 200 {
        return None;
    }
    if text_empty {
        return Some(format!("page {index}: the page has writing or drawing but no text was read from it"));
    }
    (share < 0.5).then(|| {
        format!(
            "page {index}: only {:.0}% of the ink on the page was read; check the page against the text",
            share * 100.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    fn line(left: u32, top: u32, width: u32, height: u32) -> TextBox {
        TextBox { text: "字".into(), left, top, width, height, confidence: 1.0, words: vec![] }
    }

    #[test]
    fn ink_outside_the_lines_read_is_reported() {
        let mut page = GrayImage::from_pixel(800, 800, Luma([255]));
        // Two blocks of ink: top half and bottom half.
        for y in (100..300).chain(500..700) {
            for x in 100..700 {
                if (x + y) % 3 == 0 {
                    page.put_pixel(x, y, Luma([0]));
                }
            }
        }
        let (all, cells) = ink_read(&page, &[line(100, 100, 600, 200), line(100, 500, 600, 200)]).unwrap();
        assert!(all > 0.99, "{all}");
        let (half, _) = ink_read(&page, &[line(100, 100, 600, 200)]).unwrap();
        assert!((0.4..0.6).contains(&half), "{half}");
        assert!(warning(3, half, cells, false).is_none_or(|w| w.contains("page 3")));
        assert!(warning(3, 0.2, cells, false).unwrap().contains("20%"));
        assert!(warning(3, 0.0, cells, true).unwrap().contains("no text"));
        assert!(ink_read(&GrayImage::from_pixel(80, 80, Luma([255])), &[]).is_none());
    }
}
