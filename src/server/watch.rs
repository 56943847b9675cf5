//! The hot folder (`xinfang serve --watch DIR`): files dropped in DIR are queued for intake.
//! A file is queued once its size has stayed the same for one poll (so a file still being
//! copied is not taken half-written) and while no job for it is pending. It stays where it is
//! until its job is recorded; then the worker moves it to `DIR/done/` or `DIR/failed/`.

use super::AppState;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const POLL: Duration = Duration::from_millis(1000);

pub fn start(state: AppState, dir: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name("watch".into())
        .spawn(move || {
            let mut sizes: HashMap<PathBuf, u64> = HashMap::new();
            let actor = format!("watch:{}", dir.display());
            while !stop.load(Ordering::SeqCst) {
                if let Err(e) = poll(&state, &dir, &actor, &mut sizes) {
                    tracing::warn!("watching {}: {e}", dir.display());
                }
                std::thread::sleep(POLL);
            }
        })
        .expect("a thread can be started")
}

fn poll(
    state: &AppState,
    dir: &PathBuf,
    actor: &str,
    sizes: &mut HashMap<PathBuf, u64>,
) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let registry = crate::registry::open(state.data(), state.config().bureau.registration.clone())
        .map_err(|e| e.to_string())?;
    let mut seen = HashMap::new();
    let mut queued = false;
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let Ok(meta) = entry.metadata() else { continue };
        if hidden || !meta.is_file() {
            continue;
        }
        let size = meta.len();
        seen.insert(path.clone(), size);
        if sizes.get(&path) != Some(&size) {
            continue; // new or still growing: look again next time
        }
        let spool = path.display().to_string();
        if registry
            .pending_job_for(&spool)
            .map_err(|e| e.to_string())?
        {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        registry
            .enqueue(&name, &spool, actor)
            .map_err(|e| e.to_string())?;
        queued = true;
    }
    *sizes = seen;
    if queued {
        state.inner.wake.notify_all();
    }
    Ok(())
}
