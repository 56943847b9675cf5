//! Where a page image goes on an A4 sheet: the scale (never above the page's physical size
//! unless asked), centring, and whether an upright landscape page is laid sideways. One
//! `Placement` maps pixels of the cleaned image to PDF points, for the image and for the
//! text layer alike, so the two cannot drift apart.

/// A4 portrait in PDF points (210 x 297 mm).
pub const A4_WIDTH: f32 = 595.28;
pub const A4_HEIGHT: f32 = 841.89;

/// How a page sits on its A4 sheet (recorded in the page's metadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// A portrait page, placed as it reads.
    Portrait,
    /// A page whose upright content is landscape (a table, a form): laid on the portrait
    /// sheet turned a quarter turn anticlockwise, its top at the binding edge, and the
    /// sheet marked `/Rotate 90` so viewers show it upright.
    LandscapeRotated,
}

impl Orientation {
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::Portrait => "portrait",
            Orientation::LandscapeRotated => "landscape-rotated",
        }
    }
}

/// The mapping from an image's pixels (x right, y down, origin top left) to points on the
/// sheet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Size of the upright content in its own units (pixels of an image, points of a PDF
    /// page).
    pub width: f32,
    pub height: f32,
    /// Sheet points per unit.
    pub k: f32,
    /// Sheet position of the image's top-left pixel corner.
    origin: (f32, f32),
    pub orientation: Orientation,
    /// Scale against the page's physical size (1.0 = actual size).
    pub scale: f32,
}

/// Places an image of `width_px` x `height_px` scanned at `dpi` on A4. `fit` lets a page
/// smaller than A4 grow to fill the sheet; otherwise it is kept at its physical size.
pub fn place(width_px: u32, height_px: u32, dpi: u32, fit: bool) -> Placement {
    place_units(
        width_px as f32,
        height_px as f32,
        72.0 / dpi.max(1) as f32,
        fit,
    )
}

/// Places upright content `width` x `height` units, each `pt_per_unit` points at actual
/// size (1 for a PDF page), as `place` does.
pub fn place_units(width: f32, height: f32, pt_per_unit: f32, fit: bool) -> Placement {
    let (w, h) = (width.max(1.0), height.max(1.0));
    let orientation = if w > h * 1.05 {
        Orientation::LandscapeRotated
    } else {
        Orientation::Portrait
    };
    // Physical size in points, as it lies on the sheet.
    let pt_per_px = pt_per_unit;
    let (across, down) = match orientation {
        Orientation::Portrait => (w * pt_per_px, h * pt_per_px),
        Orientation::LandscapeRotated => (h * pt_per_px, w * pt_per_px),
    };
    let mut scale = (A4_WIDTH / across).min(A4_HEIGHT / down);
    if !fit {
        scale = scale.min(1.0);
    }
    let k = pt_per_px * scale;
    let (across, down) = (across * scale, down * scale);
    let (left, bottom) = ((A4_WIDTH - across) / 2.0, (A4_HEIGHT - down) / 2.0);
    let origin = match orientation {
        // The top-left pixel is at the top left of the placed box.
        Orientation::Portrait => (left, bottom + down),
        // Turned anticlockwise: the image's top edge runs up the box's left side, so its
        // top-left pixel is at the box's bottom left.
        Orientation::LandscapeRotated => (left, bottom),
    };
    Placement {
        width: w,
        height: h,
        k,
        origin,
        orientation,
        scale,
    }
}

impl Placement {
    /// Sheet point of pixel position (x, y).
    pub fn point(&self, x: f32, y: f32) -> (f32, f32) {
        let (ox, oy) = self.origin;
        match self.orientation {
            Orientation::Portrait => (ox + x * self.k, oy - y * self.k),
            Orientation::LandscapeRotated => (ox + y * self.k, oy + x * self.k),
        }
    }

    /// The `cm` matrix that draws the image (an image fills the unit square, its first row
    /// at the top).
    pub fn image_matrix(&self) -> [f32; 6] {
        let (w, h) = (self.width * self.k, self.height * self.k);
        let (ox, oy) = self.origin;
        match self.orientation {
            Orientation::Portrait => [w, 0.0, 0.0, h, ox, oy - h],
            // u (along a row) runs up the sheet; v (bottom to top row) runs right to left.
            Orientation::LandscapeRotated => [0.0, w, -h, 0.0, ox + h, oy],
        }
    }

    /// Text matrix for writing left to right along the image's rows from pixel (x, y),
    /// one unit of text space per point.
    pub fn text_matrix(&self, x: f32, y: f32) -> [f32; 6] {
        let (px, py) = self.point(x, y);
        match self.orientation {
            Orientation::Portrait => [1.0, 0.0, 0.0, 1.0, px, py],
            Orientation::LandscapeRotated => [0.0, 1.0, -1.0, 0.0, px, py],
        }
    }

    /// The `cm` matrix taking any coordinates to the sheet, given where the content's
    /// upright top-left-origin coordinates of three points are: `to_upright` maps the
    /// content's own coordinates to (x right, y down) upright units.
    pub fn matrix_from(&self, to_upright: impl Fn(f32, f32) -> (f32, f32)) -> [f32; 6] {
        let at = |x: f32, y: f32| {
            let (u, v) = to_upright(x, y);
            self.point(u, v)
        };
        let o = at(0.0, 0.0);
        let ex = at(1.0, 0.0);
        let ey = at(0.0, 1.0);
        [ex.0 - o.0, ex.1 - o.1, ey.0 - o.0, ey.1 - o.1, o.0, o.1]
    }

    /// `/Rotate` for the sheet so that viewers show the content upright.
    pub fn sheet_rotate(&self) -> i64 {
        match self.orientation {
            Orientation::Portrait => 0,
            Orientation::LandscapeRotated => 90,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 0.1
    }

    #[test]
    fn a4_scan_fills_the_sheet_at_actual_size() {
        let p = place(2480, 3508, 300, false);
        assert_eq!(p.orientation, Orientation::Portrait);
        assert!(close(p.scale, 1.0), "{}", p.scale);
        let (x, y) = p.point(0.0, 0.0);
        assert!(close(x, 0.0) && close(y, A4_HEIGHT), "{x} {y}");
        let (x, y) = p.point(2480.0, 3508.0);
        assert!(close(x, A4_WIDTH) && close(y, 0.0), "{x} {y}");
    }

    #[test]
    fn a5_is_centred_at_actual_size_unless_fit() {
        // A5 at 300 dpi: 1748 x 2480 px = 419.5 x 595.2 pt.
        let p = place(1748, 2480, 300, false);
        assert!(close(p.scale, 1.0));
        let m = p.image_matrix();
        assert!(close(m[0], 419.52) && close(m[3], 595.2), "{m:?}");
        assert!(close(m[4], (A4_WIDTH - 419.52) / 2.0), "{m:?}");
        assert!(close(m[5], (A4_HEIGHT - 595.2) / 2.0), "{m:?}");
        let fitted = place(1748, 2480, 300, true);
        assert!(
            fitted.scale > 1.38 && fitted.scale < 1.42,
            "{}",
            fitted.scale
        );
    }

    #[test]
    fn a3_is_scaled_down_to_fit() {
        let p = place(3508, 4961, 300, false);
        assert!(close(p.scale, 0.7071) || (p.scale - 0.7071).abs() < 0.002);
        let m = p.image_matrix();
        assert!(m[2] == 0.0 && m[0] <= A4_WIDTH + 0.01 && m[3] <= A4_HEIGHT + 0.01);
    }

    #[test]
    fn landscape_page_is_laid_sideways_with_its_top_at_the_left() {
        let p = place(3508, 2480, 300, false);
        assert_eq!(p.orientation, Orientation::LandscapeRotated);
        assert_eq!(p.sheet_rotate(), 90);
        // Top-left pixel at the bottom left of the sheet, top-right pixel at the top left.
        let (x, y) = p.point(0.0, 0.0);
        assert!(close(x, 0.0) && close(y, 0.0), "{x} {y}");
        let (x, y) = p.point(3508.0, 0.0);
        assert!(close(x, 0.0) && close(y, A4_HEIGHT), "{x} {y}");
        let (x, y) = p.point(0.0, 2480.0);
        assert!(close(x, A4_WIDTH) && close(y, 0.0), "{x} {y}");
        // The image matrix agrees with `point` at the image corners: pixel (x, y) is unit
        // square point (x / w, 1 - y / h).
        let m = p.image_matrix();
        let at = |u: f32, v: f32| (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5]);
        for (x, y) in [(0.0, 0.0), (3508.0, 0.0), (0.0, 2480.0), (3508.0, 2480.0)] {
            let a = at(x / 3508.0, 1.0 - y / 2480.0);
            let b = p.point(x, y);
            assert!(close(a.0, b.0) && close(a.1, b.1), "{a:?} {b:?}");
        }
    }
}
