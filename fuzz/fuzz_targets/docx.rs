//! Any bytes as a DOCX (`ingest::docx::open`): the zip-expansion check, then docx-rs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xinfang::config::Limits;

fuzz_target!(|data: &[u8]| {
    if let Ok(pages) = xinfang::ingest::docx::open(data, &Limits::default()) {
        for page in pages.iter {
            let _ = page;
        }
    }
});
