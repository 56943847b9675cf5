//! Many files on a pool of worker threads, each owning its own recognizer (one Tesseract
//! handle per thread, reused for every page it reads). Results come back in input order
//! as soon as each is ready; one bad file (or a panic while reading it) is reported and the
//! batch goes on.

use super::error::{ErrorCode, IngestError};
use super::ocr::Recognizer;
use crate::config::Config;
use crate::model::{Extraction, FailedFile};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

/// The outcome for one input file.
pub type FileResult = Result<Extraction, FailedFile>;

/// Reads a file from disk, refusing one over the byte limit before reading it.
pub fn read_input(path: &std::path::Path, max_bytes: u64) -> Result<Arc<[u8]>, IngestError> {
    let io = |e: std::io::Error| {
        IngestError::new(
            ErrorCode::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(IngestError::new(
            ErrorCode::Io,
            format!("{} is not a regular file", path.display()),
        ));
    }
    if meta.len() > max_bytes {
        return Err(IngestError::new(
            ErrorCode::FileTooLarge,
            format!(
                "the file has {} bytes; the limit is {max_bytes}",
                meta.len()
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_bytes {
        return Err(IngestError::new(
            ErrorCode::FileTooLarge,
            format!("the file grew past {max_bytes} bytes"),
        ));
    }
    Ok(bytes.into())
}

/// Reads one file with `engine`, turning every failure (and any panic) into a `FailedFile`.
pub fn extract_path(
    path: &std::path::Path,
    config: &Config,
    engine: &mut dyn Recognizer,
) -> FileResult {
    let name = path.display().to_string();
    super::guard::per_file(&name, "the reader", || {
        let bytes = read_input(path, config.limits.max_file_bytes)?;
        super::extract_bytes(&name, bytes, config, engine)
    })
}

/// Runs `files` on `workers` threads. `make_engine` is called once on each worker thread;
/// if it fails the batch stops with that error. `emit` sees each result in input order.
pub fn run<E, M>(
    files: &[PathBuf],
    config: &Config,
    workers: usize,
    make_engine: M,
    emit: impl FnMut(usize, FileResult),
) -> Result<(), IngestError>
where
    E: Recognizer,
    M: Fn() -> Result<E, IngestError> + Sync,
{
    run_jobs(
        files,
        workers,
        make_engine,
        |path, engine| extract_path(path, config, engine),
        emit,
    )
}

/// The worker pool behind `run`, for any per-file job that needs an engine (the filing
/// copy uses it too). Results come to `emit` in input order.
pub fn run_jobs<E, M, R, J>(
    files: &[PathBuf],
    workers: usize,
    make_engine: M,
    job: J,
    mut emit: impl FnMut(usize, R),
) -> Result<(), IngestError>
where
    E: Recognizer,
    M: Fn() -> Result<E, IngestError> + Sync,
    R: Send,
    J: Fn(&std::path::Path, &mut E) -> R + Sync,
{
    let workers = workers.clamp(1, files.len().max(1));
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, Result<R, IngestError>)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, make_engine, job) = (&next, &make_engine, &job);
            scope.spawn(move || {
                let mut engine = match make_engine() {
                    Ok(e) => e,
                    Err(e) => {
                        let _ = tx.send((usize::MAX, Err(e)));
                        return;
                    }
                };
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(path) = files.get(i) else { break };
                    let result = job(path, &mut engine);
                    if tx.send((i, Ok(result))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut emitted = 0usize;
        let mut fatal = None;
        for (i, result) in rx {
            match result {
                Ok(r) => {
                    pending.insert(i, r);
                }
                Err(e) => {
                    // Stop handing out work; let running files finish.
                    next.store(files.len(), Ordering::SeqCst);
                    fatal.get_or_insert(e);
                }
            }
            while let Some(r) = pending.remove(&emitted) {
                emit(emitted, r);
                emitted += 1;
            }
        }
        match fatal {
            Some(e) => Err(e),
            None => Ok(()),
        }
    })
}
