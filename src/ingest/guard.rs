//! Running third-party parsers that may panic or loop on hostile input: on a thread of its
//! own with a large stack, under `catch_unwind`, with a wall-clock budget. A parser that
//! overruns its budget is abandoned (its thread is detached and dies with the process) and
//! the file gets a `timeout` error; one that panics gets a `corrupt` error carrying the
//! panic's message. Such a contained panic prints nothing (the error says it); any other
//! panic is reported by the default hook as before.

use super::error::{ErrorCode, IngestError, Result};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

const STACK_BYTES: usize = 256 * 1024 * 1024;

thread_local! {
    /// True while this thread runs guarded work, whose panics are contained and reported.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Installs (once) a panic hook that stays quiet for contained panics.
fn quiet_contained_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINED.with(|c| c.get()) {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with this thread's panics marked as contained.
fn contained<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    quiet_contained_panics();
    let was = CONTAINED.with(|c| c.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(was));
    outcome
}

/// Runs `f` on a guarded thread; `what` names the work in error messages.
pub fn run_guarded<T, F>(what: &str, budget: Duration, f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name(format!("guard:{what}"))
        .stack_size(STACK_BYTES)
        .spawn(move || {
            let outcome = contained(f);
            let _ = tx.send(outcome);
        });
    if let Err(e) = spawned {
        return Err(IngestError::new(
            ErrorCode::Internal,
            format!("{what}: cannot start a thread: {e}"),
        ));
    }
    match rx.recv_timeout(budget) {
        Ok(Ok(result)) => result,
        Ok(Err(panic)) => Err(IngestError::new(
            ErrorCode::Corrupt,
            format!("{what} failed on damaged data ({})", panic_message(&panic)),
        )),
        Err(_) => Err(IngestError::new(
            ErrorCode::Timeout,
            format!("{what} did not finish within {} s", budget.as_secs()),
        )),
    }
}

/// Runs `f` on the current thread, turning a panic into a `corrupt` error.
pub fn catch<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    contained(f).unwrap_or_else(|panic| {
        Err(IngestError::new(
            ErrorCode::Corrupt,
            format!("{what} failed on damaged data ({})", panic_message(&panic)),
        ))
    })
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into());
    text.chars().take(200).collect()
}
