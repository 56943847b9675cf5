//! Charts as pictures for the DOCX: the SVG the PDF draws as vectors, rasterised by resvg
//! (already in the build under typst's PDF writer) with the documents' own font files, so
//! Word and LibreOffice show the same chart and the same characters.

use std::path::PathBuf;
use std::sync::Arc;

/// Pixels per point of the pictures: 3 gives 216 dpi at the printed size.
const SCALE: f32 = 3.0;
/// No chart is larger than this many pixels a side.
const MAX_SIDE: u32 = 4000;

/// The fonts the pictures' text is set in, loaded once.
pub struct Rasteriser {
    fonts: std::sync::OnceLock<Arc<resvg::usvg::fontdb::Database>>,
    files: Vec<PathBuf>,
}

impl Rasteriser {
    pub fn new(files: &[PathBuf]) -> Rasteriser {
        Rasteriser { fonts: std::sync::OnceLock::new(), files: files.to_vec() }
    }

    fn fonts(&self) -> Arc<resvg::usvg::fontdb::Database> {
        self.fonts
            .get_or_init(|| {
                let mut db = resvg::usvg::fontdb::Database::new();
                for f in &self.files {
                    // A file that cannot be read was refused when the PDF engine loaded.
                    let _ = db.load_font_file(f);
                }
                Arc::new(db)
            })
            .clone()
    }

    /// The PNG of `svg` and its size in pixels.
    pub fn png(&self, svg: &str) -> Result<(Vec<u8>, u32, u32), String> {
        let options = resvg::usvg::Options { fontdb: self.fonts(), ..Default::default() };
        let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| format!("chart: {e}"))?;
        let size = tree.size();
        let (w, h) = ((size.width() * SCALE).ceil() as u32, (size.height() * SCALE).ceil() as u32);
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return Err(format!("chart: {w} x {h} pixels is not a chart's size"));
        }
        let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).ok_or("chart: no room for the picture")?;
        pixmap.fill(resvg::tiny_skia::Color::WHITE);
        resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(SCALE, SCALE), &mut pixmap.as_mut());
        let png = pixmap.encode_png().map_err(|e| format!("chart: {e}"))?;
        Ok((png, w, h))
    }
}
