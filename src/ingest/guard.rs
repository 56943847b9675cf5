//! Running third-party parsers that may panic or loop on hostile input: on a thread of its
//! own with a large stack, under `catch_unwind`, with a wall-clock budget. A parser that
//! overruns its budget is abandoned (its thread is detached and dies with the process) and
//! the file gets a `timeout` error; one that panics gets a `corrupt` error carrying the
//! panic's message. Such a contained panic prints nothing (the error says it); any other
//! panic is reported by the default hook as before.

use super::error::{ErrorCode, IngestError, Result};
use crate::model::{ErrorBody, FailedFile};
use std::time::Duration;

const STACK_BYTES: usize = 256 * 1024 * 1024;

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
            let outcome = crate::guard::catch(f);
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
            format!("{what} failed on damaged data ({panic})"),
        )),
        Err(_) => Err(IngestError::new(
            ErrorCode::Timeout,
            format!("{what} did not finish within {} s", budget.as_secs()),
        )),
    }
}

/// Runs `f` on the current thread, turning a panic into a `corrupt` error.
pub fn catch<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    crate::guard::catch(f).unwrap_or_else(|panic| {
        Err(IngestError::new(
            ErrorCode::Corrupt,
            format!("{what} failed on damaged data ({panic})"),
        ))
    })
}

/// Runs the work on one file (`doing`: "intake", "filing", "the reader"), turning an
/// error, or a panic (a bug: `internal`), into the file's `{"file","error"}` report.
pub fn per_file<T>(name: &str, doing: &str, f: impl FnOnce() -> Result<T>) -> std::result::Result<T, FailedFile> {
    let outcome = crate::guard::catch(f).unwrap_or_else(|_| {
        Err(IngestError::new(
            ErrorCode::Internal,
            format!("{doing} crashed on this file (a bug; please report it)"),
        ))
    });
    outcome.map_err(|e| FailedFile {
        file: name.to_string(),
        error: ErrorBody {
            code: e.code.as_str().into(),
            message: e.to_string(),
        },
    })
}
