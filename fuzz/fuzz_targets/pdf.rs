//! Any bytes as a PDF: the structure and text-layer path (`ingest::pdf::open`, every
//! page) and the renderer (`ingest::render::render_page` on the first pages).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use xinfang::config::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_page_pixels: 4_000_000, max_page_side: 4_000, pdf_parse_seconds: 5, ..Limits::default() };
    let bytes: Arc<[u8]> = Arc::from(data);
    if let Ok(pages) = xinfang::ingest::pdf::open(bytes.clone(), &limits) {
        let count = pages.count as usize;
        for page in pages.iter.take(4) {
            let _ = page;
        }
        for index in 0..count.min(2) {
            let _ = xinfang::ingest::render::render_page(bytes.clone(), index, 72.0, &limits);
        }
    }
});
