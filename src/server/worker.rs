//! Intake workers: threads that each own an OCR engine, take queued jobs from the
//! register one at a time, run intake, and set the job's file aside: an uploaded file's spool
//! copy is dropped once its original is kept and its case committed, a failed one goes to
//! `failed/` with the reason beside it; a hot-folder file is moved to the folder's `done/`
//! or `failed/`. Nothing is deleted that is not kept elsewhere.

use super::AppState;
use crate::ingest::batch;
use crate::ingest::ocr::Engine;
use crate::intake;
use crate::registry::jobs::Job;
use crate::registry::Registry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Wakes sleeping workers when a job is queued.
#[derive(Clone, Default)]
pub struct Wake(Arc<(Mutex<u64>, Condvar)>);

impl Wake {
    pub fn notify_all(&self) {
        let (lock, cvar) = &*self.0;
        if let Ok(mut n) = lock.lock() {
            *n += 1;
        }
        cvar.notify_all();
    }

    fn wait(&self, timeout: Duration) {
        let (lock, cvar) = &*self.0;
        if let Ok(guard) = lock.lock() {
            let _ = cvar.wait_timeout(guard, timeout);
        }
    }
}

/// Starts `n` workers (at least one).
pub fn start(
    state: AppState,
    n: usize,
    stop: Arc<AtomicBool>,
) -> Result<Vec<std::thread::JoinHandle<()>>, String> {
    // Fail at start, not in a worker, if the engine cannot be made.
    crate::ingest::ocr::Engine::new(&state.config().ocr).map_err(|e| e.to_string())?;
    Ok((0..n.max(1))
        .map(|i| {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::Builder::new()
                .name(format!("intake-{i}"))
                .spawn(move || run(state, stop))
                .expect("a thread can be started")
        })
        .collect())
}

fn run(state: AppState, stop: Arc<AtomicBool>) {
    let Ok(mut engine) = crate::ingest::ocr::Engine::new(&state.config().ocr) else {
        return;
    };
    while !stop.load(Ordering::SeqCst) {
        let job = crate::registry::open(state.data(), state.config().bureau.registration.clone())
            .and_then(|r| r.claim_job().map(|j| (r, j)));
        match job {
            Ok((registry, Some(job))) => process(&state, &registry, &mut engine, job),
            Ok((_, None)) => state.inner.wake.wait(Duration::from_secs(1)),
            Err(e) => {
                tracing::error!("the register cannot be read: {e}");
                std::thread::sleep(Duration::from_secs(2));
            }
        }
    }
}

fn process(state: &AppState, registry: &Registry, engine: &mut Engine, job: Job) {
    let path = PathBuf::from(&job.spool_path);
    let config = state.config();
    let result = intake::guarded(&job.file_name, || {
        let bytes = batch::read_input(&path, config.limits.max_file_bytes)?;
        intake::intake_bytes(
            &job.file_name,
            &bytes,
            state.data(),
            config,
            engine,
            &job.submitted_by,
        )
    });
    let recorded = match &result {
        Ok(report) => registry.finish_job(job.id, report.case_id, report.duplicate_of.is_some()),
        Err(failed) => registry.fail_job(job.id, &failed.error.code, &failed.error.message),
    };
    if let Err(e) = recorded {
        // The job stays running; a restart queues it again and the register's check by
        // SHA-256 keeps it from making a second case.
        tracing::error!(job = job.id, "the job's outcome could not be recorded: {e}");
        return;
    }
    let reason = result
        .as_ref()
        .err()
        .map(|f| format!("[{}] {}", f.error.code, f.error.message));
    set_aside(state, &path, job.id, reason.as_deref());
}

/// Moves a job's file out of the way once the job is recorded.
fn set_aside(state: &AppState, path: &Path, job_id: i64, failure: Option<&str>) {
    let dirs = crate::store::DataDirs::new(state.data());
    let from_spool = path.starts_with(&dirs.spool);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("job-{job_id}"));
    let outcome = match (from_spool, failure) {
        // Kept in originals/ under its digest.
        (true, None) => std::fs::remove_file(path).map_err(|e| e.to_string()),
        (true, Some(reason)) => move_with_reason(path, &dirs.failed, &name, reason),
        (false, None) => {
            let parent = path.parent().unwrap_or(Path::new("."));
            move_with_reason(path, &parent.join("done"), &name, "")
        }
        (false, Some(reason)) => {
            let parent = path.parent().unwrap_or(Path::new("."));
            move_with_reason(path, &parent.join("failed"), &name, reason)
        }
    };
    if let Err(e) = outcome {
        tracing::error!(job = job_id, "cannot set its file aside: {e}");
    }
}

/// Moves `path` into `dir` under `name` (never over another file), with `name.reason.txt`
/// beside it when there is a reason.
fn move_with_reason(path: &Path, dir: &Path, name: &str, reason: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut target = dir.join(name);
    let mut n = 1;
    while target.exists() {
        target = dir.join(format!("{n}-{name}"));
        n += 1;
    }
    std::fs::rename(path, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    if !reason.is_empty() {
        let note = target.with_file_name(format!(
            "{}.reason.txt",
            target.file_name().unwrap_or_default().to_string_lossy()
        ));
        std::fs::write(&note, format!("{reason}\n"))
            .map_err(|e| format!("{}: {e}", note.display()))?;
    }
    Ok(())
}
