//! Page orientation: Tesseract's OSD (orientation and script detection) model, which every
//! engine uses to turn a page upright before it is read. Optional: without
//! `osd.traineddata` pages are read as they come.

use image::GrayImage;
use std::path::Path;
use tesseract_rs::{TessPageSegMode, TesseractAPI};

/// A page orientation guess: the clockwise rotation that makes the page upright.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    pub rotate_cw: u16,
    pub confidence: f32,
}

/// The OSD model, if its data file is installed.
pub struct Osd {
    api: Option<TesseractAPI>,
}

impl Osd {
    /// Loads `osd.traineddata` from `tessdata`; without it (or if it fails to load) every
    /// guess is `None`.
    pub fn new(tessdata: &Path) -> Osd {
        let api = tessdata.join("osd.traineddata").is_file().then(|| {
            let api = TesseractAPI::new();
            api.init(tessdata, "osd").ok().map(|()| {
                let _ = api.set_variable("debug_file", "/dev/null");
                let _ = api.set_page_seg_mode(TessPageSegMode::PSM_OSD_ONLY);
                api
            })
        });
        Osd { api: api.flatten() }
    }

    /// Guesses the orientation of a page scanned at `dpi`; `None` when it cannot tell.
    pub fn orientation(&self, page: &GrayImage, dpi: u32) -> Option<Orientation> {
        let osd = self.api.as_ref()?;
        let (w, h) = page.dimensions();
        osd.set_image(page.as_raw(), w as i32, h as i32, 1, w as i32)
            .ok()?;
        osd.set_source_resolution(dpi as i32).ok()?;
        let result = osd.detect_os();
        let _ = osd.clear();
        let (deg, conf, _script, _script_conf) = result.ok()?;
        // Tesseract reports the angle to turn the page counter-clockwise to bring it upright
        // (a page fed a quarter turn clockwise reads 90); we turn clockwise instead.
        let rotate_cw = ((360 - deg.rem_euclid(360)) % 360) as u16;
        Some(Orientation {
            rotate_cw,
            confidence: conf,
        })
    }
}
