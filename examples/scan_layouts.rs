//! Writes the scanned-PDF shapes other producers make, for every scanned PNG/JPEG sample
//! letter: `NAME-strips.pdf` (three JPEG strips), `NAME-tiles.pdf` (2 x 2 tiles, one an
//! image mask) and `NAME-rot90.pdf` (stored sideways, /Rotate 90). The same generator the
//! tests use (tests/util/layouts.rs). For bench/render.sh:
//!
//!     cargo run --release --example scan_layouts -- OUT_DIR

#[path = "../tests/util/layouts.rs"]
#[allow(dead_code)] // two_columns is for the tests
mod layouts;

fn main() {
    let out = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: scan_layouts OUT_DIR"));
    std::fs::create_dir_all(&out).unwrap();
    let letters = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/letters");
    let mut names: Vec<_> = std::fs::read_dir(&letters).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !["png", "jpg"].contains(&ext) {
            continue;
        }
        let page = image::open(&path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        for (kind, bytes) in [
            ("strips", layouts::strips(&page, 3, 300.0)),
            ("tiles", layouts::tiles_with_mask(&page, 300.0)),
            ("rot90", layouts::rotated(&page, 300.0)),
        ] {
            std::fs::write(out.join(format!("{stem}-{kind}.pdf")), bytes).unwrap();
        }
    }
}
