//! Command line: parses arguments (clap) and calls the library. Batches report each file's
//! failure and go on; the exit code says whether everything went well (0), some inputs
//! failed (1), or the run could not start (2).

use crate::config::Config;
use crate::ingest::{batch, ocr::Tesseract};
use crate::model::Extraction;
use crate::privacy;
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "xinfang",
    version,
    about = "信访 letters: read, register, file (xinfang)"
)]
pub struct Cli {
    /// Configuration file (default: ./xinfang.toml if present, else built-in defaults).
    #[arg(long, global = true, env = "XINFANG_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read letters (PNG, JPEG, TIFF, PDF, DOCX): text page by page and the petitioner
    /// fields. Stores and changes nothing. Folders are read recursively.
    Extract {
        /// Files or folders.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// One JSON object per file (JSON Lines) on standard output.
        #[arg(long)]
        json: bool,
        /// Worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
        /// Print on standard error where the time went (OCR engine vs the rest).
        #[arg(long)]
        timings: bool,
    },
}

/// Exit codes.
pub const EXIT_OK: i32 = 0;
pub const EXIT_SOME_FAILED: i32 = 1;
pub const EXIT_FATAL: i32 = 2;

pub fn run(cli: Cli) -> i32 {
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("xinfang: {e}");
            return EXIT_FATAL;
        }
    };
    match cli.command {
        Command::Extract {
            inputs,
            json,
            workers,
            timings,
        } => extract(&config, &inputs, json, workers, timings),
    }
}

/// Expands folders (recursively, sorted, hidden entries skipped); files are kept as given.
pub fn expand_inputs(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, &mut found, 0);
            found.sort();
            out.extend(found);
        } else {
            out.push(input.clone());
        }
    }
    out
}

fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() && depth < 16 => walk(&path, out, depth + 1),
            Ok(t) if t.is_file() => out.push(path),
            _ => {}
        }
    }
}

fn extract(
    config: &Config,
    inputs: &[PathBuf],
    json: bool,
    workers: Option<usize>,
    timings: bool,
) -> i32 {
    let files = expand_inputs(inputs);
    if files.is_empty() {
        eprintln!("xinfang: no input files");
        return EXIT_FATAL;
    }
    let workers = workers.unwrap_or_else(|| config.workers());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut ok, mut failed) = (0usize, 0usize);
    let (mut pages, mut total_us, mut engine_us) = (0usize, 0u64, 0u64);
    let started = std::time::Instant::now();
    let result = batch::run(
        &files,
        config,
        workers,
        || Tesseract::new(&config.ocr),
        |_, r| {
            let line = match &r {
                Ok(x) if json => serde_json::to_string(x).expect("extraction serialises"),
                Err(f) if json => serde_json::to_string(f).expect("error serialises"),
                Ok(x) => human_summary(x),
                Err(f) => format!("{}: 错误 [{}] {}", f.file, f.error.code, f.error.message),
            };
            match &r {
                Ok(x) => {
                    ok += 1;
                    pages += x.pages.len();
                    total_us += x.timings.total_us;
                    engine_us += x.timings.engine_us;
                }
                Err(_) => failed += 1,
            }
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        },
    );
    if let Err(e) = result {
        eprintln!("xinfang: {e}");
        return EXIT_FATAL;
    }
    eprintln!(
        "xinfang extract: {} files, {ok} read, {failed} failed",
        files.len()
    );
    if timings {
        let wall = started.elapsed().as_secs_f64();
        let overhead = total_us.saturating_sub(engine_us) as f64;
        eprintln!(
            "timings: {pages} pages in {wall:.2} s wall ({:.1} pages/min) with {workers} workers; \
             per-file time {:.2} s, of which OCR engine {:.2} s and pipeline {:.2} s ({:.1}% of the engine's)",
            pages as f64 * 60.0 / wall.max(1e-9),
            total_us as f64 / 1e6,
            engine_us as f64 / 1e6,
            overhead / 1e6,
            100.0 * overhead / (engine_us as f64).max(1.0)
        );
    }
    if failed > 0 {
        EXIT_SOME_FAILED
    } else {
        EXIT_OK
    }
}

/// A short, masked summary for a person at a terminal.
fn human_summary(x: &Extraction) -> String {
    let f = &x.fields;
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let chars: usize = x.text.chars().filter(|c| !c.is_whitespace()).count();
    let mut s = format!(
        "{}: {} {}页 {}字 {}ms\n  信访人 {}  身份证 {}  电话 {}\n  地址 {}\n  日期 {}  类别 {}  紧急 {}  联名 {}\n  事由 {}",
        x.file,
        x.kind.as_str(),
        x.pages.len(),
        chars,
        x.elapsed_ms,
        or_dash(f.name.as_deref().map(privacy::mask_name)),
        or_dash(f.id_number.as_deref().map(privacy::mask_id)),
        or_dash(f.phone.as_deref().map(privacy::mask_phone)),
        or_dash(f.address.as_deref().map(privacy::mask_address)),
        or_dash(f.date.clone()),
        or_dash(f.category.clone()),
        if f.urgent { "是" } else { "否" },
        f.cosigners,
        or_dash(f.summary.clone()),
    );
    for w in &x.warnings {
        s.push_str(&format!("\n  注意: {w}"));
    }
    s
}
