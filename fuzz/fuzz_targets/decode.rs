//! Any bytes through `ingest::decode::open` (sniffing the kind: PNG, JPEG, TIFF, PDF,
//! DOCX) and every page it yields: an error is fine, a panic, a hang or unbounded memory
//! is a finding. The seeds are the generated hostile corpus and the sample letters.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use xinfang::config::Limits;

fuzz_target!(|data: &[u8]| {
    let limits = fuzz_limits();
    if let Ok(pages) = xinfang::ingest::decode::open(Arc::from(data), &limits) {
        for page in pages.iter.take(4) {
            let _ = page;
        }
    }
});

/// The embedded limits, smaller where a fuzzer would otherwise spend its time on one
/// large but legal input.
fn fuzz_limits() -> Limits {
    Limits { max_page_pixels: 4_000_000, max_page_side: 4_000, pdf_parse_seconds: 5, ..Limits::default() }
}
