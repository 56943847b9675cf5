//! Renders every page of the PDFs given at 300 dpi with xinfang's page renderer (hayro),
//! one after another on one thread, and prints pages, seconds and pages per second. For
//! bench/render.sh, which runs pdftoppm on the same files.
//!
//!     cargo run --release --example bench_render -- FILE.pdf...

fn main() {
    let limits = xinfang::config::Limits::default();
    let started = std::time::Instant::now();
    let mut pages = 0;
    for path in std::env::args().skip(1) {
        let bytes: std::sync::Arc<[u8]> = std::fs::read(&path).unwrap().into();
        let count = lopdf::Document::load_mem(&bytes).unwrap().get_pages().len();
        for i in 0..count {
            let image = xinfang::ingest::render::render_page(bytes.clone(), i, 300.0, &limits)
                .unwrap_or_else(|e| panic!("{path} page {}: {}", i + 1, e.message))
                .image;
            assert!(image.width() > 0);
            pages += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{pages} pages in {secs:.2} s: {:.2} pages/s", pages as f64 / secs);
}
