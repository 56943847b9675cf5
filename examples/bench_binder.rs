//! Benchmark of the binder (BENCHMARKS.md): N one-page items (hard links to one generated
//! document, each its own path) bound into volumes of 200 pages, with the real stamps,
//! catalogue, page numbers, outline and PDF/A parts. Run under `/usr/bin/time -v` for the
//! peak memory; bench/binder.sh compares it with `qpdf --empty --pages` on the same files.
//!
//!     cargo run --release --example bench_binder -- N WORK_DIR SOURCE.pdf

use std::path::PathBuf;
use std::time::Instant;
use xinfang::binder::{bind, Source};
use xinfang::config::Config;
use xinfang::documents::pdf::PdfEngine;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let work = PathBuf::from(args.next().unwrap_or_else(|| "bench-binder".into()));
    let source = PathBuf::from(args.next().unwrap_or_else(|| "samples/documents/acceptance-notice.pdf".into()));
    let items = work.join("items");
    std::fs::create_dir_all(&items).unwrap();
    let sources: Vec<Source> = (1..=n)
        .map(|i| {
            let path = items.join(format!("{i:05}.pdf"));
            if !path.exists() {
                std::fs::hard_link(&source, &path).unwrap();
            }
            Source {
                label: format!("items/{i:05}.pdf"),
                path,
                number: format!("示信告〔2026〕{i}号"),
                responsible: "示例县信访局".into(),
                title: format!("信访事项受理告知书（XF-2026-{i:06}）"),
                date: "20261103".into(),
                note: String::new(),
                case: format!("XF-2026-{i:06}"),
                // Every other item a letter: its first page is rendered to place the stamp.
                letter: i % 2 == 1,
                notes: vec![],
                writer: String::new(),
            }
        })
        .collect();
    let config = Config::load(None).unwrap();
    let engine = PdfEngine::new(&config.documents.font_files, &config.documents.fonts).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
    let t = Instant::now();
    let m = bind(&sources, vec![], &config, &engine, 2026, date, &work.join("out"), &|_, _| {}).unwrap();
    let pages: usize = m.volumes.iter().map(|v| v.pages).sum();
    println!(
        "binder items={n} volumes={} pages={pages} seconds={:.1}",
        m.volumes.len(),
        t.elapsed().as_secs_f64()
    );
}
